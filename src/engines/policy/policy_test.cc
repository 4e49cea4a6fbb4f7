// Engine behaviour through the public API: parse and compile errors with positions, unsafe
// variables, recursion, conflicts, evaluation limits, `with`, clocks, queries, concurrency.
#include "engines/policy/policy.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <atomic>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "testing/fakes.h"

namespace qlrf::policy {
namespace {

namespace bj = boost::json;

// A clock whose monotonic time moves 1 ms every time it is read, so deadlines pass quickly.
class SteppingClock final : public Clock {
 public:
  SystemTime Now() const override { return SystemTime(std::chrono::seconds(1767225600)); }
  MonotonicTime Monotonic() const override {
    return MonotonicTime(std::chrono::milliseconds(++ticks_));
  }

 private:
  mutable std::atomic<int64_t> ticks_{0};
};

Result<PolicySet> CompileModules(const std::vector<std::string>& modules,
                                 CompilerOptions options = {}) {
  Compiler compiler(options);
  for (size_t i = 0; i < modules.size(); ++i) {
    QLRF_TRY(compiler.AddModule("m" + std::to_string(i) + ".rego", modules[i]));
  }
  return compiler.Compile();
}

// The module's error, or a failure if it compiles.
RegoErrorInfo CompileError(const std::string& module, CompilerOptions options = {}) {
  auto set = CompileModules({module}, options);
  EXPECT_FALSE(set.has_value()) << module;
  return set ? RegoErrorInfo{} : DescribeError(set.error());
}

// Value of `x` after `x := <expr>` (null if undefined).
bj::value Eval(const PolicySet& set, const std::string& expr, const EvalOptions& options = {}) {
  auto r = set.Query("x := " + expr, nullptr, options);
  EXPECT_TRUE(r.has_value()) << expr << ": " << (r ? "" : r.error().ToString());
  if (!r || r->rows.empty()) {
    return nullptr;
  }
  return r->rows[0].bindings.at("x");
}

PolicySet MustCompile(const std::vector<std::string>& modules) {
  auto set = CompileModules(modules);
  EXPECT_TRUE(set.has_value()) << (set ? "" : set.error().ToString());
  return std::move(*set);
}

// ---- parse errors ----

TEST(ParseErrors, ReportRowAndColumnOfTheOffendingToken) {
  RegoErrorInfo e = CompileError("package p\n\nallow if {\n  x := [1, 2\n}\n");
  EXPECT_EQ(e.code, "rego_parse_error");
  EXPECT_EQ(e.location.file, "m0.rego");
  EXPECT_EQ(e.location.row, 5);
  EXPECT_EQ(e.location.col, 1);
}

TEST(ParseErrors, UnterminatedStringPointsAtItsStart) {
  RegoErrorInfo e = CompileError("package p\nx := \"abc\n");
  EXPECT_EQ(e.code, "rego_parse_error");
  EXPECT_EQ(e.message, "non-terminated string");
  EXPECT_EQ(e.location.row, 2);
  EXPECT_EQ(e.location.col, 6);
}

TEST(ParseErrors, IllegalCharacter) {
  RegoErrorInfo e = CompileError("package p\n\nx := 1 @ 2\n");
  EXPECT_EQ(e.code, "rego_parse_error");
  EXPECT_EQ(e.location.row, 3);
  EXPECT_EQ(e.location.col, 8);
}

TEST(ParseErrors, V1RequiresIfBeforeABody) {
  RegoErrorInfo e = CompileError("package p\np { true }\n");
  EXPECT_EQ(e.message, "`if` keyword is required before rule body");
  EXPECT_EQ(e.location.row, 2);
  EXPECT_EQ(e.location.col, 3);
}

TEST(ParseErrors, V0SyntaxIsAcceptedOnRequest) {
  CompilerOptions v0;
  v0.v0_compatible = true;
  auto set = CompileModules({"package p\np[x] { x := [1, 2][_] }\nq { count(p) == 2 }\n"}, v0);
  ASSERT_TRUE(set.has_value()) << set.error().ToString();
  EXPECT_EQ(Eval(*set, "data.p.q"), bj::value(true));
  EXPECT_EQ(Eval(*set, "data.p.p"), bj::parse("[1, 2]"));
}

TEST(ParseErrors, MissingPackage) {
  RegoErrorInfo e = CompileError("allow := true\n");
  EXPECT_EQ(e.code, "rego_parse_error");
  EXPECT_EQ(e.location.row, 1);
  EXPECT_EQ(e.location.col, 1);
}

TEST(ParseErrors, EmptyBodyAndTruncatedRule) {
  EXPECT_EQ(CompileError("package p\np if {}\n").message, "found empty body");
  RegoErrorInfo e = CompileError("package p\np := ");
  EXPECT_EQ(e.code, "rego_parse_error");
  EXPECT_EQ(e.message, "unexpected eof token");
}

TEST(ParseErrors, DeepNestingFailsCleanly) {
  std::string deep = "package p\nx := " + std::string(5000, '[') + std::string(5000, ']') + "\n";
  RegoErrorInfo e = CompileError(deep);
  EXPECT_EQ(e.code, "rego_parse_error");
  EXPECT_EQ(e.message, "nesting too deep");
}

TEST(ParseErrors, QueryErrorsHaveNoFile) {
  PolicySet set = MustCompile({"package p\n"});
  auto r = set.Query("x := [1,", nullptr);
  ASSERT_FALSE(r.has_value());
  RegoErrorInfo e = DescribeError(r.error());
  EXPECT_EQ(e.code, "rego_parse_error");
  EXPECT_EQ(e.location.file, "");
  EXPECT_EQ(e.location.row, 1);
  EXPECT_EQ(e.location.col, 9);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

// ---- compile errors ----

TEST(CompileErrors, UnsafeVariableInBody) {
  RegoErrorInfo e = CompileError("package p\n\nallow if {\n  x > 1\n}\n");
  EXPECT_EQ(e.code, "rego_unsafe_var_error");
  EXPECT_EQ(e.message, "var x is unsafe");
  EXPECT_EQ(e.location.row, 4);
  EXPECT_EQ(e.location.col, 3);
}

TEST(CompileErrors, UnsafeVariableInHead) {
  RegoErrorInfo e = CompileError("package p\np := y if { true }\n");
  EXPECT_EQ(e.code, "rego_unsafe_var_error");
  EXPECT_EQ(e.message, "var y is unsafe");
  EXPECT_EQ(e.location.row, 2);
  EXPECT_EQ(e.location.col, 6);
}

TEST(CompileErrors, UnsafeVariableInNegation) {
  RegoErrorInfo e = CompileError("package p\nq contains 1\np if {\n  not q[x]\n  x == 1\n}\n");
  // x is bound nowhere else but compared afterwards: the negation cannot bind it.
  EXPECT_EQ(e.code, "rego_unsafe_var_error");
  EXPECT_EQ(e.message, "var x is unsafe");
}

TEST(CompileErrors, BodyIsReorderedSoVariablesAreBoundBeforeUse) {
  PolicySet set = MustCompile({"package p\np contains y if {\n  y > 1\n  y := [1, 2, 3][_]\n}\n"});
  EXPECT_EQ(Eval(set, "data.p.p"), bj::parse("[2, 3]"));
}

TEST(CompileErrors, RecursionBetweenRules) {
  RegoErrorInfo e = CompileError("package p\n\np if q\n\nq if p\n");
  EXPECT_EQ(e.code, "rego_recursion_error");
  EXPECT_NE(e.message.find("data.p.p -> data.p.q -> data.p.p"), std::string::npos) << e.message;
}

TEST(CompileErrors, RecursiveFunction) {
  RegoErrorInfo e = CompileError("package p\nf(x) := y if { y := f(x) }\n");
  EXPECT_EQ(e.code, "rego_recursion_error");
  EXPECT_NE(e.message.find("data.p.f"), std::string::npos);
}

TEST(CompileErrors, RecursionThroughAComprehensionAndAnotherPackage) {
  auto set = CompileModules(
      {"package a\np := [x | x := data.b.q[_]]\n", "package b\nq := [y | y := data.a.p[_]]\n"});
  ASSERT_FALSE(set.has_value());
  EXPECT_EQ(DescribeError(set.error()).code, "rego_recursion_error");
}

TEST(CompileErrors, UndefinedFunctionAndArity) {
  RegoErrorInfo e = CompileError("package p\nx := nope(1)\n");
  EXPECT_EQ(e.code, "rego_type_error");
  EXPECT_EQ(e.message, "undefined function nope");
  e = CompileError("package p\nx := count(1, 2, 3)\n");
  EXPECT_EQ(e.code, "rego_type_error");
  EXPECT_NE(e.message.find("arity mismatch"), std::string::npos);
  e = CompileError("package p\nf(a) := a\nx := f(1, 2, 3)\n");
  EXPECT_EQ(e.code, "rego_type_error");
}

TEST(CompileErrors, BuiltinArgumentsOfTheWrongKnownType) {
  RegoErrorInfo e = CompileError("package p\nx := count(null)\n");
  EXPECT_EQ(e.code, "rego_type_error");
  EXPECT_EQ(e.message,
            "count: invalid argument(s)\n\thave: (null)\n\twant: (any<string, array, "
            "object, set>)");
  EXPECT_EQ(e.location.row, 2);
  e = CompileError("package p\nx := \"a\" + 1\n");
  EXPECT_EQ(e.message,
            "plus: invalid argument(s)\n\thave: (string, number)\n\twant: (number, "
            "number)");
  EXPECT_EQ(CompileError("package p\nx := upper(count([1]))\n").code, "rego_type_error");
  // Unknown types (refs, variables) are checked when evaluated instead.
  EXPECT_TRUE(CompileModules({"package p\nx := count(input.n)\n"}).has_value());
}

TEST(CompileErrors, UnsupportedBuiltinIsACompileErrorNotAWrongAnswer) {
  RegoErrorInfo e = CompileError("package p\nx := http.send({\"url\": \"http://x\"})\n");
  EXPECT_EQ(e.code, "rego_type_error");
  EXPECT_EQ(e.message,
            "undefined function http.send (an OPA built-in this engine does not provide: "
            "policies may not make network requests)");
  e = CompileError("package p\nx if {\n  true with http.send as {}\n}\n");
  EXPECT_EQ(e.code, "rego_type_error");
  EXPECT_EQ(e.location.row, 3);
}

TEST(CompileErrors, ConflictingRuleKindsAndDefaults) {
  EXPECT_EQ(CompileError("package p\np := 1\np contains 2\n").code, "rego_type_error");
  EXPECT_EQ(CompileError("package p\ndefault p := 1\ndefault p := 2\n").message,
            "multiple default rules data.p.p found");
  EXPECT_EQ(CompileError("package p\nf(x) := 1\nf(x, y) := 2\n").code, "rego_type_error");
}

TEST(CompileErrors, AssignedTwice) {
  RegoErrorInfo e = CompileError("package p\np if {\n  x := 1\n  x := 2\n}\n");
  EXPECT_EQ(e.code, "rego_compile_error");
  EXPECT_EQ(e.message, "var x assigned above");
  EXPECT_EQ(e.location.row, 4);
}

TEST(CompileErrors, UnknownImport) {
  EXPECT_EQ(CompileError("package p\nimport future.magic\n").code, "rego_compile_error");
}

// ---- conflicts ----

TEST(Conflicts, CompleteRuleWithTwoValues) {
  PolicySet set = MustCompile({"package p\np := 1 if input.a\np := 2 if input.b\n"});
  bj::value input = bj::parse(R"({"a": true, "b": true})");
  auto r = set.Query("data.p.p", &input);
  ASSERT_FALSE(r.has_value());
  RegoErrorInfo e = DescribeError(r.error());
  EXPECT_EQ(e.code, "eval_conflict_error");
  // OPA's classic wording and its newer one that names the rule, so either matches.
  EXPECT_EQ(e.message,
            "complete rules must not produce multiple outputs: rule data.p.p produced "
            "conflicting values");
  EXPECT_EQ(e.location.file, "m0.rego");
  EXPECT_EQ(e.location.row, 3);
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  bj::value only_a = bj::parse(R"({"a": true})");
  auto ok = set.Eval("data.p.p", &only_a);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(**ok, bj::value(1));
}

TEST(Conflicts, PartialObjectKeysAndFunctions) {
  PolicySet set =
      MustCompile({"package p\nobj[k] := v if { some k, v in {\"a\": 1}; true }\n"
                   "obj[\"a\"] := 2\nf(_) := 1\nf(x) := 2 if x > 0\n"});
  auto r = set.Eval("data.p.obj", nullptr);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(DescribeError(r.error()).message, "object keys must be unique");
  auto f = set.Query("x := data.p.f(1)", nullptr);
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(DescribeError(f.error()).message,
            "functions must not produce multiple outputs for same inputs: function data.p.f "
            "produced conflicting values for the same inputs");
  EXPECT_EQ(Eval(set, "data.p.f(-1)"), bj::value(1));
}

TEST(Conflicts, SameValueTwiceIsNotAConflict) {
  PolicySet set = MustCompile({"package p\np := 1\np := 1 if true\n"});
  EXPECT_EQ(Eval(set, "data.p.p"), bj::value(1));
}

TEST(Conflicts, EnumeratingHeadReferencesAreGeneratorsLikeOpa) {
  // OPA moves refs out of rule heads into bodies: `xs[_]` in a head enumerates.
  PolicySet set =
      MustCompile({"package p\nxs := {1, 2}\nq(_) := xs[_]\n"
                   "v contains input.a[_].b\nfirst := input.a[_].b if true\n"});
  bj::value input = bj::parse(R"({"a": [{"b": 1}, {"b": 2}]})");
  auto v = set.Eval("data.p.v", &input);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(**v, bj::parse("[1, 2]"));
  auto q = set.Query("x := data.p.q(1)", nullptr);
  ASSERT_FALSE(q.has_value());
  EXPECT_EQ(DescribeError(q.error()).code, "eval_conflict_error");
  auto first = set.Eval("data.p.first", &input);
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(DescribeError(first.error()).message,
            "complete rules must not produce multiple outputs: rule data.p.first produced "
            "conflicting values");
}

TEST(Negation, NotBodyWithRegoV2Import) {
  PolicySet set =
      MustCompile({"package p\nimport rego.v2\np if {\n  x := 1\n  not { y := x + 1; y > 5 }\n}\n"
                   "q if {\n  not { input.a; input.b }\n}\nr := [z | some z in [1, 2, 3]; not { z "
                   "> 1; z < 3 }]\n",
                   "package s\nt if not {1} == {2}\n"});  // without the import `{1}` stays a set
  bj::value both = bj::parse(R"({"a": true, "b": true})");
  bj::value one = bj::parse(R"({"a": true, "b": false})");
  EXPECT_EQ(Eval(set, "data.p.p"), bj::value(true));
  EXPECT_EQ(Eval(set, "data.p.r"), bj::parse("[1, 3]"));
  EXPECT_EQ(Eval(set, "data.s.t"), bj::value(true));
  auto q = set.Eval("data.p.q", &one);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(**q, bj::value(true));
  q = set.Eval("data.p.q", &both);
  ASSERT_TRUE(q.has_value());
  EXPECT_FALSE(q->has_value());
}

// ---- limits ----

TEST(Limits, StepLimitStopsARunawayPolicy) {
  PolicySet set = MustCompile(
      {"package p\nslow if {\n  some i in numbers.range(1, 1000000)\n  some j in numbers.range(1, "
       "1000000)\n  i + j < 0\n}\n"});
  EvalOptions options;
  options.max_steps = 10'000;
  auto r = set.Eval("data.p.slow", nullptr, options);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kResourceExhausted);
  RegoErrorInfo e = DescribeError(r.error());
  EXPECT_EQ(e.code, "eval_cancel_error");
  EXPECT_EQ(e.message, "evaluation exceeded the step limit of 10000");
  EXPECT_EQ(e.location.file, "m0.rego");
}

TEST(Limits, DeadlineStopsARunawayPolicy) {
  PolicySet set = MustCompile(
      {"package p\nslow if {\n  some i in numbers.range(1, 1000000)\n  some j in numbers.range(1, "
       "1000000)\n  i + j < 0\n}\n"});
  SteppingClock clock;
  EvalOptions options;
  options.clock = &clock;
  options.timeout = std::chrono::milliseconds(5);
  auto r = set.Eval("data.p.slow", nullptr, options);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(DescribeError(r.error()).message, "evaluation exceeded its deadline");
}

TEST(Limits, DeepCallChainsFailInsteadOfOverflowingTheStack) {
  std::string module = "package p\nf0(x) := x\n";
  for (int i = 1; i < 20000; ++i) {
    module += "f" + std::to_string(i) + "(x) := f" + std::to_string(i - 1) + "(x)\n";
  }
  module += "p := f19999(1)\n";
  PolicySet set = MustCompile({module});
  auto r = set.Eval("data.p.p", nullptr);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(DescribeError(r.error()).message, "evaluation nested too deeply");
}

TEST(Limits, LongRuleChainsCompileWithoutDeepRecursion) {
  // The recursion check walks the rule graph with its own stack, not the native one.
  std::string module = "package p\nr0 := 0\n";
  for (int i = 1; i < 50000; ++i) {
    module += "r" + std::to_string(i) + " := r" + std::to_string(i - 1) + "\n";
  }
  PolicySet set = MustCompile({module});
  auto r = set.Eval("data.p.r49999", nullptr);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(DescribeError(r.error()).message, "evaluation nested too deeply");
  EXPECT_EQ(Eval(set, "data.p.r100"), bj::value(0));
}

TEST(Limits, OverlongBodiesAreRejectedByTheParser) {
  std::string module = "package p\np if {\n";
  for (int i = 0; i < 2001; ++i) {
    module += "  true\n";
  }
  module += "}\n";
  RegoErrorInfo e = CompileError(module);
  EXPECT_EQ(e.message, "body has more than 2000 expressions");
  EXPECT_EQ(e.location.row, 2003);
}

TEST(Limits, ModestBodiesAreFine) {
  std::string module = "package p\np := x499 if {\n  x0 := 0\n";
  for (int i = 1; i < 500; ++i) {
    module += "  x" + std::to_string(i) + " := x" + std::to_string(i - 1) + " + 1\n";
  }
  module += "}\n";
  PolicySet set = MustCompile({module});
  EXPECT_EQ(Eval(set, "data.p.p"), bj::value(499));
}

// ---- builtin errors ----

TEST(BuiltinErrors, UndefinedByDefaultAndErrorsInStrictMode) {
  PolicySet set = MustCompile({"package p\n"});
  auto lenient = set.Query("x := 1 / 0", nullptr);
  ASSERT_TRUE(lenient.has_value());
  EXPECT_TRUE(lenient->rows.empty());
  EvalOptions strict;
  strict.strict_builtin_errors = true;
  auto r = set.Query("x := 1 / 0", nullptr, strict);
  ASSERT_FALSE(r.has_value());
  RegoErrorInfo e = DescribeError(r.error());
  EXPECT_EQ(e.code, "eval_builtin_error");
  EXPECT_EQ(e.message, "div: divide by zero");
  EXPECT_EQ(e.location.row, 1);
  EXPECT_EQ(e.location.col, 6);
  bj::value input = {{"n", 5}};
  auto t = set.Query("x := count(input.n)", &input, strict);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(DescribeError(t.error()).code, "eval_type_error");
  EXPECT_EQ(DescribeError(t.error()).message,
            "count: operand 1 must be one of {array, object, set, string} but got number");
}

// ---- with ----

TEST(With, ReplacesInputDataRulesAndFunctions) {
  PolicySet set = MustCompile({
      "package p\nlimit := 10\nbig if input.n > limit\nf(x) := x + 1\ng := f(1)\n"
      "base_a := data.cfg.a\n",
  });
  EXPECT_EQ(Eval(set, "data.p.big with input as {\"n\": 11}"), bj::value(true));
  EXPECT_EQ(Eval(set, "data.p.big with input.n as 11 with data.p.limit as 20"), nullptr);
  EXPECT_EQ(Eval(set, "data.p.g with data.p.f as 7"), bj::value(7));
  EXPECT_EQ(Eval(set, "data.p.base_a with data.cfg.a as \"x\""), bj::value("x"));
  EXPECT_EQ(Eval(set, "data.p.g"), bj::value(2));  // nothing leaks out of a with
}

TEST(With, ReplacesBuiltinsAndTheClock) {
  PolicySet set =
      MustCompile({"package p\nn := count([1, 2, 3])\nnow := time.now_ns()\n"
                   "double(x) := count(x) * 2\nm := y if { y := n with count as double }\n"});
  EXPECT_EQ(Eval(set, "data.p.n with count as 42"), bj::value(42));
  EXPECT_EQ(Eval(set, "data.p.now with time.now_ns as 5"), bj::value(5));
  EXPECT_EQ(Eval(set, "data.p.m"), bj::value(6));
}

// ---- clock, random, print ----

TEST(Sources, NowComesFromTheInjectedClockAndIsStableWithinAQuery) {
  PolicySet set = MustCompile({"package p\n"});
  testing::FakeClock clock;
  EvalOptions options;
  options.clock = &clock;
  EXPECT_EQ(Eval(set, "time.now_ns()", options), bj::value(int64_t{1767225600} * 1000000000));
  auto r = set.Query("a := time.now_ns(); b := time.now_ns(); a == b", nullptr, options);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->rows.size(), 1u);
  EvalOptions strict;
  strict.strict_builtin_errors = true;
  auto no_clock = set.Query("x := time.now_ns()", nullptr, strict);
  ASSERT_FALSE(no_clock.has_value());
  EXPECT_EQ(DescribeError(no_clock.error()).message, "time.now_ns: no clock configured");
}

TEST(Sources, UuidsComeFromTheInjectedRandomAndRepeatPerKey) {
  PolicySet set = MustCompile({"package p\n"});
  testing::FakeRandom random(3);
  EvalOptions options;
  options.random = &random;
  auto r = set.Query("a := uuid.rfc4122(\"k\"); b := uuid.rfc4122(\"k\"); c := uuid.rfc4122(\"j\")",
                     nullptr, options);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->rows.size(), 1u);
  const auto& b = r->rows[0].bindings;
  EXPECT_EQ(b.at("a"), b.at("b"));
  EXPECT_NE(b.at("a"), b.at("c"));
  EXPECT_EQ(b.at("a").as_string().size(), 36u);
}

TEST(Sources, PrintWritesOneLinePerCall) {
  PolicySet set = MustCompile({"package p\np if {\n  print(\"n =\", input.n, input.missing)\n}\n"});
  std::ostringstream out;
  EvalOptions options;
  options.print_output = &out;
  bj::value input = bj::parse(R"({"n": [1, "a"]})");
  auto r = set.Eval("data.p.p", &input, options);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(out.str(), "n = [1, \"a\"] <undefined>\n");
}

// ---- queries and documents ----

TEST(Query, ReportsExpressionsBindingsTextAndLocations) {
  PolicySet set = MustCompile({"package p\nxs := [1, 2]\n"});
  auto r = set.Query("x := data.p.xs[_]\nx > 1", nullptr);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->rows.size(), 1u);
  const QueryRow& row = r->rows[0];
  EXPECT_EQ(row.bindings, bj::parse(R"({"x": 2})").as_object());
  ASSERT_EQ(row.expressions.size(), 2u);
  EXPECT_EQ(row.expressions[0].text, "x := data.p.xs[_]");
  EXPECT_EQ(row.expressions[0].value, bj::value(true));
  EXPECT_EQ(row.expressions[1].text, "x > 1");
  EXPECT_EQ(row.expressions[1].location.row, 2);
  EXPECT_EQ(row.expressions[1].location.col, 1);
}

TEST(Query, TermExpressionReportsItsValue) {
  PolicySet set = MustCompile({"package p\nxs := {3, 1}\n"});
  auto r = set.Query("data.p.xs", nullptr);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0].expressions[0].value, bj::parse("[1, 3]"));
  EXPECT_TRUE(r->rows[0].bindings.empty());
}

TEST(Query, UndefinedHasNoRows) {
  PolicySet set = MustCompile({"package p\n"});
  auto r = set.Query("data.p.nothing", nullptr);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->rows.empty());
}

TEST(Documents, EvalAcceptsDottedAndSlashedPaths) {
  PolicySet set = MustCompile({"package qlrf.demo\ndeny contains \"no\" if input.bad\n"});
  bj::value input = bj::parse(R"({"bad": true})");
  for (const char* path : {"data.qlrf.demo.deny", "qlrf/demo/deny", "/qlrf/demo/deny"}) {
    auto r = set.Eval(path, &input);
    ASSERT_TRUE(r.has_value()) << path;
    ASSERT_TRUE(r->has_value()) << path;
    EXPECT_EQ(**r, bj::parse(R"(["no"])")) << path;
  }
  auto missing = set.Eval("data.qlrf.other", &input);
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->has_value());
}

TEST(Documents, BaseDataAndRulesMerge) {
  Compiler compiler;
  ASSERT_TRUE(compiler.AddModule("p.rego", "package cfg\nlimit := data.cfg.base * 2\n"));
  ASSERT_TRUE(compiler.AddData(bj::parse(R"({"base": 5})"), {"cfg"}));
  ASSERT_TRUE(compiler.AddData(bj::parse(R"({"cfg": {"extra": true}})")));
  EXPECT_FALSE(compiler.AddData(bj::parse(R"({"cfg": {"base": 6}})")));
  auto set = compiler.Compile();
  ASSERT_TRUE(set.has_value());
  auto r = set->Eval("data.cfg", nullptr);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(**r, bj::parse(R"({"base": 5, "extra": true, "limit": 10})"));
}

TEST(Documents, RulesAreListed) {
  PolicySet set = MustCompile({"package a\np := 1\nf(x) := x\n", "package b\ntest_q if true\n"});
  std::vector<RuleInfo> rules = set.Rules();
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].path, "data.a.f");
  EXPECT_TRUE(rules[0].is_function);
  EXPECT_EQ(rules[1].path, "data.a.p");
  EXPECT_EQ(rules[2].path, "data.b.test_q");
  EXPECT_EQ(rules[2].location.file, "m1.rego");
  EXPECT_EQ(rules[2].location.row, 2);
}

TEST(CustomBuiltins, AreCallableAndErrorsBecomeBuiltinErrors) {
  Compiler compiler;
  ASSERT_TRUE(compiler.AddBuiltin(
      "qlrf.double", 1, [](std::span<const bj::value> args) -> Result<std::optional<bj::value>> {
        if (!args[0].is_int64()) {
          return Fail(InvalidArgument("not an integer"));
        }
        return std::optional<bj::value>(args[0].get_int64() * 2);
      }));
  EXPECT_FALSE(compiler.AddBuiltin("count", 1, nullptr));
  ASSERT_TRUE(compiler.AddModule("p.rego", "package p\nx := qlrf.double(21)\n"));
  auto set = compiler.Compile();
  ASSERT_TRUE(set.has_value());
  EXPECT_EQ(Eval(*set, "data.p.x"), bj::value(42));
  EvalOptions strict;
  strict.strict_builtin_errors = true;
  auto r = set->Query("x := qlrf.double(\"a\")", nullptr, strict);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(DescribeError(r.error()).location.file, "");
  r = set->Query("x := qlrf.double(\"a\")", nullptr, strict);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(DescribeError(r.error()).message, "qlrf.double: not an integer");
}

// ---- sets, ordering, numbers ----

TEST(Values, SetsAreRealSetsInRegoOrder) {
  PolicySet set = MustCompile({"package p\n"});
  EXPECT_EQ(Eval(set, "{3, 1, \"a\", [1], {\"k\": 1}, null, false, 1.0}"),
            bj::parse(R"([null, false, 1, 3, "a", [1], {"k": 1}])"));
  EXPECT_EQ(Eval(set, "{1, 2} == {2, 1}"), bj::value(true));
  EXPECT_EQ(Eval(set, "[x | some x in {3, 2, 1}]"), bj::parse("[1, 2, 3]"));
  EXPECT_EQ(Eval(set, "{1, 2} | {3}"), bj::parse("[1, 2, 3]"));
  EXPECT_EQ(Eval(set, "{1, 2} & {2, 3}"), bj::parse("[2]"));
  EXPECT_EQ(Eval(set, "{1, 2} - {2}"), bj::parse("[1]"));
}

TEST(Values, NumbersMixIntegersAndDoubles) {
  PolicySet set = MustCompile({"package p\n"});
  EXPECT_EQ(Eval(set, "1 == 1.0"), bj::value(true));
  EXPECT_EQ(Eval(set, "7 / 2"), bj::value(3.5));
  EXPECT_EQ(Eval(set, "8 / 2"), bj::value(4));
  EXPECT_EQ(Eval(set, "9223372036854775807 + 1"), bj::value(9223372036854775808.0));
  EXPECT_EQ(Eval(set, "-7 % 3"), bj::value(-1));
  EXPECT_EQ(Eval(set, "sprintf(\"%s\", [123456789123456789123])"),
            bj::value("123456789123456789123"));
}

TEST(Values, RuleHeadsWithVariablesBuildObjects) {
  PolicySet set = MustCompile(
      {"package p\nby_env[env] contains name if {\n  some s in input.servers\n  env := s.env\n"
       "  name := s.name\n}\nports[s.name].http := 80 if some s in input.servers\n"});
  bj::value input = bj::parse(
      R"({"servers": [{"env": "prod", "name": "a"}, {"env": "prod", "name": "b"},
                      {"env": "dev", "name": "c"}]})");
  auto by_env = set.Eval("data.p.by_env", &input);
  ASSERT_TRUE(by_env.has_value());
  EXPECT_EQ(**by_env, bj::parse(R"({"dev": ["c"], "prod": ["a", "b"]})"));
  auto ports = set.Eval("data.p.ports.b", &input);
  ASSERT_TRUE(ports.has_value());
  EXPECT_EQ(**ports, bj::parse(R"({"http": 80})"));
}

// ---- concurrency ----

TEST(Concurrency, OnePolicySetServesManyThreads) {
  PolicySet set =
      MustCompile({"package p\ndeny contains msg if {\n  some x in input.items\n  x > "
                   "input.limit\n  msg := sprintf(\"%d too big\", [x])\n}\n"});
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&set, &mismatches, t] {
      for (int i = 0; i < 200; ++i) {
        bj::value input = {{"items", {1, t, 100 + i}}, {"limit", 50}};
        auto r = set.Eval("data.p.deny", &input);
        bj::value want = bj::array{bj::string(std::to_string(100 + i) + " too big")};
        if (!r || !r->has_value() || **r != want) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace qlrf::policy
