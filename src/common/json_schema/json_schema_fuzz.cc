// Fuzz target: input is "<schema JSON>\0<instance JSON>" (without a NUL the schema validates
// itself). Compile and all three validation entry points must never crash or hang, and agree.
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/json.h"
#include "common/json_schema/json_schema.h"
#include "common/result.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using qlrf::json_schema::Schema;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\0');
  std::string_view schema_text = input.substr(0, split);
  std::string_view instance_text =
      split == std::string_view::npos ? schema_text : input.substr(split + 1);
  auto schema_json = qlrf::json::Parse(schema_text);
  auto instance = qlrf::json::Parse(instance_text);
  if (!schema_json || !instance) {
    return 0;
  }
  qlrf::json_schema::CompileOptions options;
  options.max_evaluation_steps = 100'000;  // keeps every input well under a second
  auto schema = Schema::Compile(*schema_json, options);
  if (!schema) {
    return 0;
  }
  auto all = schema->Validate(*instance);
  auto first = schema->Validate(*instance, qlrf::json_schema::ValidateMode::kFirstError);
  bool fast = schema->IsValid(*instance);
  QLRF_CHECK(all.valid == first.valid && all.valid == fast, "validation modes disagree");
  QLRF_CHECK(all.valid == all.errors.empty(), "errors must accompany an invalid verdict");
  QLRF_CHECK(first.errors.size() <= 1, "first-error mode reports at most one error");
  auto status = schema->Check(*instance);
  QLRF_CHECK(status.has_value() == fast, "Check disagrees with IsValid");
  return 0;
}
