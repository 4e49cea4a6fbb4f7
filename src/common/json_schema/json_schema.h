// JSON Schema (draft 2020-12, 2019-09 and draft-07) for QL-RF: compile a schema once, validate
// many instances; used for API request/response bodies and AI tool inputs and outputs.
#pragma once

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace qlrf::json_schema {

namespace internal {
struct CompiledSchema;
}  // namespace internal

// The dialect a schema is read in when it has no "$schema" of its own.
enum class Draft { k7, k201909, k202012 };

// Documents that remote "$ref"s resolve to, keyed by absolute URI without fragment
// ("http://localhost:1234/draft2020-12/integer.json"). The validator never touches the network:
// a reference to a URI that is neither inside the schema nor here fails Compile.
// Not thread-safe while being filled; immutable (and safe to share) once handed to Compile.
class SchemaRegistry {
 public:
  // Adds or replaces the document for `uri` (a trailing empty fragment "#" is ignored).
  void Add(std::string_view uri, const boost::json::value& document);
  // nullptr when no document is registered under `uri`.
  std::shared_ptr<const boost::json::value> Find(std::string_view uri) const;

 private:
  std::map<std::string, std::shared_ptr<const boost::json::value>, std::less<>> documents_;
};

struct CompileOptions {
  Draft default_draft = Draft::k202012;
  // Treat "format" as an assertion (date-time, date, time, email, uuid, ipv4, ipv6, uri,
  // hostname); otherwise it is an annotation, as both drafts specify by default. A metaschema
  // that lists the format-assertion vocabulary turns assertion on for its schemas either way.
  bool assert_format = false;
  // Where remote references resolve; may be nullptr. Must outlive Compile (not the Schema).
  const SchemaRegistry* registry = nullptr;
  // Base URI of a root schema without "$id"; relative references resolve against it.
  std::string base_uri = "https://qlrf.invalid/schema.json";
  // Upper bound on subschema evaluations per Validate call, so that a hostile combination of
  // schema and instance cannot run for long; exceeding it makes the instance invalid. 0: none.
  uint64_t max_evaluation_steps = 10'000'000;
};

// One failed assertion.
struct ValidationError {
  // JSON Pointer to the offending value ("/scope/environment", "" for the root). For "required",
  // "dependentRequired", "additionalProperties" and "unevaluatedProperties" it points at the
  // missing or unexpected member itself, so the path names the field the caller must fix.
  std::string instance_location;
  // The same location in dotted form for API error details: "scope.environment", "items[2].id".
  std::string field;
  // Absolute location of the failing keyword after "$ref" resolution: "#/properties/a/type" in
  // the root document, "<uri>#/..." in a registry document.
  std::string keyword_location;
  std::string keyword;  // "type", "required", ...; "false" for a false schema
  std::string message;  // human-readable, without the path ("must be of type string")
};

struct ValidationResult {
  bool valid = true;
  std::vector<ValidationError> errors;  // empty when valid
};

enum class ValidateMode {
  kAllErrors,   // evaluate everything and report every error
  kFirstError,  // stop at the first error (fast path for request validation)
};

// A compiled schema. Immutable after Compile; copies share the compiled form; Validate, IsValid
// and Check are thread-safe and may run concurrently on one Schema.
class Schema {
 public:
  // Compiles `schema` (object or boolean). Fails with InvalidArgument (details: field = schema
  // location) on a malformed keyword or an invalid pattern, with NotFound when a "$ref" resolves
  // to nothing (remote documents come only from options.registry), and with Unimplemented for an
  // unknown "$schema" or a required vocabulary this validator does not know.
  static Result<Schema> Compile(const boost::json::value& schema,
                                const CompileOptions& options = {});

  // Validates `instance`; never fails otherwise. Errors come in evaluation order; subschema errors
  // under anyOf/oneOf/not/if/contains/propertyNames are summarised by one error at that keyword.
  ValidationResult Validate(const boost::json::value& instance,
                            ValidateMode mode = ValidateMode::kAllErrors) const;

  // The fastest check: valid or not, without building any error.
  bool IsValid(const boost::json::value& instance) const;

  // Ok, or the first error as InvalidArgument with details {"field": dotted path,
  // "keyword": failing keyword} (each omitted when empty, e.g. "field" for the root value);
  // the message does not repeat the path.
  Status Check(const boost::json::value& instance) const;

 private:
  explicit Schema(std::shared_ptr<const internal::CompiledSchema> compiled);

  std::shared_ptr<const internal::CompiledSchema> compiled_;
};

}  // namespace qlrf::json_schema
