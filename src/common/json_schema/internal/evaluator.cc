// One recursive walk over schema nodes and instance values. Error text is built only when reported;
// subschemas whose failure is expected (anyOf branches, not, if, contains, propertyNames) run
// quietly and short-circuit; annotations are collected only under unevaluated* keywords.
#include "common/json_schema/internal/evaluator.h"

#include <boost/json.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/json_schema/internal/values.h"

namespace qlrf::json_schema::internal {
namespace {

namespace bj = boost::json;

// Nesting limit of schema evaluations: far more than any instance qlrf::json::Parse accepts
// (64 levels) needs, small enough for the stack, also under ASan.
constexpr int kMaxEvalDepth = 400;
// Arrays up to this size are checked for uniqueness pairwise; larger ones by hash buckets.
constexpr size_t kPairwiseUniqueLimit = 32;
// Enum values are quoted in messages only while short.
constexpr size_t kMaxEnumTextInMessage = 120;
// Instance depth that needs no reallocation of the path.
constexpr size_t kPathReserve = 16;

// Which members or items of the instance at hand some successful subschema evaluated.
struct Annotations {
  std::vector<bool> properties;
  std::vector<bool> items;

  static void Mark(std::vector<bool>& bits, size_t i, size_t size) {
    if (bits.size() < size) {
      bits.resize(size);
    }
    bits[i] = true;
  }
  static bool Has(const std::vector<bool>& bits, size_t i) { return i < bits.size() && bits[i]; }
  static void Or(std::vector<bool>& into, const std::vector<bool>& from) {
    if (into.size() < from.size()) {
      into.resize(from.size());
    }
    for (size_t i = 0; i < from.size(); ++i) {
      if (from[i]) {
        into[i] = true;
      }
    }
  }
  void Merge(const Annotations& other) {
    Or(properties, other.properties);
    Or(items, other.items);
  }
};

struct PathSegment {
  std::string_view key;
  size_t index = 0;
  bool is_index = false;
};

uint8_t InstanceTypeBits(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null:
      return kTypeNull;
    case bj::kind::bool_:
      return kTypeBoolean;
    case bj::kind::object:
      return kTypeObject;
    case bj::kind::array:
      return kTypeArray;
    case bj::kind::string:
      return kTypeString;
    default:
      return static_cast<uint8_t>(kTypeNumber | (IsInteger(v) ? kTypeInteger : 0));
  }
}

std::string TypeList(uint8_t bits) {
  static constexpr std::pair<uint8_t, std::string_view> kNames[] = {
      {kTypeObject, "object"},   {kTypeArray, "array"},   {kTypeString, "string"},
      {kTypeInteger, "integer"}, {kTypeNumber, "number"}, {kTypeBoolean, "boolean"},
      {kTypeNull, "null"},
  };
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if ((bits & bit) != 0) {
      out += out.empty() ? "" : " or ";
      out += name;
    }
  }
  return out;
}

// Indices of two equal items, if any.
std::optional<std::pair<size_t, size_t>> FindDuplicate(const bj::array& arr) {
  if (arr.size() <= kPairwiseUniqueLimit) {
    for (size_t j = 1; j < arr.size(); ++j) {
      for (size_t i = 0; i < j; ++i) {
        if (JsonEqual(arr[i], arr[j])) {
          return std::make_pair(i, j);
        }
      }
    }
    return std::nullopt;
  }
  std::vector<std::pair<size_t, size_t>> hashed;  // (hash, index)
  hashed.reserve(arr.size());
  for (size_t i = 0; i < arr.size(); ++i) {
    hashed.emplace_back(JsonHash(arr[i]), i);
  }
  std::sort(hashed.begin(), hashed.end());
  for (size_t start = 0; start < hashed.size();) {
    size_t end = start + 1;
    while (end < hashed.size() && hashed[end].first == hashed[start].first) {
      ++end;
    }
    for (size_t a = start; a < end; ++a) {
      for (size_t b = a + 1; b < end; ++b) {
        if (JsonEqual(arr[hashed[a].second], arr[hashed[b].second])) {
          return std::minmax(hashed[a].second, hashed[b].second);
        }
      }
    }
    start = end;
  }
  return std::nullopt;
}

class Evaluator {
 public:
  Evaluator(const CompiledSchema& schema, ValidateMode mode, std::vector<ValidationError>* errors)
      : schema_(schema), mode_(mode), errors_(errors), report_(errors != nullptr) {
    if (errors_ != nullptr) {
      path_.reserve(kPathReserve);
    }
  }

  bool Run(const bj::value& instance) {
    bool ok = Eval(*schema_.root, instance, nullptr) && !aborted_;
    if (!ok && errors_ != nullptr && errors_->empty()) {
      errors_->push_back(ValidationError{"", "", "#", "", "does not match the schema"});
    }
    return ok;
  }

 private:
  // Turns error reporting off for subschemas whose failure is not itself an error.
  class Quiet {
   public:
    explicit Quiet(Evaluator& e) : e_(e), saved_(e.report_) { e.report_ = false; }
    ~Quiet() { e_.report_ = saved_; }
    Quiet(const Quiet&) = delete;
    Quiet& operator=(const Quiet&) = delete;

   private:
    Evaluator& e_;
    bool saved_;
  };

  // Extends the instance path for the lifetime of the scope; a no-op when nobody reads errors.
  class PathScope {
   public:
    PathScope(Evaluator& e, std::string_view key) : e_(e) {
      if (e.errors_ != nullptr) {
        e.path_.push_back({key, 0, false});
      }
    }
    PathScope(Evaluator& e, size_t index) : e_(e) {
      if (e.errors_ != nullptr) {
        e.path_.push_back({{}, index, true});
      }
    }
    ~PathScope() {
      if (e_.errors_ != nullptr) {
        e_.path_.pop_back();
      }
    }
    PathScope(const PathScope&) = delete;
    PathScope& operator=(const PathScope&) = delete;

   private:
    Evaluator& e_;
  };

  // Whether evaluation should go on after a failure (only to report more errors).
  bool Continue() const { return report_ && mode_ == ValidateMode::kAllErrors && !aborted_; }

  bool Reporting() const {
    return report_ && errors_ != nullptr && !aborted_ &&
           !(mode_ == ValidateMode::kFirstError && !errors_->empty());
  }

  void AppendPath(std::optional<std::string_view> member, ValidationError& e) const {
    auto add = [&e](const PathSegment& s) {
      if (s.is_index) {
        std::string i = std::to_string(s.index);
        e.instance_location += "/" + i;
        e.field += "[" + i + "]";
      } else {
        e.instance_location += "/" + EscapePointerToken(s.key);
        if (!e.field.empty()) {
          e.field += '.';
        }
        e.field += s.key;
      }
    };
    for (const PathSegment& s : path_) {
      add(s);
    }
    if (member) {
      add(PathSegment{*member, 0, false});
    }
  }

  // Records an error at the current instance path (or at its member `member`). `message` is a
  // callable so that no text is built when nobody will read it.
  template <class MessageFn>
  void Report(const Node& n, std::string_view keyword, MessageFn&& message,
              std::optional<std::string_view> member = std::nullopt) {
    if (!Reporting()) {
      return;
    }
    ValidationError e;
    AppendPath(member, e);
    e.keyword_location = keyword == "false" ? n.location : n.location + "/" + std::string(keyword);
    e.keyword = std::string(keyword);
    e.message = message();
    errors_->push_back(std::move(e));
  }

  // Stops the whole evaluation; the instance is then invalid whatever the branches said.
  void Abort(std::string message) {
    if (aborted_) {
      return;
    }
    aborted_ = true;
    if (errors_ != nullptr && !(mode_ == ValidateMode::kFirstError && !errors_->empty())) {
      ValidationError e;
      AppendPath(std::nullopt, e);
      e.message = std::move(message);
      errors_->push_back(std::move(e));
    }
  }

  bool Eval(const Node& n, const bj::value& v, Annotations* ann) {
    if (aborted_) {
      return false;
    }
    if (schema_.max_evaluation_steps != 0 && ++steps_ > schema_.max_evaluation_steps) {
      Abort("validation gave up after " + std::to_string(schema_.max_evaluation_steps) +
            " evaluation steps; the instance is too complex for this schema");
      return false;
    }
    if (n.is_bool) {
      if (!n.bool_value) {
        Report(n, "false", [] { return std::string("no value is allowed here"); });
      }
      return n.bool_value;
    }
    if (depth_ >= kMaxEvalDepth) {
      Abort("validation gave up: schema evaluation nested too deeply");
      return false;
    }
    ++depth_;
    bool pushed = false;
    if (schema_.uses_dynamic_ref && (scope_.empty() || scope_.back() != n.resource)) {
      scope_.push_back(n.resource);
      pushed = true;
    }
    bool ok = EvalSchema(n, v, ann);
    if (pushed) {
      scope_.pop_back();
    }
    --depth_;
    return ok;
  }

  bool EvalSchema(const Node& n, const bj::value& v, Annotations* ann) {
    Annotations local;
    const bool tracks_unevaluated =
        n.unevaluated_properties != nullptr || n.unevaluated_items != nullptr;
    Annotations* target = tracks_unevaluated ? &local : ann;
    bool ok = true;
    auto failed = [&] {
      ok = false;
      return !Continue();
    };

    if (n.ref != nullptr && !EvalRef(*n.ref, v, target) && failed()) {
      return false;
    }
    if (n.dynamic_ref != nullptr && !EvalRef(ResolveDynamic(n), v, target) && failed()) {
      return false;
    }
    if (n.types != 0 && (n.types & InstanceTypeBits(v)) == 0) {
      Report(n, "type", [&] {
        return "must be of type " + TypeList(n.types) + " (got " + std::string(TypeName(v)) + ")";
      });
      if (failed()) {
        return false;
      }
    }
    if (n.enum_values != nullptr &&
        std::none_of(n.enum_values->begin(), n.enum_values->end(),
                     [&](const bj::value& e) { return JsonEqual(e, v); })) {
      Report(n, "enum", [&] {
        std::string values = bj::serialize(*n.enum_values);
        return values.size() <= kMaxEnumTextInMessage
                   ? "must be one of " + values
                   : std::string("must be one of the allowed values");
      });
      if (failed()) {
        return false;
      }
    }
    if (n.const_value != nullptr && !JsonEqual(*n.const_value, v)) {
      Report(n, "const", [&] { return "must equal " + bj::serialize(*n.const_value); });
      if (failed()) {
        return false;
      }
    }
    bool kind_ok = true;
    switch (v.kind()) {
      case bj::kind::string:
        kind_ok = EvalString(n, v.get_string());
        break;
      case bj::kind::int64:
      case bj::kind::uint64:
      case bj::kind::double_:
        kind_ok = EvalNumber(n, v);
        break;
      case bj::kind::array:
        kind_ok = EvalArray(n, v.get_array(), target);
        break;
      case bj::kind::object:
        kind_ok = EvalObject(n, v.get_object(), target);
        break;
      default:
        break;
    }
    if (!kind_ok && failed()) {
      return false;
    }
    if (!EvalInPlace(n, v, target) && failed()) {
      return false;
    }
    if (tracks_unevaluated) {
      if (!EvalUnevaluated(n, v, local) && failed()) {
        return false;
      }
      if (ok && ann != nullptr) {
        ann->Merge(local);
      }
    }
    return ok;
  }

  bool EvalRef(const Node& target, const bj::value& v, Annotations* ann) {
    for (const auto& [node, value] : ref_stack_) {
      if (node == &target && value == &v) {
        Abort("validation gave up: a $ref cycle does not consume the instance (" + target.location +
              ")");
        return false;
      }
    }
    ref_stack_.emplace_back(&target, &v);
    bool ok = Eval(target, v, ann);
    ref_stack_.pop_back();
    return ok;
  }

  // The outermost resource in the dynamic scope that defines the anchor wins.
  const Node& ResolveDynamic(const Node& n) const {
    if (!n.dynamic_anchor.empty()) {
      for (const Resource* r : scope_) {
        auto it = r->dynamic_nodes.find(std::string_view(n.dynamic_anchor));
        if (it != r->dynamic_nodes.end()) {
          return *it->second;
        }
      }
    }
    return *n.dynamic_ref;
  }

  bool EvalNumber(const Node& n, const bj::value& v) {
    bool ok = true;
    auto check = [&](const bj::value* limit, std::string_view keyword, auto violates,
                     std::string_view relation) {
      if (limit == nullptr || !violates(CompareNumbers(v, *limit))) {
        return true;
      }
      Report(n, keyword,
             [&] { return "must be " + std::string(relation) + " " + bj::serialize(*limit); });
      ok = false;
      return Continue();
    };
    if (!check(
            n.maximum, "maximum", [](int c) { return c > 0; }, "<=") ||
        !check(
            n.exclusive_maximum, "exclusiveMaximum", [](int c) { return c >= 0; }, "<") ||
        !check(
            n.minimum, "minimum", [](int c) { return c < 0; }, ">=") ||
        !check(
            n.exclusive_minimum, "exclusiveMinimum", [](int c) { return c <= 0; }, ">")) {
      return false;
    }
    if (n.multiple_of != nullptr && !IsMultipleOf(v, *n.multiple_of)) {
      Report(n, "multipleOf",
             [&] { return "must be a multiple of " + bj::serialize(*n.multiple_of); });
      return false;
    }
    return ok;
  }

  bool EvalString(const Node& n, std::string_view s) {
    bool ok = true;
    auto failed = [&] {
      ok = false;
      return !Continue();
    };
    if (n.max_length || n.min_length) {
      size_t length = CodePointCount(s);
      if (n.max_length && length > *n.max_length) {
        Report(n, "maxLength", [&] {
          return "must be at most " + std::to_string(*n.max_length) + " characters long";
        });
        if (failed()) {
          return false;
        }
      }
      if (n.min_length && length < *n.min_length) {
        Report(n, "minLength", [&] {
          return "must be at least " + std::to_string(*n.min_length) + " characters long";
        });
        if (failed()) {
          return false;
        }
      }
    }
    if (n.pattern != nullptr && !n.pattern->Search(s)) {
      Report(n, "pattern",
             [&] { return "must match the pattern \"" + n.pattern->Source() + "\""; });
      if (failed()) {
        return false;
      }
    }
    if (n.assert_format && !CheckFormat(n.format, s)) {
      Report(n, "format", [&] { return "must be a valid " + std::string(n.format_name); });
      ok = false;
    }
    return ok;
  }

  bool EvalArray(const Node& n, const bj::array& arr, Annotations* target) {
    bool ok = true;
    auto failed = [&] {
      ok = false;
      return !Continue();
    };
    const size_t size = arr.size();
    if (n.max_items && size > *n.max_items) {
      Report(n, "maxItems",
             [&] { return "must have at most " + std::to_string(*n.max_items) + " items"; });
      if (failed()) {
        return false;
      }
    }
    if (n.min_items && size < *n.min_items) {
      Report(n, "minItems",
             [&] { return "must have at least " + std::to_string(*n.min_items) + " items"; });
      if (failed()) {
        return false;
      }
    }
    if (n.unique_items) {
      if (auto dup = FindDuplicate(arr)) {
        Report(n, "uniqueItems", [&] {
          return "must not contain duplicates (items " + std::to_string(dup->first) + " and " +
                 std::to_string(dup->second) + " are equal)";
        });
        if (failed()) {
          return false;
        }
      }
    }
    const size_t prefix = std::min(size, n.prefix_items.size());
    for (size_t i = 0; i < prefix; ++i) {
      PathScope scope(*this, i);
      if (!Eval(*n.prefix_items[i], arr[i], nullptr) && failed()) {
        return false;
      }
      if (target != nullptr) {
        Annotations::Mark(target->items, i, size);
      }
    }
    if (n.items != nullptr) {
      for (size_t i = n.prefix_items.size(); i < size; ++i) {
        PathScope scope(*this, i);
        if (!Eval(*n.items, arr[i], nullptr) && failed()) {
          return false;
        }
        if (target != nullptr) {
          Annotations::Mark(target->items, i, size);
        }
      }
    }
    if (n.contains != nullptr && !EvalContains(n, arr, target) && failed()) {
      return false;
    }
    return ok;
  }

  bool EvalContains(const Node& n, const bj::array& arr, Annotations* target) {
    const uint64_t min = n.min_contains.value_or(1);
    // 2020-12 lets unevaluatedItems see the items "contains" matched, so then count them all.
    const bool annotate = target != nullptr && n.resource->draft == Draft::k202012;
    const bool count_all = annotate || n.max_contains.has_value();
    uint64_t matches = 0;
    {
      Quiet quiet(*this);
      for (size_t i = 0; i < arr.size(); ++i) {
        if (!Eval(*n.contains, arr[i], nullptr)) {
          continue;
        }
        ++matches;
        if (annotate) {
          Annotations::Mark(target->items, i, arr.size());
        }
        if (!count_all && matches >= min) {
          break;
        }
      }
    }
    if (matches < min) {
      Report(n, n.min_contains ? "minContains" : "contains", [&] {
        return "must contain at least " + std::to_string(min) +
               " item(s) matching \"contains\" (found " + std::to_string(matches) + ")";
      });
      return false;
    }
    if (n.max_contains && matches > *n.max_contains) {
      Report(n, "maxContains", [&] {
        return "must contain at most " + std::to_string(*n.max_contains) +
               " item(s) matching \"contains\" (found " + std::to_string(matches) + ")";
      });
      return false;
    }
    return true;
  }

  const Node* FindProperty(const Node& n, std::string_view key) const {
    if (!n.properties_index.empty()) {
      auto it = n.properties_index.find(key);
      return it == n.properties_index.end() ? nullptr : it->second;
    }
    for (const NamedNode& p : n.properties) {
      if (p.name == key) {
        return p.node;
      }
    }
    return nullptr;
  }

  bool EvalObject(const Node& n, const bj::object& obj, Annotations* target) {
    bool ok = true;
    auto failed = [&] {
      ok = false;
      return !Continue();
    };
    const size_t size = obj.size();
    if (n.max_properties && size > *n.max_properties) {
      Report(n, "maxProperties", [&] {
        return "must have at most " + std::to_string(*n.max_properties) + " properties";
      });
      if (failed()) {
        return false;
      }
    }
    if (n.min_properties && size < *n.min_properties) {
      Report(n, "minProperties", [&] {
        return "must have at least " + std::to_string(*n.min_properties) + " properties";
      });
      if (failed()) {
        return false;
      }
    }
    for (std::string_view name : n.required) {
      if (!obj.contains(name)) {
        Report(
            n, "required", [] { return std::string("is required"); }, name);
        if (failed()) {
          return false;
        }
      }
    }
    for (const Dependency& dep : n.dependent_required) {
      if (!obj.contains(dep.name)) {
        continue;
      }
      for (std::string_view name : dep.required) {
        if (!obj.contains(name)) {
          Report(
              n, n.dependent_required_keyword,
              [&] { return "is required when \"" + std::string(dep.name) + "\" is present"; },
              name);
          if (failed()) {
            return false;
          }
        }
      }
    }
    const bool scan = !n.pattern_properties.empty() || n.additional_properties != nullptr ||
                      (target != nullptr && !n.properties.empty());
    if (!scan) {
      // Common case: look up only the declared properties.
      for (const NamedNode& p : n.properties) {
        if (const bj::value* value = obj.if_contains(p.name)) {
          PathScope scope(*this, p.name);
          if (!Eval(*p.node, *value, nullptr) && failed()) {
            return false;
          }
        }
      }
    } else {
      size_t i = 0;
      for (auto it = obj.begin(); it != obj.end(); ++it, ++i) {
        std::string_view key = it->key();
        const bj::value& value = it->value();
        bool evaluated = false;
        if (const Node* p = FindProperty(n, key)) {
          evaluated = true;
          PathScope scope(*this, key);
          if (!Eval(*p, value, nullptr) && failed()) {
            return false;
          }
        }
        for (const PatternNode& pp : n.pattern_properties) {
          if (pp.regex->Search(key)) {
            evaluated = true;
            PathScope scope(*this, key);
            if (!Eval(*pp.node, value, nullptr) && failed()) {
              return false;
            }
          }
        }
        if (!evaluated && n.additional_properties != nullptr) {
          evaluated = true;
          if (!EvalExtraMember(n, *n.additional_properties, "additionalProperties", key, value) &&
              failed()) {
            return false;
          }
        }
        if (evaluated && target != nullptr) {
          Annotations::Mark(target->properties, i, size);
        }
      }
    }
    if (n.property_names != nullptr) {
      for (const auto& member : obj) {
        bool valid;
        {
          Quiet quiet(*this);
          valid = Eval(*n.property_names, bj::value(member.key()), nullptr);
        }
        if (!valid) {
          Report(
              n, "propertyNames", [] { return std::string("is not an allowed property name"); },
              member.key());
          if (failed()) {
            return false;
          }
        }
      }
    }
    return ok;
  }

  // additionalProperties / unevaluatedProperties for one member; "false" gets a message that
  // names the problem instead of the generic false-schema one.
  bool EvalExtraMember(const Node& n, const Node& schema, std::string_view keyword,
                       std::string_view key, const bj::value& value) {
    if (schema.is_bool && !schema.bool_value) {
      Report(
          n, keyword, [] { return std::string("is not allowed (unknown field)"); }, key);
      return false;
    }
    PathScope scope(*this, key);
    return Eval(schema, value, nullptr);
  }

  bool EvalInPlace(const Node& n, const bj::value& v, Annotations* target) {
    bool ok = true;
    auto failed = [&] {
      ok = false;
      return !Continue();
    };
    for (const Node* child : n.all_of) {
      if (!Eval(*child, v, target) && failed()) {
        return false;
      }
    }
    if (!n.any_of.empty()) {
      bool any = false;
      {
        Quiet quiet(*this);
        for (const Node* child : n.any_of) {
          Annotations scratch;
          if (Eval(*child, v, target != nullptr ? &scratch : nullptr)) {
            any = true;
            if (target == nullptr) {
              break;
            }
            target->Merge(scratch);
          }
        }
      }
      if (!any) {
        Report(n, "anyOf", [] { return std::string("must match at least one anyOf schema"); });
        if (failed()) {
          return false;
        }
      }
    }
    if (!n.one_of.empty()) {
      size_t matched = 0;
      size_t first = 0;
      size_t second = 0;
      Annotations kept;
      {
        Quiet quiet(*this);
        for (size_t i = 0; i < n.one_of.size(); ++i) {
          Annotations scratch;
          if (!Eval(*n.one_of[i], v, target != nullptr ? &scratch : nullptr)) {
            continue;
          }
          if (++matched == 1) {
            first = i;
            kept = std::move(scratch);
          } else {
            second = i;
            break;
          }
        }
      }
      if (matched != 1) {
        Report(n, "oneOf", [&] {
          return matched == 0 ? std::string("must match exactly one oneOf schema (matched none)")
                              : "must match exactly one oneOf schema (matched " +
                                    std::to_string(first) + " and " + std::to_string(second) + ")";
        });
        if (failed()) {
          return false;
        }
      } else if (target != nullptr) {
        target->Merge(kept);
      }
    }
    if (n.not_schema != nullptr) {
      bool matched;
      {
        Quiet quiet(*this);
        matched = Eval(*n.not_schema, v, nullptr);
      }
      if (matched) {
        Report(n, "not", [] { return std::string("must not match the \"not\" schema"); });
        if (failed()) {
          return false;
        }
      }
    }
    if (n.if_schema != nullptr) {
      Annotations if_annotations;
      bool condition;
      {
        Quiet quiet(*this);
        condition = Eval(*n.if_schema, v, target != nullptr ? &if_annotations : nullptr);
      }
      if (condition && target != nullptr) {
        target->Merge(if_annotations);
      }
      const Node* branch = condition ? n.then_schema : n.else_schema;
      if (branch != nullptr && !Eval(*branch, v, target) && failed()) {
        return false;
      }
    }
    if (v.is_object()) {
      for (const NamedNode& dep : n.dependent_schemas) {
        if (v.get_object().contains(dep.name) && !Eval(*dep.node, v, target) && failed()) {
          return false;
        }
      }
    }
    return ok;
  }

  bool EvalUnevaluated(const Node& n, const bj::value& v, Annotations& local) {
    bool ok = true;
    auto failed = [&] {
      ok = false;
      return !Continue();
    };
    if (n.unevaluated_properties != nullptr && v.is_object()) {
      const auto& obj = v.get_object();
      size_t i = 0;
      for (auto it = obj.begin(); it != obj.end(); ++it, ++i) {
        if (Annotations::Has(local.properties, i)) {
          continue;
        }
        if (!EvalExtraMember(n, *n.unevaluated_properties, "unevaluatedProperties", it->key(),
                             it->value()) &&
            failed()) {
          return false;
        }
        Annotations::Mark(local.properties, i, obj.size());
      }
    }
    if (n.unevaluated_items != nullptr && v.is_array()) {
      const auto& arr = v.get_array();
      for (size_t i = 0; i < arr.size(); ++i) {
        if (Annotations::Has(local.items, i)) {
          continue;
        }
        const Node& schema = *n.unevaluated_items;
        if (schema.is_bool && !schema.bool_value) {
          PathScope scope(*this, i);
          Report(n, "unevaluatedItems", [] { return std::string("is not allowed (extra item)"); });
          if (failed()) {
            return false;
          }
        } else {
          PathScope scope(*this, i);
          if (!Eval(schema, arr[i], nullptr) && failed()) {
            return false;
          }
        }
        Annotations::Mark(local.items, i, arr.size());
      }
    }
    return ok;
  }

  const CompiledSchema& schema_;
  const ValidateMode mode_;
  std::vector<ValidationError>* const errors_;
  bool report_;
  bool aborted_ = false;
  uint64_t steps_ = 0;
  int depth_ = 0;
  std::vector<PathSegment> path_;
  std::vector<const Resource*> scope_;  // dynamic scope, outermost first
  std::vector<std::pair<const Node*, const bj::value*>> ref_stack_;
};

}  // namespace

bool Evaluate(const CompiledSchema& schema, const boost::json::value& instance, ValidateMode mode,
              std::vector<ValidationError>* errors) {
  return Evaluator(schema, mode, errors).Run(instance);
}

}  // namespace qlrf::json_schema::internal
