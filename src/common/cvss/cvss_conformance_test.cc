// CVSS conformance: every vector of ../shared/conformance/cvss/*.json (v2, v3.0/v3.1, v4.0)
// scored with tolerance 0 (one parameterised test per vector), with pass/fail counts per file.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <array>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/cvss/cvss.h"
#include "common/json.h"

namespace qlrf::cvss {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;

struct VectorCase {
  std::string file;
  std::string vector;
  std::optional<double> base;
  std::optional<double> temporal;
  std::optional<double> environmental;
  std::string macrovector;
  std::string name;
};

void PrintTo(const VectorCase& c, std::ostream* os) { *os << c.vector; }

std::optional<double> Number(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    return std::nullopt;
  }
  return v->to_number<double>();
}

std::vector<VectorCase> Load(const std::string& file) {
  std::ifstream in(fs::path(QLRF_CONFORMANCE_DIR) / "cvss" / file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto doc = json::Parse(buffer.str());
  QLRF_CHECK(doc.has_value(), "conformance files are JSON");
  std::vector<VectorCase> cases;
  const bj::array& all = doc->at("cases").as_array();
  for (size_t i = 0; i < all.size(); ++i) {
    const bj::object& o = all[i].as_object();
    VectorCase c;
    c.file = file;
    c.vector = std::string(o.at("vector").as_string());
    c.base = Number(o, o.contains("score") ? "score" : "base");
    c.temporal = Number(o, "temporal");
    c.environmental = Number(o, "environmental");
    if (const bj::value* mv = o.if_contains("macrovector"); mv != nullptr && mv->is_string()) {
      c.macrovector = std::string(mv->get_string());
    }
    c.name = file.substr(0, file.find('-', 5)) + "_" + std::to_string(i);
    for (char& ch : c.name) {
      ch = std::isalnum(static_cast<unsigned char>(ch)) != 0 ? ch : '_';
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

const std::vector<VectorCase>& Cases(const std::string& file) {
  static std::map<std::string, std::vector<VectorCase>> cache;
  auto it = cache.find(file);
  if (it == cache.end()) {
    it = cache.emplace(file, Load(file)).first;
  }
  return it->second;
}

std::string Show(const std::optional<double>& v) {
  if (!v) {
    return "null";
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", *v);
  return buf;
}

// Empty when every expected score matches exactly.
std::string Check(const VectorCase& c) {
  auto scores = ScoreCvss(c.vector);
  if (!scores) {
    return scores.error().ToString();
  }
  std::string problems;
  auto expect = [&problems](std::string_view what, const std::optional<double>& want,
                            const std::optional<double>& got) {
    if (want != got) {
      problems += std::string(what) + " got " + Show(got) + " want " + Show(want) + "; ";
    }
  };
  expect("base", c.base, scores->base);
  if (scores->version != CvssVersion::kV40) {
    expect("temporal", c.temporal, scores->temporal);
    expect("environmental", c.environmental, scores->environmental);
  } else if (scores->macrovector != c.macrovector) {
    problems += "macrovector got " + scores->macrovector + " want " + c.macrovector;
  }
  return problems;
}

class CvssVectorTest : public ::testing::TestWithParam<VectorCase> {};

TEST_P(CvssVectorTest, ScoresMatchTheReferenceCalculator) {
  EXPECT_EQ(Check(GetParam()), "") << GetParam().vector;
}

std::string CaseName(const ::testing::TestParamInfo<VectorCase>& param) { return param.param.name; }

INSTANTIATE_TEST_SUITE_P(V2, CvssVectorTest, ::testing::ValuesIn(Cases("cvss-v2-vectors.json")),
                         CaseName);
INSTANTIATE_TEST_SUITE_P(V3, CvssVectorTest, ::testing::ValuesIn(Cases("cvss-v3-vectors.json")),
                         CaseName);
INSTANTIATE_TEST_SUITE_P(V4, CvssVectorTest, ::testing::ValuesIn(Cases("cvss-v4-vectors.json")),
                         CaseName);

TEST(CvssSuiteTotals, EveryVectorMatches) {
  for (const std::string file :
       {"cvss-v2-vectors.json", "cvss-v3-vectors.json", "cvss-v4-vectors.json"}) {
    std::array<size_t, 2> t{};
    for (const VectorCase& c : Cases(file)) {
      ++t[Check(c).empty() ? 0 : 1];
    }
    std::printf("[cvss] %-22s passed %4zu  failed %zu\n", file.c_str(), t[0], t[1]);
    EXPECT_GT(t[0], 1000u) << file;
    EXPECT_EQ(t[1], 0u) << file;
  }
}

}  // namespace
}  // namespace qlrf::cvss
