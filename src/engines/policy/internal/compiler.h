// The compiled form of a set of modules plus base data: the rule tree keyed by path below
// `data`, every rule resolved (variable slots, rule references, call targets) and its bodies
// ordered so that every variable is bound before it is read.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "engines/policy/internal/ast.h"
#include "engines/policy/internal/builtins.h"
#include "engines/policy/internal/errors.h"
#include "engines/policy/internal/parser.h"

namespace qlrf::policy::internal {

enum class NodeKind : uint8_t {
  kNone,      // no rules here (only children and/or base data)
  kComplete,  // p := v
  kSet,       // p contains x
  kObject,    // p[k] := v and other heads with non-ground keys
  kFunction,  // f(x) := v
};

struct RuleNode {
  std::string key;
  std::vector<Value> path;  // keys from data down to here
  std::string path_text;    // "data.a.b"
  NodeKind kind = NodeKind::kNone;
  int arity = 0;  // kFunction
  int id = 0;     // dense index, for per-query caches
  std::vector<const Rule*> rules;
  const Rule* default_rule = nullptr;
  bool has_rules_below = false;  // this node or a descendant has rules
  std::map<std::string, std::unique_ptr<RuleNode>, std::less<>> children;

  const RuleNode* Child(std::string_view k) const {
    auto it = children.find(k);
    return it == children.end() ? nullptr : it->second.get();
  }
};

// Immutable after Compile; evaluation only reads it, so one instance serves many threads.
struct CompiledPolicy {
  std::vector<std::unique_ptr<Module>> modules;
  std::unique_ptr<RuleNode> root;
  Value data;  // base documents
  std::map<std::string, std::unique_ptr<Builtin>, std::less<>> custom_builtins;
  int node_count = 0;

  const RuleNode* FindNode(const std::vector<std::string>& path) const;
  const Builtin* FindAnyBuiltin(std::string_view name) const;
};

struct CompileInput {
  std::vector<std::unique_ptr<Module>> modules;
  Value data;
  std::map<std::string, std::unique_ptr<Builtin>, std::less<>> custom_builtins;
};

// Builds the rule tree, resolves and orders every rule. Fails with rego_compile_error (conflicting
// or malformed rules), rego_type_error (unknown functions, arity), rego_unsafe_var_error or
// rego_recursion_error, located at the offending term.
Result<std::shared_ptr<const CompiledPolicy>> Compile(CompileInput input);

// Resolves and orders an ad-hoc query against a compiled policy (no package: names are locals,
// `data`, `input` or built-ins). Same errors as Compile.
Status CompileQuery(const CompiledPolicy& policy, Query& query, std::string_view file = {});

}  // namespace qlrf::policy::internal
