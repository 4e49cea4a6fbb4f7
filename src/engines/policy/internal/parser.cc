// Rego parser: recursive descent over the token list, with one bounded form of backtracking
// (a bracket is first tried as a comprehension, then as a literal, as OPA does).
#include "engines/policy/internal/parser.h"

#include <charconv>
#include <cstdlib>
#include <optional>
#include <set>
#include <utility>

#include "engines/policy/internal/bignum.h"
#include "engines/policy/internal/lexer.h"

namespace qlrf::policy::internal {
namespace {

constexpr int kMaxDepth = 200;
// Ordering a body for safety is quadratic in its length; real bodies are far shorter.
constexpr size_t kMaxBodyExprs = 2000;

bool IsKeyword(std::string_view s) {
  return s == "package" || s == "import" || s == "default" || s == "else" || s == "if" ||
         s == "contains" || s == "some" || s == "every" || s == "in" || s == "not" || s == "with" ||
         s == "as" || s == "true" || s == "false" || s == "null";
}

Term MakeScalar(Value v, Loc loc) {
  Term t;
  t.kind = TermKind::kScalar;
  t.value = std::move(v);
  t.loc = loc;
  return t;
}

Term MakeVar(std::string name, Loc loc) {
  Term t;
  t.kind = TermKind::kVar;
  t.name = std::move(name);
  t.loc = loc;
  return t;
}

Term MakeCall(std::string op, std::vector<Term> args, Loc loc) {
  Term t;
  t.kind = TermKind::kCall;
  t.loc = loc;
  t.items.push_back(MakeVar(op, loc));
  t.name = std::move(op);
  for (auto& a : args) {
    t.items.push_back(std::move(a));
  }
  return t;
}

// Dotted name of a call operator: `count`, `time.now_ns`, `data.x.f`; empty if the term is not
// a plain name (a ref with only string keys).
std::string OperatorName(const Term& t) {
  if (t.IsVar()) {
    return t.name;
  }
  if (t.kind != TermKind::kRef || !t.items[0].IsVar()) {
    return {};
  }
  std::string out = t.items[0].name;
  for (size_t i = 1; i < t.items.size(); ++i) {
    if (!t.items[i].IsScalar() || !t.items[i].value.IsString()) {
      return {};
    }
    out += '.';
    out += t.items[i].value.AsString();
  }
  return out;
}

Result<Value> ParseNumber(std::string_view text) {
  bool integral = text.find_first_of(".eE") == std::string_view::npos;
  if (integral) {
    int64_t i = 0;
    auto res = std::from_chars(text.data(), text.data() + text.size(), i);
    if (res.ec == std::errc() && res.ptr == text.data() + text.size()) {
      return Value::Int(i);
    }
  }
  // Integers a double cannot hold exactly (123456789012345678901, 1e30) stay exact, as in OPA.
  if (auto exact = ExactIntegerLiteral(text)) {
    return FromBigInt(std::move(*exact));
  }
  // So are decimals with more digits than a double keeps (0.1234567890123456789) or beyond its
  // range (1e-400); they compute as doubles but compare exactly.
  if (auto decimal = ExactDecimalLiteral(text)) {
    return std::move(*decimal);
  }
  double d = 0;
  auto res = std::from_chars(text.data(), text.data() + text.size(), d);
  if (res.ptr != text.data() + text.size()) {
    return Fail(InvalidArgument("bad number"));
  }
  return Value::Double(d);
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view file, std::string_view text, bool v0)
      : t_(std::move(tokens)), file_(file), text_(text), v0_(v0) {}

  Result<Module> ParseModuleTokens() {
    Module m;
    m.file = std::string(file_);
    m.text = std::string(text_);
    if (!IsIdent("package")) {
      return Failure(Peek(), Unexpected(Peek(), "expected package"));
    }
    m.package_loc = LocOf(Peek());
    Next();
    auto pkg = ParseSimpleRef();
    if (!pkg) {
      return Failed();
    }
    for (size_t i = 1; i < pkg->items.size(); ++i) {
      m.package.push_back(pkg->items[i].value.AsString());
    }
    if (pkg->items[0].name != "data") {
      m.package.insert(m.package.begin(), pkg->items[0].name);
    } else if (pkg->items.size() == 1) {
      return Failure(Peek(), "package name cannot be data");
    }
    while (Peek().kind != Tok::kEof) {
      if (IsIdent("import")) {
        if (!ParseImport(m)) {
          return Failed();
        }
        continue;
      }
      if (IsIdent("package")) {
        return Failure(Peek(), "unexpected package keyword: only one package per module");
      }
      if (!ParseRules(m)) {
        return Failed();
      }
    }
    return m;
  }

  Result<Query> ParseQueryTokens() {
    Query q;
    q.text = std::string(text_);
    nl_.push_back(true);
    auto body = ParseLiterals(Tok::kEof);
    if (!body) {
      return Failed();
    }
    if (body->exprs.empty()) {
      return Failure(Peek(), "empty query");
    }
    q.body = std::make_shared<Body>(std::move(*body));
    return q;
  }

 private:
  // ---- token helpers ----
  const Token& Peek(size_t k = 0) const {
    size_t i = p_ + k;
    return i < t_.size() ? t_[i] : t_.back();
  }
  const Token& Next() {
    const Token& t = Peek();
    if (p_ < t_.size() - 1) {
      ++p_;
    }
    return t;
  }
  bool IsIdent(std::string_view s, size_t k = 0) const {
    return Peek(k).kind == Tok::kIdent && Peek(k).text == s;
  }
  bool Is(Tok kind) const { return Peek().kind == kind; }
  Loc LocOf(const Token& t) const { return Loc{t.row, t.col}; }
  bool NlSignificant() const { return !nl_.empty() && nl_.back(); }
  // True when the current token starts a new line in a context where that ends a literal.
  bool NewlineBreak() const { return NlSignificant() && Peek().newline_before; }

  std::string Unexpected(const Token& t, std::string_view expected = {}) const {
    std::string msg = "unexpected ";
    if (t.kind == Tok::kIdent && IsKeyword(t.text)) {
      msg += t.text;
      msg += " keyword";
    } else {
      msg += TokName(t.kind);
      msg += " token";
    }
    if (!expected.empty()) {
      msg += ": ";
      msg += expected;
    }
    return msg;
  }

  bool Error(const Token& at, std::string msg) {
    if (!err_) {
      err_ = RegoError(kParseError, std::move(msg), file_, at.row, at.col);
    }
    return false;
  }
  tl::unexpected<qlrf::Error> Failure(const Token& at, std::string msg) {
    Error(at, std::move(msg));
    return Failed();
  }
  tl::unexpected<qlrf::Error> Failed() {
    if (!err_) {
      err_ = RegoError(kParseError, "parse error", file_, Peek().row, Peek().col);
    }
    return tl::unexpected(*err_);
  }
  bool Expect(Tok kind, std::string_view what) {
    if (!Is(kind)) {
      return Error(Peek(), Unexpected(Peek(), std::string("expected ") + std::string(what)));
    }
    Next();
    return true;
  }

  // Counts recursion so that hostile nesting fails cleanly instead of exhausting the stack.
  struct DepthGuard {
    explicit DepthGuard(Parser* owner) : parser(owner) { ++parser->depth_; }
    ~DepthGuard() { --parser->depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    bool ok() const { return parser->depth_ <= kMaxDepth; }
    Parser* parser;
  };

  // Whether a newline ends the current literal: yes in bodies, no inside brackets.
  struct NlScope {
    NlScope(Parser* owner, bool significant) : parser(owner) { parser->nl_.push_back(significant); }
    ~NlScope() { parser->nl_.pop_back(); }
    NlScope(const NlScope&) = delete;
    NlScope& operator=(const NlScope&) = delete;
    Parser* parser;
  };

  // ---- package / import ----

  // name(.name | ["string"])*
  std::optional<Term> ParseSimpleRef() {
    if (!Is(Tok::kIdent) || IsKeyword(Peek().text)) {
      Error(Peek(), Unexpected(Peek(), "expected ref"));
      return std::nullopt;
    }
    Term ref;
    ref.kind = TermKind::kRef;
    ref.loc = LocOf(Peek());
    ref.items.push_back(MakeVar(Next().text, ref.loc));
    while (true) {
      if (Is(Tok::kDot) && !Peek().space_before) {
        Next();
        if (!Is(Tok::kIdent) || Peek().space_before) {
          Error(Peek(), Unexpected(Peek(), "expected ident"));
          return std::nullopt;
        }
        const Token& id = Next();
        ref.items.push_back(MakeScalar(Value::String(id.text), LocOf(id)));
      } else if (Is(Tok::kLBrack) && !Peek().space_before) {
        Next();
        if (!Is(Tok::kString)) {
          Error(Peek(), Unexpected(Peek(), "expected string"));
          return std::nullopt;
        }
        const Token& s = Next();
        ref.items.push_back(MakeScalar(Value::String(s.text), LocOf(s)));
        if (!Expect(Tok::kRBrack, "]")) {
          return std::nullopt;
        }
      } else {
        break;
      }
    }
    return ref;
  }

  bool ParseImport(Module& m) {
    Import imp;
    imp.loc = LocOf(Peek());
    Next();
    auto ref = ParseSimpleRef();
    if (!ref) {
      return false;
    }
    const std::string& head = ref->items[0].name;
    if (head != "data" && head != "input" && head != "future" && head != "rego") {
      return Error(t_[p_ - 1],
                   "invalid import: must begin with one of {data, input, future, rego}");
    }
    if (ref->items.size() > 1) {
      imp.alias = ref->items.back().value.AsString();
    } else {
      imp.alias = head;
    }
    if (IsIdent("as")) {
      Next();
      if (!Is(Tok::kIdent) || IsKeyword(Peek().text)) {
        return Error(Peek(), Unexpected(Peek(), "expected var"));
      }
      imp.alias = Next().text;
    }
    std::string path = OperatorName(*ref);
    if (path == "rego.v2" || path == "future.keywords.not" || path == "future.keywords") {
      not_body_ = true;
    }
    imp.ref = std::move(*ref);
    m.imports.push_back(std::move(imp));
    return true;
  }

  // ---- rules ----

  // What makes a default value non-constant ("var", "ref", "call"), or nullptr. Comprehensions
  // are closures and may hold anything.
  static const char* NonConstant(const Term& t) {
    switch (t.kind) {
      case TermKind::kVar:
        return "var";
      case TermKind::kRef:
        return "ref";
      case TermKind::kCall:
        return "call";
      case TermKind::kArrayCompr:
      case TermKind::kSetCompr:
      case TermKind::kObjectCompr:
        return nullptr;
      default:
        for (const auto& item : t.items) {
          if (const char* what = NonConstant(item)) {
            return what;
          }
        }
        return nullptr;
    }
  }

  bool ParseRules(Module& m) {
    size_t start = p_;
    auto rule = std::make_unique<Rule>();
    rule->loc = LocOf(Peek());
    if (IsIdent("default")) {
      rule->is_default = true;
      Next();
    }
    if (!Is(Tok::kIdent) || IsKeyword(Peek().text)) {
      return Error(Peek(),
                   Unexpected(Peek(), rule->is_default ? "expected rule name" : "expected rule"));
    }
    if (!ParseRuleHeadRef(*rule)) {
      return false;
    }
    if (Is(Tok::kLParen) && !Peek().space_before) {
      Next();
      rule->is_function = true;
      NlScope nl(this, false);
      if (!Is(Tok::kRParen)) {
        while (true) {
          auto arg = ParseExpr(true, true);
          if (!arg) {
            return false;
          }
          rule->args.push_back(std::move(*arg));
          if (Is(Tok::kComma)) {
            Next();
            if (Is(Tok::kRParen)) {
              break;  // trailing comma
            }
            continue;
          }
          break;
        }
      }
      if (!Expect(Tok::kRParen, ")")) {
        return false;
      }
    }
    bool v0_set = false;
    if (IsIdent("contains")) {
      if (rule->is_function || rule->is_default) {
        return Error(Peek(), Unexpected(Peek()));
      }
      Next();
      NlScope nl(this, true);
      auto key = ParseExpr(true, true);
      if (!key) {
        return false;
      }
      rule->has_key = true;
      rule->key = std::move(*key);
    } else if (v0_ && !rule->is_function && rule->head.size() > 1 && !Is(Tok::kUnify) &&
               !Is(Tok::kAssign) &&
               (!rule->head.back().IsScalar() || !rule->head.back().value.IsString())) {
      // v0: p[x] { … } and l[1] { … } are partial sets.
      v0_set = true;
    }
    if (v0_set) {
      rule->has_key = true;
      rule->key = std::move(rule->head.back());
      rule->head.pop_back();
    }
    if (Is(Tok::kUnify) || Is(Tok::kAssign)) {
      if (rule->has_key) {
        return Error(Peek(), Unexpected(Peek()));
      }
      Next();
      NlScope nl(this, true);
      auto value = ParseExpr(true, true);
      if (!value) {
        return false;
      }
      rule->has_value = true;
      rule->value = std::move(*value);
    }
    if (rule->is_default) {
      if (!rule->has_value) {
        return Error(Peek(), "illegal default rule (must have a value)");
      }
      if (const char* what = NonConstant(rule->value)) {
        return Error(t_[start], std::string("default rule value cannot contain ") + what);
      }
      if (IsIdent("if") || Is(Tok::kLBrace)) {
        return Error(Peek(), "default rules must not have a body");
      }
      rule->body = std::make_shared<Body>();
      m.rules.push_back(std::move(rule));
      return true;
    }
    auto body = ParseRuleBody(/*first=*/true);
    if (!body) {
      return false;
    }
    rule->body = std::move(*body);
    if (!ParseElse(*rule)) {
      return false;
    }
    // Further bodies `{ … } { … }` define more rules with the same head.
    std::vector<std::unique_ptr<Rule>> extra;
    while (Is(Tok::kLBrace) && !rule->body->exprs.empty()) {
      auto more = ParseBraceBody();
      if (!more) {
        return false;
      }
      auto copy = CopyHead(*rule);
      copy->body = std::move(*more);
      extra.push_back(std::move(copy));
    }
    m.rules.push_back(std::move(rule));
    for (auto& r : extra) {
      m.rules.push_back(std::move(r));
    }
    return true;
  }

  static std::unique_ptr<Rule> CopyHead(const Rule& r) {
    auto c = std::make_unique<Rule>();
    c->loc = r.loc;
    for (const auto& h : r.head) {
      c->head.push_back(DeepCopy(h));
    }
    c->is_function = r.is_function;
    for (const auto& a : r.args) {
      c->args.push_back(DeepCopy(a));
    }
    c->has_key = r.has_key;
    if (r.has_key) {
      c->key = DeepCopy(r.key);
    }
    c->has_value = r.has_value;
    if (r.has_value) {
      c->value = DeepCopy(r.value);
    }
    return c;
  }

  bool ParseRuleHeadRef(Rule& rule) {
    const Token& name = Next();
    rule.head.push_back(MakeVar(name.text, LocOf(name)));
    NlScope nl(this, false);
    while (true) {
      if (Is(Tok::kDot) && !Peek().space_before) {
        Next();
        if (!Is(Tok::kIdent) || Peek().space_before) {
          return Error(Peek(), Unexpected(Peek(), "expected ident"));
        }
        const Token& id = Next();
        rule.head.push_back(MakeScalar(Value::String(id.text), LocOf(id)));
      } else if (Is(Tok::kLBrack) && !Peek().space_before) {
        Next();
        auto key = ParseExpr(true, true);
        if (!key) {
          return false;
        }
        rule.head.push_back(std::move(*key));
        if (!Expect(Tok::kRBrack, "]")) {
          return false;
        }
      } else {
        return true;
      }
    }
  }

  // `if { … }`, `if literal`, v0 `{ … }`, or nothing (an empty body).
  std::optional<std::shared_ptr<Body>> ParseRuleBody(bool first) {
    if (IsIdent("if")) {
      Next();
      if (Is(Tok::kLBrace)) {
        if (Peek(1).kind == Tok::kRBrace) {
          Error(Peek(1), "found empty body");
          return std::nullopt;
        }
        // `if {` opens a body unless what follows only parses as one literal (e.g. an object
        // comprehension), which OPA accepts too. If neither parses, the body's error is the
        // one to report.
        size_t save = p_;
        auto saved_err = err_;
        auto body = ParseBraceBody();
        if (body) {
          return body;
        }
        auto body_err = err_;
        p_ = save;
        err_ = saved_err;
        auto literal = ParseLiteralBody();
        if (!literal) {
          err_ = body_err;
        }
        return literal;
      }
      return ParseLiteralBody();
    }
    if (Is(Tok::kLBrace)) {
      if (!v0_ && first) {
        Error(Peek(), "`if` keyword is required before rule body");
        return std::nullopt;
      }
      return ParseBraceBody();
    }
    return std::make_shared<Body>();
  }

  // `not { a; b }` (with `import rego.v2` or `future.keywords.not`): true when the body has no
  // solution. Evaluated as `[true | a; b] == []`, which keeps the body's variables its own.
  std::optional<Term> ParseNotBody() {
    Loc loc = LocOf(Peek());
    auto body = ParseBraceBody();
    if (!body) {
      return std::nullopt;
    }
    Term head;
    head.kind = TermKind::kScalar;
    head.loc = loc;
    head.value = Value::True();
    Term solutions;
    solutions.kind = TermKind::kArrayCompr;
    solutions.loc = loc;
    solutions.items.push_back(std::move(head));
    solutions.body = std::move(*body);
    Term none;
    none.kind = TermKind::kArray;
    none.loc = loc;
    std::vector<Term> args;
    args.push_back(std::move(solutions));
    args.push_back(std::move(none));
    return MakeCall("equal", std::move(args), loc);
  }

  std::optional<std::shared_ptr<Body>> ParseBraceBody() {
    Loc loc = LocOf(Peek());
    Next();  // {
    NlScope nl(this, true);
    auto body = ParseLiterals(Tok::kRBrace);
    if (!body) {
      return std::nullopt;
    }
    if (body->exprs.empty()) {
      Error(Peek(), "found empty body");
      return std::nullopt;
    }
    if (!Expect(Tok::kRBrace, "}")) {
      return std::nullopt;
    }
    body->loc = loc;
    return std::make_shared<Body>(std::move(*body));
  }

  std::optional<std::shared_ptr<Body>> ParseLiteralBody() {
    NlScope nl(this, true);
    Body body;
    body.loc = LocOf(Peek());
    auto lit = ParseLiteral();
    if (!lit) {
      return std::nullopt;
    }
    body.exprs.push_back(std::move(*lit));
    return std::make_shared<Body>(std::move(body));
  }

  bool ParseElse(Rule& rule) {
    Rule* last = &rule;
    while (IsIdent("else")) {
      if (rule.is_default || rule.has_key) {
        return Error(Peek(), "else keyword cannot be used on multi-value rules");
      }
      auto e = std::make_unique<Rule>();
      e->loc = LocOf(Next());
      for (const auto& h : rule.head) {
        e->head.push_back(DeepCopy(h));
      }
      e->is_function = rule.is_function;
      for (const auto& a : rule.args) {
        e->args.push_back(DeepCopy(a));
      }
      if (Is(Tok::kUnify) || Is(Tok::kAssign)) {
        Next();
        NlScope nl(this, true);
        auto value = ParseExpr(true, true);
        if (!value) {
          return false;
        }
        e->has_value = true;
        e->value = std::move(*value);
      }
      auto body = ParseRuleBody(/*first=*/false);
      if (!body) {
        return false;
      }
      e->body = std::move(*body);
      last->else_rule = std::move(e);
      last = last->else_rule.get();
    }
    return true;
  }

  // ---- queries and literals ----

  // Literals up to (not including) `close`, separated by `;` or newlines.
  std::optional<Body> ParseLiterals(Tok close) {
    Body body;
    body.loc = LocOf(Peek());
    while (!Is(close)) {
      if (body.exprs.size() >= kMaxBodyExprs) {
        Error(Peek(), "body has more than " + std::to_string(kMaxBodyExprs) + " expressions");
        return std::nullopt;
      }
      if (Is(Tok::kEof)) {
        Error(Peek(), Unexpected(Peek()));
        return std::nullopt;
      }
      auto lit = ParseLiteral();
      if (!lit) {
        return std::nullopt;
      }
      body.exprs.push_back(std::move(*lit));
      if (Is(Tok::kSemicolon)) {
        Next();
        continue;
      }
      if (Is(close)) {
        break;
      }
      if (!Peek().newline_before) {
        Error(Peek(), Unexpected(Peek()));
        return std::nullopt;
      }
    }
    return body;
  }

  std::optional<Expr> ParseLiteral() {
    DepthGuard guard(this);
    if (!guard.ok()) {
      Error(Peek(), "nesting too deep");
      return std::nullopt;
    }
    Expr e;
    const Token& first = Peek();
    e.loc = LocOf(first);
    e.text_begin = first.offset;
    if (IsIdent("some")) {
      if (!ParseSome(e)) {
        return std::nullopt;
      }
    } else if (IsIdent("every")) {
      if (!ParseEvery(e)) {
        return std::nullopt;
      }
    } else {
      if (IsIdent("not")) {
        Next();
        e.negated = true;
      }
      std::optional<Term> lhs;
      if (e.negated && not_body_ && Is(Tok::kLBrace)) {
        lhs = ParseNotBody();
        if (!lhs) {
          return std::nullopt;
        }
        e.negated = false;
      } else {
        lhs = ParseExpr(true, true);
      }
      if (!lhs) {
        return std::nullopt;
      }
      if ((Is(Tok::kUnify) || Is(Tok::kAssign)) && !NewlineBreak()) {
        e.kind = Is(Tok::kUnify) ? ExprKind::kUnify : ExprKind::kAssign;
        Next();
        auto rhs = ParseExpr(true, true);
        if (!rhs) {
          return std::nullopt;
        }
        e.terms.push_back(std::move(*lhs));
        e.terms.push_back(std::move(*rhs));
      } else if (Is(Tok::kComma) && !NewlineBreak() && NlSignificant()) {
        // `k, v in xs`
        Next();
        auto member = ParseKeyedMembership(std::move(*lhs), e.loc);
        if (!member) {
          return std::nullopt;
        }
        e.kind = ExprKind::kTerm;
        e.terms.push_back(std::move(*member));
      } else {
        e.kind = ExprKind::kTerm;
        e.terms.push_back(std::move(*lhs));
      }
    }
    while (IsIdent("with")) {
      WithMod w;
      w.loc = LocOf(Next());
      NlScope nl(this, false);
      auto target = ParseExpr(false, false);
      if (!target) {
        return std::nullopt;
      }
      if (!IsIdent("as")) {
        Error(Peek(), Unexpected(Peek(), "expected as"));
        return std::nullopt;
      }
      Next();
      NlScope nl2(this, true);
      auto value = ParseExpr(true, true);
      if (!value) {
        return std::nullopt;
      }
      w.target = std::move(*target);
      w.value = std::move(*value);
      e.withs.push_back(std::move(w));
    }
    e.text_end = t_[p_ == 0 ? 0 : p_ - 1].end;
    return e;
  }

  bool ParseSome(Expr& e) {
    Next();  // some
    std::vector<Term> terms;
    while (true) {
      auto t = ParseExpr(false, true);
      if (!t) {
        return false;
      }
      terms.push_back(std::move(*t));
      if (Is(Tok::kComma) && !NewlineBreak()) {
        Next();
        continue;
      }
      break;
    }
    if (IsIdent("in") && !NewlineBreak()) {
      Next();
      if (terms.size() > 2) {
        return Error(Peek(), "unexpected in keyword: expected at most two variables");
      }
      auto domain = ParseExpr(false, true);
      if (!domain) {
        return false;
      }
      e.kind = ExprKind::kSomeIn;
      e.has_key = terms.size() == 2;
      if (!e.has_key) {
        e.terms.push_back(MakeScalar(Value::Null(), e.loc));
      }
      for (auto& t : terms) {
        e.terms.push_back(std::move(t));
      }
      e.terms.push_back(std::move(*domain));
      return true;
    }
    for (const auto& t : terms) {
      if (!t.IsVar()) {
        Error(Peek(), "expected var in some declaration");
        return false;
      }
    }
    e.kind = ExprKind::kSomeDecl;
    e.terms = std::move(terms);
    return true;
  }

  bool ParseEvery(Expr& e) {
    Next();  // every
    std::vector<Term> vars;
    while (true) {
      if (!Is(Tok::kIdent) || IsKeyword(Peek().text)) {
        return Error(Peek(), Unexpected(Peek(), "expected var"));
      }
      const Token& v = Next();
      vars.push_back(MakeVar(v.text, LocOf(v)));
      if (Is(Tok::kComma)) {
        Next();
        continue;
      }
      break;
    }
    if (vars.size() > 2) {
      return Error(Peek(), "every: expected at most two variables");
    }
    if (!IsIdent("in")) {
      return Error(Peek(), Unexpected(Peek(), "expected in"));
    }
    Next();
    auto domain = ParseExpr(false, true);
    if (!domain) {
      return false;
    }
    if (!Is(Tok::kLBrace)) {
      return Error(Peek(), Unexpected(Peek(), "expected {"));
    }
    auto body = ParseBraceBody();
    if (!body) {
      return false;
    }
    e.kind = ExprKind::kEvery;
    e.has_key = vars.size() == 2;
    if (!e.has_key) {
      e.terms.push_back(MakeScalar(Value::Null(), e.loc));
    }
    for (auto& v : vars) {
      e.terms.push_back(std::move(v));
    }
    e.terms.push_back(std::move(*domain));
    e.body = std::move(*body);
    return true;
  }

  // ---- expressions (lowest to highest precedence: in, relation, |, &, + -, * / %) ----

  std::optional<Term> ParseExpr(bool allow_in, bool allow_or) {
    DepthGuard guard(this);
    if (!guard.ok()) {
      Error(Peek(), "nesting too deep");
      return std::nullopt;
    }
    auto lhs = ParseRelation(allow_or);
    if (!lhs) {
      return std::nullopt;
    }
    while (allow_in && IsIdent("in") && !NewlineBreak()) {
      Loc loc = LocOf(Next());
      auto rhs = ParseRelation(allow_or);
      if (!rhs) {
        return std::nullopt;
      }
      std::vector<Term> args;
      args.push_back(std::move(*lhs));
      args.push_back(std::move(*rhs));
      lhs = MakeCall("internal.member_2", std::move(args), loc);
    }
    return lhs;
  }

  static const char* RelationOp(Tok t) {
    switch (t) {
      case Tok::kEq:
        return "equal";
      case Tok::kNe:
        return "neq";
      case Tok::kLt:
        return "lt";
      case Tok::kLe:
        return "lte";
      case Tok::kGt:
        return "gt";
      case Tok::kGe:
        return "gte";
      default:
        return nullptr;
    }
  }

  std::optional<Term> Binary(std::optional<Term> lhs, const char* op, Loc loc,
                             std::optional<Term> rhs) {
    if (!lhs || !rhs) {
      return std::nullopt;
    }
    std::vector<Term> args;
    args.push_back(std::move(*lhs));
    args.push_back(std::move(*rhs));
    Term call = MakeCall(op, std::move(args), loc);
    call.loc = call.items[1].loc;
    return call;
  }

  std::optional<Term> ParseRelation(bool allow_or) {
    auto lhs = ParseOr(allow_or);
    while (lhs && RelationOp(Peek().kind) != nullptr && !NewlineBreak()) {
      const char* op = RelationOp(Peek().kind);
      Loc loc = LocOf(Next());
      lhs = Binary(std::move(lhs), op, loc, ParseOr(allow_or));
    }
    return lhs;
  }

  std::optional<Term> ParseOr(bool allow_or) {
    auto lhs = ParseAnd();
    while (lhs && allow_or && Is(Tok::kBar) && !NewlineBreak()) {
      Loc loc = LocOf(Next());
      lhs = Binary(std::move(lhs), "or", loc, ParseAnd());
    }
    return lhs;
  }

  std::optional<Term> ParseAnd() {
    auto lhs = ParseArith();
    while (lhs && Is(Tok::kAmp) && !NewlineBreak()) {
      Loc loc = LocOf(Next());
      lhs = Binary(std::move(lhs), "and", loc, ParseArith());
    }
    return lhs;
  }

  std::optional<Term> ParseArith() {
    auto lhs = ParseFactor();
    while (lhs && (Is(Tok::kPlus) || Is(Tok::kMinus)) && !NewlineBreak()) {
      const char* op = Is(Tok::kPlus) ? "plus" : "minus";
      Loc loc = LocOf(Next());
      lhs = Binary(std::move(lhs), op, loc, ParseFactor());
    }
    return lhs;
  }

  std::optional<Term> ParseFactor() {
    auto lhs = ParseUnary();
    while (lhs && (Is(Tok::kStar) || Is(Tok::kSlash) || Is(Tok::kPercent)) && !NewlineBreak()) {
      const char* op = Is(Tok::kStar) ? "mul" : (Is(Tok::kSlash) ? "div" : "rem");
      Loc loc = LocOf(Next());
      lhs = Binary(std::move(lhs), op, loc, ParseUnary());
    }
    return lhs;
  }

  std::optional<Term> ParseUnary() {
    if (Is(Tok::kMinus)) {
      DepthGuard guard(this);
      if (!guard.ok()) {
        Error(Peek(), "nesting too deep");
        return std::nullopt;
      }
      const Token& minus = Next();
      Loc loc = LocOf(minus);
      if (Is(Tok::kNumber) && !Peek().space_before) {
        const Token& num = Next();
        auto v = ParseNumber("-" + num.text);
        if (!v) {
          Error(num, "illegal number format");
          return std::nullopt;
        }
        return ParsePostfix(MakeScalar(std::move(*v), loc));
      }
      auto operand = ParseUnary();
      if (!operand) {
        return std::nullopt;
      }
      std::vector<Term> args;
      args.push_back(MakeScalar(Value::Int(0), loc));
      args.push_back(std::move(*operand));
      return MakeCall("minus", std::move(args), loc);
    }
    auto primary = ParsePrimary();
    if (!primary) {
      return std::nullopt;
    }
    return ParsePostfix(std::move(*primary));
  }

  std::optional<Term> ParsePrimary() {
    DepthGuard guard(this);
    if (!guard.ok()) {
      Error(Peek(), "nesting too deep");
      return std::nullopt;
    }
    const Token& tok = Peek();
    Loc loc = LocOf(tok);
    switch (tok.kind) {
      case Tok::kNumber: {
        auto v = ParseNumber(tok.text);
        if (!v) {
          Error(tok, "illegal number format");
          return std::nullopt;
        }
        Next();
        return MakeScalar(std::move(*v), loc);
      }
      case Tok::kString: {
        Next();
        return MakeScalar(Value::String(tok.text), loc);
      }
      case Tok::kTemplate:
        return ParseTemplate();
      case Tok::kIdent: {
        if (tok.text == "true" || tok.text == "false") {
          Next();
          return MakeScalar(Value::Bool(tok.text == "true"), loc);
        }
        if (tok.text == "null") {
          Next();
          return MakeScalar(Value::Null(), loc);
        }
        if (tok.text == "set" && Peek(1).kind == Tok::kLParen && Peek(2).kind == Tok::kRParen &&
            !Peek(1).space_before) {
          Next();
          Next();
          Next();
          Term t;
          t.kind = TermKind::kSet;
          t.loc = loc;
          return t;
        }
        bool call = Peek(1).kind == Tok::kLParen && !Peek(1).space_before;
        if (IsKeyword(tok.text) && !(call && tok.text == "contains")) {
          Error(tok, Unexpected(tok));
          return std::nullopt;
        }
        Next();
        return MakeVar(tok.text, loc);
      }
      case Tok::kLBrack:
        return ParseArray();
      case Tok::kLBrace:
        return ParseBrace();
      case Tok::kLParen: {
        Next();
        NlScope nl(this, false);
        auto inner = ParseExpr(true, true);
        if (inner && Is(Tok::kComma)) {
          // `(k, v in xs)`: a keyed membership test as a term.
          Next();
          inner = ParseKeyedMembership(std::move(*inner), loc);
        }
        if (!inner || !Expect(Tok::kRParen, ")")) {
          return std::nullopt;
        }
        return inner;
      }
      default:
        Error(tok, Unexpected(tok));
        return std::nullopt;
    }
  }

  // The rest of `key, value in domain` after the comma: internal.member_3(key, value, domain).
  std::optional<Term> ParseKeyedMembership(Term key, Loc loc) {
    auto value = ParseExpr(false, true);
    if (!value) {
      return std::nullopt;
    }
    if (!IsIdent("in")) {
      Error(Peek(), Unexpected(Peek(), "expected in"));
      return std::nullopt;
    }
    Next();
    auto domain = ParseExpr(false, true);
    if (!domain) {
      return std::nullopt;
    }
    std::vector<Term> args;
    args.push_back(std::move(key));
    args.push_back(std::move(*value));
    args.push_back(std::move(*domain));
    return MakeCall("internal.member_3", std::move(args), loc);
  }

  std::optional<Term> ParsePostfix(Term term) {
    while (true) {
      if (Is(Tok::kDot) && !Peek().space_before) {
        if (Peek(1).kind != Tok::kIdent || Peek(1).space_before) {
          Next();
          Error(Peek(), Unexpected(Peek(), "expected ident"));
          return std::nullopt;
        }
        Next();
        const Token& id = Next();
        AppendRef(term, MakeScalar(Value::String(id.text), LocOf(id)));
      } else if (Is(Tok::kLBrack) && !Peek().space_before) {
        Next();
        NlScope nl(this, false);
        auto key = ParseExpr(true, true);
        if (!key || !Expect(Tok::kRBrack, "]")) {
          return std::nullopt;
        }
        AppendRef(term, std::move(*key));
      } else if (Is(Tok::kLParen) && !Peek().space_before) {
        std::string op = OperatorName(term);
        if (op.empty()) {
          Error(Peek(), Unexpected(Peek()));
          return std::nullopt;
        }
        Next();
        NlScope nl(this, false);
        Term call;
        call.kind = TermKind::kCall;
        call.loc = term.loc;
        call.name = op;
        call.items.push_back(std::move(term));
        if (!Is(Tok::kRParen)) {
          while (true) {
            auto arg = ParseExpr(true, true);
            if (!arg) {
              return std::nullopt;
            }
            call.items.push_back(std::move(*arg));
            if (Is(Tok::kComma)) {
              Next();
              if (Is(Tok::kRParen)) {
                break;  // trailing comma
              }
              continue;
            }
            break;
          }
        }
        if (!Expect(Tok::kRParen, ")")) {
          return std::nullopt;
        }
        term = std::move(call);
      } else {
        return term;
      }
    }
  }

  static void AppendRef(Term& term, Term key) {
    if (term.kind != TermKind::kRef) {
      Term ref;
      ref.kind = TermKind::kRef;
      ref.loc = term.loc;
      ref.items.push_back(std::move(term));
      term = std::move(ref);
    }
    term.items.push_back(std::move(key));
  }

  // Tries `[head | body]` first, then an array literal.
  std::optional<Term> ParseArray() {
    size_t start = p_;
    Loc loc = LocOf(Peek());
    Next();  // [
    if (Is(Tok::kRBrack)) {
      Next();
      Term t;
      t.kind = TermKind::kArray;
      t.loc = loc;
      return t;
    }
    if (failed_compr_.count(start) == 0) {
      size_t save = p_;
      auto saved_err = err_;
      if (auto head = TryComprehensionHead()) {
        auto body = ParseComprehensionBody(Tok::kRBrack);
        if (body) {
          Term t;
          t.kind = TermKind::kArrayCompr;
          t.loc = loc;
          t.items.push_back(std::move(*head));
          t.body = std::move(*body);
          return t;
        }
      }
      failed_compr_.insert(start);
      p_ = save;
      err_ = saved_err;
    }
    Term t;
    t.kind = TermKind::kArray;
    t.loc = loc;
    NlScope nl(this, false);
    if (!ParseItems(Tok::kRBrack, t.items)) {
      return std::nullopt;
    }
    return t;
  }

  // `{}` object, `{k: v | body}`, `{x | body}`, `{k: v, …}` or `{x, …}`.
  std::optional<Term> ParseBrace() {
    size_t start = p_;
    Loc loc = LocOf(Peek());
    Next();  // {
    if (Is(Tok::kRBrace)) {
      Next();
      Term t;
      t.kind = TermKind::kObject;
      t.loc = loc;
      return t;
    }
    if (failed_compr_.count(start) == 0) {
      size_t save = p_;
      auto saved_err = err_;
      std::optional<Term> key;
      {
        NlScope nl(this, false);
        key = ParseExpr(true, false);
      }
      if (key) {
        if (Is(Tok::kColon)) {
          Next();
          std::optional<Term> value;
          {
            NlScope nl(this, false);
            value = ParseExpr(true, false);
          }
          if (value && Is(Tok::kBar)) {
            Next();
            auto body = ParseComprehensionBody(Tok::kRBrace);
            if (body) {
              Term t;
              t.kind = TermKind::kObjectCompr;
              t.loc = loc;
              t.items.push_back(std::move(*key));
              t.items.push_back(std::move(*value));
              t.body = std::move(*body);
              return t;
            }
          }
        } else if (Is(Tok::kBar)) {
          Next();
          auto body = ParseComprehensionBody(Tok::kRBrace);
          if (body) {
            Term t;
            t.kind = TermKind::kSetCompr;
            t.loc = loc;
            t.items.push_back(std::move(*key));
            t.body = std::move(*body);
            return t;
          }
        }
      }
      failed_compr_.insert(start);
      p_ = save;
      err_ = saved_err;
    }
    NlScope nl(this, false);
    auto first = ParseExpr(true, true);
    if (!first) {
      return std::nullopt;
    }
    Term t;
    t.loc = loc;
    if (Is(Tok::kColon)) {
      t.kind = TermKind::kObject;
      Next();
      auto value = ParseExpr(true, true);
      if (!value) {
        return std::nullopt;
      }
      t.items.push_back(std::move(*first));
      t.items.push_back(std::move(*value));
      while (Is(Tok::kComma)) {
        Next();
        if (Is(Tok::kRBrace)) {
          break;
        }
        auto k = ParseExpr(true, true);
        if (!k || !Expect(Tok::kColon, ":")) {
          return std::nullopt;
        }
        auto v = ParseExpr(true, true);
        if (!v) {
          return std::nullopt;
        }
        t.items.push_back(std::move(*k));
        t.items.push_back(std::move(*v));
      }
      if (!Expect(Tok::kRBrace, "}")) {
        return std::nullopt;
      }
      return t;
    }
    t.kind = TermKind::kSet;
    t.items.push_back(std::move(*first));
    if (Is(Tok::kComma)) {
      Next();
      if (!ParseItems(Tok::kRBrace, t.items)) {
        return std::nullopt;
      }
      return t;
    }
    if (!Expect(Tok::kRBrace, "}")) {
      return std::nullopt;
    }
    return t;
  }

  std::optional<Term> TryComprehensionHead() {
    NlScope nl(this, false);
    auto head = ParseExpr(true, false);
    if (!head || !Is(Tok::kBar)) {
      return std::nullopt;
    }
    Next();
    return head;
  }

  std::optional<std::shared_ptr<Body>> ParseComprehensionBody(Tok close) {
    NlScope nl(this, true);
    auto body = ParseLiterals(close);
    if (!body) {
      return std::nullopt;
    }
    if (body->exprs.empty()) {
      Error(Peek(), "found empty body");
      return std::nullopt;
    }
    if (!Expect(close, TokName(close))) {
      return std::nullopt;
    }
    return std::make_shared<Body>(std::move(*body));
  }

  // Comma-separated expressions up to `close` (consumed); a trailing comma is allowed.
  bool ParseItems(Tok close, std::vector<Term>& out) {
    while (true) {
      if (Is(close)) {
        Next();
        return true;
      }
      auto item = ParseExpr(true, true);
      if (!item) {
        return false;
      }
      out.push_back(std::move(*item));
      if (Is(Tok::kComma)) {
        Next();
        continue;
      }
      return Expect(close, TokName(close));
    }
  }

  // $"a {expr} b" becomes a kTemplate whose items are string literals and, for each {expr},
  // an array comprehension [__tN | __tN = expr] (so `with` inside the braces works, and an
  // undefined expression gives an empty array).
  std::optional<Term> ParseTemplate() {
    const Token& tok = Next();
    Term t;
    t.kind = TermKind::kTemplate;
    t.loc = LocOf(tok);
    const std::string& raw = tok.text;
    std::string lit;
    auto flush = [&] {
      if (!lit.empty()) {
        bool ok = true;
        std::string decoded = DecodeEscapes(lit, ok);
        t.items.push_back(MakeScalar(Value::String(ok ? decoded : lit), t.loc));
        lit.clear();
      }
    };
    for (size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (c == '\\' && i + 1 < raw.size() && (raw[i + 1] == '{' || raw[i + 1] == '}')) {
        lit += raw[++i];
        continue;
      }
      if (c == '\\' && i + 1 < raw.size()) {
        lit += c;
        lit += raw[++i];
        continue;
      }
      if (c != '{') {
        lit += c;
        continue;
      }
      flush();
      // Find the matching brace, skipping strings.
      size_t j = i + 1;
      int depth = 1;
      while (j < raw.size() && depth > 0) {
        char d = raw[j];
        if (d == '"' || d == '`') {
          char q = d;
          ++j;
          while (j < raw.size() && raw[j] != q) {
            if (q == '"' && raw[j] == '\\') {
              ++j;
            }
            ++j;
          }
        } else if (d == '{') {
          ++depth;
        } else if (d == '}') {
          --depth;
          if (depth == 0) {
            break;
          }
        }
        ++j;
      }
      if (depth != 0) {
        Error(tok, "unterminated template expression");
        return std::nullopt;
      }
      std::string_view inner = std::string_view(raw).substr(i + 1, j - i - 1);
      auto sub = ParseQuery(inner, file_);
      if (!sub) {
        Error(tok, "bad template expression: " + sub.error().message);
        return std::nullopt;
      }
      if (sub->body->exprs.size() != 1 || sub->body->exprs[0].kind != ExprKind::kTerm) {
        Error(tok, "template expressions must be a single expression");
        return std::nullopt;
      }
      Expr& e = sub->body->exprs[0];
      std::string var = "__tmpl" + std::to_string(template_counter_++) + "__";
      Expr unify;
      unify.kind = ExprKind::kUnify;
      unify.loc = t.loc;
      unify.terms.push_back(MakeVar(var, t.loc));
      unify.terms.push_back(std::move(e.terms[0]));
      unify.withs = std::move(e.withs);
      for (auto& w : unify.withs) {
        w.loc = t.loc;
      }
      Term compr;
      compr.kind = TermKind::kArrayCompr;
      compr.loc = t.loc;
      compr.items.push_back(MakeVar(var, t.loc));
      compr.body = std::make_shared<Body>();
      compr.body->exprs.push_back(std::move(unify));
      t.items.push_back(std::move(compr));
      i = j;
    }
    flush();
    return ParsePostfix(std::move(t));
  }

  std::vector<Token> t_;
  std::string_view file_;
  std::string_view text_;
  bool v0_;
  bool not_body_ = false;  // `not { … }` bodies are enabled by an import
  size_t p_ = 0;
  int depth_ = 0;
  int template_counter_ = 0;
  std::vector<bool> nl_;
  std::set<size_t> failed_compr_;
  std::optional<qlrf::Error> err_;
};

}  // namespace

Term DeepCopy(const Term& t) {
  Term c;
  c.kind = t.kind;
  c.loc = t.loc;
  c.value = t.value;
  c.name = t.name;
  c.role = t.role;
  c.slot = t.slot;
  c.generated = t.generated;
  c.call_kind = t.call_kind;
  c.builtin = t.builtin;
  c.function = t.function;
  c.items.reserve(t.items.size());
  for (const auto& item : t.items) {
    c.items.push_back(DeepCopy(item));
  }
  if (t.body) {
    auto b = std::make_shared<Body>();
    b->loc = t.body->loc;
    for (const auto& e : t.body->exprs) {
      Expr ce;
      ce.kind = e.kind;
      ce.loc = e.loc;
      ce.negated = e.negated;
      ce.has_key = e.has_key;
      ce.text_begin = e.text_begin;
      ce.text_end = e.text_end;
      for (const auto& term : e.terms) {
        ce.terms.push_back(DeepCopy(term));
      }
      if (e.body) {
        Term holder;
        holder.body = e.body;
        ce.body = DeepCopy(holder).body;
      }
      for (const auto& w : e.withs) {
        WithMod cw;
        cw.loc = w.loc;
        cw.target = DeepCopy(w.target);
        cw.value = DeepCopy(w.value);
        ce.withs.push_back(std::move(cw));
      }
      b->exprs.push_back(std::move(ce));
    }
    c.body = std::move(b);
  }
  return c;
}

Result<Module> ParseModule(std::string_view file, std::string_view text,
                           const ParseOptions& options) {
  QLRF_ASSIGN_OR_RETURN(auto tokens, Lex(text, file));
  Parser parser(std::move(tokens), file, text, options.v0);
  return parser.ParseModuleTokens();
}

Result<Query> ParseQuery(std::string_view text, std::string_view file) {
  QLRF_ASSIGN_OR_RETURN(auto tokens, Lex(text, file));
  Parser parser(std::move(tokens), file, text, false);
  return parser.ParseQueryTokens();
}

}  // namespace qlrf::policy::internal
