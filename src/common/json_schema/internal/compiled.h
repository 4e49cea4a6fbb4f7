// The compiled form of a schema: one Node per subschema, linked by pointers ($ref edges may form
// cycles), plus the schema resources that $dynamicRef searches. Built by compiler.cc, read by
// evaluator.cc; immutable after compilation.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/json_schema/internal/format.h"
#include "common/json_schema/internal/regex.h"
#include "common/json_schema/json_schema.h"

namespace qlrf::json_schema::internal {

// Bits of the "type" keyword; an integer also satisfies "number".
enum TypeBit : uint8_t {
  kTypeNull = 1,
  kTypeBoolean = 2,
  kTypeObject = 4,
  kTypeArray = 8,
  kTypeNumber = 16,
  kTypeString = 32,
  kTypeInteger = 64,
};

// 2020-12 vocabularies that change which keywords apply (core is always on).
enum Vocabulary : uint32_t {
  kVocabApplicator = 1,
  kVocabUnevaluated = 2,
  kVocabValidation = 4,
  kVocabFormatAssertion = 8,
  kVocabDefault = kVocabApplicator | kVocabUnevaluated | kVocabValidation,
};

struct Node;

// A schema resource: the document root or a subschema with "$id".
struct Resource {
  std::string uri;       // absolute, without fragment; the base for relative references
  std::string location;  // keyword-location prefix of its root ("#", "#/$defs/a", "<uri>#")
  const boost::json::value* root = nullptr;
  Draft draft = Draft::k202012;
  uint32_t vocabularies = kVocabDefault;
  std::unordered_map<std::string, const boost::json::value*> anchors;
  std::unordered_map<std::string, const boost::json::value*> dynamic_anchors;
  // Compiled targets of dynamic_anchors, filled when the schema uses $dynamicRef.
  std::unordered_map<std::string_view, const Node*> dynamic_nodes;
};

struct NamedNode {
  std::string_view name;
  const Node* node = nullptr;
};

struct PatternNode {
  const Regex* regex = nullptr;
  const Node* node = nullptr;
};

struct Dependency {
  std::string_view name;
  std::vector<std::string_view> required;
};

struct Node {
  const Resource* resource = nullptr;
  std::string location;  // keyword locations are location + "/" + keyword

  bool is_bool = false;
  bool bool_value = true;

  // Core.
  const Node* ref = nullptr;
  const Node* dynamic_ref = nullptr;
  std::string dynamic_anchor;  // set when dynamic_ref resolves through the dynamic scope

  // Validation vocabulary. Numeric limits point into the schema document.
  uint8_t types = 0;  // 0: no "type" keyword
  const boost::json::array* enum_values = nullptr;
  const boost::json::value* const_value = nullptr;
  const boost::json::value* multiple_of = nullptr;
  const boost::json::value* maximum = nullptr;
  const boost::json::value* exclusive_maximum = nullptr;
  const boost::json::value* minimum = nullptr;
  const boost::json::value* exclusive_minimum = nullptr;
  std::optional<uint64_t> max_length;
  std::optional<uint64_t> min_length;
  const Regex* pattern = nullptr;
  std::optional<uint64_t> max_items;
  std::optional<uint64_t> min_items;
  bool unique_items = false;
  std::optional<uint64_t> max_contains;
  std::optional<uint64_t> min_contains;
  std::optional<uint64_t> max_properties;
  std::optional<uint64_t> min_properties;
  std::vector<std::string_view> required;
  std::vector<Dependency> dependent_required;
  std::string_view dependent_required_keyword = "dependentRequired";
  Format format = Format::kUnknown;
  std::string_view format_name;
  bool assert_format = false;

  // Applicator vocabulary.
  std::vector<NamedNode> properties;
  std::unordered_map<std::string_view, const Node*> properties_index;  // when properties is large
  std::vector<PatternNode> pattern_properties;
  const Node* additional_properties = nullptr;
  const Node* property_names = nullptr;
  std::vector<NamedNode> dependent_schemas;
  std::string_view dependent_schemas_keyword = "dependentSchemas";
  std::vector<const Node*> prefix_items;
  std::string_view prefix_items_keyword = "prefixItems";  // "items" (array form) before 2020-12
  const Node* items = nullptr;
  std::string_view items_keyword = "items";  // "additionalItems" before 2020-12
  const Node* contains = nullptr;
  std::vector<const Node*> all_of;
  std::vector<const Node*> any_of;
  std::vector<const Node*> one_of;
  const Node* not_schema = nullptr;
  const Node* if_schema = nullptr;
  const Node* then_schema = nullptr;
  const Node* else_schema = nullptr;

  // Unevaluated vocabulary.
  const Node* unevaluated_items = nullptr;
  const Node* unevaluated_properties = nullptr;
};

struct CompiledSchema {
  // Owned copies of the root schema and of the registry documents it refers to; nodes point into
  // them, so they never move (deque) and are never modified.
  std::deque<std::shared_ptr<const boost::json::value>> documents;
  std::deque<Resource> resources;
  std::deque<Node> nodes;
  std::deque<Regex> regexes;  // deduplicated by source
  const Node* root = nullptr;
  bool uses_dynamic_ref = false;
  uint64_t max_evaluation_steps = 0;
};

}  // namespace qlrf::json_schema::internal
