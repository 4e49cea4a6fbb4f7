// Public face of the Rego engine: Compiler and PolicySet over the internal parser, compiler and
// evaluator.
#include "engines/policy/policy.h"

#include <algorithm>
#include <charconv>

#include "engines/policy/internal/compiler.h"
#include "engines/policy/internal/errors.h"
#include "engines/policy/internal/eval.h"
#include "engines/policy/internal/parser.h"

namespace qlrf::policy {
namespace {

int ToInt(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

Status MergeInto(boost::json::value& dst, const boost::json::value& src, const std::string& at) {
  if (dst.is_object() && src.is_object()) {
    for (const auto& member : src.get_object()) {
      auto& obj = dst.get_object();
      auto it = obj.find(member.key());
      std::string path =
          at.empty() ? std::string(member.key()) : at + "." + std::string(member.key());
      if (it == obj.end()) {
        obj[member.key()] = member.value();
      } else {
        QLRF_TRY(MergeInto(it->value(), member.value(), path));
      }
    }
    return Ok();
  }
  if (dst != src) {
    return Fail(InvalidArgument("conflicting data documents at data." + at));
  }
  return Ok();
}

internal::EvalConfig MakeConfig(const EvalOptions& options) {
  internal::EvalConfig config;
  config.max_steps = options.max_steps;
  config.clock = options.clock;
  config.random = options.random;
  config.print = options.print_output;
  config.strict_builtin_errors = options.strict_builtin_errors;
  if (options.timeout.count() > 0 && options.clock != nullptr) {
    config.deadline = options.clock->Monotonic() +
                      std::chrono::duration_cast<MonotonicTime::duration>(options.timeout);
  }
  return config;
}

std::vector<std::string> SplitPath(std::string_view path) {
  if (path.rfind("data", 0) == 0 && (path.size() == 4 || path[4] == '.' || path[4] == '/')) {
    path.remove_prefix(path.size() == 4 ? 4 : 5);
  }
  std::vector<std::string> out;
  std::string cur;
  for (char c : path) {
    if (c == '.' || c == '/') {
      if (!cur.empty()) {
        out.push_back(std::move(cur));
        cur.clear();
      }
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) {
    out.push_back(std::move(cur));
  }
  return out;
}

void CollectRules(const internal::RuleNode& n, std::vector<RuleInfo>& out) {
  const internal::Rule* r = !n.rules.empty() ? n.rules[0] : n.default_rule;
  if (r != nullptr) {
    RuleInfo info;
    info.path = n.path_text;
    info.location = Location{r->module->file, r->loc.row, r->loc.col};
    info.is_function = n.kind == internal::NodeKind::kFunction;
    out.push_back(std::move(info));
  }
  for (const auto& [k, c] : n.children) {
    CollectRules(*c, out);
  }
}

}  // namespace

RegoErrorInfo DescribeError(const Error& e) {
  RegoErrorInfo info;
  info.code = std::string(e.Detail("rego_code"));
  info.message = e.message;
  info.location.file = std::string(e.Detail("file"));
  info.location.row = ToInt(e.Detail("row"));
  info.location.col = ToInt(e.Detail("col"));
  return info;
}

Compiler::Compiler(CompilerOptions options) : options_(options), data_(boost::json::object()) {}
Compiler::~Compiler() = default;
Compiler::Compiler(Compiler&&) noexcept = default;
Compiler& Compiler::operator=(Compiler&&) noexcept = default;

Status Compiler::AddModule(std::string_view filename, std::string_view text) {
  internal::ParseOptions popts;
  popts.v0 = options_.v0_compatible;
  QLRF_ASSIGN_OR_RETURN(auto module, internal::ParseModule(filename, text, popts));
  modules_.push_back(std::make_unique<internal::Module>(std::move(module)));
  return Ok();
}

Status Compiler::AddData(const boost::json::value& document, const std::vector<std::string>& path) {
  boost::json::value wrapped = document;
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    boost::json::object o;
    o[*it] = std::move(wrapped);
    wrapped = std::move(o);
  }
  if (!wrapped.is_object()) {
    return Fail(InvalidArgument("the root data document must be an object"));
  }
  return MergeInto(data_, wrapped, "");
}

Status Compiler::AddBuiltin(const std::string& name, int arity, CustomBuiltin fn) {
  if (internal::FindBuiltin(name) != nullptr || builtins_.count(name) != 0) {
    return Fail(InvalidArgument("built-in " + name + " already exists"));
  }
  auto b = std::make_unique<internal::Builtin>();
  b->name = name;
  b->arity = arity;
  b->custom = [fn = std::move(fn),
               name](std::span<const internal::Value> args) -> Result<internal::Value> {
    std::vector<boost::json::value> json_args;
    json_args.reserve(args.size());
    for (const auto& a : args) {
      json_args.push_back(internal::ToJson(a));
    }
    auto r = fn(json_args);
    if (!r) {
      return Fail(internal::RegoError(internal::kBuiltinError, name + ": " + r.error().message));
    }
    if (!r->has_value()) {
      return internal::Value();
    }
    return internal::FromJson(**r);
  };
  builtins_.emplace(name, std::move(b));
  return Ok();
}

Result<PolicySet> Compiler::Compile() {
  internal::CompileInput input;
  input.modules = std::move(modules_);
  input.data = internal::FromJson(data_);
  input.custom_builtins = std::move(builtins_);
  modules_.clear();
  builtins_.clear();
  data_ = boost::json::object();
  QLRF_ASSIGN_OR_RETURN(auto compiled, internal::Compile(std::move(input)));
  return PolicySet(std::move(compiled));
}

Result<QueryResult> PolicySet::Query(std::string_view query, const boost::json::value* input,
                                     const EvalOptions& options) const {
  QLRF_ASSIGN_OR_RETURN(auto q, internal::ParseQuery(query));
  QLRF_TRY(internal::CompileQuery(*compiled_, q));
  std::vector<const internal::Expr*> exprs;
  for (const auto& e : q.body->exprs) {
    exprs.push_back(&e);
  }
  std::sort(exprs.begin(), exprs.end(), [](const internal::Expr* a, const internal::Expr* b) {
    return a->text_begin < b->text_begin;
  });
  internal::Evaluator evaluator(
      *compiled_, MakeConfig(options),
      input != nullptr ? internal::FromJsonLazy(*input) : internal::Value());
  QueryResult result;
  Status failure = Ok();
  QLRF_TRY(evaluator.RunQuery(q, [&](const std::vector<internal::Value>& frame) {
    if (!failure) {
      return;
    }
    QueryRow row;
    for (const auto& [name, slot] : q.bindings) {
      const internal::Value& v = frame[static_cast<size_t>(slot)];
      if (v.IsDefined()) {
        row.bindings[name] = internal::ToJson(v);
      }
    }
    for (const internal::Expr* e : exprs) {
      ExpressionResult er;
      er.text = q.text.substr(e->text_begin, e->text_end - e->text_begin);
      er.location = Location{"", e->loc.row, e->loc.col};
      er.value = true;
      if (e->kind == internal::ExprKind::kTerm && !e->negated) {
        std::vector<internal::Value> copy = frame;
        auto v = evaluator.ExprValue(*e, copy);
        if (!v) {
          failure = Fail(std::move(v).error());
          return;
        }
        if (v->IsDefined()) {
          er.value = internal::ToJson(*v);
        }
      }
      row.expressions.push_back(std::move(er));
    }
    result.rows.push_back(std::move(row));
  }));
  QLRF_TRY(failure);
  return result;
}

Result<std::optional<boost::json::value>> PolicySet::Eval(std::string_view path,
                                                          const boost::json::value* input,
                                                          const EvalOptions& options) const {
  internal::Evaluator evaluator(
      *compiled_, MakeConfig(options),
      input != nullptr ? internal::FromJsonLazy(*input) : internal::Value());
  QLRF_ASSIGN_OR_RETURN(auto v, evaluator.EvalDataPath(SplitPath(path)));
  if (!v.IsDefined()) {
    return std::optional<boost::json::value>();
  }
  return std::optional<boost::json::value>(internal::ToJson(v));
}

std::vector<RuleInfo> PolicySet::Rules() const {
  std::vector<RuleInfo> out;
  CollectRules(*compiled_->root, out);
  std::sort(out.begin(), out.end(),
            [](const RuleInfo& a, const RuleInfo& b) { return a.path < b.path; });
  return out;
}

}  // namespace qlrf::policy
