// Fuzz target: xml::Parse on arbitrary bytes never crashes, whatever the visitor asks for
// (the first byte picks collect / descend / skip per depth); every error is a 400 with a line.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/result.h"
#include "common/xml/xml.h"

namespace {

class Walker final : public qlrf::xml::Visitor {
 public:
  explicit Walker(uint8_t mode) : mode_(mode) {}
  qlrf::Result<qlrf::xml::Action> Start(const qlrf::xml::Element& e,
                                        std::string_view path) override {
    if (e.name == "fail") {
      return qlrf::Fail(qlrf::InvalidArgument("visitor refused <fail>"));
    }
    size_t depth = static_cast<size_t>(std::count(path.begin(), path.end(), '/'));
    switch ((mode_ >> (depth % 4 * 2)) & 3) {
      case 0:
        return qlrf::xml::Action::kCollect;
      case 1:
        return qlrf::xml::Action::kSkip;
      default:
        return qlrf::xml::Action::kDescend;
    }
  }
  qlrf::Status Collected(qlrf::xml::Element&& e, std::string_view) override {
    (void)e.Trimmed();
    (void)e.ChildText("name");
    (void)e.Attribute("ref");
    return qlrf::Ok();
  }

 private:
  uint8_t mode_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  Walker walker(data[0]);
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  qlrf::Status status = qlrf::xml::Parse(input, walker);
  if (!status) {
    QLRF_CHECK(status.error().code == qlrf::ErrorCode::kInvalidArgument, "errors are 400s");
    QLRF_CHECK(!status.error().Detail("line").empty(), "errors say where");
  }
  return 0;
}
