// Runs the shipped policies' own Rego tests (policies/*_test.rego) through PolicyTest, as
// `qlrf policy test policies/` does, and checks that every policy keeps the shape callers rely
// on: package qlrf.<name> with `deny` and `warn` sets.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "engines/policy/cli.h"
#include "engines/policy/policy.h"
#include "testing/fakes.h"

namespace qlrf::policy {
namespace {

namespace bj = boost::json;

const std::string kPolicyDir = std::string(QLRF_SOURCE_DIR) + "/policies";

const char* const kPolicies[] = {"plan_safety",     "sop_safety",       "tool_authorization",
                                 "image_safety",    "terraform_safety", "drift_safety",
                                 "risk_enforcement"};

std::string RunTests() {
  testing::FakeClock clock;
  PolicyTestOptions options;
  options.paths = {kPolicyDir};
  options.verbose = true;
  options.clock = &clock;
  std::ostringstream out;
  std::ostringstream err;
  int rc = PolicyTest(options, out, err);
  EXPECT_EQ(rc, 0) << err.str();
  return out.str();
}

TEST(ShippedPolicies, AllRegoTestsPass) {
  std::string out = RunTests();
  std::printf("%s", out.c_str());
  EXPECT_EQ(out.find("FAIL"), std::string::npos);
  EXPECT_EQ(out.find("ERROR"), std::string::npos);
  EXPECT_NE(out.find("PASS: "), std::string::npos);
}

// The unsafe plans issue 6 names must stay covered by a passing test.
TEST(ShippedPolicies, UnsafePlansAreDeniedByNamedTests) {
  std::string out = RunTests();
  for (const char* test :
       {"data.qlrf.plan_safety_test.test_production_plan_with_a_50_percent_batch_is_denied: PASS",
        "data.qlrf.plan_safety_test.test_production_plan_without_a_canary_is_denied: PASS",
        "data.qlrf.image_safety_test.test_unsigned_image_is_denied_in_production: PASS"}) {
    EXPECT_NE(out.find(test), std::string::npos) << test;
  }
  for (const char* name : kPolicies) {
    EXPECT_NE(out.find(std::string("data.qlrf.") + name + "_test.test_"), std::string::npos)
        << name << " has no tests";
  }
}

TEST(ShippedPolicies, EachPolicyReturnsDenyAndWarnSets) {
  Compiler compiler;
  for (const auto& entry : std::filesystem::directory_iterator(kPolicyDir)) {
    if (entry.path().extension() != ".rego") {
      continue;
    }
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    ASSERT_TRUE(compiler.AddModule(entry.path().filename().string(), text.str()).has_value())
        << entry.path();
  }
  auto set = compiler.Compile();
  ASSERT_TRUE(set.has_value()) << DescribeError(set.error()).message;
  bj::value empty = bj::object();
  for (const char* name : kPolicies) {
    for (const char* rule : {"deny", "warn"}) {
      std::string path = std::string("data.qlrf.") + name + "." + rule;
      auto v = set->Eval(path, &empty);
      ASSERT_TRUE(v.has_value()) << path << ": " << DescribeError(v.error()).message;
      ASSERT_TRUE(v->has_value()) << path << " is undefined";
      EXPECT_TRUE((*v)->is_array()) << path << " is not a set";  // sets render as arrays
      for (const auto& reason : (*v)->as_array()) {
        EXPECT_TRUE(reason.is_string()) << path << ": " << bj::serialize(reason);
      }
    }
  }
}

}  // namespace
}  // namespace qlrf::policy
