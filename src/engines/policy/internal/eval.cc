// Top-down Rego evaluation. Every generator takes a continuation and calls it once per solution
// with the frame's variables bound; bindings are undone on return, so backtracking is the call
// stack unwinding.
#include "engines/policy/internal/eval.h"

#include <pthread.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

namespace qlrf::policy::internal {
namespace {

// Stack left untouched below the evaluation, for built-ins and the code around it.
constexpr size_t kStackMargin = size_t{256} << 10;

// The lowest stack address evaluation on this thread may reach (the thread's stack end plus a
// margin for built-ins and the caller); nullptr when unknown. Computed once per thread and
// kept: glibc reads /proc/self/maps to answer for the main thread, which would cost more than
// a whole decision.
const char* ThreadStackFloor() {
  thread_local const char* const kFloor = [] {
    const char* floor = nullptr;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void* addr = nullptr;
      size_t size = 0;
      if (pthread_attr_getstack(&attr, &addr, &size) == 0 && size > 2 * kStackMargin) {
        floor = static_cast<const char*>(addr) + kStackMargin;
      }
      pthread_attr_destroy(&attr);
    }
    return floor;
  }();
  return kFloor;
}

// kOk: keep enumerating; kStop: the consumer has what it needs; kError: see Impl::err_.
enum class Step : uint8_t { kOk, kStop, kError };

// A non-owning reference to a callable (absl::FunctionRef): no allocation per continuation.
template <class Sig>
class FnRef;

template <class R, class... Args>
class FnRef<R(Args...)> {
 public:
  template <class F, std::enable_if_t<!std::is_same_v<std::decay_t<F>, FnRef>, int> = 0>
  FnRef(F&& f)  // NOLINT(google-explicit-constructor,bugprone-forwarding-reference-overload)
      : obj_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* o, Args... a) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(o))(std::forward<Args>(a)...);
        }) {}
  R operator()(Args... a) const { return call_(obj_, std::forward<Args>(a)...); }

 private:
  void* obj_;
  R (*call_)(void*, Args...);
};

using Frame = std::vector<Value>;
using Cont = FnRef<Step()>;
using ValCont = FnRef<Step(const Value&)>;

struct DataOverride {
  std::vector<Value> path;
  Value value;
};

struct Mock {
  const Builtin* builtin = nullptr;
  const RuleNode* function = nullptr;
  MockKind kind = MockKind::kValue;
  Value value;
  const Builtin* mock_builtin = nullptr;
  const RuleNode* mock_function = nullptr;
};

struct ArgsLess {
  bool operator()(const std::pair<int, std::vector<Value>>& a,
                  const std::pair<int, std::vector<Value>>& b) const {
    if (a.first != b.first) {
      return a.first < b.first;
    }
    return std::lexicographical_compare(a.second.begin(), a.second.end(), b.second.begin(),
                                        b.second.end(), ValueLess());
  }
};

struct Cache {
  explicit Cache(int nodes)
      : values(static_cast<size_t>(nodes)), done(static_cast<size_t>(nodes)) {}
  std::vector<Value> values;
  std::vector<char> done;
  std::map<std::pair<int, std::vector<Value>>, Value, ArgsLess> calls;
};

// The part of the evaluation state a `with` replaces for one expression.
struct Scope {
  Value input;
  std::vector<DataOverride> overrides;
  std::vector<Mock> mocks;
  std::shared_ptr<Cache> cache;
};

// Builds nested objects from (key path, value) pairs, detecting conflicting keys. A leaf is a
// single value, or a set that multi-value rules (p[x] contains y) add members to.
struct ObjectBuild {
  std::map<Value, ObjectBuild, ValueLess> children;
  Value leaf;
  std::vector<Value> members;
  bool is_set = false;

  bool Insert(const std::vector<Value>& keys, size_t i, const Value& v, bool member) {
    if (i == keys.size()) {
      if (!children.empty() || (leaf.IsDefined() && member) || (is_set && !member)) {
        return false;
      }
      if (member) {
        is_set = true;
        members.push_back(v);
        return true;
      }
      if (leaf.IsDefined()) {
        return Compare(leaf, v) == 0;
      }
      leaf = v;
      return true;
    }
    if (leaf.IsDefined() || is_set) {
      return false;
    }
    return children[keys[i]].Insert(keys, i + 1, v, member);
  }

  Value ToValue() const {
    if (is_set) {
      return Value::Set(members);
    }
    if (leaf.IsDefined()) {
      return leaf;
    }
    ObjectEntries entries;
    entries.reserve(children.size());
    for (const auto& [k, c] : children) {
      entries.emplace_back(k, c.ToValue());
    }
    return Value::SortedObject(std::move(entries));
  }
};

Value SetPath(const Value& base, const std::vector<Value>& keys, size_t i, const Value& v) {
  if (i == keys.size()) {
    return v;
  }
  Value obj = base.IsObject() ? base : Value::EmptyObject();
  const Value* child = obj.Find(keys[i]);
  return ObjectInsert(obj, keys[i], SetPath(child != nullptr ? *child : Value(), keys, i + 1, v));
}

bool IsPrefix(const std::vector<Value>& prefix, const std::vector<Value>& path) {
  if (prefix.size() > path.size()) {
    return false;
  }
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Compare(prefix[i], path[i]) != 0) {
      return false;
    }
  }
  return true;
}

// Element `key` of a collection, or nullptr.
const Value* Index(const Value& v, const Value& key) {
  switch (v.kind()) {
    case Kind::kArray: {
      if (!key.IsInt()) {
        return nullptr;
      }
      int64_t i = key.AsInt();
      const auto& items = v.Items();
      if (i < 0 || static_cast<uint64_t>(i) >= items.size()) {
        return nullptr;
      }
      return &items[static_cast<size_t>(i)];
    }
    case Kind::kObject:
    case Kind::kSet:
      return v.Find(key);
    default:
      return nullptr;
  }
}

}  // namespace

class Evaluator::Impl {
 public:
  Impl(const CompiledPolicy& policy, const EvalConfig& config, Value input)
      : policy_(policy), config_(config) {
    scope_.input = std::move(input);
    scope_.cache = std::make_shared<Cache>(policy.node_count);
    ctx_.clock = config.clock;
    ctx_.random = config.random;
    ctx_.print = config.print;
    in_progress_.assign(static_cast<size_t>(policy.node_count), 0);
  }

  Status RunQuery(const Query& query,
                  const std::function<void(const std::vector<Value>&)>& on_solution) {
    SetStackBase();
    Frame frame(static_cast<size_t>(query.frame_size));
    Step s = EvalBody(*query.body, 0, frame, [&]() {
      on_solution(frame);
      return Step::kOk;
    });
    if (s == Step::kError) {
      return Fail(std::move(err_));
    }
    return Ok();
  }

  Result<Value> FirstValue(const Term& term, Frame& frame) {
    SetStackBase();
    Value out;
    Step s = EvalTerm(term, frame, [&](const Value& v) {
      out = v;
      return Step::kStop;
    });
    if (s == Step::kError) {
      return Fail(std::move(err_));
    }
    return out;
  }

  Result<Value> EvalDataPath(const std::vector<std::string>& path) {
    SetStackBase();
    Term ref;
    ref.kind = TermKind::kRef;
    Term head;
    head.kind = TermKind::kVar;
    head.name = "data";
    head.role = VarRole::kData;
    ref.items.push_back(std::move(head));
    for (const auto& p : path) {
      Term key;
      key.kind = TermKind::kScalar;
      key.value = Value::String(p);
      ref.items.push_back(std::move(key));
    }
    Frame frame;
    return FirstValue(ref, frame);
  }

 private:
  // Notes where this evaluation's stack starts and where the thread's stack ends (glibc reports
  // the calling thread's stack, main thread included), keeping a margin for built-ins and
  // the caller.
  void SetStackBase() {
    if (stack_base_ != nullptr) {
      return;
    }
    stack_base_ = static_cast<const char*>(__builtin_frame_address(0));
    stack_floor_ = ThreadStackFloor();
  }

  // The module whose rule is being evaluated (errors name its file); nullptr for queries.
  std::string_view CurrentFile(const Module* module = nullptr) const {
    const Module* m = module != nullptr ? module : module_;
    return m != nullptr ? std::string_view(m->file) : std::string_view();
  }

  Step Raise(std::string_view code, std::string msg, Loc loc, const Module* module = nullptr) {
    err_ = RegoError(code, std::move(msg), CurrentFile(module), loc.row, loc.col);
    return Step::kError;
  }

  // Sets the module errors are attributed to for the lifetime of the guard.
  class ModuleScope {
   public:
    ModuleScope(Impl* impl, const Module* m) : impl_(impl), saved_(impl->module_) {
      impl->module_ = m;
    }
    ~ModuleScope() { impl_->module_ = saved_; }
    ModuleScope(const ModuleScope&) = delete;
    ModuleScope& operator=(const ModuleScope&) = delete;

   private:
    Impl* impl_;
    const Module* saved_;
  };

  Step Propagate(qlrf::Error e) {
    err_ = std::move(e);
    return Step::kError;
  }

  // Counts a step and checks the step, time and stack bounds.
  bool Tick(Loc loc) {
    if (++steps_ > config_.max_steps) {
      Raise(kCancelError,
            "evaluation exceeded the step limit of " + std::to_string(config_.max_steps), loc);
      return false;
    }
    if ((steps_ & 1023) == 0 && config_.deadline && config_.clock != nullptr &&
        config_.clock->Monotonic() > *config_.deadline) {
      Raise(kCancelError, "evaluation exceeded its deadline", loc);
      err_.code = ErrorCode::kDeadlineExceeded;
      return false;
    }
    return StackOk(loc);
  }

  // Nested rule, function and comprehension evaluation uses the native stack; stop well before
  // it runs out.
  bool StackOk(Loc loc) {
    const char* sp = static_cast<const char*>(__builtin_frame_address(0));
    bool too_deep = stack_base_ != nullptr && sp < stack_base_ && config_.max_stack_bytes > 0 &&
                    static_cast<size_t>(stack_base_ - sp) > config_.max_stack_bytes;
    if (too_deep || (stack_floor_ != nullptr && sp < stack_floor_)) {
      Raise(kCancelError, "evaluation nested too deeply", loc);
      return false;
    }
    return true;
  }

  // ---- bodies and expressions ----

  Step EvalBody(const Body& body, size_t i, Frame& f, Cont k) {
    if (i == body.exprs.size()) {
      return k();
    }
    return EvalExpr(body.exprs[i], f, [&]() { return EvalBody(body, i + 1, f, k); });
  }

  Step EvalExpr(const Expr& e, Frame& f, Cont k) {
    if (!Tick(e.loc)) {
      return Step::kError;
    }
    if (!e.withs.empty()) {
      return EvalWith(e, f, k);
    }
    return EvalExprPlain(e, f, k);
  }

  Step EvalExprPlain(const Expr& e, Frame& f, Cont k) {
    if (e.negated) {
      bool found = false;
      Step s = EvalPositive(e, f, [&]() {
        found = true;
        return Step::kStop;
      });
      if (s == Step::kError) {
        return s;
      }
      return found ? Step::kOk : k();
    }
    return EvalPositive(e, f, k);
  }

  Step EvalPositive(const Expr& e, Frame& f, Cont k) {
    switch (e.kind) {
      case ExprKind::kTerm:
        return EvalTerm(e.terms[0], f,
                        [&](const Value& v) { return v.IsFalse() ? Step::kOk : k(); });
      case ExprKind::kUnify:
        return UnifyTerms(e.terms[0], e.terms[1], f, k);
      case ExprKind::kAssign:
        return EvalTerm(e.terms[1], f,
                        [&](const Value& v) { return UnifyValue(e.terms[0], v, f, k); });
      case ExprKind::kSomeDecl:
        return k();
      case ExprKind::kSomeIn:
        return EvalTerm(e.terms[2], f, [&](const Value& domain) {
          return ForEach(domain, [&](const Value& key, const Value& val) {
            return UnifyValue(e.terms[1], val, f, [&]() {
              return e.has_key ? UnifyValue(e.terms[0], key, f, k) : k();
            });
          });
        });
      case ExprKind::kEvery:
        return EvalTerm(e.terms[2], f, [&](const Value& domain) { return Every(e, domain, f, k); });
    }
    return Step::kOk;
  }

  Step Every(const Expr& e, const Value& domain, Frame& f, Cont k) {
    bool all = true;
    Step s = ForEach(domain, [&](const Value& key, const Value& val) {
      bool ok = false;
      Step inner = UnifyValue(e.terms[1], val, f, [&]() {
        auto body = [&]() {
          return EvalBody(*e.body, 0, f, [&]() {
            ok = true;
            return Step::kStop;
          });
        };
        return e.has_key ? UnifyValue(e.terms[0], key, f, body) : body();
      });
      if (inner == Step::kError) {
        return inner;
      }
      if (!ok) {
        all = false;
        return Step::kStop;
      }
      return Step::kOk;
    });
    if (s == Step::kError) {
      return s;
    }
    return all ? k() : Step::kOk;
  }

  // Calls fn(key, value) for each member of a collection; scalars have none.
  Step ForEach(const Value& v, FnRef<Step(const Value&, const Value&)> fn) {
    switch (v.kind()) {
      case Kind::kArray: {
        const auto& items = v.Items();
        for (size_t i = 0; i < items.size(); ++i) {
          Step s = fn(Value::Int(static_cast<int64_t>(i)), items[i]);
          if (s != Step::kOk) {
            return s;
          }
        }
        return Step::kOk;
      }
      case Kind::kSet:
        for (const auto& item : v.Items()) {
          Step s = fn(item, item);
          if (s != Step::kOk) {
            return s;
          }
        }
        return Step::kOk;
      case Kind::kObject:
        for (const auto& [key, val] : v.Entries()) {
          Step s = fn(key, val);
          if (s != Step::kOk) {
            return s;
          }
        }
        return Step::kOk;
      default:
        return Step::kOk;
    }
  }

  // ---- with ----

  // The scope `e`'s `with` modifiers create from the current one. kStop when a replacement
  // value is undefined (then so is the expression).
  Step WithScope(const Expr& e, Frame& f, Scope& inner) {
    // Replacement values are evaluated first, in the outer scope.
    std::vector<Value> values(e.withs.size());
    for (size_t i = 0; i < e.withs.size(); ++i) {
      const WithMod& w = e.withs[i];
      if (w.mock != MockKind::kValue) {
        continue;
      }
      Step s = First(w.value, f, values[i]);
      if (s == Step::kError) {
        return s;
      }
      if (!values[i].IsDefined()) {
        return Step::kStop;
      }
    }
    inner = scope_;
    for (size_t i = 0; i < e.withs.size(); ++i) {
      const WithMod& w = e.withs[i];
      switch (w.kind) {
        case WithKind::kInput:
          inner.input = SetPath(inner.input, w.path, 0, values[i]);
          break;
        case WithKind::kData:
          inner.overrides.push_back(DataOverride{w.path, values[i]});
          break;
        case WithKind::kBuiltin:
        case WithKind::kFunction:
          inner.mocks.push_back(
              Mock{w.builtin, w.function, w.mock, values[i], w.mock_builtin, w.mock_function});
          break;
        case WithKind::kUnresolved:
          break;
      }
    }
    inner.cache = std::make_shared<Cache>(policy_.node_count);
    return Step::kOk;
  }

  Step EvalWith(const Expr& e, Frame& f, Cont k) {
    Scope inner;
    Step built = WithScope(e, f, inner);
    if (built != Step::kOk) {
      return built == Step::kStop ? Step::kOk : built;
    }
    Scope outer = scope_;
    scope_ = inner;
    Step s = EvalExprPlain(e, f, [&]() {
      // The rest of the body runs in the outer scope.
      scope_ = outer;
      Step r = k();
      scope_ = inner;
      return r;
    });
    scope_ = std::move(outer);
    return s;
  }

 public:
  // The value of a term expression (with its `with` modifiers) in a solution's frame.
  Result<Value> ExprValue(const Expr& e, Frame& f) {
    SetStackBase();
    Scope outer = scope_;
    if (!e.withs.empty()) {
      Scope inner;
      Step built = WithScope(e, f, inner);
      if (built == Step::kError) {
        return Fail(std::move(err_));
      }
      if (built == Step::kStop) {
        return Value();
      }
      scope_ = inner;
    }
    Value out;
    Step s = First(e.terms[0], f, out);
    scope_ = std::move(outer);
    if (s == Step::kError) {
      return Fail(std::move(err_));
    }
    return out;
  }

 private:
  // ---- terms ----

  Step EvalTerm(const Term& t, Frame& f, ValCont k) {
    switch (t.kind) {
      case TermKind::kScalar:
        return k(t.value);
      case TermKind::kVar:
        switch (t.role) {
          case VarRole::kLocal: {
            const Value& v = f[static_cast<size_t>(t.slot)];
            if (!v.IsDefined()) {
              return Raise(kInternalError, "var " + t.name + " is unbound", t.loc);
            }
            return k(v);
          }
          case VarRole::kInput:
            return scope_.input.IsDefined() ? k(scope_.input) : Step::kOk;
          case VarRole::kData:
            return WalkDataFromRoot(t, f, k);
          case VarRole::kUnresolved:
            return Raise(kInternalError, "unresolved var " + t.name, t.loc);
        }
        return Step::kOk;
      case TermKind::kRef:
        return EvalRef(t, f, k);
      case TermKind::kArray:
      case TermKind::kSet: {
        std::vector<Value> items;
        items.reserve(t.items.size());
        return EvalList(t.items, 0, items, f, [&]() {
          return k(t.kind == TermKind::kArray ? Value::Array(items) : Value::Set(items));
        });
      }
      case TermKind::kObject: {
        std::vector<Value> items;
        items.reserve(t.items.size());
        return EvalList(t.items, 0, items, f, [&]() {
          ObjectEntries entries;
          entries.reserve(items.size() / 2);
          for (size_t i = 0; i + 1 < items.size(); i += 2) {
            entries.emplace_back(items[i], items[i + 1]);
          }
          return k(Value::Object(std::move(entries)));
        });
      }
      case TermKind::kArrayCompr:
      case TermKind::kSetCompr:
      case TermKind::kObjectCompr:
        return EvalComprehension(t, f, k);
      case TermKind::kCall:
        return EvalCall(t, f, k);
      case TermKind::kTemplate:
        return EvalTemplate(t, f, k);
    }
    return Step::kOk;
  }

  Step EvalList(const std::vector<Term>& terms, size_t i, std::vector<Value>& out, Frame& f,
                Cont k) {
    if (i == terms.size()) {
      return k();
    }
    const Term& t = terms[i];
    if (t.IsScalar()) {
      out.push_back(t.value);
      Step s = EvalList(terms, i + 1, out, f, k);
      out.pop_back();
      return s;
    }
    return EvalTerm(t, f, [&](const Value& v) {
      out.push_back(v);
      Step s = EvalList(terms, i + 1, out, f, k);
      out.pop_back();
      return s;
    });
  }

  Step EvalComprehension(const Term& t, Frame& f, ValCont k) {
    if (!StackOk(t.loc)) {
      return Step::kError;
    }
    if (t.kind == TermKind::kObjectCompr) {
      std::map<Value, Value, ValueLess> out;
      bool conflict = false;
      Step s = EvalBody(*t.body, 0, f, [&]() {
        return EvalTerm(t.items[0], f, [&](const Value& key) {
          return EvalTerm(t.items[1], f, [&](const Value& val) {
            auto [it, inserted] = out.emplace(key, val);
            if (!inserted && Compare(it->second, val) != 0) {
              conflict = true;
              return Step::kStop;
            }
            return Step::kOk;
          });
        });
      });
      if (s == Step::kError) {
        return s;
      }
      if (conflict) {
        return Raise(kConflictError, "object keys must be unique", t.loc);
      }
      ObjectEntries entries(out.begin(), out.end());
      return k(Value::SortedObject(std::move(entries)));
    }
    std::vector<Value> out;
    Step s = EvalBody(*t.body, 0, f, [&]() {
      return EvalTerm(t.items[0], f, [&](const Value& v) {
        out.push_back(v);
        return Step::kOk;
      });
    });
    if (s == Step::kError) {
      return s;
    }
    return k(t.kind == TermKind::kArrayCompr ? Value::Array(std::move(out))
                                             : Value::Set(std::move(out)));
  }

  Step EvalTemplate(const Term& t, Frame& f, ValCont k) {
    std::string out;
    for (const auto& part : t.items) {
      if (part.IsScalar()) {
        out += part.value.AsString();
        continue;
      }
      Value v;
      Step s = EvalTerm(part, f, [&](const Value& x) {
        v = x;
        return Step::kStop;
      });
      if (s == Step::kError) {
        return s;
      }
      if (v.Size() == 0) {
        out += "<undefined>";
        continue;
      }
      const Value& item = v.Items()[0];
      out += item.IsString() ? item.AsString() : ToRegoText(item);
    }
    return k(Value::String(std::move(out)));
  }

  // ---- refs ----

  Step EvalRef(const Term& ref, Frame& f, ValCont k) {
    const Term& head = ref.items[0];
    if (head.IsVar()) {
      switch (head.role) {
        case VarRole::kData:
          return WalkDataFromRoot(ref, f, k);
        case VarRole::kInput:
          if (!scope_.input.IsDefined()) {
            return Step::kOk;
          }
          return WalkValue(scope_.input, ref, 1, f, k);
        case VarRole::kLocal: {
          const Value& v = f[static_cast<size_t>(head.slot)];
          if (!v.IsDefined()) {
            return Raise(kInternalError, "var " + head.name + " is unbound", head.loc);
          }
          return WalkValue(v, ref, 1, f, k);
        }
        case VarRole::kUnresolved:
          return Raise(kInternalError, "unresolved var " + head.name, head.loc);
      }
    }
    return EvalTerm(head, f, [&](const Value& v) { return WalkValue(v, ref, 1, f, k); });
  }

  // Whether `t` still has unbound variables where a unification can bind them.
  static bool NeedsUnify(const Term& t, const Frame& f) {
    switch (t.kind) {
      case TermKind::kVar:
        return t.role == VarRole::kLocal && !f[static_cast<size_t>(t.slot)].IsDefined();
      case TermKind::kArray:
        return std::any_of(t.items.begin(), t.items.end(),
                           [&](const Term& i) { return NeedsUnify(i, f); });
      case TermKind::kObject:
        for (size_t i = 1; i < t.items.size(); i += 2) {
          if (NeedsUnify(t.items[i], f)) {
            return true;
          }
        }
        return false;
      default:
        return false;
    }
  }

  Step WalkValue(const Value& v, const Term& ref, size_t i, Frame& f, ValCont k) {
    if (i == ref.items.size()) {
      return k(v);
    }
    const Term& p = ref.items[i];
    if (p.IsScalar()) {
      const Value* next = Index(v, p.value);
      return next == nullptr ? Step::kOk : WalkValue(*next, ref, i + 1, f, k);
    }
    if (NeedsUnify(p, f)) {
      return ForEach(v, [&](const Value& key, const Value& val) {
        return UnifyValue(p, key, f, [&]() { return WalkValue(val, ref, i + 1, f, k); });
      });
    }
    return EvalTerm(p, f, [&](const Value& key) {
      const Value* next = Index(v, key);
      return next == nullptr ? Step::kOk : WalkValue(*next, ref, i + 1, f, k);
    });
  }

  Step WalkDataFromRoot(const Term& ref, Frame& f, ValCont k) {
    std::vector<Value> path;
    if (ref.IsVar()) {
      Term whole;
      whole.kind = TermKind::kRef;
      whole.items.push_back(ref);
      return WalkData(policy_.root.get(), &policy_.data, whole, 1, path, f, k);
    }
    return WalkData(policy_.root.get(), &policy_.data, ref, 1, path, f, k);
  }

  // Whether a `with data…` replacement applies at or below `path`.
  bool OverrideBelow(const std::vector<Value>& path) const {
    return std::any_of(scope_.overrides.begin(), scope_.overrides.end(),
                       [&](const DataOverride& o) { return IsPrefix(path, o.path); });
  }

  bool OverrideAt(const std::vector<Value>& path) const {
    return std::any_of(scope_.overrides.begin(), scope_.overrides.end(),
                       [&](const DataOverride& o) {
                         return o.path.size() == path.size() && IsPrefix(path, o.path);
                       });
  }

  Step WalkData(const RuleNode* node, const Value* base, const Term& ref, size_t i,
                std::vector<Value>& path, Frame& f, ValCont k) {
    bool overridden = !scope_.overrides.empty() && OverrideBelow(path);
    if (overridden && (OverrideAt(path) || node == nullptr || node->kind != NodeKind::kNone ||
                       i == ref.items.size() || !node->has_rules_below)) {
      auto v = OverriddenValue(node, base, path);
      if (!v) {
        return Propagate(std::move(v).error());
      }
      return v->IsDefined() ? WalkValue(*v, ref, i, f, k) : Step::kOk;
    }
    if (node == nullptr) {
      return base != nullptr ? WalkValue(*base, ref, i, f, k) : Step::kOk;
    }
    if (node->kind != NodeKind::kNone || i == ref.items.size() || !node->has_rules_below) {
      auto v = NodeValue(node, base);
      if (!v) {
        return Propagate(std::move(v).error());
      }
      return v->IsDefined() ? WalkValue(*v, ref, i, f, k) : Step::kOk;
    }
    const Term& p = ref.items[i];
    auto step_into = [&](const Value& key) {
      const RuleNode* child = key.IsString() ? node->Child(key.AsString()) : nullptr;
      const Value* sub = base != nullptr ? base->Find(key) : nullptr;
      path.push_back(key);
      Step s = Step::kOk;
      if (child != nullptr || sub != nullptr || (overridden && OverrideBelow(path))) {
        s = WalkData(child, sub, ref, i + 1, path, f, k);
      }
      path.pop_back();
      return s;
    };
    if (p.IsScalar()) {
      return step_into(p.value);
    }
    if (NeedsUnify(p, f)) {
      std::vector<Value> keys;
      for (const auto& [key, child] : node->children) {
        if (child->kind != NodeKind::kFunction) {
          keys.push_back(Value::String(key));
        }
      }
      if (base != nullptr && base->IsObject()) {
        for (const auto& [key, val] : base->Entries()) {
          keys.push_back(key);
        }
      }
      if (overridden) {
        for (const auto& o : scope_.overrides) {
          if (o.path.size() > path.size() && IsPrefix(path, o.path)) {
            keys.push_back(o.path[path.size()]);
          }
        }
      }
      Value key_set = Value::Set(std::move(keys));
      for (const auto& key : key_set.Items()) {
        Step s = UnifyValue(p, key, f, [&]() { return step_into(key); });
        if (s != Step::kOk) {
          return s;
        }
      }
      return Step::kOk;
    }
    return EvalTerm(p, f, [&](const Value& key) { return step_into(key); });
  }

  Result<Value> OverriddenValue(const RuleNode* node, const Value* base,
                                const std::vector<Value>& path) {
    Value v;
    bool exact = false;
    for (const auto& o : scope_.overrides) {
      if (o.path.size() == path.size() && IsPrefix(path, o.path)) {
        v = o.value;
        exact = true;
      }
    }
    if (!exact) {
      if (node != nullptr) {
        QLRF_ASSIGN_OR_RETURN(v, NodeValue(node, base));
      } else if (base != nullptr) {
        v = *base;
      }
    }
    for (const auto& o : scope_.overrides) {
      if (o.path.size() > path.size() && IsPrefix(path, o.path)) {
        std::vector<Value> rest(o.path.begin() + static_cast<std::ptrdiff_t>(path.size()),
                                o.path.end());
        v = SetPath(v, rest, 0, o.value);
      }
    }
    return v;
  }

  // The whole document at `node`: its rules' value, merged with base data and children.
  Result<Value> NodeValue(const RuleNode* node, const Value* base) {
    if (node->kind == NodeKind::kFunction) {
      return Value();
    }
    if (!node->has_rules_below) {
      return base != nullptr ? *base : Value::EmptyObject();
    }
    Value own;
    if (node->kind != NodeKind::kNone) {
      QLRF_ASSIGN_OR_RETURN(own, RuleNodeValue(node));
      if (node->kind != NodeKind::kObject || node->children.empty()) {
        return own;
      }
    } else if (base != nullptr && base->IsObject()) {
      own = *base;
    } else {
      own = Value::EmptyObject();
    }
    ObjectEntries entries = own.IsObject() ? own.Entries() : ObjectEntries{};
    bool changed = false;
    for (const auto& [key, child] : node->children) {
      if (!child->has_rules_below) {
        continue;
      }
      Value key_value = Value::String(key);
      const Value* sub = base != nullptr ? base->Find(key) : nullptr;
      QLRF_ASSIGN_OR_RETURN(Value cv, NodeValue(child.get(), sub));
      if (!cv.IsDefined()) {
        continue;
      }
      if (node->kind == NodeKind::kObject) {
        const Value* same = own.Find(key_value);
        if (same != nullptr && Compare(*same, cv) != 0) {
          const Rule* r = node->rules[0];
          return Fail(RegoError(kConflictError, "object keys must be unique", r->module->file,
                                r->loc.row, r->loc.col));
        }
      }
      entries.emplace_back(std::move(key_value), std::move(cv));
      changed = true;
    }
    if (!changed) {
      return own;
    }
    return Value::Object(std::move(entries));
  }

  // ---- rules ----

  Result<Value> RuleNodeValue(const RuleNode* node) {
    Cache& cache = *scope_.cache;
    auto id = static_cast<size_t>(node->id);
    if (cache.done[id] != 0) {
      return cache.values[id];
    }
    if (in_progress_[id] != 0) {
      const Rule* r = node->rules.empty() ? node->default_rule : node->rules[0];
      return Fail(RegoError(kRecursionError, "rule " + node->path_text + " is recursive",
                            r->module->file, r->loc.row, r->loc.col));
    }
    in_progress_[id] = 1;
    auto result = ComputeRuleNode(node);
    in_progress_[id] = 0;
    if (!result) {
      return result;
    }
    // The cache may have been replaced by a `with` meanwhile; store in the current one.
    scope_.cache->values[id] = *result;
    scope_.cache->done[id] = 1;
    return result;
  }

  Result<Value> ComputeRuleNode(const RuleNode* node) {
    const Rule* first = node->rules.empty() ? node->default_rule : node->rules[0];
    if (!StackOk(first != nullptr ? first->loc : Loc{})) {
      return Fail(std::move(err_));
    }
    switch (node->kind) {
      case NodeKind::kComplete:
        return CompleteValue(node);
      case NodeKind::kSet:
        return SetValue(node);
      case NodeKind::kObject:
        return ObjectValue(node);
      default:
        return Value();
    }
  }

  Result<Value> DefaultValue(const Rule* r) {
    ModuleScope in_module(this, r->module);
    Frame frame(static_cast<size_t>(r->frame_size));
    Value out;
    Step s = EvalTerm(r->value, frame, [&](const Value& v) {
      out = v;
      return Step::kStop;
    });
    if (s == Step::kError) {
      return Fail(std::move(err_));
    }
    return out;
  }

  Step HeadValue(const Rule& r, Frame& f, ValCont k) {
    if (!r.has_value) {
      return k(Value::True());
    }
    return EvalTerm(r.value, f, k);
  }

  Result<Value> CompleteValue(const RuleNode* node) {
    Value result;
    for (const Rule* first : node->rules) {
      for (const Rule* r = first; r != nullptr; r = r->else_rule.get()) {
        ModuleScope in_module(this, r->module);
        Frame frame(static_cast<size_t>(r->frame_size));
        bool produced = false;
        Step s = EvalBody(*r->body, 0, frame, [&]() {
          return HeadValue(*r, frame, [&](const Value& v) {
            produced = true;
            if (!result.IsDefined()) {
              result = v;
            } else if (Compare(result, v) != 0) {
              // OPA's classic wording, then its newer one naming the rule.
              return Raise(kConflictError,
                           "complete rules must not produce multiple outputs: rule " +
                               node->path_text + " produced conflicting values",
                           r->loc, r->module);
            }
            return Step::kOk;
          });
        });
        if (s == Step::kError) {
          return Fail(std::move(err_));
        }
        if (produced) {
          break;
        }
      }
    }
    if (!result.IsDefined() && node->default_rule != nullptr) {
      return DefaultValue(node->default_rule);
    }
    return result;
  }

  Result<Value> SetValue(const RuleNode* node) {
    std::vector<Value> items;
    for (const Rule* r : node->rules) {
      ModuleScope in_module(this, r->module);
      Frame frame(static_cast<size_t>(r->frame_size));
      Step s = EvalBody(*r->body, 0, frame, [&]() {
        return EvalTerm(r->key, frame, [&](const Value& v) {
          items.push_back(v);
          return Step::kOk;
        });
      });
      if (s == Step::kError) {
        return Fail(std::move(err_));
      }
    }
    return Value::Set(std::move(items));
  }

  Result<Value> ObjectValue(const RuleNode* node) {
    ObjectBuild build;
    for (const Rule* r : node->rules) {
      ModuleScope in_module(this, r->module);
      Frame frame(static_cast<size_t>(r->frame_size));
      std::vector<Value> keys;
      Step s = EvalBody(*r->body, 0, frame, [&]() {
        return EvalList(r->tail, 0, keys, frame, [&]() {
          auto insert = [&](const Value& v) {
            if (!build.Insert(keys, 0, v, r->has_key)) {
              return Raise(kConflictError, "object keys must be unique", r->loc, r->module);
            }
            return Step::kOk;
          };
          return r->has_key ? EvalTerm(r->key, frame, insert) : HeadValue(*r, frame, insert);
        });
      });
      if (s == Step::kError) {
        return Fail(std::move(err_));
      }
    }
    return build.ToValue();
  }

  // ---- calls ----

  Step EvalCall(const Term& t, Frame& f, ValCont k) {
    if (t.call_kind == CallKind::kBuiltin && t.builtin->name == "print") {
      return EvalPrint(t, f, k);
    }
    std::vector<Value> args;
    args.reserve(t.items.size() - 1);
    return EvalList(t.items, 1, args, f, [&]() {
      if (t.call_kind == CallKind::kBuiltin) {
        return CallBuiltin(t.builtin, args, t.loc, k);
      }
      return CallFunction(t.function, args, t.loc, k);
    });
  }

  Step EvalPrint(const Term& t, Frame& f, ValCont k) {
    std::string line;
    for (size_t i = 1; i < t.items.size(); ++i) {
      std::vector<Value> values;
      Step s = EvalTerm(t.items[i], f, [&](const Value& v) {
        values.push_back(v);
        return Step::kOk;
      });
      if (s == Step::kError) {
        return s;
      }
      if (i > 1) {
        line += ' ';
      }
      if (values.empty()) {
        line += "<undefined>";
      } else if (values.size() == 1) {
        line += values[0].IsString() ? values[0].AsString() : ToRegoText(values[0]);
      } else {
        line += ToRegoText(Value::Set(values));
      }
    }
    if (ctx_.print != nullptr) {
      *ctx_.print << line << '\n';
    }
    return k(Value::True());
  }

  const Mock* FindMock(const Builtin* b, const RuleNode* fn) const {
    for (auto it = scope_.mocks.rbegin(); it != scope_.mocks.rend(); ++it) {
      if ((b != nullptr && it->builtin == b) || (fn != nullptr && it->function == fn)) {
        return &*it;
      }
    }
    return nullptr;
  }

  // Applies a `with` replacement of a built-in or function.
  Step CallMock(const Mock& m, std::vector<Value>& args, Loc loc, ValCont k) {
    switch (m.kind) {
      case MockKind::kValue:
        return k(m.value);
      case MockKind::kBuiltin:
        return CallBuiltin(m.mock_builtin, args, loc, k);
      case MockKind::kFunction: {
        if (m.mock_function->arity != static_cast<int>(args.size())) {
          return Raise(kTypeError,
                       "with replacement " + m.mock_function->path_text + " has arity " +
                           std::to_string(m.mock_function->arity) + ", want " +
                           std::to_string(args.size()),
                       loc);
        }
        // A replacement runs without the replacements in effect, so it can call the original.
        Scope outer = scope_;
        scope_.mocks.clear();
        scope_.cache = std::make_shared<Cache>(policy_.node_count);
        Value result;
        Step s = CallFunction(m.mock_function, args, loc, [&](const Value& v) {
          result = v;
          return Step::kStop;
        });
        scope_ = std::move(outer);
        if (s == Step::kError) {
          return s;
        }
        return result.IsDefined() ? k(result) : Step::kOk;
      }
    }
    return Step::kOk;
  }

  Step CallBuiltin(const Builtin* b, std::vector<Value>& args, Loc loc, ValCont k) {
    if (!scope_.mocks.empty()) {
      if (const Mock* m = FindMock(b, nullptr)) {
        Mock copy = *m;
        return CallMock(copy, args, loc, k);
      }
    }
    Result<Value> r = b->fn != nullptr ? b->fn(args, ctx_) : b->custom(args);
    if (!r) {
      if (!config_.strict_builtin_errors) {
        return Step::kOk;
      }
      qlrf::Error e = std::move(r).error();
      if (e.Detail("row").empty()) {
        if (!CurrentFile().empty()) {
          e.details.emplace_back("file", std::string(CurrentFile()));
        }
        e.details.emplace_back("row", std::to_string(loc.row));
        e.details.emplace_back("col", std::to_string(loc.col));
      }
      return Propagate(std::move(e));
    }
    if (!r->IsDefined()) {
      return Step::kOk;
    }
    return k(*r);
  }

  Step CallFunction(const RuleNode* fn, std::vector<Value>& args, Loc loc, ValCont k) {
    if (!StackOk(loc)) {
      return Step::kError;
    }
    if (!scope_.mocks.empty()) {
      if (const Mock* m = FindMock(nullptr, fn)) {
        Mock copy = *m;
        return CallMock(copy, args, loc, k);
      }
    }
    auto key = std::make_pair(fn->id, args);
    Cache& cache = *scope_.cache;
    auto it = cache.calls.find(key);
    if (it != cache.calls.end()) {
      return it->second.IsDefined() ? k(it->second) : Step::kOk;
    }
    auto id = static_cast<size_t>(fn->id);
    if (in_progress_[id] != 0) {
      return Raise(kRecursionError, "function " + fn->path_text + " is recursive", loc);
    }
    in_progress_[id] = 1;
    Value result;
    Step s = FunctionValue(fn, args, result);
    in_progress_[id] = 0;
    if (s == Step::kError) {
      return s;
    }
    scope_.cache->calls.emplace(std::move(key), result);
    return result.IsDefined() ? k(result) : Step::kOk;
  }

  Step UnifyArgs(const Rule& r, const std::vector<Value>& args, size_t i, Frame& f, Cont k) {
    if (i == args.size()) {
      return k();
    }
    return UnifyValue(r.args[i], args[i], f, [&]() { return UnifyArgs(r, args, i + 1, f, k); });
  }

  Step FunctionValue(const RuleNode* fn, const std::vector<Value>& args, Value& result) {
    for (const Rule* first : fn->rules) {
      for (const Rule* r = first; r != nullptr; r = r->else_rule.get()) {
        ModuleScope in_module(this, r->module);
        Frame frame(static_cast<size_t>(r->frame_size));
        bool produced = false;
        Step s = UnifyArgs(*r, args, 0, frame, [&]() {
          return EvalBody(*r->body, 0, frame, [&]() {
            return HeadValue(*r, frame, [&](const Value& v) {
              produced = true;
              if (!result.IsDefined()) {
                result = v;
              } else if (Compare(result, v) != 0) {
                return Raise(kConflictError,
                             "functions must not produce multiple outputs for same inputs: "
                             "function " +
                                 fn->path_text + " produced conflicting values for the same inputs",
                             r->loc, r->module);
              }
              return Step::kOk;
            });
          });
        });
        if (s == Step::kError) {
          return s;
        }
        if (produced) {
          break;
        }
      }
    }
    if (!result.IsDefined() && fn->default_rule != nullptr) {
      auto v = DefaultValue(fn->default_rule);
      if (!v) {
        return Propagate(std::move(v).error());
      }
      result = *v;
    }
    return Step::kOk;
  }

  // ---- unification ----

  Step UnifyTerms(const Term& a, const Term& b, Frame& f, Cont k) {
    bool a_open = NeedsUnify(a, f);
    bool b_open = NeedsUnify(b, f);
    if (!a_open) {
      return EvalTerm(a, f, [&](const Value& v) { return UnifyValue(b, v, f, k); });
    }
    if (!b_open) {
      return EvalTerm(b, f, [&](const Value& v) { return UnifyValue(a, v, f, k); });
    }
    if (a.kind == TermKind::kArray && b.kind == TermKind::kArray) {
      if (a.items.size() != b.items.size()) {
        return Step::kOk;
      }
      return UnifyPairs(a, b, 0, f, k);
    }
    if (a.kind == TermKind::kObject && b.kind == TermKind::kObject) {
      return UnifyObjectPatterns(a, b, f, k);
    }
    // Two patterns of different shapes ([x] = {"a": y}) never unify.
    return Step::kOk;
  }

  // {"a": x, "b": 1} = {"b": y, "a": 2}: keys must evaluate to the same set; values pair up.
  Step UnifyObjectPatterns(const Term& a, const Term& b, Frame& f, Cont k) {
    if (a.items.size() != b.items.size()) {
      return Step::kOk;
    }
    std::vector<Value> keys_a;
    std::vector<Value> keys_b;
    for (size_t i = 0; i < a.items.size(); i += 2) {
      Value ka;
      Value kb;
      if (First(a.items[i], f, ka) == Step::kError || First(b.items[i], f, kb) == Step::kError) {
        return Step::kError;
      }
      keys_a.push_back(std::move(ka));
      keys_b.push_back(std::move(kb));
    }
    std::vector<std::pair<const Term*, const Term*>> pairs;
    for (size_t i = 0; i < keys_a.size(); ++i) {
      bool found = false;
      for (size_t j = 0; j < keys_b.size(); ++j) {
        if (keys_a[i].IsDefined() && Compare(keys_a[i], keys_b[j]) == 0) {
          pairs.emplace_back(&a.items[2 * i + 1], &b.items[2 * j + 1]);
          found = true;
          break;
        }
      }
      if (!found) {
        return Step::kOk;
      }
    }
    return UnifyTermPairs(pairs, 0, f, k);
  }

  // The first value of `t` into `out` (left undefined when there is none).
  Step First(const Term& t, Frame& f, Value& out) {
    return EvalTerm(t, f, [&](const Value& v) {
      out = v;
      return Step::kStop;
    });
  }

  Step UnifyTermPairs(const std::vector<std::pair<const Term*, const Term*>>& pairs, size_t i,
                      Frame& f, Cont k) {
    if (i == pairs.size()) {
      return k();
    }
    return UnifyTerms(*pairs[i].first, *pairs[i].second, f,
                      [&]() { return UnifyTermPairs(pairs, i + 1, f, k); });
  }

  Step UnifyPairs(const Term& a, const Term& b, size_t i, Frame& f, Cont k) {
    if (i == a.items.size()) {
      return k();
    }
    return UnifyTerms(a.items[i], b.items[i], f, [&]() { return UnifyPairs(a, b, i + 1, f, k); });
  }

  Step UnifyValue(const Term& p, const Value& v, Frame& f, Cont k) {
    switch (p.kind) {
      case TermKind::kVar:
        if (p.role == VarRole::kLocal) {
          Value& slot = f[static_cast<size_t>(p.slot)];
          if (!slot.IsDefined()) {
            slot = v;
            Step s = k();
            f[static_cast<size_t>(p.slot)] = Value();
            return s;
          }
          return Compare(slot, v) == 0 ? k() : Step::kOk;
        }
        break;
      case TermKind::kScalar:
        return Compare(p.value, v) == 0 ? k() : Step::kOk;
      case TermKind::kArray:
        if (!NeedsUnify(p, f)) {
          break;
        }
        if (!v.IsArray() || v.Size() != p.items.size()) {
          return Step::kOk;
        }
        return UnifyItems(p, v, 0, f, k);
      case TermKind::kObject:
        if (!NeedsUnify(p, f)) {
          break;
        }
        if (!v.IsObject() || v.Size() * 2 != p.items.size()) {
          return Step::kOk;
        }
        return UnifyMembers(p, v, 0, f, k);
      default:
        break;
    }
    return EvalTerm(p, f, [&](const Value& pv) { return Compare(pv, v) == 0 ? k() : Step::kOk; });
  }

  Step UnifyItems(const Term& p, const Value& v, size_t i, Frame& f, Cont k) {
    if (i == p.items.size()) {
      return k();
    }
    return UnifyValue(p.items[i], v.Items()[i], f, [&]() { return UnifyItems(p, v, i + 1, f, k); });
  }

  Step UnifyMembers(const Term& p, const Value& v, size_t i, Frame& f, Cont k) {
    if (i == p.items.size()) {
      return k();
    }
    return EvalTerm(p.items[i], f, [&](const Value& key) {
      const Value* member = v.Find(key);
      if (member == nullptr) {
        return Step::kOk;
      }
      return UnifyValue(p.items[i + 1], *member, f,
                        [&]() { return UnifyMembers(p, v, i + 2, f, k); });
    });
  }

  const CompiledPolicy& policy_;
  EvalConfig config_;
  Scope scope_;
  BuiltinContext ctx_;
  std::vector<char> in_progress_;
  uint64_t steps_ = 0;
  const char* stack_base_ = nullptr;
  const char* stack_floor_ = nullptr;
  const Module* module_ = nullptr;
  qlrf::Error err_;
};

Evaluator::Evaluator(const CompiledPolicy& policy, const EvalConfig& config, Value input)
    : impl_(std::make_unique<Impl>(policy, config, std::move(input))) {}

Evaluator::~Evaluator() = default;

Status Evaluator::RunQuery(const Query& query,
                           const std::function<void(const std::vector<Value>&)>& on_solution) {
  return impl_->RunQuery(query, on_solution);
}

Result<Value> Evaluator::FirstValue(const Term& term, std::vector<Value>& frame) {
  return impl_->FirstValue(term, frame);
}

Result<Value> Evaluator::ExprValue(const Expr& expr, std::vector<Value>& frame) {
  return impl_->ExprValue(expr, frame);
}

Result<Value> Evaluator::EvalDataPath(const std::vector<std::string>& path) {
  return impl_->EvalDataPath(path);
}

}  // namespace qlrf::policy::internal
