// purl conformance: every case of ../shared/conformance/purl (tests/spec, tests/types/*, the
// legacy suite) as one parameterised test each, the compiled-in type rules checked against the
// JSON type definitions, and the round-trip law over every valid input.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/purl/internal/type_rules.h"
#include "common/purl/purl.h"

namespace qlrf::purl {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;

const fs::path& SuiteDir() {
  static const fs::path kDir = fs::path(QLRF_CONFORMANCE_DIR) / "purl";
  return kDir;
}

bj::value ReadJson(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto doc = json::Parse(buffer.str());
  QLRF_CHECK(doc.has_value(), "conformance files are JSON");
  return std::move(*doc);
}

std::string Sanitize(std::string_view s) {
  std::string out;
  for (char c : s) {
    out += std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_';
  }
  return out;
}

std::string StringOrEmpty(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::map<std::string, std::string> Qualifiers(const bj::object& o) {
  std::map<std::string, std::string> out;
  const bj::value* v = o.if_contains("qualifiers");
  if (v != nullptr && v->is_object()) {
    for (const auto& [key, value] : v->get_object()) {
      out.emplace(std::string(key), std::string(value.as_string()));
    }
  }
  return out;
}

PackageUrl Components(const bj::object& o) {
  return {.type = StringOrEmpty(o, "type"),
          .namespace_ = StringOrEmpty(o, "namespace"),
          .name = StringOrEmpty(o, "name"),
          .version = StringOrEmpty(o, "version"),
          .qualifiers = Qualifiers(o),
          .subpath = StringOrEmpty(o, "subpath")};
}

std::string Describe(const PackageUrl& p) {
  std::string out = "{type=" + p.type + " namespace=" + p.namespace_ + " name=" + p.name +
                    " version=" + p.version + " qualifiers={";
  for (const auto& [k, v] : p.qualifiers) {
    out += k;
    out += '=';
    out += v;
    out += ';';
  }
  return out + "} subpath=" + p.subpath + "}";
}

enum class Verdict { kPass, kFail, kSkip };

void PrintTo(Verdict v, std::ostream* os) {
  *os << (v == Verdict::kPass ? "pass" : v == Verdict::kFail ? "fail" : "skip");
}

struct Outcome {
  Verdict verdict;
  std::string detail;
};

// ---------------------------------------------------------------------------------------------
// tests/spec and tests/types (schema 0.2).

struct SuiteCase {
  std::string file;                               // "gem-test"
  std::string group;                              // "required" | "recommended"
  std::string kind;                               // "parse" | "build" | "validate"
  std::string input;                              // parse/validate
  PackageUrl components;                          // build input
  std::optional<PackageUrl> expected_components;  // parse
  std::string expected_string;                    // build/validate
  bool expected_failure = false;
  std::string description;
  std::string name;
};

void PrintTo(const SuiteCase& c, std::ostream* os) {
  *os << c.file << " " << c.kind << " " << c.input;
}

// Cases we knowingly do not satisfy, each with the reason.
struct KnownGap {
  std::string_view file;
  std::string_view kind;
  std::string_view input;
  std::string_view reason;
};

constexpr std::string_view kKeyCaseReason =
    "contradicts the required maven case that parses \"repositorY_url\" and the spec text (\"a key "
    "is case insensitive; the canonical form is lowercase\"): we accept and lowercase keys";

constexpr std::array kKnownGaps = std::to_array<KnownGap>({
    {"gem-test", "parse", "pkg:gem/jruby-launcher@1.1.2?Platform=java", kKeyCaseReason},
    {"rpm-test", "parse", "pkg:Rpm/fedora/curl@7.50.3-1.fc25?Arch=i386&Distro=fedora-25",
     kKeyCaseReason},
    {"git-test", "validate", "pkg:git/github/Package-url/purl-Spec@244fd47e07d1004f0aed9c",
     "recommended case lowercases a git purl, but git-definition.json declares namespace and "
     "name case-sensitive (we follow the definition)"},
});

std::vector<SuiteCase> LoadSuite() {
  std::vector<fs::path> files = {SuiteDir() / "tests" / "spec" / "specification-test.json"};
  std::vector<fs::path> types;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(SuiteDir() / "tests" / "types", ec)) {
    if (entry.path().extension() == ".json") {
      types.push_back(entry.path());
    }
  }
  std::sort(types.begin(), types.end());
  files.insert(files.end(), types.begin(), types.end());
  std::vector<SuiteCase> cases;
  for (const fs::path& path : files) {
    bj::value doc = ReadJson(path);
    const bj::array& tests = doc.at("tests").as_array();
    for (size_t i = 0; i < tests.size(); ++i) {
      const bj::object& t = tests[i].as_object();
      SuiteCase c;
      c.file = path.stem().string();
      c.group = std::string(t.at("test_group").as_string());
      c.kind = std::string(t.at("test_type").as_string());
      c.description = std::string(t.at("description").as_string());
      const bj::value& input = t.at("input");
      if (input.is_string()) {
        c.input = std::string(input.get_string());
      } else {
        c.components = Components(input.as_object());
        c.input = Describe(c.components);
      }
      const bj::value* expected = t.if_contains("expected_output");
      if (expected != nullptr && expected->is_object()) {
        c.expected_components = Components(expected->get_object());
      } else if (expected != nullptr && expected->is_string()) {
        c.expected_string = std::string(expected->get_string());
      }
      const bj::value* failure = t.if_contains("expected_failure");
      c.expected_failure = failure != nullptr && failure->is_bool() && failure->get_bool();
      c.name = Sanitize(c.file + "_" + std::to_string(i) + "_" + c.kind);
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

const std::vector<SuiteCase>& Suite() {
  static const std::vector<SuiteCase> kSuite = LoadSuite();
  return kSuite;
}

Outcome RunCase(const SuiteCase& c) {
  for (const KnownGap& gap : kKnownGaps) {
    if (gap.file == c.file && gap.kind == c.kind && gap.input == c.input) {
      return {Verdict::kSkip, std::string(gap.reason)};
    }
  }
  auto expect_failure = [&](const auto& result) -> Outcome {
    if (result.has_value()) {
      return {Verdict::kFail, "expected a failure (" + c.description + ")"};
    }
    if (result.error().code != ErrorCode::kInvalidArgument ||
        result.error().Detail("field").empty()) {
      return {Verdict::kFail,
              "failure must be InvalidArgument naming a field: " + result.error().ToString()};
    }
    return {Verdict::kPass, ""};
  };
  if (c.kind == "parse") {
    auto parsed = ParsePurl(c.input);
    if (c.expected_failure) {
      return expect_failure(parsed);
    }
    if (!parsed) {
      return {Verdict::kFail, parsed.error().ToString()};
    }
    if (!c.expected_components || *parsed != *c.expected_components) {
      return {Verdict::kFail, "got " + Describe(*parsed) + "\nwant " +
                                  (c.expected_components ? Describe(*c.expected_components) : "?")};
    }
    return {Verdict::kPass, ""};
  }
  auto built = c.kind == "build" ? BuildPurl(c.components) : CanonicalizePurl(c.input);
  if (c.expected_failure) {
    return expect_failure(built);
  }
  if (!built) {
    return {Verdict::kFail, built.error().ToString()};
  }
  if (*built != c.expected_string) {
    return {Verdict::kFail, "got  " + *built + "\nwant " + c.expected_string};
  }
  return {Verdict::kPass, ""};
}

class PurlSuiteTest : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(PurlSuiteTest, MatchesExpectedOutput) {
  const SuiteCase& c = GetParam();
  Outcome outcome = RunCase(c);
  if (outcome.verdict == Verdict::kSkip) {
    GTEST_SKIP() << outcome.detail;
  }
  EXPECT_EQ(outcome.verdict, Verdict::kPass) << c.file << " [" << c.group << " " << c.kind << "] "
                                             << c.description << "\ninput: " << c.input << "\n"
                                             << outcome.detail;
}

std::string SuiteCaseName(const ::testing::TestParamInfo<SuiteCase>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Spec, PurlSuiteTest, ::testing::ValuesIn(Suite()), SuiteCaseName);

// Prints pass / fail / skip per group and per file; every required case passes or is a listed
// contradiction.
TEST(PurlSuiteTotals, EveryRequiredCasePasses) {
  ASSERT_FALSE(Suite().empty()) << SuiteDir();
  std::map<std::string, std::array<size_t, 3>> by_group;
  std::map<std::string, std::array<size_t, 3>> by_file;
  for (const SuiteCase& c : Suite()) {
    auto verdict = static_cast<size_t>(RunCase(c).verdict);
    ++by_group[c.group][verdict];
    ++by_file[c.file][verdict];
  }
  for (const auto& [file, t] : by_file) {
    std::printf("[purl] %-24s passed %3zu  failed %2zu  skipped %2zu\n", file.c_str(), t[0], t[1],
                t[2]);
  }
  for (const auto& [group, t] : by_group) {
    std::printf("[purl] %-24s passed %3zu  failed %2zu  skipped %2zu\n", group.c_str(), t[0], t[1],
                t[2]);
  }
  EXPECT_EQ(by_group["required"][1], 0u);
  EXPECT_EQ(by_group["recommended"][1], 0u);
}

// ---------------------------------------------------------------------------------------------
// legacy-test-suite-data.json: the pre-2025 single-file suite. Where its rules were later
// changed, the current tests win; those cases are listed with the rule that superseded them.

struct LegacyCase {
  std::string purl;
  std::string canonical;
  PackageUrl components;
  bool invalid = false;
  std::string description;
  std::string name;
};

void PrintTo(const LegacyCase& c, std::ostream* os) { *os << c.purl; }

struct LegacyGap {
  std::string_view purl;
  std::string_view reason;
};

constexpr std::string_view kSlashReason =
    "legacy canonical form leaves '/' unencoded in qualifier values; the current suite (e.g. "
    "maven-test, hex-test) requires %2F";

constexpr std::array kLegacyGaps = std::to_array<LegacyGap>({
    {"pkg:Maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources&repositorY_url=repo."
     "spring.io/release",
     kSlashReason},
    {"pkg:Maven/org.apache.xmlgraphics/batik-anim@1.9.1?extension=pom&repositorY_url=repo.spring."
     "io/release",
     kSlashReason},
    {"pkg:huggingface/microsoft/deberta-v3-base@559062ad13d311b87b2c455e67dcd5f1c8f65111?"
     "repository_url=https://hub-ci.huggingface.co",
     kSlashReason},
    {"pkg:mlflow/CreditFraud@3?repository_url=https://adb-5245952564735461.0.azuredatabricks.net/"
     "api/2.0/mlflow",
     kSlashReason},
    {"pkg:mlflow/CreditFraud@3?repository_url=https://westus2.api.azureml.ms/mlflow/v1.0/"
     "subscriptions/a50f2011-fab8-4164-af23-c62881ef8c95/resourceGroups/TestResourceGroup/"
     "providers/Microsoft.MachineLearningServices/workspaces/TestWorkspace",
     kSlashReason},
    {"pkg:mlflow/trafficsigns@10?model_uuid=36233173b22f4c89b451f1228d700d49&run_id=410a3121-2709-"
     "4f88-98dd-dba0ef056b0a&repository_url=https://adb-5245952564735461.0.azuredatabricks.net/api/"
     "2.0/mlflow",
     kSlashReason},
    {"pkg:GOLANG/google.golang.org/genproto@abcdedf#/googleapis/%2E%2E/api/annotations/",
     "legacy expects the decoded subpath to keep \"..\" while its canonical form drops it; we drop "
     "it in both (the canonical form is what we store)"},
    {"pkg:GOLANG/google.golang.org/genproto@abcdedf#/googleapis/%2E/api/annotations/",
     "legacy expects the decoded subpath to keep \".\" while its canonical form drops it"},
    {"pkg:conan/bincrafters/cctz@2.3",
     "legacy rule 'conan namespace needs a channel qualifier' was dropped: conan-test parses "
     "pkg:conan/openssl.org/openssl@3.0.3?arch=... without one"},
    {"pkg:conan/cctz@2.3?channel=stable", "same superseded conan channel rule"},
    {"pkg:cran/A3", "legacy required a cran version; cran-definition.json makes it optional"},
    {"pkg:swift/github.com/Alamofire/Alamofire",
     "legacy required a swift version; swift-definition.json makes it optional"},
    {"pkg:huggingface/distilbert-base-uncased@043235d6088ecd3dd5fb5ca3592b6913fd516027",
     "legacy allowed no namespace; huggingface-definition.json requires one"},
    {"pkg:cpan/URI::PackageURL@2.11",
     "legacy accepted module names; cpan-test now rejects '::' in names"},
    {"pkg:cpan/Perl-Version@1.013",
     "legacy rejected distribution names; cpan-test now accepts them (pkg:cpan/URI-PackageURL)"},
});

std::vector<LegacyCase> LoadLegacy() {
  bj::value doc = ReadJson(SuiteDir() / "legacy-test-suite-data.json");
  std::vector<LegacyCase> cases;
  const bj::array& all = doc.as_array();
  for (size_t i = 0; i < all.size(); ++i) {
    const bj::object& o = all[i].as_object();
    LegacyCase c;
    c.purl = StringOrEmpty(o, "purl");
    c.canonical = StringOrEmpty(o, "canonical_purl");
    c.components = Components(o);
    c.invalid = o.at("is_invalid").as_bool();
    c.description = StringOrEmpty(o, "description");
    c.name = "legacy_" + std::to_string(i);
    cases.push_back(std::move(c));
  }
  return cases;
}

const std::vector<LegacyCase>& Legacy() {
  static const std::vector<LegacyCase> kLegacy = LoadLegacy();
  return kLegacy;
}

Outcome RunLegacy(const LegacyCase& c) {
  for (const LegacyGap& gap : kLegacyGaps) {
    if (gap.purl == c.purl) {
      return {Verdict::kSkip, std::string(gap.reason)};
    }
  }
  auto parsed = ParsePurl(c.purl);
  if (c.invalid) {
    return {parsed ? Verdict::kFail : Verdict::kPass, "expected a failure"};
  }
  if (!parsed) {
    return {Verdict::kFail, parsed.error().ToString()};
  }
  if (*parsed != c.components) {
    return {Verdict::kFail, "got " + Describe(*parsed) + "\nwant " + Describe(c.components)};
  }
  if (ToString(*parsed) != c.canonical) {
    return {Verdict::kFail, "got  " + ToString(*parsed) + "\nwant " + c.canonical};
  }
  return {Verdict::kPass, ""};
}

class PurlLegacyTest : public ::testing::TestWithParam<LegacyCase> {};

TEST_P(PurlLegacyTest, MatchesExpectedOutput) {
  const LegacyCase& c = GetParam();
  Outcome outcome = RunLegacy(c);
  if (outcome.verdict == Verdict::kSkip) {
    GTEST_SKIP() << outcome.detail;
  }
  EXPECT_EQ(outcome.verdict, Verdict::kPass) << c.description << "\n"
                                             << c.purl << "\n"
                                             << outcome.detail;
}

std::string LegacyCaseName(const ::testing::TestParamInfo<LegacyCase>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Legacy, PurlLegacyTest, ::testing::ValuesIn(Legacy()), LegacyCaseName);

TEST(PurlLegacyTotals, PrintsCounts) {
  std::array<size_t, 3> t{};
  for (const LegacyCase& c : Legacy()) {
    ++t[static_cast<size_t>(RunLegacy(c).verdict)];
  }
  std::printf("[purl] %-24s passed %3zu  failed %2zu  skipped %2zu\n", "legacy", t[0], t[1], t[2]);
  EXPECT_EQ(t[1], 0u);
}

// ---------------------------------------------------------------------------------------------
// Properties and the type table.

// Parse(ToString(x)) == x, and the canonical string is a fixed point, over every purl the suites
// accept.
TEST(PurlRoundTrip, ParseOfToStringIsIdentityOverAllValidCases) {
  std::vector<std::string> inputs;
  for (const SuiteCase& c : Suite()) {
    if (!c.expected_failure && c.kind != "build") {
      inputs.push_back(c.input);
    }
    if (!c.expected_failure && !c.expected_string.empty()) {
      inputs.push_back(c.expected_string);
    }
  }
  for (const LegacyCase& c : Legacy()) {
    inputs.push_back(c.purl);
  }
  size_t checked = 0;
  for (const std::string& input : inputs) {
    auto parsed = ParsePurl(input);
    if (!parsed) {
      continue;
    }
    std::string canonical = ToString(*parsed);
    auto reparsed = ParsePurl(canonical);
    ASSERT_TRUE(reparsed.has_value()) << input << " -> " << canonical;
    EXPECT_EQ(*reparsed, *parsed) << input << " -> " << canonical;
    EXPECT_EQ(ToString(*reparsed), canonical) << input;
    auto rebuilt = BuildPurl(*parsed);
    ASSERT_TRUE(rebuilt.has_value()) << input;
    EXPECT_EQ(*rebuilt, canonical) << input;
    ++checked;
  }
  std::printf("[purl] round trip checked on %zu valid inputs\n", checked);
  EXPECT_GT(checked, 400u);
}

// The compiled-in table agrees with types/*-definition.json on what the definitions state.
TEST(PurlTypeRules, MatchTheJsonTypeDefinitions) {
  using internal::CaseRule;
  using internal::Requirement;
  std::set<std::string> defined;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(SuiteDir() / "types", ec)) {
    if (entry.path().extension() != ".json") {
      continue;
    }
    bj::value doc = ReadJson(entry.path());
    const bj::object& def = doc.as_object();
    std::string type(def.at("type").as_string());
    defined.insert(type);
    const internal::TypeRules* rules = internal::FindTypeRules(type);
    ASSERT_NE(rules, nullptr) << type;
    auto requirement = [&](std::string_view part) -> std::string {
      const bj::value* d = def.if_contains(part);
      const bj::value* r =
          d != nullptr && d->is_object() ? d->get_object().if_contains("requirement") : nullptr;
      return r != nullptr && r->is_string() ? std::string(r->get_string()) : "optional";
    };
    auto case_insensitive = [&](std::string_view part) {
      const bj::value* d = def.if_contains(part);
      const bj::value* cs =
          d != nullptr && d->is_object() ? d->get_object().if_contains("case_sensitive") : nullptr;
      return cs != nullptr && cs->is_bool() && !cs->get_bool();
    };
    std::string ns = requirement("namespace_definition");
    Requirement want = ns == "required"     ? Requirement::kRequired
                       : ns == "prohibited" ? Requirement::kProhibited
                                            : Requirement::kOptional;
    EXPECT_EQ(rules->namespace_requirement, want) << type;
    EXPECT_EQ(rules->namespace_case == CaseRule::kLower, case_insensitive("namespace_definition"))
        << type;
    EXPECT_EQ(rules->name_case == CaseRule::kLower, case_insensitive("name_definition")) << type;
    EXPECT_EQ(rules->version_case == CaseRule::kLower, case_insensitive("version_definition"))
        << type;
    std::string required_qualifier;
    if (const bj::value* qs = def.if_contains("qualifiers_definition"); qs != nullptr) {
      for (const bj::value& q : qs->as_array()) {
        const bj::value* r = q.as_object().if_contains("requirement");
        if (r != nullptr && r->is_string() && r->get_string() == "required") {
          required_qualifier = std::string(q.as_object().at("key").as_string());
        }
      }
    }
    EXPECT_EQ(rules->required_qualifier, required_qualifier) << type;
  }
  EXPECT_EQ(defined.size(), internal::AllTypeRules().size());
}

}  // namespace
}  // namespace qlrf::purl
