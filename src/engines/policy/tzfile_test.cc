// The TZif reader: lookups around a daylight-saving transition, and every truncation and a
// corrupted count of a real zone file failing cleanly.
#include "engines/policy/internal/tzfile.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace qlrf::policy::internal {
namespace {

std::string ReadZone(const std::string& name) {
  std::ifstream in("/usr/share/zoneinfo/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(TzFile, FollowsDaylightSavingTransitions) {
  std::string data = ReadZone("America/New_York");
  ASSERT_FALSE(data.empty()) << "tzdata is not installed";
  // 2018-03-11 07:00 UTC is 02:00 EST, when clocks jump to 03:00 EDT.
  auto before = ZoneOffsetFromTzif(data, 1520751599);
  auto after = ZoneOffsetFromTzif(data, 1520751600);
  ASSERT_TRUE(before.has_value());
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(before->seconds_east, -5 * 3600);
  EXPECT_EQ(before->abbreviation, "EST");
  EXPECT_EQ(after->seconds_east, -4 * 3600);
  EXPECT_EQ(after->abbreviation, "EDT");
}

TEST(TzFile, UtcAndUnknownNames) {
  auto utc = LookupZoneOffset("", 0);
  ASSERT_TRUE(utc.has_value());
  EXPECT_EQ(utc->seconds_east, 0);
  EXPECT_EQ(utc->abbreviation, "UTC");
  for (const char* name : {"Nowhere/City", "/etc/passwd", "../zoneinfo/UTC", "a b", "Europe"}) {
    auto r = LookupZoneOffset(name, 0);
    ASSERT_FALSE(r.has_value()) << name;
    EXPECT_EQ(r.error().message, std::string("unknown time zone ") + name);
  }
}

TEST(TzFile, EveryTruncationFailsCleanly) {
  std::string data = ReadZone("Europe/Berlin");
  ASSERT_FALSE(data.empty()) << "tzdata is not installed";
  // The 64-bit block ends where the POSIX footer ("\nCET-1CEST,…\n") begins.
  size_t footer = data.rfind('\n', data.size() - 2);
  for (size_t n = 0; n < footer; ++n) {
    auto r = ZoneOffsetFromTzif(std::string_view(data).substr(0, n), 0);
    EXPECT_FALSE(r.has_value()) << "truncated to " << n << " bytes";
  }
}

TEST(TzFile, HugeCountsAreRefusedBeforeAllocating) {
  std::string data = ReadZone("Europe/Berlin");
  ASSERT_GT(data.size(), 44u);
  // timecnt of the first header (bytes 32..35) set to 0xffffffff.
  for (size_t i = 32; i < 36; ++i) {
    data[i] = '\xff';
  }
  EXPECT_FALSE(ZoneOffsetFromTzif(data, 0).has_value());
}

}  // namespace
}  // namespace qlrf::policy::internal
