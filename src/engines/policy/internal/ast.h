// The Rego syntax tree: terms, expressions, bodies, rules and modules. The parser builds it; the
// compiler resolves names in place (variable slots, rule references, call targets) and reorders
// bodies for safety; the evaluator only reads it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engines/policy/internal/value.h"

namespace qlrf::policy::internal {

struct Loc {
  int row = 0;
  int col = 0;
};

enum class TermKind : uint8_t {
  kScalar,
  kVar,
  kRef,          // items[0] head, items[1..] path
  kArray,        // items
  kObject,       // items k0, v0, k1, v1 ...
  kSet,          // items
  kArrayCompr,   // items[0] head; body
  kSetCompr,     // items[0] head; body
  kObjectCompr,  // items[0] key, items[1] value; body
  kCall,         // items[0] operator (var or ref), items[1..] arguments
  kTemplate,     // $"..": items are string scalars (literal text) and terms (interpolated)
};

// What a variable names once the compiler has resolved it.
enum class VarRole : uint8_t { kUnresolved, kLocal, kData, kInput };

// What a call invokes once resolved.
enum class CallKind : uint8_t { kUnresolved, kBuiltin, kFunction };

struct Body;
struct Builtin;
struct RuleNode;

struct Term {
  TermKind kind = TermKind::kScalar;
  Loc loc;
  Value value;       // kScalar
  std::string name;  // kVar: the name; kCall: the operator's dotted name
  std::vector<Term> items;
  std::shared_ptr<Body> body;  // comprehensions
  // Resolution.
  VarRole role = VarRole::kUnresolved;
  int slot = -1;           // kVar with role kLocal
  bool generated = false;  // a compiler-made or wildcard variable, never reported as a binding
  CallKind call_kind = CallKind::kUnresolved;
  const Builtin* builtin = nullptr;    // kCall / kBuiltin
  const RuleNode* function = nullptr;  // kCall / kFunction
  std::vector<int> captures;           // comprehensions: enclosing-scope slots the body reads

  bool IsScalar() const { return kind == TermKind::kScalar; }
  bool IsVar() const { return kind == TermKind::kVar; }
  bool IsLocalVar() const { return kind == TermKind::kVar && role == VarRole::kLocal; }
  bool IsComprehension() const {
    return kind == TermKind::kArrayCompr || kind == TermKind::kSetCompr ||
           kind == TermKind::kObjectCompr;
  }
};

// A copy that shares nothing with `t` (bodies included).
Term DeepCopy(const Term& t);

enum class ExprKind : uint8_t {
  kTerm,      // terms[0]: true unless undefined or false
  kUnify,     // terms[0] = terms[1]
  kAssign,    // terms[0] := terms[1]
  kSomeDecl,  // some x, y: terms are the declared variables
  kSomeIn,    // some [key,] value in domain: terms {key, value, domain}; key is a null scalar if
              // absent
  kEvery,     // every [key,] value in domain { body }: terms as kSomeIn
};

// What a `with` replaces once resolved.
enum class WithKind : uint8_t { kUnresolved, kInput, kData, kBuiltin, kFunction };
// How the replacement is given.
enum class MockKind : uint8_t { kValue, kBuiltin, kFunction };

struct WithMod {
  Term target;
  Term value;
  Loc loc;
  WithKind kind = WithKind::kUnresolved;
  std::vector<Value> path;             // kInput/kData: path below input / data
  const Builtin* builtin = nullptr;    // kBuiltin: the replaced built-in
  const RuleNode* function = nullptr;  // kFunction: the replaced function
  MockKind mock = MockKind::kValue;    // for kBuiltin/kFunction targets
  const Builtin* mock_builtin = nullptr;
  const RuleNode* mock_function = nullptr;
};

struct Expr {
  ExprKind kind = ExprKind::kTerm;
  Loc loc;
  bool negated = false;
  bool has_key = false;  // kSomeIn/kEvery
  std::vector<Term> terms;
  std::shared_ptr<Body> body;  // kEvery
  std::vector<WithMod> withs;
  std::vector<int> captures;  // kEvery: enclosing-scope slots the body reads
  uint32_t text_begin = 0;    // source span (for query expression text)
  uint32_t text_end = 0;
};

struct Body {
  std::vector<Expr> exprs;
  Loc loc;
};

struct Rule {
  Loc loc;
  bool is_default = false;
  std::vector<Term> head;  // the rule's reference: head[0] a var, then path terms
  bool is_function = false;
  std::vector<Term> args;
  bool has_key = false;  // `contains key` or v0 `p[key]` (partial set)
  Term key;
  bool has_value = false;
  Term value;                  // `:= value` / `= value`; true when absent
  std::shared_ptr<Body> body;  // never null; empty means true
  std::unique_ptr<Rule> else_rule;
  // Compiler results.
  std::vector<Term> tail;  // head path terms after the ground prefix (object-building rules)
  int frame_size = 0;
  std::string path_text;  // "data.pkg.p" for messages
  const struct Module* module = nullptr;
};

struct Import {
  Term ref;  // data.x.y / input.x / future.keywords.every / rego.v1
  std::string alias;
  Loc loc;
};

struct Module {
  std::string file;
  std::string text;
  Loc package_loc;
  std::vector<std::string> package;  // path below data
  std::vector<Import> imports;
  std::vector<std::unique_ptr<Rule>> rules;
};

// A parsed query (the body plus its source, for expression text).
struct Query {
  std::string text;
  std::shared_ptr<Body> body;
  int frame_size = 0;
  std::vector<std::pair<std::string, int>> bindings;  // reported variables and their slots
};

}  // namespace qlrf::policy::internal
