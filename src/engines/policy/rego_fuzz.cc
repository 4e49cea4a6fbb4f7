// Fuzz target: input is "<module>\0<query>" (no NUL: the query is `data`). Parses the module in
// v1 and v0 syntax, compiles it, then evaluates the query and every rule with a small step limit.
// Nothing may crash, hang or leak; errors are fine.
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

#include "engines/policy/policy.h"
#include "testing/fakes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > size_t{32} * 1024) {
    return 0;
  }
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nul = in.find('\0');
  std::string_view module = in.substr(0, nul);
  std::string_view query = nul == std::string_view::npos ? "data" : in.substr(nul + 1);
  static qlrf::testing::FakeClock clock;
  static qlrf::testing::FakeRandom random(1);
  boost::json::value input = {{"environment", "production"}, {"items", {1, "two", nullptr}}};
  for (bool v0 : {false, true}) {
    qlrf::policy::CompilerOptions copts;
    copts.v0_compatible = v0;
    qlrf::policy::Compiler compiler(copts);
    if (!compiler.AddModule("fuzz.rego", module)) {
      continue;
    }
    auto set = compiler.Compile();
    if (!set) {
      continue;
    }
    std::ostringstream printed;
    qlrf::policy::EvalOptions options;
    options.clock = &clock;
    options.random = &random;
    options.max_steps = 20'000;
    options.print_output = &printed;
    options.strict_builtin_errors = v0;
    (void)set->Query(query, &input, options);
    for (const auto& rule : set->Rules()) {
      if (!rule.is_function) {
        (void)set->Eval(rule.path, &input, options);
      }
    }
  }
  return 0;
}
