// CVSS unit tests: strict parsing (one test per rejection, each naming the metric), severity
// bands, and v4 scoring over every combination of each equivalence set's metrics.
#include "common/cvss/cvss.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qlrf::cvss {
namespace {

void ExpectRejected(std::string_view vector, std::string_view field) {
  auto result = ScoreCvss(vector);
  ASSERT_FALSE(result.has_value()) << vector;
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().Detail("field"), field) << result.error().ToString();
}

constexpr std::string_view kV31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
constexpr std::string_view kV40 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
constexpr std::string_view kV2 = "AV:N/AC:L/Au:N/C:C/I:C/A:C";

TEST(ScoreCvss, ScoresKnownVectors) {
  EXPECT_EQ(ScoreCvss(kV31)->base, 9.8);
  EXPECT_EQ(ScoreCvss(kV40)->base, 9.3);
  EXPECT_EQ(ScoreCvss(kV40)->macrovector, "000200");
  EXPECT_EQ(ScoreCvss(kV2)->base, 10.0);
  EXPECT_EQ(ScoreCvss("(" + std::string(kV2) + ")")->base, 10.0);
  EXPECT_FALSE(ScoreCvss(kV31)->temporal.has_value());
  EXPECT_FALSE(ScoreCvss(std::string(kV31) + "/E:X/RL:X/RC:X")->temporal.has_value());
  EXPECT_EQ(ScoreCvss(std::string(kV31) + "/E:U")->temporal, 9.0);  // Roundup(9.8 * 0.91)
}

TEST(ScoreCvss, RejectsUnknownMetricsNamingThem) {
  ExpectRejected(std::string(kV31) + "/XX:Y", "XX");
  ExpectRejected(std::string(kV40) + "/MS:X", "MS");  // a v3 metric in a v4 vector
  ExpectRejected(std::string(kV2) + "/S:U", "S");
}

TEST(ScoreCvss, RejectsDuplicateMetricsNamingThem) {
  ExpectRejected(std::string(kV31) + "/AV:L", "AV");
  ExpectRejected(std::string(kV40) + "/E:A/E:A", "E");
}

TEST(ScoreCvss, RejectsUndefinedValuesNamingTheMetric) {
  ExpectRejected("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV");
  ExpectRejected(std::string(kV40) + "/MSC:S", "MSC");  // S(afety) is only for MSI and MSA
  ExpectRejected(std::string(kV40) + "/U:red", "U");    // values are case-sensitive
  ExpectRejected("AV:N/AC:L/Au:N/C:C/I:C/A:X", "A");
}

TEST(ScoreCvss, RejectsMissingMandatoryMetricsNamingThem) {
  ExpectRejected("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H", "S");
  ExpectRejected("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N", "SA");
  ExpectRejected("AV:N/AC:L/C:C/I:C/A:C", "Au");
}

TEST(ScoreCvss, RejectsMalformedVectorsNamingTheVector) {
  ExpectRejected("", "vector");
  ExpectRejected("CVSS:3.1/", "vector");
  ExpectRejected(std::string(kV31) + "/", "vector");
  ExpectRejected("CVSS:3.1/AV:N//AC:L", "vector");
  ExpectRejected("CVSS:3.1/AVN/AC:L", "vector");
  ExpectRejected("AV:N/AC:L/Au:N/C:C/I:C/A:C/:PP", "vector");  // found by cvss_fuzz
  ExpectRejected("CVSS:3.2/AV:N", "vector");
  ExpectRejected("cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "cvss");  // prefix is exact
}

TEST(ScoreCvss, AcceptsMetricsInAnyOrder) {
  auto shuffled = ScoreCvss("CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N");
  ASSERT_TRUE(shuffled.has_value());
  EXPECT_EQ(shuffled->base, 9.8);
}

TEST(ScoreCvss, SupplementalMetricsDoNotChangeTheV4Score) {
  auto plain = ScoreCvss(kV40);
  auto supplemental = ScoreCvss(std::string(kV40) + "/S:P/AU:Y/R:I/V:C/RE:H/U:Red");
  ASSERT_TRUE(plain.has_value() && supplemental.has_value());
  EXPECT_EQ(plain->base, supplemental->base);
}

TEST(ScoreCvss, V4ScoresZeroWithoutAnyImpact) {
  auto none = ScoreCvss("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N");
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->base, 0.0);
}

// Each EQ's distance depends only on its own metrics, so varying one set at a time over all its
// effective values covers every vector: none may lack a most-severe reference vector (the scorer
// aborts if one does) and every score stays within 0..10.
// `base` with "/KEY:value" appended for each metric.
std::string With(std::string_view base,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> metrics) {
  std::string out(base);
  for (const auto& [key, value] : metrics) {
    out += '/';
    out += key;
    out += ':';
    out += value;
  }
  return out;
}

TEST(ScoreCvss, V4ScoresEveryCombinationOfEachEquivalenceSet) {
  constexpr std::string_view kBase =
      "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
  std::vector<std::string> vectors;
  for (std::string_view av : {"N", "A", "L", "P"}) {
    for (std::string_view pr : {"N", "L", "H"}) {
      for (std::string_view ui : {"N", "P", "A"}) {
        vectors.push_back(With(kBase, {{"MAV", av}, {"MPR", pr}, {"MUI", ui}}));
      }
    }
  }
  for (std::string_view ac : {"L", "H"}) {
    for (std::string_view at : {"N", "P"}) {
      vectors.push_back(With(kBase, {{"MAC", ac}, {"MAT", at}}));
    }
  }
  constexpr std::string_view kImpacts[] = {"H", "L", "N"};
  constexpr std::string_view kRequirements[] = {"H", "M", "L"};
  for (std::string_view vc : kImpacts) {
    for (std::string_view vi : kImpacts) {
      for (std::string_view va : kImpacts) {
        for (std::string_view cr : kRequirements) {
          for (std::string_view ir : kRequirements) {
            for (std::string_view ar : kRequirements) {
              vectors.push_back(With(kBase, {{"CR", cr},
                                             {"IR", ir},
                                             {"AR", ar},
                                             {"MVC", vc},
                                             {"MVI", vi},
                                             {"MVA", va},
                                             {"MSC", "H"}}));
            }
          }
        }
      }
    }
  }
  for (std::string_view sc : {"H", "L", "N"}) {
    for (std::string_view si : {"S", "H", "L", "N"}) {
      for (std::string_view sa : {"S", "H", "L", "N"}) {
        vectors.push_back(With(kBase, {{"MSC", sc}, {"MSI", si}, {"MSA", sa}}));
      }
    }
  }
  for (std::string_view e : {"A", "P", "U"}) {
    vectors.push_back(With(kBase, {{"E", e}}));
  }
  for (const std::string& v : vectors) {
    auto scores = ScoreCvss(v);
    ASSERT_TRUE(scores.has_value()) << v << ": " << scores.error().ToString();
    EXPECT_GE(scores->base, 0.0) << v;
    EXPECT_LE(scores->base, 10.0) << v;
  }
}

TEST(SeverityOf, UsesTheV3AndV4Bands) {
  EXPECT_EQ(SeverityOf(0.0), Severity::kNone);
  EXPECT_EQ(SeverityOf(0.1), Severity::kLow);
  EXPECT_EQ(SeverityOf(3.9), Severity::kLow);
  EXPECT_EQ(SeverityOf(4.0), Severity::kMedium);
  EXPECT_EQ(SeverityOf(6.9), Severity::kMedium);
  EXPECT_EQ(SeverityOf(7.0), Severity::kHigh);
  EXPECT_EQ(SeverityOf(8.9), Severity::kHigh);
  EXPECT_EQ(SeverityOf(9.0), Severity::kCritical);
  EXPECT_EQ(SeverityOf(10.0, CvssVersion::kV40), Severity::kCritical);
  EXPECT_EQ(SeverityName(SeverityOf(9.8)), "Critical");
}

TEST(SeverityOf, UsesTheNvdBandsForV2) {
  EXPECT_EQ(SeverityOf(0.0, CvssVersion::kV2), Severity::kLow);
  EXPECT_EQ(SeverityOf(4.0, CvssVersion::kV2), Severity::kMedium);
  EXPECT_EQ(SeverityOf(7.0, CvssVersion::kV2), Severity::kHigh);
  EXPECT_EQ(SeverityOf(10.0, CvssVersion::kV2), Severity::kHigh);
}

}  // namespace
}  // namespace qlrf::cvss
