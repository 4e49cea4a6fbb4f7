// Compilation in two passes: Index walks each document once to find schema resources ($id),
// anchors and every subschema's location; a worklist then compiles each reachable subschema exactly
// once, so $ref cycles and long $ref chains cost neither recursion nor repeated work.
#include "common/json_schema/internal/compiler.h"

#include <boost/json.hpp>

#include <array>
#include <cmath>
#include <optional>

#include "common/json_schema/internal/uri.h"
#include "common/json_schema/internal/values.h"

namespace qlrf::json_schema::internal {
namespace {

namespace bj = boost::json;

// Deeper schemas are rejected; qlrf::json::Parse already stops at 64 levels.
constexpr int kMaxSchemaDepth = 256;
// Custom metaschemas may name other custom metaschemas; this bounds the chain.
constexpr int kMaxMetaschemaChain = 8;
// Objects with more properties than this get a hash index for "properties".
constexpr size_t kIndexPropertiesAbove = 8;

struct Dialect {
  Draft draft = Draft::k202012;
  uint32_t vocabularies = kVocabDefault;
};

std::string Child(std::string_view location, std::string_view keyword) {
  std::string s(location);
  s += '/';
  s += EscapePointerToken(keyword);
  return s;
}

std::string Child(std::string_view location, std::string_view keyword, std::string_view key) {
  return Child(Child(location, keyword), key);
}

std::string Child(std::string_view location, std::string_view keyword, size_t index) {
  return Child(location, keyword) + "/" + std::to_string(index);
}

// A non-negative integer count such as "maxLength"; 2.0 is accepted as 2.
std::optional<uint64_t> AsCount(const bj::value& v) {
  if (v.is_uint64()) {
    return v.get_uint64();
  }
  if (v.is_int64() && v.get_int64() >= 0) {
    return static_cast<uint64_t>(v.get_int64());
  }
  if (v.is_double() && IsInteger(v) && v.get_double() >= 0 && v.get_double() < 1.8e19) {
    return static_cast<uint64_t>(v.get_double());
  }
  return std::nullopt;
}

std::optional<uint8_t> TypeBitFor(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, uint8_t>, 7> kTypes = {{
      {"null", kTypeNull},
      {"boolean", kTypeBoolean},
      {"object", kTypeObject},
      {"array", kTypeArray},
      {"number", kTypeNumber},
      {"string", kTypeString},
      {"integer", kTypeInteger},
  }};
  for (const auto& [type_name, bit] : kTypes) {
    if (type_name == name) {
      return bit;
    }
  }
  return std::nullopt;
}

// The bits a vocabulary URI enables; nullopt when we do not know the vocabulary.
std::optional<uint32_t> VocabularyBits(std::string_view uri) {
  for (std::string_view prefix :
       {std::string_view("https://json-schema.org/draft/2020-12/vocab/"),
        std::string_view("https://json-schema.org/draft/2019-09/vocab/")}) {
    if (!uri.starts_with(prefix)) {
      continue;
    }
    std::string_view name = uri.substr(prefix.size());
    bool draft2019 = prefix.find("2019") != std::string_view::npos;
    if (name == "core" || name == "meta-data" || name == "format-annotation" || name == "format" ||
        name == "content") {
      return 0u;
    }
    if (name == "applicator") {
      // 2019-09 keeps unevaluated* in the applicator vocabulary.
      return draft2019 ? kVocabApplicator | kVocabUnevaluated : kVocabApplicator;
    }
    if (name == "unevaluated") {
      return kVocabUnevaluated;
    }
    if (name == "validation") {
      return kVocabValidation;
    }
    if (name == "format-assertion") {
      return kVocabFormatAssertion;
    }
  }
  return std::nullopt;
}

// Resolves a JSON Pointer (already percent-decoded) against `root`; nullptr if it leads nowhere.
const bj::value* WalkPointer(const bj::value& root, std::string_view pointer) {
  const bj::value* cur = &root;
  while (!pointer.empty()) {
    pointer.remove_prefix(1);  // the '/'
    size_t end = pointer.find('/');
    std::string_view raw = pointer.substr(0, end);
    pointer = end == std::string_view::npos ? std::string_view() : pointer.substr(end);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        token += raw[i];
      }
    }
    if (cur->is_object()) {
      cur = cur->get_object().if_contains(token);
    } else if (cur->is_array()) {
      const auto& arr = cur->get_array();
      if (token.empty() || token.size() > 18 || (token.size() > 1 && token[0] == '0') ||
          token.find_first_not_of("0123456789") != std::string::npos) {
        return nullptr;
      }
      size_t index = std::stoull(token);
      cur = index < arr.size() ? &arr[index] : nullptr;
    } else {
      return nullptr;
    }
    if (cur == nullptr) {
      return nullptr;
    }
  }
  return cur;
}

class Compiler {
 public:
  explicit Compiler(const CompileOptions& options)
      : options_(options), out_(std::make_shared<CompiledSchema>()) {}

  Result<std::shared_ptr<const CompiledSchema>> Run(const bj::value& schema) {
    auto doc = std::make_shared<const bj::value>(schema);
    QLRF_TRY(AddDocument(doc, options_.base_uri, options_.default_draft, "#"));
    out_->root = NodeFor(doc.get(), index_.at(doc.get()));
    QLRF_TRY(Drain());
    out_->max_evaluation_steps = options_.max_evaluation_steps;
    return std::shared_ptr<const CompiledSchema>(std::move(out_));
  }

 private:
  // Where a subschema sits: its resource (base URI, dialect) and its keyword-location prefix.
  struct Info {
    Resource* resource = nullptr;
    std::string location;
  };
  struct Pending {
    Node* node;
    const bj::value* value;
    Info info;
  };
  struct Target {
    const bj::value* value = nullptr;
    Info info;
    Resource* resource = nullptr;
    std::string fragment;
  };

  Status AddDocument(std::shared_ptr<const bj::value> doc, const std::string& uri, Draft draft,
                     const std::string& location) {
    const bj::value* root = doc.get();
    out_->documents.push_back(std::move(doc));
    Resource& r = out_->resources.emplace_back();
    r.uri = uri;
    r.location = location;
    r.root = root;
    r.draft = draft;
    by_uri_.emplace(r.uri, &r);
    return Index(*root, &r, location, 0);
  }

  Result<Dialect> DialectOf(std::string_view uri, int chain, const std::string& location) {
    std::string_view u = uri;
    if (u.ends_with('#')) {
      u.remove_suffix(1);
    }
    if (u == "https://json-schema.org/draft/2020-12/schema") {
      return Dialect{Draft::k202012, kVocabDefault};
    }
    if (u == "https://json-schema.org/draft/2019-09/schema") {
      return Dialect{Draft::k201909, kVocabDefault};
    }
    if (u == "http://json-schema.org/draft-07/schema" ||
        u == "http://json-schema.org/draft-06/schema" ||
        u == "http://json-schema.org/draft-04/schema") {
      return Dialect{Draft::k7, kVocabDefault};
    }
    std::shared_ptr<const bj::value> meta;
    if (options_.registry != nullptr && chain < kMaxMetaschemaChain) {
      meta = options_.registry->Find(u);
    }
    if (meta == nullptr || !meta->is_object()) {
      return Fail(Unimplemented("unknown $schema \"" + std::string(uri) + "\"")
                      .With("field", Child(location, "$schema")));
    }
    Dialect d{options_.default_draft, kVocabDefault};
    const auto& obj = meta->get_object();
    if (const bj::value* s = obj.if_contains("$schema"); s != nullptr && s->is_string()) {
      QLRF_ASSIGN_OR_RETURN(d, DialectOf(s->get_string(), chain + 1, location));
    }
    if (const bj::value* vocab = obj.if_contains("$vocabulary");
        vocab != nullptr && vocab->is_object()) {
      uint32_t bits = 0;
      for (const auto& member : vocab->get_object()) {
        std::optional<uint32_t> known = VocabularyBits(member.key());
        if (!known) {
          if (member.value().is_bool() && member.value().get_bool()) {
            return Fail(Unimplemented("required vocabulary \"" + std::string(member.key()) +
                                      "\" is not supported")
                            .With("field", Child(location, "$schema")));
          }
          continue;
        }
        bits |= *known;
      }
      d.vocabularies = bits;
    }
    return d;
  }

  // Records resources, anchors and the location of every subschema under `v`.
  Status Index(const bj::value& v, Resource* res, const std::string& location, int depth) {
    if (depth > kMaxSchemaDepth) {
      return Fail(FieldError(location, "schema is nested too deeply"));
    }
    if (!v.is_object()) {
      index_.try_emplace(&v, Info{res, location});
      return Ok();
    }
    const auto& obj = v.get_object();
    const bool is_document_root = &v == res->root;
    const bj::value* id = obj.if_contains("$id");
    Dialect dialect{res->draft, res->vocabularies};
    if (const bj::value* s = obj.if_contains("$schema"); s != nullptr && (is_document_root || id)) {
      if (!s->is_string()) {
        return Fail(FieldError(Child(location, "$schema"), "\"$schema\" must be a string"));
      }
      QLRF_ASSIGN_OR_RETURN(dialect, DialectOf(s->get_string(), 0, location));
    }
    if (is_document_root) {
      res->draft = dialect.draft;
      res->vocabularies = dialect.vocabularies;
    }
    Resource* cur = res;
    // In draft-07 "$ref" makes every sibling keyword, "$id" included, ignored.
    const bool ref_overrides = dialect.draft == Draft::k7 && obj.contains("$ref");
    if (id != nullptr && !ref_overrides) {
      if (!id->is_string()) {
        return Fail(FieldError(Child(location, "$id"), "\"$id\" must be a string"));
      }
      std::string_view id_text = id->get_string();
      std::string resolved = ResolveUri(res->uri, id_text);
      auto [base_view, fragment_view] = SplitFragment(resolved);
      std::string base(base_view);
      std::string fragment = PercentDecode(fragment_view);
      if (dialect.draft == Draft::k7 && id_text.starts_with('#')) {
        res->anchors.emplace(fragment, &v);
      } else {
        if (is_document_root) {
          res->uri = base;
          by_uri_.emplace(base, res);
        } else if (base != res->uri) {
          cur = &out_->resources.emplace_back();
          cur->uri = base;
          cur->location = location;
          cur->root = &v;
          cur->draft = dialect.draft;
          cur->vocabularies = dialect.vocabularies;
          by_uri_.emplace(base, cur);
        }
        if (dialect.draft == Draft::k7 && !fragment.empty()) {
          cur->anchors.emplace(fragment, &v);
        }
      }
    }
    if (dialect.draft != Draft::k7) {
      if (const bj::value* a = obj.if_contains("$anchor"); a != nullptr && a->is_string()) {
        cur->anchors.emplace(std::string(a->get_string()), &v);
      }
      const bj::value* da = obj.if_contains("$dynamicAnchor");
      if (dialect.draft == Draft::k202012 && da != nullptr && da->is_string()) {
        cur->anchors.emplace(std::string(da->get_string()), &v);
        cur->dynamic_anchors.emplace(std::string(da->get_string()), &v);
      }
    }
    index_.try_emplace(&v, Info{cur, location});

    const Draft d = dialect.draft;
    auto one = [&](std::string_view kw) -> Status {
      if (const bj::value* c = obj.if_contains(kw)) {
        return Index(*c, cur, Child(location, kw), depth + 1);
      }
      return Ok();
    };
    auto list = [&](std::string_view kw) -> Status {
      if (const bj::value* c = obj.if_contains(kw); c != nullptr && c->is_array()) {
        const auto& arr = c->get_array();
        for (size_t i = 0; i < arr.size(); ++i) {
          QLRF_TRY(Index(arr[i], cur, Child(location, kw, i), depth + 1));
        }
      }
      return Ok();
    };
    auto map = [&](std::string_view kw) -> Status {
      if (const bj::value* c = obj.if_contains(kw); c != nullptr && c->is_object()) {
        for (const auto& member : c->get_object()) {
          QLRF_TRY(Index(member.value(), cur, Child(location, kw, member.key()), depth + 1));
        }
      }
      return Ok();
    };
    for (std::string_view kw :
         {"additionalProperties", "propertyNames", "not", "if", "then", "else", "contains"}) {
      QLRF_TRY(one(kw));
    }
    for (std::string_view kw : {"allOf", "anyOf", "oneOf"}) {
      QLRF_TRY(list(kw));
    }
    for (std::string_view kw : {"properties", "patternProperties", "dependencies"}) {
      QLRF_TRY(map(kw));
    }
    if (d == Draft::k7) {
      QLRF_TRY(map("definitions"));
    } else {
      QLRF_TRY(map("$defs"));
      QLRF_TRY(map("dependentSchemas"));
      QLRF_TRY(one("unevaluatedItems"));
      QLRF_TRY(one("unevaluatedProperties"));
    }
    if (d == Draft::k202012) {
      QLRF_TRY(list("prefixItems"));
      QLRF_TRY(one("items"));
    } else {
      const bj::value* items = obj.if_contains("items");
      QLRF_TRY(items != nullptr && items->is_array() ? list("items") : one("items"));
      QLRF_TRY(one("additionalItems"));
    }
    return Ok();
  }

  Node* NodeFor(const bj::value* v, Info info) {
    auto [it, inserted] = nodes_.try_emplace(v, nullptr);
    if (inserted) {
      it->second = &out_->nodes.emplace_back();
      queue_.push_back(Pending{it->second, v, std::move(info)});
    }
    return it->second;
  }

  Node* Subschema(const bj::value& child, const Info& parent, std::string location) {
    auto it = index_.find(&child);
    if (it != index_.end()) {
      return NodeFor(&child, it->second);
    }
    return NodeFor(&child, Info{parent.resource, std::move(location)});
  }

  Result<Target> Resolve(const Resource& from, std::string_view ref, const std::string& where) {
    std::string absolute = ResolveUri(from.uri, ref);
    auto [base_view, fragment_view] = SplitFragment(absolute);
    std::string base(base_view);
    Target t;
    t.fragment = PercentDecode(fragment_view);
    auto it = by_uri_.find(base);
    if (it == by_uri_.end() && options_.registry != nullptr) {
      if (auto doc = options_.registry->Find(base)) {
        QLRF_TRY(AddDocument(std::move(doc), base, from.draft, base + "#"));
        it = by_uri_.find(base);
      }
    }
    if (it == by_uri_.end()) {
      return Fail(NotFound("cannot resolve reference \"" + std::string(ref) + "\": no schema \"" +
                           base + "\" is known")
                      .With("field", where));
    }
    t.resource = it->second;
    if (t.fragment.empty()) {
      t.value = t.resource->root;
    } else if (t.fragment[0] == '/') {
      t.value = WalkPointer(*t.resource->root, t.fragment);
    } else if (auto anchor = t.resource->anchors.find(t.fragment);
               anchor != t.resource->anchors.end()) {
      t.value = anchor->second;
    }
    if (t.value == nullptr) {
      return Fail(NotFound("cannot resolve reference \"" + std::string(ref) + "\": \"#" +
                           t.fragment + "\" does not exist in \"" + base + "\"")
                      .With("field", where));
    }
    auto indexed = index_.find(t.value);
    t.info = indexed != index_.end() ? indexed->second
                                     : Info{t.resource, t.resource->location + t.fragment};
    return t;
  }

  Result<const Regex*> RegexFor(std::string_view pattern, const std::string& location) {
    std::string key(pattern);
    if (auto it = regex_by_source_.find(key); it != regex_by_source_.end()) {
      return it->second;
    }
    Result<Regex> compiled = Regex::Compile(pattern);
    if (!compiled) {
      Error e = std::move(compiled).error();
      return Fail(std::move(e).With("field", location));
    }
    const Regex* r = &out_->regexes.emplace_back(std::move(*compiled));
    regex_by_source_.emplace(std::move(key), r);
    return r;
  }

  // Compiles queued nodes until none is left; with $dynamicRef in use, also every dynamic anchor
  // of every resource, since any of them may be selected at run time.
  Status Drain() {
    while (true) {
      while (!queue_.empty()) {
        Pending p = std::move(queue_.back());
        queue_.pop_back();
        QLRF_TRY(CompileNode(*p.node, *p.value, p.info));
      }
      if (!out_->uses_dynamic_ref) {
        return Ok();
      }
      bool added = false;
      for (Resource& r : out_->resources) {
        for (const auto& [name, value] : r.dynamic_anchors) {
          if (r.dynamic_nodes.contains(name)) {
            continue;
          }
          r.dynamic_nodes.emplace(name, NodeFor(value, index_.at(value)));
          added = true;
        }
      }
      if (!added) {
        return Ok();
      }
    }
  }

  Status CompileNode(Node& n, const bj::value& v, const Info& info) {
    n.resource = info.resource;
    n.location = info.location;
    if (v.is_bool()) {
      n.is_bool = true;
      n.bool_value = v.get_bool();
      return Ok();
    }
    if (!v.is_object()) {
      return Fail(FieldError(info.location, "a schema must be an object or a boolean"));
    }
    const Resource& res = *info.resource;
    const Draft draft = res.draft;
    const uint32_t vocab = res.vocabularies;
    const auto& obj = v.get_object();
    const std::string& loc = info.location;
    auto bad = [&](std::string_view kw, std::string_view what) {
      return Fail(
          FieldError(Child(loc, kw), "\"" + std::string(kw) + "\" must be " + std::string(what)));
    };

    if (const bj::value* ref = obj.if_contains("$ref")) {
      if (!ref->is_string()) {
        return bad("$ref", "a string");
      }
      QLRF_ASSIGN_OR_RETURN(Target t, Resolve(res, ref->get_string(), Child(loc, "$ref")));
      n.ref = NodeFor(t.value, std::move(t.info));
      if (draft == Draft::k7) {
        return Ok();
      }
    }
    if (const bj::value* ref = obj.if_contains("$dynamicRef"); ref && draft == Draft::k202012) {
      if (!ref->is_string()) {
        return bad("$dynamicRef", "a string");
      }
      QLRF_ASSIGN_OR_RETURN(Target t, Resolve(res, ref->get_string(), Child(loc, "$dynamicRef")));
      // Only a reference whose first target carries a matching $dynamicAnchor is dynamic
      // ("bookending"); otherwise it behaves exactly like $ref.
      if (!t.fragment.empty() && t.fragment[0] != '/') {
        auto anchor = t.resource->dynamic_anchors.find(t.fragment);
        if (anchor != t.resource->dynamic_anchors.end() && anchor->second == t.value) {
          n.dynamic_anchor = t.fragment;
          out_->uses_dynamic_ref = true;
        }
      }
      n.dynamic_ref = NodeFor(t.value, std::move(t.info));
    }

    if ((vocab & kVocabApplicator) != 0) {
      QLRF_TRY(CompileApplicators(n, obj, info, draft));
    }
    if ((vocab & kVocabUnevaluated) != 0 && draft != Draft::k7) {
      QLRF_TRY(Single(obj, info, "unevaluatedItems", n.unevaluated_items));
      QLRF_TRY(Single(obj, info, "unevaluatedProperties", n.unevaluated_properties));
    }
    if ((vocab & kVocabValidation) != 0) {
      QLRF_TRY(CompileValidation(n, obj, loc, draft));
    }
    if (const bj::value* f = obj.if_contains("format")) {
      if (!f->is_string()) {
        return bad("format", "a string");
      }
      n.format_name = f->get_string();
      n.format = ParseFormat(n.format_name);
      n.assert_format = n.format != Format::kUnknown &&
                        (options_.assert_format || (vocab & kVocabFormatAssertion) != 0);
    }
    return Ok();
  }

  Status Single(const bj::object& obj, const Info& info, std::string_view kw, const Node*& out) {
    if (const bj::value* c = obj.if_contains(kw)) {
      out = Subschema(*c, info, Child(info.location, kw));
    }
    return Ok();
  }

  Status List(const bj::object& obj, const Info& info, std::string_view kw,
              std::vector<const Node*>& out) {
    const bj::value* c = obj.if_contains(kw);
    if (c == nullptr) {
      return Ok();
    }
    if (!c->is_array()) {
      return Fail(FieldError(Child(info.location, kw),
                             "\"" + std::string(kw) + "\" must be an array of schemas"));
    }
    const auto& arr = c->get_array();
    for (size_t i = 0; i < arr.size(); ++i) {
      out.push_back(Subschema(arr[i], info, Child(info.location, kw, i)));
    }
    return Ok();
  }

  Status Named(const bj::object& obj, const Info& info, std::string_view kw,
               std::vector<NamedNode>& out) {
    const bj::value* c = obj.if_contains(kw);
    if (c == nullptr) {
      return Ok();
    }
    if (!c->is_object()) {
      return Fail(FieldError(Child(info.location, kw),
                             "\"" + std::string(kw) + "\" must be an object of schemas"));
    }
    for (const auto& member : c->get_object()) {
      out.push_back(NamedNode{
          member.key(), Subschema(member.value(), info, Child(info.location, kw, member.key()))});
    }
    return Ok();
  }

  Result<std::vector<std::string_view>> StringList(const bj::value& v,
                                                   const std::string& location) {
    if (!v.is_array()) {
      return Fail(FieldError(location, "must be an array of strings"));
    }
    std::vector<std::string_view> out;
    for (const auto& e : v.get_array()) {
      if (!e.is_string()) {
        return Fail(FieldError(location, "must be an array of strings"));
      }
      out.push_back(e.get_string());
    }
    return out;
  }

  Status CompileApplicators(Node& n, const bj::object& obj, const Info& info, Draft draft) {
    const std::string& loc = info.location;
    QLRF_TRY(List(obj, info, "allOf", n.all_of));
    QLRF_TRY(List(obj, info, "anyOf", n.any_of));
    QLRF_TRY(List(obj, info, "oneOf", n.one_of));
    QLRF_TRY(Single(obj, info, "not", n.not_schema));
    QLRF_TRY(Single(obj, info, "if", n.if_schema));
    QLRF_TRY(Single(obj, info, "then", n.then_schema));
    QLRF_TRY(Single(obj, info, "else", n.else_schema));
    QLRF_TRY(Named(obj, info, "properties", n.properties));
    if (n.properties.size() > kIndexPropertiesAbove) {
      for (const NamedNode& p : n.properties) {
        n.properties_index.emplace(p.name, p.node);
      }
    }
    if (const bj::value* pp = obj.if_contains("patternProperties")) {
      if (!pp->is_object()) {
        return Fail(FieldError(Child(loc, "patternProperties"),
                               "\"patternProperties\" must be an object of schemas"));
      }
      for (const auto& member : pp->get_object()) {
        std::string where = Child(loc, "patternProperties", member.key());
        QLRF_ASSIGN_OR_RETURN(const Regex* re, RegexFor(member.key(), where));
        n.pattern_properties.push_back(PatternNode{re, Subschema(member.value(), info, where)});
      }
    }
    QLRF_TRY(Single(obj, info, "additionalProperties", n.additional_properties));
    QLRF_TRY(Single(obj, info, "propertyNames", n.property_names));
    QLRF_TRY(Single(obj, info, "contains", n.contains));
    if (draft != Draft::k7) {
      QLRF_TRY(Named(obj, info, "dependentSchemas", n.dependent_schemas));
    }
    // "dependencies" (draft-07) splits into its two 2019-09 successors; accepted in every draft
    // for compatibility.
    if (const bj::value* deps = obj.if_contains("dependencies")) {
      if (!deps->is_object()) {
        return Fail(FieldError(Child(loc, "dependencies"), "\"dependencies\" must be an object"));
      }
      for (const auto& member : deps->get_object()) {
        std::string where = Child(loc, "dependencies", member.key());
        if (member.value().is_array()) {
          QLRF_ASSIGN_OR_RETURN(auto names, StringList(member.value(), where));
          n.dependent_required.push_back(Dependency{member.key(), std::move(names)});
          n.dependent_required_keyword = "dependencies";
        } else {
          n.dependent_schemas.push_back(
              NamedNode{member.key(), Subschema(member.value(), info, where)});
          n.dependent_schemas_keyword = "dependencies";
        }
      }
    }
    if (draft == Draft::k202012) {
      QLRF_TRY(List(obj, info, "prefixItems", n.prefix_items));
      QLRF_TRY(Single(obj, info, "items", n.items));
    } else if (const bj::value* items = obj.if_contains("items"); items && items->is_array()) {
      n.prefix_items_keyword = "items";
      QLRF_TRY(List(obj, info, "items", n.prefix_items));
      QLRF_TRY(Single(obj, info, "additionalItems", n.items));
      n.items_keyword = "additionalItems";
    } else {
      QLRF_TRY(Single(obj, info, "items", n.items));
    }
    return Ok();
  }

  Status CompileValidation(Node& n, const bj::object& obj, const std::string& loc, Draft draft) {
    auto bad = [&](std::string_view kw, std::string_view what) {
      return Fail(
          FieldError(Child(loc, kw), "\"" + std::string(kw) + "\" must be " + std::string(what)));
    };
    if (const bj::value* t = obj.if_contains("type")) {
      auto add = [&](const bj::value& name) -> bool {
        std::optional<uint8_t> bit =
            name.is_string() ? TypeBitFor(name.get_string()) : std::nullopt;
        if (bit) {
          n.types = static_cast<uint8_t>(n.types | *bit);
        }
        return bit.has_value();
      };
      bool ok = t->is_array() ? !t->get_array().empty() : add(*t);
      if (t->is_array()) {
        for (const auto& e : t->get_array()) {
          ok = ok && add(e);
        }
      }
      if (!ok) {
        return bad("type", "a type name or an array of type names");
      }
    }
    if (const bj::value* e = obj.if_contains("enum")) {
      if (!e->is_array()) {
        return bad("enum", "an array");
      }
      n.enum_values = &e->get_array();
    }
    n.const_value = obj.if_contains("const");
    auto number = [&](std::string_view kw, const bj::value*& out) -> Status {
      if (const bj::value* x = obj.if_contains(kw)) {
        if (!x->is_number()) {
          return bad(kw, "a number");
        }
        out = x;
      }
      return Ok();
    };
    QLRF_TRY(number("multipleOf", n.multiple_of));
    if (n.multiple_of != nullptr && ToLongDouble(*n.multiple_of) <= 0) {
      return bad("multipleOf", "greater than 0");
    }
    QLRF_TRY(number("maximum", n.maximum));
    QLRF_TRY(number("exclusiveMaximum", n.exclusive_maximum));
    QLRF_TRY(number("minimum", n.minimum));
    QLRF_TRY(number("exclusiveMinimum", n.exclusive_minimum));
    auto count = [&](std::string_view kw, std::optional<uint64_t>& out) -> Status {
      if (const bj::value* x = obj.if_contains(kw)) {
        out = AsCount(*x);
        if (!out) {
          return bad(kw, "a non-negative integer");
        }
      }
      return Ok();
    };
    QLRF_TRY(count("maxLength", n.max_length));
    QLRF_TRY(count("minLength", n.min_length));
    QLRF_TRY(count("maxItems", n.max_items));
    QLRF_TRY(count("minItems", n.min_items));
    QLRF_TRY(count("maxProperties", n.max_properties));
    QLRF_TRY(count("minProperties", n.min_properties));
    if (draft != Draft::k7) {
      QLRF_TRY(count("maxContains", n.max_contains));
      QLRF_TRY(count("minContains", n.min_contains));
    }
    if (const bj::value* p = obj.if_contains("pattern")) {
      if (!p->is_string()) {
        return bad("pattern", "a string");
      }
      QLRF_ASSIGN_OR_RETURN(n.pattern, RegexFor(p->get_string(), Child(loc, "pattern")));
    }
    if (const bj::value* u = obj.if_contains("uniqueItems")) {
      if (!u->is_bool()) {
        return bad("uniqueItems", "a boolean");
      }
      n.unique_items = u->get_bool();
    }
    if (const bj::value* r = obj.if_contains("required")) {
      QLRF_ASSIGN_OR_RETURN(n.required, StringList(*r, Child(loc, "required")));
    }
    if (const bj::value* dr = obj.if_contains("dependentRequired"); dr && draft != Draft::k7) {
      if (!dr->is_object()) {
        return bad("dependentRequired", "an object");
      }
      for (const auto& member : dr->get_object()) {
        QLRF_ASSIGN_OR_RETURN(
            auto names, StringList(member.value(), Child(loc, "dependentRequired", member.key())));
        n.dependent_required.push_back(Dependency{member.key(), std::move(names)});
      }
    }
    return Ok();
  }

  const CompileOptions& options_;
  std::shared_ptr<CompiledSchema> out_;
  std::unordered_map<std::string, Resource*> by_uri_;
  std::unordered_map<const bj::value*, Info> index_;
  std::unordered_map<const bj::value*, Node*> nodes_;
  std::unordered_map<std::string, const Regex*> regex_by_source_;
  std::vector<Pending> queue_;
};

}  // namespace

Result<std::shared_ptr<const CompiledSchema>> CompileSchema(const boost::json::value& schema,
                                                            const CompileOptions& options) {
  return Compiler(options).Run(schema);
}

}  // namespace qlrf::json_schema::internal
