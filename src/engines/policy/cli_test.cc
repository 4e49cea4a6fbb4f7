// `qlrf policy eval|test` through PolicyEval/PolicyTest on files in a temporary directory:
// OPA's output shapes, exit codes, data loading from directories, JSON and YAML.
#include "engines/policy/cli.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "testing/fakes.h"

namespace qlrf::policy {
namespace {

namespace fs = std::filesystem;

class PolicyCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("qlrf_policy_cli_" + std::string(info->name()) + "_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& rel, const std::string& text) {
    fs::path p = dir_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }

  int Eval(PolicyEvalOptions options) {
    options.clock = &clock_;
    out_.str("");
    err_.str("");
    return PolicyEval(options, out_, err_);
  }

  int Test(PolicyTestOptions options) {
    options.clock = &clock_;
    out_.str("");
    err_.str("");
    return PolicyTest(options, out_, err_);
  }

  fs::path dir_;
  testing::FakeClock clock_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(PolicyCli, EvalPrintsOpasResultShape) {
  Write("policy/p.rego", "package p\n\nallow if input.user == data.admins[_]\n");
  Write("policy/data.json", R"({"admins": ["alice"]})");
  std::string input = Write("input.json", R"({"user": "alice"})");
  PolicyEvalOptions o;
  o.query = "data.p.allow";
  o.data_paths = {(dir_ / "policy").string()};
  o.input_path = input;
  EXPECT_EQ(Eval(o), 0) << err_.str();
  EXPECT_EQ(out_.str(),
            "{\n"
            "  \"result\": [\n"
            "    {\n"
            "      \"expressions\": [\n"
            "        {\n"
            "          \"value\": true,\n"
            "          \"text\": \"data.p.allow\",\n"
            "          \"location\": {\n"
            "            \"row\": 1,\n"
            "            \"col\": 1\n"
            "          }\n"
            "        }\n"
            "      ]\n"
            "    }\n"
            "  ]\n"
            "}\n");
}

TEST_F(PolicyCli, EvalReportsBindings) {
  std::string p = Write("p.rego", "package p\nlimits := {\"a\": 1, \"b\": 2}\n");
  PolicyEvalOptions o;
  o.query = "some k\ndata.p.limits[k] > 1";
  o.data_paths = {p};
  EXPECT_EQ(Eval(o), 0);
  EXPECT_NE(out_.str().find("\"bindings\": {\n        \"k\": \"b\"\n      }"), std::string::npos)
      << out_.str();
  EXPECT_NE(out_.str().find("\"text\": \"data.p.limits[k] > 1\""), std::string::npos);
  EXPECT_NE(out_.str().find("\"row\": 2"), std::string::npos);
}

TEST_F(PolicyCli, UndefinedPrintsEmptyObject) {
  std::string p = Write("p.rego", "package p\nallow if false\n");
  PolicyEvalOptions o;
  o.query = "data.p.allow";
  o.data_paths = {p};
  EXPECT_EQ(Eval(o), 0);
  EXPECT_EQ(out_.str(), "{}\n");
  o.fail = true;
  EXPECT_EQ(Eval(o), 1);
  o.fail = false;
  o.fail_defined = true;
  EXPECT_EQ(Eval(o), 0);
}

TEST_F(PolicyCli, ParseErrorPrintsErrorsAndExits1) {
  std::string p = Write("bad.rego", "package p\n\nallow if {\n  input.x ==\n}\n");
  PolicyEvalOptions o;
  o.query = "data.p.allow";
  o.data_paths = {p};
  EXPECT_EQ(Eval(o), 1);
  EXPECT_EQ(out_.str(),
            "{\n"
            "  \"errors\": [\n"
            "    {\n"
            "      \"code\": \"rego_parse_error\",\n"
            "      \"message\": \"unexpected } token\",\n"
            "      \"location\": {\n"
            "        \"file\": \"" +
                p +
                "\",\n"
                "        \"row\": 5,\n"
                "        \"col\": 1\n"
                "      }\n"
                "    }\n"
                "  ]\n"
                "}\n");
}

TEST_F(PolicyCli, CompileAndEvalErrorsUseOpaCodes) {
  std::string unsafe = Write("u.rego", "package p\nallow if x > 1\n");
  PolicyEvalOptions o;
  o.query = "data.p.allow";
  o.data_paths = {unsafe};
  EXPECT_EQ(Eval(o), 1);
  EXPECT_NE(out_.str().find("\"code\": \"rego_unsafe_var_error\""), std::string::npos);
  EXPECT_NE(out_.str().find("\"message\": \"var x is unsafe\""), std::string::npos);

  PolicyEvalOptions strict;
  strict.query = "1 / 0";
  strict.strict_builtin_errors = true;
  EXPECT_EQ(Eval(strict), 1);
  EXPECT_NE(out_.str().find("\"code\": \"eval_builtin_error\""), std::string::npos);
  EXPECT_NE(out_.str().find("\"message\": \"div: divide by zero\""), std::string::npos);
  strict.strict_builtin_errors = false;
  EXPECT_EQ(Eval(strict), 0);
  EXPECT_EQ(out_.str(), "{}\n");
}

TEST_F(PolicyCli, DataDirectoriesMapFoldersToPathsAndReadYaml) {
  Write("bundle/teams/data.yaml", "platform:\n  members: [alice, bob]\n");
  Write("bundle/limits.json", R"({"max": 3})");
  Write("bundle/p.rego", "package p\nsize := count(data.teams.platform.members)\n");
  std::string input = Write("in.yaml", "n: 2\n");
  PolicyEvalOptions o;
  o.query = "data.p.size + data.max + input.n";
  o.data_paths = {(dir_ / "bundle").string()};
  o.input_path = input;
  o.format = "values";
  EXPECT_EQ(Eval(o), 0) << out_.str();
  EXPECT_EQ(out_.str(), "[\n  7\n]\n");
}

TEST_F(PolicyCli, OtherFormats) {
  std::string p = Write("p.rego", "package p\nnames := [\"a\", \"b\"]\n");
  PolicyEvalOptions o;
  o.data_paths = {p};
  o.query = "x := data.p.names[_]";
  o.format = "bindings";
  EXPECT_EQ(Eval(o), 0);
  EXPECT_EQ(out_.str(), "[\n  {\n    \"x\": \"a\"\n  },\n  {\n    \"x\": \"b\"\n  }\n]\n");
  o.query = "data.p.names[_]";
  o.format = "raw";
  EXPECT_EQ(Eval(o), 0);
  EXPECT_EQ(out_.str(), "a\nb\n");
  o.query = "[7 / 2, 0.1 + 0.2]";
  EXPECT_EQ(Eval(o), 0);
  EXPECT_EQ(out_.str(), "[3.5,0.30000000000000004]\n");
  o.format = "table";
  EXPECT_EQ(Eval(o), 2);
  EXPECT_NE(err_.str().find("unknown --format table"), std::string::npos);
}

TEST_F(PolicyCli, MissingFilesAreErrors) {
  PolicyEvalOptions o;
  o.query = "true";
  o.data_paths = {(dir_ / "nope.rego").string()};
  EXPECT_EQ(Eval(o), 1);
  EXPECT_NE(out_.str().find("no such file or directory"), std::string::npos);
  PolicyEvalOptions bad_input;
  bad_input.query = "input";
  bad_input.input_path = Write("in.json", "{\"a\": ");
  EXPECT_EQ(Eval(bad_input), 1);
  EXPECT_NE(out_.str().find("malformed JSON"), std::string::npos);
}

constexpr const char* kPolicy = "package lib\n\ndouble(x) := x * 2\n";
constexpr const char* kTests =
    "package lib_test\n\nimport data.lib\n\n"
    "test_double if lib.double(2) == 4\n\n"
    "test_double_negative if lib.double(-1) == -2\n\n"
    "todo_test_later if false\n";

TEST_F(PolicyCli, TestRunnerPasses) {
  Write("t/lib.rego", kPolicy);
  Write("t/lib_test.rego", kTests);
  PolicyTestOptions o;
  o.paths = {(dir_ / "t").string()};
  EXPECT_EQ(Test(o), 0) << err_.str();
  EXPECT_EQ(out_.str(), "PASS: 2/3\nSKIPPED: 1/3\n");
}

TEST_F(PolicyCli, TestRunnerReportsFailuresAndErrors) {
  Write("t/lib.rego", kPolicy);
  std::string tests = Write("t/lib_test.rego", std::string(kTests) +
                                                   "\ntest_wrong if lib.double(2) == 5\n"
                                                   "\ntest_error if 1 / 0\n"
                                                   "\ntest_conflict := x if x := [1, 2][_]\n");
  PolicyTestOptions o;
  o.paths = {(dir_ / "t").string()};
  EXPECT_EQ(Test(o), 2);
  const std::string& out = out_.str();
  EXPECT_NE(out.find(tests + ":\n"), std::string::npos) << out;
  EXPECT_NE(out.find("data.lib_test.test_wrong: FAIL (0s)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("data.lib_test.test_error: FAIL (0s)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("data.lib_test.test_conflict: ERROR (0s)\n  "), std::string::npos) << out;
  EXPECT_NE(out.find("eval_conflict_error: complete rules must not produce multiple outputs"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("PASS: 2/6\nFAIL: 2/6\nSKIPPED: 1/6\nERROR: 1/6\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("test_double:"), std::string::npos) << "passing tests only with -v";
}

TEST_F(PolicyCli, TestRunnerVerboseFilterAndJson) {
  Write("t/lib.rego", kPolicy);
  Write("t/lib_test.rego", kTests);
  PolicyTestOptions o;
  o.paths = {(dir_ / "t").string()};
  o.verbose = true;
  o.run = "negative$";
  EXPECT_EQ(Test(o), 0);
  EXPECT_NE(out_.str().find("data.lib_test.test_double_negative: PASS (0s)\n"), std::string::npos)
      << out_.str();
  EXPECT_NE(out_.str().find("PASS: 1/1\n"), std::string::npos) << out_.str();
  o.run.clear();
  o.verbose = false;
  o.format = "json";
  EXPECT_EQ(Test(o), 0);
  EXPECT_NE(out_.str().find("\"name\": \"test_double\""), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("\"package\": \"data.lib_test\""), std::string::npos);
  EXPECT_NE(out_.str().find("\"skip\": true"), std::string::npos);
}

TEST_F(PolicyCli, TestRunnerCompileErrorExits1) {
  std::string bad = Write("t/bad.rego", "package bad\n\np := \n");
  PolicyTestOptions o;
  o.paths = {(dir_ / "t").string()};
  EXPECT_EQ(Test(o), 1);
  EXPECT_EQ(err_.str(),
            "1 error occurred: " + bad + ":4: rego_parse_error: unexpected eof token\n");
}

TEST_F(PolicyCli, TestRunnerRejectsUnknownFormatAndBadFilter) {
  PolicyTestOptions o;
  o.paths = {dir_.string()};
  o.format = "xml";
  EXPECT_EQ(Test(o), 2);
  o.format = "pretty";
  o.run = "(";
  EXPECT_EQ(Test(o), 2);
  EXPECT_NE(err_.str().find("--run"), std::string::npos);
}

}  // namespace
}  // namespace qlrf::policy
