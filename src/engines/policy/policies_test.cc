// Runs the shipped policies' own Rego tests (policies/*_test.rego) through PolicyTest, as
// `qlrf policy test policies/` does.
#include <gtest/gtest.h>

#include <sstream>

#include "engines/policy/cli.h"
#include "testing/fakes.h"

namespace qlrf::policy {
namespace {

TEST(ShippedPolicies, AllRegoTestsPass) {
  testing::FakeClock clock;
  PolicyTestOptions options;
  options.paths = {std::string(QLRF_SOURCE_DIR) + "/policies"};
  options.verbose = true;
  options.clock = &clock;
  std::ostringstream out;
  std::ostringstream err;
  int rc = PolicyTest(options, out, err);
  std::printf("%s", out.str().c_str());
  EXPECT_EQ(rc, 0) << err.str();
  EXPECT_EQ(out.str().find("FAIL"), std::string::npos);
  EXPECT_EQ(out.str().find("ERROR"), std::string::npos);
  EXPECT_NE(out.str().find("PASS: "), std::string::npos);
}

}  // namespace
}  // namespace qlrf::policy
