// Version-ordering conformance over ../shared/conformance/versions/*.txt: every line in both
// directions (hand-written files one test per line, generated files one test per file), counts
// per file, and the ordering laws over chains of sorted versions from the generated files.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/versions/versions.h"

namespace qlrf::versions {
namespace {

namespace fs = std::filesystem;

const fs::path& SuiteDir() {
  static const fs::path kDir = fs::path(QLRF_CONFORMANCE_DIR) / "versions";
  return kDir;
}

// The scheme a file tests, from its name ("debian-versions-generated.txt" -> Debian); nullopt
// for files of ecosystems we do not order (none today; they would be skipped by name).
std::optional<Ecosystem> SchemeOf(const std::string& file) {
  constexpr std::pair<std::string_view, Ecosystem> kFiles[] = {
      {"alpine", Ecosystem::kAlpine},       {"debian", Ecosystem::kDebian},
      {"redhat", Ecosystem::kRpm},          {"semver", Ecosystem::kSemVer},
      {"pypi", Ecosystem::kPyPI},           {"maven", Ecosystem::kMaven},
      {"packagist", Ecosystem::kPackagist}, {"rubygems", Ecosystem::kRubyGems},
      {"nuget", Ecosystem::kNuGet},         {"pub", Ecosystem::kPub},
      {"cran", Ecosystem::kCran},           {"hackage", Ecosystem::kHackage},
  };
  std::string prefix = file.substr(0, file.find('-'));
  for (const auto& [name, ecosystem] : kFiles) {
    if (name == prefix) {
      return ecosystem;
    }
  }
  return std::nullopt;
}

struct Line {
  std::string a;
  std::string b;
  int expected = 0;  // -1, 0, 1
  size_t number = 0;
};

struct SuiteFile {
  std::string file;
  std::optional<Ecosystem> scheme;
  std::vector<Line> lines;
};

std::vector<SuiteFile> LoadFiles() {
  std::vector<fs::path> paths;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(SuiteDir(), ec)) {
    if (entry.path().extension() == ".txt") {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<SuiteFile> files;
  for (const fs::path& path : paths) {
    SuiteFile f{path.filename().string(), SchemeOf(path.filename().string()), {}};
    std::ifstream in(path);
    std::string text;
    for (size_t number = 1; std::getline(in, text); ++number) {
      if (text.empty() || text.starts_with("#") || text.starts_with("//")) {
        continue;
      }
      size_t first = text.find(' ');
      size_t second = text.find(' ', first + 1);
      QLRF_CHECK(first != std::string::npos && second == first + 2, "lines are \"a op b\"");
      char op = text[first + 1];
      f.lines.push_back({text.substr(0, first), text.substr(second + 1),
                         op == '<' ? -1 : (op == '>' ? 1 : 0), number});
    }
    files.push_back(std::move(f));
  }
  return files;
}

const std::vector<SuiteFile>& Files() {
  static const std::vector<SuiteFile> kFiles = LoadFiles();
  return kFiles;
}

// Empty when the line holds in both directions, otherwise what went wrong.
std::string CheckLine(Ecosystem scheme, const Line& line) {
  auto forward = CompareVersions(scheme, line.a, line.b);
  auto backward = CompareVersions(scheme, line.b, line.a);
  if (!forward || !backward) {
    return "error: " + (forward ? backward.error() : forward.error()).ToString();
  }
  if (*forward != line.expected || *backward != -line.expected) {
    return "compare(a, b) = " + std::to_string(*forward) +
           ", compare(b, a) = " + std::to_string(*backward) + ", want " +
           std::to_string(line.expected);
  }
  return "";
}

struct LineCase {
  std::string file;
  Ecosystem scheme;
  Line line;
  std::string name;
};

void PrintTo(const LineCase& c, std::ostream* os) {
  *os << c.file << ":" << c.line.number << " " << c.line.a << " ? " << c.line.b;
}

std::vector<LineCase> HandWrittenLines() {
  std::vector<LineCase> cases;
  for (const SuiteFile& f : Files()) {
    if (!f.scheme || f.file.find("generated") != std::string::npos) {
      continue;
    }
    for (const Line& line : f.lines) {
      std::string stem = f.file.substr(0, f.file.find('.'));
      std::replace(stem.begin(), stem.end(), '-', '_');
      cases.push_back({f.file, *f.scheme, line, stem + "_line" + std::to_string(line.number)});
    }
  }
  return cases;
}

class VersionLineTest : public ::testing::TestWithParam<LineCase> {};

TEST_P(VersionLineTest, OrdersBothDirections) {
  const LineCase& c = GetParam();
  EXPECT_EQ(CheckLine(c.scheme, c.line), "")
      << c.file << ":" << c.line.number << "  " << c.line.a << " vs " << c.line.b;
}

std::string LineCaseName(const ::testing::TestParamInfo<LineCase>& param) {
  return param.param.name;
}

INSTANTIATE_TEST_SUITE_P(HandWritten, VersionLineTest, ::testing::ValuesIn(HandWrittenLines()),
                         LineCaseName);

class VersionFileTest : public ::testing::TestWithParam<SuiteFile> {};

void PrintTo(const SuiteFile& f, std::ostream* os) { *os << f.file; }

// Generated files: every line, both directions; the first failures are listed.
TEST_P(VersionFileTest, EveryLineHolds) {
  const SuiteFile& f = GetParam();
  if (!f.scheme) {
    GTEST_SKIP() << f.file << ": no ordering implemented for this ecosystem";
  }
  size_t failures = 0;
  for (const Line& line : f.lines) {
    std::string problem = CheckLine(*f.scheme, line);
    if (!problem.empty() && ++failures <= 20) {
      ADD_FAILURE() << f.file << ":" << line.number << "  " << line.a << " vs " << line.b << ": "
                    << problem;
    }
  }
  EXPECT_EQ(failures, 0u) << f.file;
}

std::vector<SuiteFile> GeneratedFiles() {
  std::vector<SuiteFile> out;
  for (const SuiteFile& f : Files()) {
    if (f.file.find("generated") != std::string::npos) {
      out.push_back(f);
    }
  }
  return out;
}

std::string FileName(const ::testing::TestParamInfo<SuiteFile>& param) {
  std::string name = param.param.file.substr(0, param.param.file.find('.'));
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Generated, VersionFileTest, ::testing::ValuesIn(GeneratedFiles()),
                         FileName);

// Prints pass / fail / skip per file (in comparisons, each checked both ways); Go runs the SemVer
// file with a "v" on one side, as Go module versions carry one.
TEST(VersionSuiteTotals, EveryComparisonInScopePasses) {
  ASSERT_FALSE(Files().empty()) << SuiteDir();
  size_t total_failed = 0;
  for (const SuiteFile& f : Files()) {
    std::array<size_t, 3> t{};  // pass, fail, skip
    for (const Line& line : f.lines) {
      ++t[!f.scheme ? 2 : (CheckLine(*f.scheme, line).empty() ? 0 : 1)];
    }
    total_failed += t[1];
    std::printf("[versions] %-34s %-9s passed %5zu  failed %2zu  skipped %zu\n", f.file.c_str(),
                f.scheme ? std::string(EcosystemName(*f.scheme)).c_str() : "-", t[0], t[1], t[2]);
    if (f.scheme == Ecosystem::kSemVer) {
      std::array<size_t, 2> go{};
      for (const Line& line : f.lines) {
        Line with_v = line;
        with_v.a = with_v.a.starts_with('v') ? with_v.a : "v" + with_v.a;
        ++go[CheckLine(Ecosystem::kGo, with_v).empty() ? 0 : 1];
      }
      total_failed += go[1];
      std::printf("[versions] %-34s %-9s passed %5zu  failed %2zu  skipped 0\n", f.file.c_str(),
                  "Go", go[0], go[1]);
    }
  }
  EXPECT_EQ(total_failed, 0u);
}

// ---------------------------------------------------------------------------------------------
// Ordering laws: the generated files list adjacent pairs of sorted version lists, so consecutive
// "x < y", "y < z" lines form chains. Over a sample of each file's longest chain, compare must
// be antisymmetric, agree with the chain order, and be transitive.

std::vector<std::string> LongestChain(const SuiteFile& f) {
  std::vector<std::string> best;
  std::vector<std::string> chain;
  for (const Line& line : f.lines) {
    if (line.expected > 0) {
      continue;
    }
    if (chain.empty() || chain.back() != line.a) {
      if (chain.size() > best.size()) {
        best = chain;
      }
      chain = {line.a};
    }
    chain.push_back(line.b);
  }
  return chain.size() > best.size() ? chain : best;
}

class OrderingLawTest : public ::testing::TestWithParam<SuiteFile> {};

TEST_P(OrderingLawTest, IsAntisymmetricTransitiveAndAgreesWithTheChain) {
  const SuiteFile& f = GetParam();
  if (!f.scheme) {
    GTEST_SKIP() << f.file << ": no ordering implemented for this ecosystem";
  }
  std::vector<std::string> chain = LongestChain(f);
  ASSERT_GE(chain.size(), 3u) << f.file;
  std::vector<std::string> sample;  // at most 60 evenly spaced versions, in chain order
  size_t step = chain.size() / 60 + 1;
  for (size_t i = 0; i < chain.size(); i += step) {
    sample.push_back(chain[i]);
  }
  const size_t n = sample.size();
  std::vector<std::vector<int>> cmp(n, std::vector<int>(n));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      auto c = CompareVersions(*f.scheme, sample[i], sample[j]);
      ASSERT_TRUE(c.has_value()) << sample[i] << " vs " << sample[j];
      cmp[i][j] = *c;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(cmp[i][i], 0) << sample[i];
    for (size_t j = i + 1; j < n; ++j) {
      EXPECT_EQ(cmp[i][j], -cmp[j][i]) << "antisymmetry: " << sample[i] << " vs " << sample[j];
      EXPECT_LE(cmp[i][j], 0) << "chain order: " << sample[i] << " vs " << sample[j];
      for (size_t k = 0; k < n; ++k) {
        if (cmp[i][j] <= 0 && cmp[j][k] <= 0) {
          EXPECT_LE(cmp[i][k], 0) << "transitivity: " << sample[i] << ", " << sample[j] << ", "
                                  << sample[k];
        }
      }
    }
  }
  std::printf("[versions] laws hold over %zu of %zu chained versions in %s\n", n, chain.size(),
              f.file.c_str());
}

INSTANTIATE_TEST_SUITE_P(Generated, OrderingLawTest, ::testing::ValuesIn(GeneratedFiles()),
                         FileName);

}  // namespace
}  // namespace qlrf::versions
