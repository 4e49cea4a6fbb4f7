// Compiler: rule tree, name resolution, safety ordering, arity and recursion checks.
#include "engines/policy/internal/compiler.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <utility>

#include "engines/policy/internal/types.h"

namespace qlrf::policy::internal {
namespace {

using Slots = std::vector<char>;

// OPA's type checker, reduced to what the syntax shows: a built-in argument whose kind is
// known (a literal, a comprehension, another built-in's result) must be one the built-in takes.
Status CheckArgumentKinds(const Term& call, std::string_view file) {
  if (call.call_kind != CallKind::kBuiltin) {
    return Ok();
  }
  const Signature* sig = FindSignature(call.name);
  if (sig == nullptr || sig->args.size() + 1 != call.items.size()) {
    return Ok();
  }
  bool ok = true;
  std::string have;
  std::string want;
  for (size_t i = 0; i < sig->args.size(); ++i) {
    uint8_t kinds = StaticKinds(call.items[i + 1]);
    if (kinds != kTAny && (kinds & sig->args[i]) == 0) {
      ok = false;
    }
    have += (i > 0 ? ", " : "") + KindsText(kinds);
    want += (i > 0 ? ", " : "") + KindsText(sig->args[i]);
  }
  if (ok) {
    return Ok();
  }
  return Fail(
      RegoError(kTypeError,
                call.name + ": invalid argument(s)\n\thave: (" + have + ")\n\twant: (" + want + ")",
                file, call.loc.row, call.loc.col));
}

std::string JoinPath(const std::vector<std::string>& parts) {
  std::string out = "data";
  for (const auto& p : parts) {
    out += '.';
    out += p;
  }
  return out;
}

Term DataVar(Loc loc) {
  Term t;
  t.kind = TermKind::kVar;
  t.name = "data";
  t.role = VarRole::kData;
  t.loc = loc;
  return t;
}

Term StringTerm(const std::string& s, Loc loc) {
  Term t;
  t.kind = TermKind::kScalar;
  t.value = Value::String(s);
  t.loc = loc;
  return t;
}

Term DataRef(const std::vector<std::string>& path, Loc loc) {
  Term ref;
  ref.kind = TermKind::kRef;
  ref.loc = loc;
  ref.items.push_back(DataVar(loc));
  for (const auto& p : path) {
    ref.items.push_back(StringTerm(p, loc));
  }
  return ref;
}

// If `t` is a var or a ref of string keys, its dotted segments; otherwise nullopt.
std::optional<std::vector<std::string>> NameSegments(const Term& t) {
  if (t.IsVar()) {
    return std::vector<std::string>{t.name};
  }
  if (t.kind != TermKind::kRef || !t.items[0].IsVar()) {
    return std::nullopt;
  }
  std::vector<std::string> out{t.items[0].name};
  for (size_t i = 1; i < t.items.size(); ++i) {
    if (!t.items[i].IsScalar() || !t.items[i].value.IsString()) {
      return std::nullopt;
    }
    out.push_back(t.items[i].value.AsString());
  }
  return out;
}

std::string Join(const std::vector<std::string>& segs, size_t from = 0) {
  std::string out;
  for (size_t i = from; i < segs.size(); ++i) {
    if (!out.empty()) {
      out += '.';
    }
    out += segs[i];
  }
  return out;
}

// "undefined function x", with the reason when x is an OPA built-in left out on purpose.
std::string UndefinedFunction(const std::string& name) {
  std::string msg = "undefined function " + name;
  std::string_view why = UnsupportedBuiltinReason(name);
  if (!why.empty()) {
    msg += " (an OPA built-in this engine does not provide: ";
    msg += why;
    msg += ")";
  }
  return msg;
}

// Whether `t` holds a reference with a variable path element (xs[_], input.a[i].b) outside
// comprehensions: such a reference enumerates.
bool RefWithVariables(const Term& t) {
  switch (t.kind) {
    case TermKind::kRef:
      for (size_t i = 1; i < t.items.size(); ++i) {
        if (!t.items[i].IsScalar() || RefWithVariables(t.items[i])) {
          return true;
        }
      }
      return RefWithVariables(t.items[0]);
    case TermKind::kArray:
    case TermKind::kObject:
    case TermKind::kSet:
    case TermKind::kCall:
      return std::any_of(t.items.begin(), t.items.end(),
                         [](const Term& i) { return RefWithVariables(i); });
    default:
      return false;
  }
}

// Moves an enumerating reference out of a rule head into the body (`q(_) := xs[_]` becomes
// `q(_) := $value if { $value = xs[_] }`), as OPA rewrites refs in heads, so its variables are
// bound there like any other. Default rules keep their (ground) values.
void HoistHeadRefs(Rule& r) {
  if (r.is_default) {
    return;
  }
  auto hoist = [&](Term& head_term, const char* name) {
    if (!RefWithVariables(head_term)) {
      return;
    }
    Term var;
    var.kind = TermKind::kVar;
    var.name = name;
    var.loc = head_term.loc;
    var.generated = true;
    Expr e;
    e.kind = ExprKind::kUnify;
    e.loc = head_term.loc;
    e.terms.push_back(var);
    e.terms.push_back(std::move(head_term));
    r.body->exprs.push_back(std::move(e));
    head_term = std::move(var);
  };
  if (r.has_value) {
    hoist(r.value, "$value");
  }
  if (r.has_key) {
    hoist(r.key, "$key");
  }
}

// Collapses ref[ref[a, b], c] into ref[a, b, c].
void FlattenRef(Term& t) {
  if (t.kind != TermKind::kRef || t.items.empty() || t.items[0].kind != TermKind::kRef) {
    return;
  }
  Term head = std::move(t.items[0]);
  std::vector<Term> items = std::move(head.items);
  for (size_t i = 1; i < t.items.size(); ++i) {
    items.push_back(std::move(t.items[i]));
  }
  t.items = std::move(items);
}

class TreeBuilder {
 public:
  explicit TreeBuilder(CompiledPolicy& policy) : policy_(policy) {}

  Status Add(Module& m) {
    for (auto& rule : m.rules) {
      QLRF_TRY(AddRule(m, *rule));
    }
    return Ok();
  }

 private:
  RuleNode* GetOrCreate(const std::vector<std::string>& path) {
    RuleNode* n = policy_.root.get();
    for (const auto& key : path) {
      auto it = n->children.find(key);
      if (it == n->children.end()) {
        auto child = std::make_unique<RuleNode>();
        child->key = key;
        child->path = n->path;
        child->path.push_back(Value::String(key));
        child->path_text = n->path_text + "." + key;
        child->id = policy_.node_count++;
        it = n->children.emplace(key, std::move(child)).first;
      }
      n = it->second.get();
    }
    return n;
  }

  Status AddRule(Module& m, Rule& r) {
    std::vector<std::string> path = m.package;
    path.push_back(r.head[0].name);
    size_t i = 1;
    for (; i < r.head.size(); ++i) {
      if (!r.head[i].IsScalar() || !r.head[i].value.IsString()) {
        break;
      }
      path.push_back(r.head[i].value.AsString());
    }
    for (; i < r.head.size(); ++i) {
      r.tail.push_back(std::move(r.head[i]));
    }
    r.head.resize(std::min(r.head.size(), static_cast<size_t>(1)));
    // A head with variables (p[x] := v, p[x] contains v) builds an object keyed by them.
    NodeKind kind = NodeKind::kComplete;
    if (r.is_function) {
      kind = NodeKind::kFunction;
    } else if (!r.tail.empty()) {
      kind = NodeKind::kObject;
    } else if (r.has_key) {
      kind = NodeKind::kSet;
    }
    auto fail = [&](std::string_view code, std::string msg) {
      return Fail(RegoError(code, std::move(msg), m.file, r.loc.row, r.loc.col));
    };
    if (!r.tail.empty() && kind == NodeKind::kFunction) {
      return fail(kCompileError, "rule heads with variables cannot define functions");
    }
    RuleNode* node = GetOrCreate(path);
    r.path_text = node->path_text;
    r.module = &m;
    for (Rule* e = r.else_rule.get(); e != nullptr; e = e->else_rule.get()) {
      e->path_text = node->path_text;
      e->module = &m;
      e->head.resize(std::min(e->head.size(), static_cast<size_t>(1)));
    }
    if (node->kind != NodeKind::kNone && node->kind != kind) {
      return fail(kTypeError, "conflicting rules " + node->path_text + " found");
    }
    if (kind == NodeKind::kFunction) {
      int arity = static_cast<int>(r.args.size());
      if (node->kind == NodeKind::kFunction && node->arity != arity) {
        return fail(kTypeError, "conflicting rules " + node->path_text +
                                    " found: functions must have the same number of arguments");
      }
      node->arity = arity;
    }
    if (r.is_default) {
      if (kind == NodeKind::kSet || kind == NodeKind::kObject) {
        return fail(kCompileError, "default rules must not be multi-value rules");
      }
      if (node->default_rule != nullptr) {
        return fail(kCompileError, "multiple default rules " + node->path_text + " found");
      }
      node->default_rule = &r;
    } else {
      node->rules.push_back(&r);
    }
    node->kind = kind;
    return Ok();
  }

  CompiledPolicy& policy_;
};

// Marks has_rules_below and rejects rules nested under rules that cannot hold them (only
// object rules may have rules below, e.g. p[k] := v beside p.q := 1). Returns whether `n` or a
// descendant has rules.
Result<bool> CheckTree(RuleNode& n) {
  bool any = n.kind != NodeKind::kNone;
  for (auto& [k, child] : n.children) {
    QLRF_ASSIGN_OR_RETURN(bool child_below, CheckTree(*child));
    if (child_below && n.kind != NodeKind::kNone && n.kind != NodeKind::kObject) {
      const Rule* r = !n.rules.empty() ? n.rules[0] : n.default_rule;
      return Fail(RegoError(kTypeError,
                            "rule " + n.path_text + " conflicts with " + child->path_text,
                            r->module->file, r->loc.row, r->loc.col));
    }
    any = any || child_below;
  }
  n.has_rules_below = any;
  return any;
}

// ---- name resolution ----

struct Scope {
  Scope* parent = nullptr;
  std::map<std::string, int, std::less<>> vars;
  std::set<std::string, std::less<>> assigned;
  // Expression index of each `:=` / `some` declaration: as in OPA, a nested body (comprehension,
  // `every`) only sees declarations made by earlier expressions.
  std::map<std::string, int, std::less<>> decl_pos;
  int pos_in_parent = std::numeric_limits<int>::max();
  std::vector<int>* captures = nullptr;  // set on comprehension and `every` scopes
};

class Resolver {
 public:
  Resolver(const CompiledPolicy& policy, const Module* module,
           const std::set<std::string, std::less<>>* rule_names, std::string_view file)
      : policy_(policy), module_(module), rule_names_(rule_names), file_(file) {}

  Status ResolveRule(Rule& r) {
    next_slot_ = 0;
    Scope root;
    for (auto& arg : r.args) {
      DeclarePattern(arg, root);
    }
    std::vector<Term*> extra;
    if (r.has_key) {
      extra.push_back(&r.key);
    }
    if (r.has_value) {
      extra.push_back(&r.value);
    }
    for (auto& t : r.tail) {
      extra.push_back(&t);
    }
    // A default rule has an empty body, so its value can only read globals and arguments.
    QLRF_TRY(ResolveBody(*r.body, root, extra));
    r.frame_size = next_slot_;
    return Ok();
  }

  Status ResolveQuery(Query& q) {
    next_slot_ = 0;
    Scope root;
    QLRF_TRY(ResolveBody(*q.body, root, {}));
    q.frame_size = next_slot_;
    for (const auto& [name, slot] : root.vars) {
      if (!name.empty() && name[0] != '_') {
        q.bindings.emplace_back(name, slot);
      }
    }
    return Ok();
  }

 private:
  Error Err(std::string_view code, std::string msg, Loc loc) const {
    return RegoError(code, std::move(msg), file_, loc.row, loc.col);
  }

  int NewSlot() { return next_slot_++; }

  void MakeLocal(Term& t, int slot) {
    t.role = VarRole::kLocal;
    t.slot = slot;
  }

  // Declares every variable of a pattern (function arguments, `some x in`, `x := …`).
  void DeclarePattern(Term& t, Scope& scope) {
    switch (t.kind) {
      case TermKind::kVar:
        if (t.name == "_") {
          MakeLocal(t, NewSlot());
          t.generated = true;
        } else {
          auto it = scope.vars.find(t.name);
          if (it == scope.vars.end()) {
            it = scope.vars.emplace(t.name, NewSlot()).first;
          }
          MakeLocal(t, it->second);
        }
        return;
      case TermKind::kArray:
        for (auto& item : t.items) {
          DeclarePattern(item, scope);
        }
        return;
      case TermKind::kObject:
        for (size_t i = 1; i < t.items.size(); i += 2) {
          DeclarePattern(t.items[i], scope);
        }
        return;
      default:
        return;
    }
  }

  // Pass 1: `some`, `:=` and `some … in` declare variables in this scope.
  Status Declare(Body& body, Scope& scope) {
    for (size_t index = 0; index < body.exprs.size(); ++index) {
      Expr& e = body.exprs[index];
      auto declare = [&](const std::string& name) {
        scope.vars[name] = NewSlot();
        scope.decl_pos[name] = static_cast<int>(index);
      };
      switch (e.kind) {
        case ExprKind::kSomeDecl:
          for (auto& v : e.terms) {
            if (v.name != "_") {
              declare(v.name);
            }
          }
          break;
        case ExprKind::kAssign: {
          std::vector<Term*> vars;
          CollectPatternVars(e.terms[0], vars);
          if (vars.empty() && !IsAssignable(e.terms[0])) {
            return Fail(Err(kCompileError, "cannot assign to " + Describe(e.terms[0]), e.loc));
          }
          for (Term* v : vars) {
            if (v->name == "_") {
              continue;
            }
            if (scope.assigned.count(v->name) != 0) {
              return Fail(Err(kCompileError, "var " + v->name + " assigned above", v->loc));
            }
            if (v->name == "input" || v->name == "data") {
              return Fail(Err(kCompileError, "variables must not shadow " + v->name, v->loc));
            }
            scope.assigned.insert(v->name);
            declare(v->name);
          }
          break;
        }
        case ExprKind::kSomeIn: {
          std::vector<Term*> vars;
          if (e.has_key) {
            CollectPatternVars(e.terms[0], vars);
          }
          CollectPatternVars(e.terms[1], vars);
          for (Term* v : vars) {
            if (v->name != "_") {
              declare(v->name);
            }
          }
          break;
        }
        default:
          break;
      }
    }
    return Ok();
  }

  static bool IsAssignable(const Term& t) {
    return t.kind == TermKind::kArray || t.kind == TermKind::kObject || t.IsVar();
  }

  static std::string Describe(const Term& t) {
    switch (t.kind) {
      case TermKind::kRef:
        return "ref";
      case TermKind::kCall:
        return "call";
      case TermKind::kScalar:
        return std::string(t.value.TypeName());
      default:
        return "term";
    }
  }

  static void CollectPatternVars(Term& t, std::vector<Term*>& out) {
    switch (t.kind) {
      case TermKind::kVar:
        out.push_back(&t);
        return;
      case TermKind::kArray:
        for (auto& item : t.items) {
          CollectPatternVars(item, out);
        }
        return;
      case TermKind::kObject:
        for (size_t i = 1; i < t.items.size(); i += 2) {
          CollectPatternVars(t.items[i], out);
        }
        return;
      default:
        return;
    }
  }

  // Finds `name` in the scope chain, recording captures for construct scopes crossed.
  std::optional<int> Lookup(std::string_view name, Scope& scope) {
    int pos = std::numeric_limits<int>::max();
    for (Scope* s = &scope; s != nullptr; pos = s->pos_in_parent, s = s->parent) {
      auto it = s->vars.find(name);
      if (it == s->vars.end()) {
        continue;
      }
      auto decl = s->decl_pos.find(name);
      if (s != &scope && decl != s->decl_pos.end() && decl->second >= pos) {
        continue;  // declared after the nested body
      }
      for (Scope* c = &scope; c != s; c = c->parent) {
        if (c->captures != nullptr &&
            std::find(c->captures->begin(), c->captures->end(), it->second) == c->captures->end()) {
          c->captures->push_back(it->second);
        }
      }
      return it->second;
    }
    return std::nullopt;
  }

  const Import* FindImport(std::string_view alias) const {
    if (module_ == nullptr) {
      return nullptr;
    }
    for (const auto& imp : module_->imports) {
      const std::string& head = imp.ref.items[0].name;
      if ((head == "data" || head == "input") && imp.alias == alias) {
        return &imp;
      }
    }
    return nullptr;
  }

  bool IsRuleName(std::string_view name) const {
    return rule_names_ != nullptr && rule_names_->count(name) != 0;
  }

  std::vector<std::string> PackagePath(std::string_view name) const {
    std::vector<std::string> path = module_->package;
    path.emplace_back(name);
    return path;
  }

  // Rewrites a var that is not local into its global meaning; false if it has none.
  bool ResolveGlobal(Term& t) {
    if (t.name == "input") {
      t.role = VarRole::kInput;
      return true;
    }
    if (t.name == "data") {
      t.role = VarRole::kData;
      return true;
    }
    if (IsRuleName(t.name)) {
      t = DataRef(PackagePath(t.name), t.loc);
      return true;
    }
    if (const Import* imp = FindImport(t.name)) {
      Loc loc = t.loc;
      t = DeepCopy(imp->ref);
      t.loc = loc;
      t.items[0].role = t.items[0].name == "input" ? VarRole::kInput : VarRole::kData;
      if (t.items.size() == 1) {
        Term head = std::move(t.items[0]);
        t = std::move(head);
      }
      return true;
    }
    return false;
  }

  struct Nested {
    Term* compr = nullptr;
    Expr* every = nullptr;
    int pos = std::numeric_limits<int>::max();  // expression index in the enclosing body
  };

  // Pass 2 over one term: resolve variables (declaring implicit locals), calls and refs; collect
  // nested comprehensions for pass 3.
  Status ResolveTerm(Term& t, Scope& scope, std::vector<Nested>& nested) {
    switch (t.kind) {
      case TermKind::kScalar:
        return Ok();
      case TermKind::kVar: {
        if (t.role != VarRole::kUnresolved) {
          return Ok();
        }
        if (t.name == "_") {
          MakeLocal(t, NewSlot());
          t.generated = true;
          return Ok();
        }
        if (auto slot = Lookup(t.name, scope)) {
          MakeLocal(t, *slot);
          return Ok();
        }
        if (ResolveGlobal(t)) {
          return Ok();
        }
        int slot = NewSlot();
        scope.vars[t.name] = slot;
        MakeLocal(t, slot);
        if (t.name.rfind("__tmpl", 0) == 0) {
          t.generated = true;
        }
        return Ok();
      }
      case TermKind::kRef: {
        QLRF_TRY(ResolveTerm(t.items[0], scope, nested));
        FlattenRef(t);
        for (size_t i = 1; i < t.items.size(); ++i) {
          QLRF_TRY(ResolveTerm(t.items[i], scope, nested));
        }
        if (t.items.size() == 1) {
          Term head = std::move(t.items[0]);
          t = std::move(head);
        }
        return Ok();
      }
      case TermKind::kCall:
        return ResolveCall(t, scope, nested);
      case TermKind::kArrayCompr:
      case TermKind::kSetCompr:
      case TermKind::kObjectCompr:
        nested.push_back(Nested{&t, nullptr});
        return Ok();
      default:
        for (auto& item : t.items) {
          QLRF_TRY(ResolveTerm(item, scope, nested));
        }
        return Ok();
    }
  }

  // The function a dotted name calls: user function node or built-in.
  Status ResolveCallTarget(Term& call, const std::vector<std::string>& segs) {
    std::vector<std::string> path;
    bool data_path = false;
    if (segs[0] == "data") {
      path.assign(segs.begin() + 1, segs.end());
      data_path = true;
    } else if (module_ != nullptr && IsRuleName(segs[0])) {
      path = module_->package;
      path.insert(path.end(), segs.begin(), segs.end());
      data_path = true;
    } else if (const Import* imp = FindImport(segs[0])) {
      auto base = NameSegments(imp->ref);
      if (base && (*base)[0] == "data") {
        path.assign(base->begin() + 1, base->end());
        path.insert(path.end(), segs.begin() + 1, segs.end());
        data_path = true;
      }
    }
    if (data_path) {
      const RuleNode* node = policy_.FindNode(path);
      if (node == nullptr || node->kind != NodeKind::kFunction) {
        return Fail(Err(kTypeError, "undefined function " + JoinPath(path), call.loc));
      }
      call.call_kind = CallKind::kFunction;
      call.function = node;
      call.name = node->path_text;
      return Ok();
    }
    std::string name = Join(segs);
    const Builtin* b = policy_.FindAnyBuiltin(name);
    if (b == nullptr) {
      return Fail(Err(kTypeError, UndefinedFunction(name), call.loc));
    }
    call.call_kind = CallKind::kBuiltin;
    call.builtin = b;
    call.name = name;
    return Ok();
  }

  static int Arity(const Term& call) {
    return call.call_kind == CallKind::kBuiltin ? call.builtin->arity : call.function->arity;
  }

  Status ResolveCall(Term& t, Scope& scope, std::vector<Nested>& nested) {
    auto segs = NameSegments(t.items[0]);
    if (!segs) {
      return Fail(Err(kCompileError, "invalid call", t.loc));
    }
    QLRF_TRY(ResolveCallTarget(t, *segs));
    int arity = Arity(t);
    int nargs = static_cast<int>(t.items.size()) - 1;
    // One extra argument (the output form) is rewritten by the caller of the expression.
    if (arity >= 0 && nargs != arity && nargs != arity + 1) {
      return Fail(Err(kTypeError,
                      t.name + ": arity mismatch: have " + std::to_string(nargs) +
                          " arguments, want " + std::to_string(arity),
                      t.loc));
    }
    for (size_t i = 1; i < t.items.size(); ++i) {
      QLRF_TRY(ResolveTerm(t.items[i], scope, nested));
    }
    return CheckArgumentKinds(t, file_);
  }

  // A call with one argument more than its arity, f(x, y), means y = f(x); only allowed as the
  // whole expression.
  Status RewriteOutputCalls(Expr& e) {
    bool whole = e.kind == ExprKind::kTerm && e.terms[0].kind == TermKind::kCall;
    if (whole) {
      Term& call = e.terms[0];
      int arity = Arity(call);
      if (arity >= 0 && static_cast<int>(call.items.size()) - 1 == arity + 1) {
        Term out = std::move(call.items.back());
        call.items.pop_back();
        Term c = std::move(call);
        e.terms.clear();
        e.terms.push_back(std::move(out));
        e.terms.push_back(std::move(c));
        e.kind = ExprKind::kUnify;
      }
    }
    for (auto& t : e.terms) {
      QLRF_TRY(CheckNoExtraArgs(t));
    }
    return Ok();
  }

  Status CheckNoExtraArgs(const Term& t) {
    if (t.kind == TermKind::kCall) {
      int arity = Arity(t);
      if (arity >= 0 && static_cast<int>(t.items.size()) - 1 != arity) {
        return Fail(Err(kTypeError, t.name + ": too many arguments", t.loc));
      }
    }
    if (t.IsComprehension()) {
      return Ok();
    }
    for (const auto& item : t.items) {
      QLRF_TRY(CheckNoExtraArgs(item));
    }
    return Ok();
  }

  Status ResolveWith(WithMod& w, Scope& scope, std::vector<Nested>& nested) {
    auto segs = NameSegments(w.target);
    if (!segs) {
      return Fail(Err(kTypeError,
                      "with keyword target must reference existing input, data, or a function",
                      w.loc));
    }
    std::vector<std::string> data_path;
    bool is_data = false;
    if ((*segs)[0] == "input") {
      w.kind = WithKind::kInput;
      for (size_t i = 1; i < segs->size(); ++i) {
        w.path.push_back(Value::String((*segs)[i]));
      }
    } else if ((*segs)[0] == "data") {
      data_path.assign(segs->begin() + 1, segs->end());
      is_data = true;
    } else if (module_ != nullptr && IsRuleName((*segs)[0]) &&
               Lookup((*segs)[0], scope) == std::nullopt) {
      data_path = module_->package;
      data_path.insert(data_path.end(), segs->begin(), segs->end());
      is_data = true;
    } else if (const Import* imp = FindImport((*segs)[0])) {
      auto base = NameSegments(imp->ref);
      if ((*base)[0] == "input") {
        w.kind = WithKind::kInput;
        for (size_t i = 1; i < base->size(); ++i) {
          w.path.push_back(Value::String((*base)[i]));
        }
        for (size_t i = 1; i < segs->size(); ++i) {
          w.path.push_back(Value::String((*segs)[i]));
        }
      } else {
        data_path.assign(base->begin() + 1, base->end());
        data_path.insert(data_path.end(), segs->begin() + 1, segs->end());
        is_data = true;
      }
    } else if (const Builtin* b = policy_.FindAnyBuiltin(Join(*segs))) {
      w.kind = WithKind::kBuiltin;
      w.builtin = b;
    } else if (!UnsupportedBuiltinReason(Join(*segs)).empty()) {
      return Fail(Err(kTypeError, UndefinedFunction(Join(*segs)), w.loc));
    } else {
      return Fail(Err(kTypeError,
                      "with keyword target must reference existing input, data, or a function",
                      w.loc));
    }
    if (is_data) {
      const RuleNode* node = policy_.FindNode(data_path);
      if (node != nullptr && node->kind == NodeKind::kFunction) {
        w.kind = WithKind::kFunction;
        w.function = node;
      } else {
        w.kind = WithKind::kData;
        for (const auto& p : data_path) {
          w.path.push_back(Value::String(p));
        }
      }
    }
    if ((w.kind == WithKind::kBuiltin || w.kind == WithKind::kFunction) &&
        ResolveMockTarget(w, scope)) {
      return Ok();
    }
    return ResolveTerm(w.value, scope, nested);
  }

  // When a built-in or function is replaced: whether the replacement names a function or a
  // built-in (then w's mock fields are set) rather than giving a value.
  bool ResolveMockTarget(WithMod& w, Scope& scope) {
    auto segs = NameSegments(w.value);
    if (!segs || Lookup((*segs)[0], scope)) {
      return false;
    }
    std::vector<std::string> path;
    bool data_path = false;
    if ((*segs)[0] == "data") {
      path.assign(segs->begin() + 1, segs->end());
      data_path = true;
    } else if (module_ != nullptr && IsRuleName((*segs)[0])) {
      path = module_->package;
      path.insert(path.end(), segs->begin(), segs->end());
      data_path = true;
    }
    if (data_path) {
      const RuleNode* node = policy_.FindNode(path);
      if (node != nullptr && node->kind == NodeKind::kFunction) {
        w.mock = MockKind::kFunction;
        w.mock_function = node;
        return true;
      }
      return false;
    }
    if (FindImport((*segs)[0]) != nullptr) {
      return false;
    }
    if (const Builtin* b = policy_.FindAnyBuiltin(Join(*segs))) {
      w.mock = MockKind::kBuiltin;
      w.mock_builtin = b;
      return true;
    }
    return false;
  }

  Status ResolveBody(Body& body, Scope& scope, const std::vector<Term*>& extra) {
    QLRF_TRY(Declare(body, scope));
    std::vector<Nested> nested;
    for (size_t index = 0; index < body.exprs.size(); ++index) {
      Expr& e = body.exprs[index];
      size_t first_nested = nested.size();
      switch (e.kind) {
        case ExprKind::kSomeDecl:
          for (auto& v : e.terms) {
            if (v.name == "_") {
              MakeLocal(v, NewSlot());
              v.generated = true;
            } else {
              MakeLocal(v, *Lookup(v.name, scope));
            }
          }
          break;
        case ExprKind::kSomeIn:
        case ExprKind::kEvery:
          QLRF_TRY(ResolveTerm(e.terms[2], scope, nested));
          if (e.kind == ExprKind::kSomeIn) {
            QLRF_TRY(ResolveTerm(e.terms[0], scope, nested));
            QLRF_TRY(ResolveTerm(e.terms[1], scope, nested));
          } else {
            nested.push_back(Nested{nullptr, &e});
          }
          break;
        default:
          for (auto& t : e.terms) {
            QLRF_TRY(ResolveTerm(t, scope, nested));
          }
          QLRF_TRY(RewriteOutputCalls(e));
          break;
      }
      for (auto& w : e.withs) {
        QLRF_TRY(ResolveWith(w, scope, nested));
      }
      for (size_t n = first_nested; n < nested.size(); ++n) {
        nested[n].pos = static_cast<int>(index);
      }
    }
    for (Term* t : extra) {
      QLRF_TRY(ResolveTerm(*t, scope, nested));
      QLRF_TRY(CheckNoExtraArgs(*t));
    }
    for (auto& n : nested) {
      if (n.compr != nullptr) {
        Scope inner;
        inner.parent = &scope;
        inner.pos_in_parent = n.pos;
        inner.captures = &n.compr->captures;
        std::vector<Term*> heads;
        for (auto& item : n.compr->items) {
          heads.push_back(&item);
        }
        QLRF_TRY(ResolveBody(*n.compr->body, inner, heads));
      } else {
        Expr& e = *n.every;
        Scope inner;
        inner.parent = &scope;
        inner.pos_in_parent = n.pos;
        inner.captures = &e.captures;
        if (e.has_key) {
          DeclarePattern(e.terms[0], inner);
        }
        DeclarePattern(e.terms[1], inner);
        Scope body_scope;
        body_scope.parent = &inner;
        QLRF_TRY(ResolveBody(*e.body, body_scope, {}));
      }
    }
    return Ok();
  }

  const CompiledPolicy& policy_;
  const Module* module_;
  const std::set<std::string, std::less<>>* rule_names_;
  std::string_view file_;
  int next_slot_ = 0;
};

// ---- safety: order each body so that variables are bound before they are read ----

// Variables an expression would bind, kept small and sparse (bodies are short; frames may not be).
using Outs = std::vector<int>;

class Safety {
 public:
  Safety(int frame_size, std::string_view file) : size_(frame_size), file_(file) {}

  // Orders `body` starting from `bound`; on return `bound` holds what the body binds. Head
  // terms must be evaluable afterwards. Like OPA, it keeps the written order where it can and
  // otherwise moves an expression up to the first point where its inputs are bound.
  Status Order(Body& body, Slots& bound, const std::vector<const Term*>& heads) {
    QLRF_TRY(OrderNested(body));
    std::vector<int> uses = CountUses(body, heads);
    std::vector<Expr> remaining = std::move(body.exprs);
    std::vector<char> done(remaining.size(), 0);
    std::vector<Expr> ordered;
    ordered.reserve(remaining.size());
    size_t first_open = 0;
    while (ordered.size() < remaining.size()) {
      bool progressed = false;
      for (size_t i = first_open; i < remaining.size(); ++i) {
        if (done[i] != 0) {
          continue;
        }
        Outs outs;
        if (!ExprReady(remaining[i], bound, outs, uses)) {
          continue;
        }
        for (int slot : outs) {
          bound[static_cast<size_t>(slot)] = 1;
        }
        ordered.push_back(std::move(remaining[i]));
        done[i] = 1;
        while (first_open < done.size() && done[first_open] != 0) {
          ++first_open;
        }
        progressed = true;
        break;
      }
      if (!progressed) {
        std::vector<Expr> stuck;
        for (size_t i = 0; i < remaining.size(); ++i) {
          if (done[i] == 0) {
            stuck.push_back(std::move(remaining[i]));
          }
        }
        return Fail(UnsafeError(stuck, bound));
      }
    }
    body.exprs = std::move(ordered);
    for (const Term* h : heads) {
      Outs outs;
      if (!EvalReady(*h, bound, outs) || !outs.empty()) {
        const Term* v = FirstUnbound(*h, bound);
        Loc loc = v != nullptr ? v->loc : h->loc;
        std::string name = v != nullptr ? v->name : "?";
        return Fail(
            RegoError(kUnsafeVarError, "var " + name + " is unsafe", file_, loc.row, loc.col));
      }
    }
    return Ok();
  }

  // Orders the comprehensions inside a term that is not part of a body (a rule head).
  Status OrderNestedTerm(Term& t);

 private:
  // How many expressions (heads count twice) read each slot: a variable only one expression
  // uses may stay unbound inside a negation.
  std::vector<int> CountUses(const Body& body, const std::vector<const Term*>& heads) const {
    std::vector<int> uses(static_cast<size_t>(size_), 0);
    std::vector<int> stamp(static_cast<size_t>(size_), -1);
    int id = 0;
    auto count = [&](int slot, int weight) {
      auto s = static_cast<size_t>(slot);
      if (stamp[s] != id) {
        stamp[s] = id;
        uses[s] += weight;
      }
    };
    for (const auto& e : body.exprs) {
      ++id;
      ForEachSlot(e, [&](int slot) { count(slot, 1); });
    }
    for (const Term* h : heads) {
      ++id;
      ForEachSlot(*h, [&](int slot) { count(slot, 2); });
    }
    return uses;
  }

  template <class F>
  static void ForEachSlot(const Term& t, F&& f) {
    if (t.IsLocalVar()) {
      f(t.slot);
      return;
    }
    if (t.IsComprehension()) {
      for (int c : t.captures) {
        f(c);
      }
      return;
    }
    for (const auto& item : t.items) {
      ForEachSlot(item, f);
    }
  }

  template <class F>
  static void ForEachSlot(const Expr& e, F&& f) {
    for (const auto& t : e.terms) {
      ForEachSlot(t, f);
    }
    for (const auto& w : e.withs) {
      ForEachSlot(w.value, f);
    }
    for (int c : e.captures) {
      f(c);
    }
  }

  static bool Has(const Outs& outs, int slot) {
    return std::find(outs.begin(), outs.end(), slot) != outs.end();
  }

  static bool IsBound(const Term& v, const Slots& bound, const Outs& outs) {
    return bound[static_cast<size_t>(v.slot)] != 0 || Has(outs, v.slot);
  }

  static void AddOut(Outs& outs, int slot) {
    if (!Has(outs, slot)) {
      outs.push_back(slot);
    }
  }

  // Orders every comprehension and `every` body nested anywhere in `body`.
  Status OrderNested(Body& body) {
    for (auto& e : body.exprs) {
      for (auto& t : e.terms) {
        QLRF_TRY(OrderNestedTermImpl(t));
      }
      for (auto& w : e.withs) {
        QLRF_TRY(OrderNestedTermImpl(w.value));
      }
      if (e.kind == ExprKind::kEvery) {
        Slots bound(static_cast<size_t>(size_), 0);
        for (int c : e.captures) {
          bound[static_cast<size_t>(c)] = 1;
        }
        for (size_t i = 0; i < 2; ++i) {
          if (e.terms[i].IsLocalVar()) {
            bound[static_cast<size_t>(e.terms[i].slot)] = 1;
          }
        }
        QLRF_TRY(Order(*e.body, bound, {}));
      }
    }
    return Ok();
  }

  Status OrderNestedTermImpl(Term& t) {
    if (t.IsComprehension()) {
      Slots bound(static_cast<size_t>(size_), 0);
      for (int c : t.captures) {
        bound[static_cast<size_t>(c)] = 1;
      }
      std::vector<const Term*> heads;
      for (auto& item : t.items) {
        QLRF_TRY(OrderNestedTermImpl(item));
        heads.push_back(&item);
      }
      return Order(*t.body, bound, heads);
    }
    for (auto& item : t.items) {
      QLRF_TRY(OrderNestedTermImpl(item));
    }
    return Ok();
  }

  // Whether `t` can be evaluated given `bound`; variables it binds by enumeration (ref keys)
  // are added to `outs`.
  bool EvalReady(const Term& t, const Slots& bound, Outs& outs) const {
    switch (t.kind) {
      case TermKind::kScalar:
        return true;
      case TermKind::kVar:
        return !t.IsLocalVar() || IsBound(t, bound, outs);
      case TermKind::kRef: {
        if (!EvalReady(t.items[0], bound, outs)) {
          return false;
        }
        for (size_t i = 1; i < t.items.size(); ++i) {
          const Term& p = t.items[i];
          if (p.IsLocalVar()) {
            if (!IsBound(p, bound, outs)) {
              AddOut(outs, p.slot);
            }
          } else if (p.kind == TermKind::kArray || p.kind == TermKind::kObject) {
            if (!PatternReady(p, bound, outs)) {
              return false;
            }
          } else if (!EvalReady(p, bound, outs)) {
            return false;
          }
        }
        return true;
      }
      case TermKind::kArrayCompr:
      case TermKind::kSetCompr:
      case TermKind::kObjectCompr:
        for (int c : t.captures) {
          if (bound[static_cast<size_t>(c)] == 0 && !Has(outs, c)) {
            return false;
          }
        }
        return true;
      case TermKind::kCall: {
        for (size_t i = 1; i < t.items.size(); ++i) {
          if (!EvalReady(t.items[i], bound, outs)) {
            return false;
          }
        }
        return true;
      }
      default:
        for (const auto& item : t.items) {
          if (!EvalReady(item, bound, outs)) {
            return false;
          }
        }
        return true;
    }
  }

  // Whether `t` can be the target of a unification: unbound variables (anywhere in array and
  // object values) become outputs; everything else must be evaluable.
  bool PatternReady(const Term& t, const Slots& bound, Outs& outs) const {
    if (t.IsLocalVar()) {
      if (!IsBound(t, bound, outs)) {
        AddOut(outs, t.slot);
      }
      return true;
    }
    if (t.kind == TermKind::kArray) {
      for (const auto& item : t.items) {
        if (!PatternReady(item, bound, outs)) {
          return false;
        }
      }
      return true;
    }
    if (t.kind == TermKind::kObject) {
      for (size_t i = 0; i < t.items.size(); i += 2) {
        if (!EvalReady(t.items[i], bound, outs) || !PatternReady(t.items[i + 1], bound, outs)) {
          return false;
        }
      }
      return true;
    }
    return EvalReady(t, bound, outs);
  }

  bool UnifyReady(const Term& a, const Term& b, const Slots& bound, Outs& outs) const {
    if (a.kind == TermKind::kArray && b.kind == TermKind::kArray &&
        a.items.size() == b.items.size()) {
      Outs trial = outs;
      bool ok = true;
      for (size_t i = 0; i < a.items.size() && ok; ++i) {
        ok = UnifyReady(a.items[i], b.items[i], bound, trial);
      }
      if (ok) {
        outs = std::move(trial);
        return true;
      }
    }
    {
      Outs trial = outs;
      if (EvalReady(a, bound, trial) && PatternReady(b, bound, trial)) {
        outs = std::move(trial);
        return true;
      }
    }
    Outs trial = outs;
    if (EvalReady(b, bound, trial) && PatternReady(a, bound, trial)) {
      outs = std::move(trial);
      return true;
    }
    return false;
  }

  bool ExprReady(const Expr& e, const Slots& bound, Outs& outs,
                 const std::vector<int>& uses) const {
    for (const auto& w : e.withs) {
      if (w.mock == MockKind::kValue && !EvalReady(w.value, bound, outs)) {
        return false;
      }
    }
    for (int c : e.captures) {
      if (bound[static_cast<size_t>(c)] == 0) {
        return false;
      }
    }
    bool ok = false;
    switch (e.kind) {
      case ExprKind::kTerm:
        ok = EvalReady(e.terms[0], bound, outs);
        break;
      case ExprKind::kUnify:
        ok = UnifyReady(e.terms[0], e.terms[1], bound, outs);
        break;
      case ExprKind::kAssign:
        ok = EvalReady(e.terms[1], bound, outs) && PatternReady(e.terms[0], bound, outs);
        break;
      case ExprKind::kSomeDecl:
        ok = true;
        break;
      case ExprKind::kSomeIn:
        ok = EvalReady(e.terms[2], bound, outs) &&
             (!e.has_key || PatternReady(e.terms[0], bound, outs)) &&
             PatternReady(e.terms[1], bound, outs);
        break;
      case ExprKind::kEvery:
        ok = EvalReady(e.terms[2], bound, outs);
        break;
    }
    if (!ok) {
      return false;
    }
    if (e.negated) {
      // A negated expression binds nothing; its variables must be bound unless only it uses
      // them (then they are existential, like `_`).
      for (int slot : outs) {
        if (uses[static_cast<size_t>(slot)] > 1) {
          return false;
        }
      }
      outs.clear();
    }
    return true;
  }

  const Term* FirstUnbound(const Term& t, const Slots& bound) const {
    if (t.IsLocalVar()) {
      return bound[static_cast<size_t>(t.slot)] != 0 ? nullptr : &t;
    }
    if (t.IsComprehension()) {
      return nullptr;
    }
    for (const auto& item : t.items) {
      if (const Term* v = FirstUnbound(item, bound)) {
        return v;
      }
    }
    return nullptr;
  }

  // An unbound variable of `t` in a position that must be evaluated (not one a unification or
  // a reference could bind).
  const Term* FirstUnsafe(const Term& t, const Slots& bound, bool may_bind) const {
    switch (t.kind) {
      case TermKind::kVar:
        return t.IsLocalVar() && !may_bind && bound[static_cast<size_t>(t.slot)] == 0 ? &t
                                                                                      : nullptr;
      case TermKind::kArray:
        for (const auto& item : t.items) {
          if (const Term* v = FirstUnsafe(item, bound, may_bind)) {
            return v;
          }
        }
        return nullptr;
      case TermKind::kObject:
        for (size_t i = 0; i < t.items.size(); ++i) {
          if (const Term* v = FirstUnsafe(t.items[i], bound, may_bind && i % 2 == 1)) {
            return v;
          }
        }
        return nullptr;
      case TermKind::kRef:
        for (size_t i = 0; i < t.items.size(); ++i) {
          if (const Term* v = FirstUnsafe(t.items[i], bound, i > 0)) {
            return v;
          }
        }
        return nullptr;
      case TermKind::kArrayCompr:
      case TermKind::kSetCompr:
      case TermKind::kObjectCompr:
        return nullptr;
      default:
        for (size_t i = 0; i < t.items.size(); ++i) {
          if (t.kind == TermKind::kCall && i == 0) {
            continue;
          }
          if (const Term* v = FirstUnsafe(t.items[i], bound, false)) {
            return v;
          }
        }
        return nullptr;
    }
  }

  Error UnsafeAt(const Term& v) const {
    return RegoError(kUnsafeVarError, "var " + v.name + " is unsafe", file_, v.loc.row, v.loc.col);
  }

  Error UnsafeError(const std::vector<Expr>& remaining, const Slots& bound) const {
    // Prefer a user-named variable in a position nothing could bind.
    const Term* fallback = nullptr;
    for (int pass = 0; pass < 2; ++pass) {
      for (const auto& e : remaining) {
        std::vector<std::pair<const Term*, bool>> terms;
        bool two_sided = e.kind == ExprKind::kUnify || e.kind == ExprKind::kAssign;
        for (size_t i = 0; i < e.terms.size(); ++i) {
          bool may_bind = pass == 0 && two_sided && (e.kind == ExprKind::kUnify || i == 0);
          terms.emplace_back(&e.terms[i],
                             may_bind || (pass == 0 && !two_sided && e.kind != ExprKind::kTerm));
        }
        for (const auto& w : e.withs) {
          terms.emplace_back(&w.value, false);
        }
        for (const auto& [t, may_bind] : terms) {
          const Term* v = pass == 0 ? FirstUnsafe(*t, bound, may_bind) : FirstUnbound(*t, bound);
          if (v == nullptr) {
            continue;
          }
          if (!v->generated) {
            return UnsafeAt(*v);
          }
          if (fallback == nullptr) {
            fallback = v;
          }
        }
      }
    }
    if (fallback != nullptr) {
      return UnsafeAt(*fallback);
    }
    const Expr& e = remaining.front();
    return RegoError(kUnsafeVarError, "expression uses unsafe variables", file_, e.loc.row,
                     e.loc.col);
  }

  int size_;
  std::string_view file_;
};

Status Safety::OrderNestedTerm(Term& t) { return OrderNestedTermImpl(t); }

Status OrderRule(Rule& r) {
  for (Rule* cur = &r; cur != nullptr; cur = cur->else_rule.get()) {
    Safety safety(cur->frame_size, cur->module->file);
    Slots bound(static_cast<size_t>(cur->frame_size), 0);
    for (const auto& arg : cur->args) {
      std::function<void(const Term&)> mark = [&](const Term& t) {
        if (t.IsLocalVar()) {
          bound[static_cast<size_t>(t.slot)] = 1;
        }
        for (const auto& item : t.items) {
          mark(item);
        }
      };
      mark(arg);
    }
    std::vector<const Term*> heads;
    if (cur->has_key) {
      QLRF_TRY(safety.OrderNestedTerm(cur->key));
      heads.push_back(&cur->key);
    }
    if (cur->has_value) {
      QLRF_TRY(safety.OrderNestedTerm(cur->value));
      heads.push_back(&cur->value);
    }
    for (auto& t : cur->tail) {
      QLRF_TRY(safety.OrderNestedTerm(t));
      heads.push_back(&t);
    }
    QLRF_TRY(safety.Order(*cur->body, bound, heads));
  }
  return Ok();
}

// ---- recursion ----

class RecursionCheck {
 public:
  explicit RecursionCheck(const CompiledPolicy& policy) : policy_(policy) {}

  Status Run() {
    std::vector<const RuleNode*> all;
    Collect(*policy_.root, all);
    for (const RuleNode* n : all) {
      std::set<const RuleNode*> deps;
      for (const Rule* r : n->rules) {
        RuleDeps(*r, deps);
      }
      if (n->default_rule != nullptr) {
        RuleDeps(*n->default_rule, deps);
      }
      deps_[n] = std::move(deps);
    }
    std::map<const RuleNode*, int> color;
    for (const RuleNode* n : all) {
      QLRF_TRY(Visit(n, color));
    }
    return Ok();
  }

 private:
  static void Collect(const RuleNode& n, std::vector<const RuleNode*>& out) {
    if (n.kind != NodeKind::kNone) {
      out.push_back(&n);
    }
    for (const auto& [k, c] : n.children) {
      Collect(*c, out);
    }
  }

  static void AllBelow(const RuleNode& n, std::set<const RuleNode*>& out) {
    if (n.kind != NodeKind::kNone) {
      out.insert(&n);
    }
    for (const auto& [k, c] : n.children) {
      AllBelow(*c, out);
    }
  }

  static void MatchRef(const RuleNode& n, const Term& ref, size_t i,
                       std::set<const RuleNode*>& out) {
    if (n.kind != NodeKind::kNone) {
      out.insert(&n);
    }
    if (i >= ref.items.size()) {
      AllBelow(n, out);
      return;
    }
    const Term& p = ref.items[i];
    if (p.IsScalar()) {
      if (p.value.IsString()) {
        if (const RuleNode* c = n.Child(p.value.AsString())) {
          MatchRef(*c, ref, i + 1, out);
        }
      }
      return;
    }
    for (const auto& [k, c] : n.children) {
      MatchRef(*c, ref, i + 1, out);
    }
  }

  void TermDeps(const Term& t, std::set<const RuleNode*>& out) const {
    if (t.kind == TermKind::kVar && t.role == VarRole::kData) {
      AllBelow(*policy_.root, out);
    }
    if (t.kind == TermKind::kRef && t.items[0].IsVar() && t.items[0].role == VarRole::kData) {
      MatchRef(*policy_.root, t, 1, out);
      for (size_t i = 1; i < t.items.size(); ++i) {
        TermDeps(t.items[i], out);
      }
      return;
    }
    if (t.kind == TermKind::kCall && t.call_kind == CallKind::kFunction) {
      out.insert(t.function);
    }
    for (const auto& item : t.items) {
      TermDeps(item, out);
    }
    if (t.body) {
      BodyDeps(*t.body, out);
    }
  }

  void BodyDeps(const Body& b, std::set<const RuleNode*>& out) const {
    for (const auto& e : b.exprs) {
      for (const auto& t : e.terms) {
        TermDeps(t, out);
      }
      if (e.body) {
        BodyDeps(*e.body, out);
      }
      for (const auto& w : e.withs) {
        TermDeps(w.value, out);
        if (w.mock_function != nullptr) {
          out.insert(w.mock_function);
        }
      }
    }
  }

  void RuleDeps(const Rule& r, std::set<const RuleNode*>& out) const {
    for (const Rule* cur = &r; cur != nullptr; cur = cur->else_rule.get()) {
      BodyDeps(*cur->body, out);
      if (cur->has_key) {
        TermDeps(cur->key, out);
      }
      if (cur->has_value) {
        TermDeps(cur->value, out);
      }
      for (const auto& t : cur->tail) {
        TermDeps(t, out);
      }
    }
  }

  // Depth-first search over the dependency graph with an explicit stack: a chain of thousands
  // of rules must not exhaust the native stack. 0 unvisited, 1 on the path, 2 done.
  Status Visit(const RuleNode* root, std::map<const RuleNode*, int>& color) {
    if (color[root] != 0) {
      return Ok();
    }
    struct Step {
      const RuleNode* node;
      std::set<const RuleNode*>::const_iterator next;
    };
    std::vector<Step> path;
    color[root] = 1;
    path.push_back({root, deps_[root].begin()});
    while (!path.empty()) {
      Step& top = path.back();
      if (top.next == deps_[top.node].end()) {
        color[top.node] = 2;
        path.pop_back();
        continue;
      }
      const RuleNode* d = *top.next++;
      int& c = color[d];
      if (c == 2) {
        continue;
      }
      if (c == 1) {
        auto it =
            std::find_if(path.begin(), path.end(), [&](const Step& s) { return s.node == d; });
        std::string cycle;
        for (auto s = it; s != path.end(); ++s) {
          cycle += s->node->path_text + " -> ";
        }
        cycle += d->path_text;
        const Rule* r = !d->rules.empty() ? d->rules[0] : d->default_rule;
        return Fail(RegoError(kRecursionError, "rule " + d->path_text + " is recursive: " + cycle,
                              r->module->file, r->loc.row, r->loc.col));
      }
      c = 1;
      path.push_back({d, deps_[d].begin()});  // `top` is not used past this point
    }
    return Ok();
  }

  const CompiledPolicy& policy_;
  std::map<const RuleNode*, std::set<const RuleNode*>> deps_;
};

}  // namespace

const RuleNode* CompiledPolicy::FindNode(const std::vector<std::string>& path) const {
  const RuleNode* n = root.get();
  for (const auto& key : path) {
    n = n->Child(key);
    if (n == nullptr) {
      return nullptr;
    }
  }
  return n;
}

const Builtin* CompiledPolicy::FindAnyBuiltin(std::string_view name) const {
  auto it = custom_builtins.find(name);
  if (it != custom_builtins.end()) {
    return it->second.get();
  }
  return FindBuiltin(name);
}

Result<std::shared_ptr<const CompiledPolicy>> Compile(CompileInput input) {
  auto policy = std::make_shared<CompiledPolicy>();
  policy->modules = std::move(input.modules);
  policy->data = std::move(input.data);
  if (!policy->data.IsDefined()) {
    policy->data = Value::EmptyObject();
  }
  policy->custom_builtins = std::move(input.custom_builtins);
  policy->root = std::make_unique<RuleNode>();
  policy->root->path_text = "data";
  policy->node_count = 1;
  TreeBuilder builder(*policy);
  for (auto& m : policy->modules) {
    QLRF_TRY(builder.Add(*m));
  }
  QLRF_TRY(CheckTree(*policy->root));

  // Rule names per package, across modules.
  std::map<std::vector<std::string>, std::set<std::string, std::less<>>> names;
  for (const auto& m : policy->modules) {
    auto& set = names[m->package];
    for (const auto& r : m->rules) {
      set.insert(r->head[0].name);
    }
  }
  for (auto& m : policy->modules) {
    for (const auto& imp : m->imports) {
      const std::string& head = imp.ref.items[0].name;
      if (head == "future" || head == "rego") {
        auto segs = NameSegments(imp.ref);
        std::string text = Join(*segs);
        bool known = text == "rego.v1" || text == "rego.v2" || text == "future.keywords" ||
                     text.rfind("future.keywords.", 0) == 0;
        if (!known) {
          return Fail(RegoError(kCompileError, "unexpected import path: " + text, m->file,
                                imp.loc.row, imp.loc.col));
        }
      }
    }
    Resolver resolver(*policy, m.get(), &names[m->package], m->file);
    for (auto& r : m->rules) {
      for (Rule* cur = r.get(); cur != nullptr; cur = cur->else_rule.get()) {
        HoistHeadRefs(*cur);
        QLRF_TRY(resolver.ResolveRule(*cur));
      }
    }
  }
  for (auto& m : policy->modules) {
    for (auto& r : m->rules) {
      QLRF_TRY(OrderRule(*r));
    }
  }
  RecursionCheck recursion(*policy);
  QLRF_TRY(recursion.Run());
  return std::shared_ptr<const CompiledPolicy>(std::move(policy));
}

Status CompileQuery(const CompiledPolicy& policy, Query& query, std::string_view file) {
  Resolver resolver(policy, nullptr, nullptr, file);
  QLRF_TRY(resolver.ResolveQuery(query));
  Safety safety(query.frame_size, file);
  Slots bound(static_cast<size_t>(query.frame_size), 0);
  return safety.Order(*query.body, bound, {});
}

}  // namespace qlrf::policy::internal
