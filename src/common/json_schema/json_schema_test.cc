// JSON Schema validator tests: the JSON-Schema-Test-Suite (draft2020-12 and draft7, required and
// optional; one parameterised case per test) with per-draft totals, and the error shape the API
// and contract tests rely on.
#include "common/json_schema/json_schema.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/json.h"
#include "testing/files.h"

namespace qlrf::json_schema {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Conformance: ../shared/conformance/json-schema (see its MANIFEST.md).

const fs::path& SuiteDir() {
  static const fs::path kDir = fs::path(QLRF_CONFORMANCE_DIR) / "json-schema";
  return kDir;
}

using ::qlrf::testing::ReadFile;

// remotes/<path> served as http://localhost:1234/<path>, loaded once.
const SchemaRegistry& Remotes() {
  static const SchemaRegistry kRegistry = [] {
    SchemaRegistry registry;
    const fs::path root = SuiteDir() / "remotes";
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(root, ec)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".json") {
        continue;
      }
      auto doc = json::Parse(ReadFile(entry.path()));
      if (doc) {
        registry.Add("http://localhost:1234/" + fs::relative(entry.path(), root).generic_string(),
                     *doc);
      }
    }
    return registry;
  }();
  return kRegistry;
}

struct SuiteCase {
  std::string draft;  // folder: "draft2020-12" or "draft7"
  bool optional = false;
  std::string file;  // "ref.json"
  std::string group;
  std::string description;
  std::shared_ptr<const bj::value> schema;  // shared by the tests of one group
  bj::value data;
  bool valid = false;
  std::string name;  // gtest-safe and unique
};

// Behaviour the suite expects that we knowingly do not have; each skip says why.
struct KnownGap {
  std::string_view draft;  // empty: both
  std::string_view file;
  std::string_view group;  // substring of the group description
  std::string_view reason;
};

constexpr KnownGap kKnownGaps[] = {
    {"", "optional/content.json", "", "contentMediaType/contentEncoding stay annotations"},
};

std::string Sanitize(std::string_view s) {
  std::string out;
  for (char c : s) {
    out += std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_';
  }
  return out;
}

std::vector<SuiteCase> LoadSuite(const std::string& draft) {
  std::vector<SuiteCase> cases;
  for (bool optional : {false, true}) {
    fs::path dir = SuiteDir() / "tests" / draft;
    if (optional) {
      dir /= "optional";
    }
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& path : files) {
      auto doc = json::Parse(ReadFile(path));
      QLRF_CHECK(doc.has_value() && doc->is_array(), "suite files are arrays of groups");
      const auto& groups = doc->get_array();
      for (size_t g = 0; g < groups.size(); ++g) {
        const auto& group = groups[g].get_object();
        auto schema = std::make_shared<const bj::value>(group.at("schema"));
        const auto& tests = group.at("tests").get_array();
        for (size_t t = 0; t < tests.size(); ++t) {
          const auto& test = tests[t].get_object();
          SuiteCase c;
          c.draft = draft;
          c.optional = optional;
          c.file = (optional ? "optional/" : "") + path.filename().string();
          c.group = std::string(group.at("description").get_string());
          c.description = std::string(test.at("description").get_string());
          c.schema = schema;
          c.data = test.at("data");
          c.valid = test.at("valid").get_bool();
          c.name = Sanitize(draft + (optional ? "_opt_" : "_") + path.stem().string() + "_g" +
                            std::to_string(g) + "_t" + std::to_string(t));
          cases.push_back(std::move(c));
        }
      }
    }
  }
  return cases;
}

// Keeps gtest from dumping the struct's bytes when a case fails.
void PrintTo(const SuiteCase& c, std::ostream* os) { *os << c.file << " | " << c.group; }

enum class Verdict { kPass, kFail, kSkip };

struct Outcome {
  Verdict verdict;
  std::string detail;
};

Outcome RunCase(const SuiteCase& c) {
  for (const KnownGap& gap : kKnownGaps) {
    if ((gap.draft.empty() || gap.draft == c.draft) && gap.file == c.file &&
        c.group.find(gap.group) != std::string::npos) {
      return {Verdict::kSkip, std::string(gap.reason)};
    }
  }
  CompileOptions options;
  options.default_draft = c.draft == "draft7" ? Draft::k7 : Draft::k202012;
  options.registry = &Remotes();
  auto schema = Schema::Compile(*c.schema, options);
  if (!schema) {
    const Error& e = schema.error();
    if (e.code == ErrorCode::kUnimplemented) {
      return {Verdict::kSkip, "unsupported: " + e.message};
    }
    if (e.code == ErrorCode::kNotFound && e.message.find("json-schema.org") != std::string::npos) {
      return {Verdict::kSkip, "metaschemas are not bundled and never fetched: " + e.message};
    }
    return {Verdict::kFail, "compile failed: " + e.ToString()};
  }
  ValidationResult all = schema->Validate(c.data);
  bool first = schema->Validate(c.data, ValidateMode::kFirstError).valid;
  bool fast = schema->IsValid(c.data);
  if (all.valid != first || all.valid != fast) {
    return {Verdict::kFail, "validation modes disagree"};
  }
  if (all.valid != c.valid) {
    std::string detail = std::string("expected ") + (c.valid ? "valid" : "invalid") + ", got " +
                         (all.valid ? "valid" : "invalid");
    for (const ValidationError& e : all.errors) {
      detail += "\n  " + e.instance_location + " " + e.keyword_location + ": " + e.message;
    }
    return {Verdict::kFail, detail};
  }
  return {Verdict::kPass, ""};
}

class JsonSchemaSuiteTest : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(JsonSchemaSuiteTest, MatchesExpectedVerdict) {
  const SuiteCase& c = GetParam();
  Outcome outcome = RunCase(c);
  if (outcome.verdict == Verdict::kSkip) {
    GTEST_SKIP() << outcome.detail;
  }
  EXPECT_EQ(outcome.verdict, Verdict::kPass)
      << c.file << " | " << c.group << " | " << c.description << "\n"
      << "schema: " << bj::serialize(*c.schema) << "\ndata: " << bj::serialize(c.data) << "\n"
      << outcome.detail;
}

std::string CaseName(const ::testing::TestParamInfo<SuiteCase>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Draft202012, JsonSchemaSuiteTest,
                         ::testing::ValuesIn(LoadSuite("draft2020-12")), CaseName);
INSTANTIATE_TEST_SUITE_P(Draft7, JsonSchemaSuiteTest, ::testing::ValuesIn(LoadSuite("draft7")),
                         CaseName);

// Prints passed / failed / skipped per draft and holds the required tests to 98 %.
TEST(JsonSchemaSuiteTotals, RequiredTestsPassAtLeast98Percent) {
  ASSERT_TRUE(fs::is_directory(SuiteDir() / "tests")) << SuiteDir();
  for (const std::string draft : {"draft2020-12", "draft7"}) {
    std::map<bool, std::array<size_t, 3>> totals;  // optional -> pass, fail, skip
    for (const SuiteCase& c : LoadSuite(draft)) {
      ++totals[c.optional][static_cast<size_t>(RunCase(c).verdict)];
    }
    for (bool optional : {false, true}) {
      const auto& t = totals[optional];
      std::printf("[json-schema] %-12s %-8s passed %4zu  failed %3zu  skipped %3zu\n",
                  draft.c_str(), optional ? "optional" : "required", t[0], t[1], t[2]);
    }
    const auto& required = totals[false];
    size_t all = required[0] + required[1] + required[2];
    ASSERT_GT(all, 0u);
    EXPECT_GE(static_cast<double>(required[0]) / static_cast<double>(all), 0.98) << draft;
  }
}

// ---------------------------------------------------------------------------------------------
// Error shape and API behaviour.

bj::value Json(std::string_view text) {
  auto v = json::Parse(text);
  QLRF_CHECK(v.has_value(), "test JSON must parse");
  return *v;
}

Schema MustCompile(std::string_view text, const CompileOptions& options = {}) {
  auto schema = Schema::Compile(Json(text), options);
  QLRF_CHECK(schema.has_value(), "test schema must compile");
  return *schema;
}

constexpr std::string_view kRequestSchema = R"({
  "type": "object",
  "properties": {
    "scope": {
      "type": "object",
      "properties": {
        "environment": {"type": "string", "enum": ["prod", "staging"]},
        "regions": {"type": "array", "items": {"type": "string", "minLength": 2}}
      },
      "required": ["environment"],
      "additionalProperties": false
    },
    "items": {
      "type": "array",
      "items": {"type": "object", "properties": {"id": {"type": "integer"}}}
    }
  },
  "required": ["scope"],
  "additionalProperties": false
})";

TEST(JsonSchemaErrorTest, UnknownFieldIsReportedAtItsOwnPath) {
  Schema schema = MustCompile(kRequestSchema);
  ValidationResult r = schema.Validate(Json(R"({"scope": {"environment": "prod", "extra": 1}})"));
  ASSERT_FALSE(r.valid);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].instance_location, "/scope/extra");
  EXPECT_EQ(r.errors[0].field, "scope.extra");
  EXPECT_EQ(r.errors[0].keyword, "additionalProperties");
  EXPECT_EQ(r.errors[0].keyword_location, "#/properties/scope/additionalProperties");
  EXPECT_EQ(r.errors[0].message, "is not allowed (unknown field)");
}

TEST(JsonSchemaErrorTest, MissingRequiredFieldIsReportedAtTheMissingMember) {
  Schema schema = MustCompile(kRequestSchema);
  ValidationResult r = schema.Validate(Json(R"({"scope": {}})"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].instance_location, "/scope/environment");
  EXPECT_EQ(r.errors[0].field, "scope.environment");
  EXPECT_EQ(r.errors[0].keyword, "required");
  EXPECT_EQ(r.errors[0].keyword_location, "#/properties/scope/required");
}

TEST(JsonSchemaErrorTest, ArrayIndicesAppearInPointerAndField) {
  Schema schema = MustCompile(kRequestSchema);
  ValidationResult r = schema.Validate(
      Json(R"({"scope": {"environment": "prod"}, "items": [{"id": 1}, {"id": "x"}]})"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].instance_location, "/items/1/id");
  EXPECT_EQ(r.errors[0].field, "items[1].id");
  EXPECT_EQ(r.errors[0].keyword, "type");
  EXPECT_EQ(r.errors[0].keyword_location, "#/properties/items/items/properties/id/type");
  EXPECT_EQ(r.errors[0].message, "must be of type integer (got string)");
}

TEST(JsonSchemaErrorTest, PointerEscapesSlashAndTilde) {
  Schema schema = MustCompile(R"({"additionalProperties": false})");
  ValidationResult r = schema.Validate(Json(R"({"a/b~c": 1})"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].instance_location, "/a~1b~0c");
  EXPECT_EQ(r.errors[0].field, "a/b~c");
}

TEST(JsonSchemaErrorTest, AllErrorsModeReportsEveryError) {
  Schema schema = MustCompile(kRequestSchema);
  bj::value bad = Json(R"({"scope": {"environment": "dev", "regions": ["x", 5]}, "other": true})");
  ValidationResult all = schema.Validate(bad);
  ASSERT_FALSE(all.valid);
  std::vector<std::string> locations;
  for (const ValidationError& e : all.errors) {
    locations.push_back(e.instance_location + " " + e.keyword);
  }
  EXPECT_EQ(locations,
            (std::vector<std::string>{"/scope/environment enum", "/scope/regions/0 minLength",
                                      "/scope/regions/1 type", "/other additionalProperties"}));
  ValidationResult first = schema.Validate(bad, ValidateMode::kFirstError);
  ASSERT_FALSE(first.valid);
  ASSERT_EQ(first.errors.size(), 1u);
  EXPECT_EQ(first.errors[0].instance_location, "/scope/environment");
  EXPECT_EQ(first.errors[0].message, R"(must be one of ["prod","staging"])");
  EXPECT_FALSE(schema.IsValid(bad));
}

TEST(JsonSchemaErrorTest, CheckReturnsInvalidArgumentWithFieldAndKeyword) {
  Schema schema = MustCompile(kRequestSchema);
  Status status = schema.Check(Json(R"({"scope": {"environment": "prod", "extra": 1}})"));
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.error().Detail("field"), "scope.extra");
  EXPECT_EQ(status.error().Detail("keyword"), "additionalProperties");
  EXPECT_EQ(status.error().message, "is not allowed (unknown field)");
  EXPECT_TRUE(schema.Check(Json(R"({"scope": {"environment": "prod"}})")).has_value());
}

TEST(JsonSchemaErrorTest, CombinatorFailureIsOneErrorAtTheKeyword) {
  Schema schema = MustCompile(R"({"properties": {"a": {"anyOf": [{"type": "string"},
                                                                 {"minimum": 3}]}}})");
  ValidationResult r = schema.Validate(Json(R"({"a": 1})"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].instance_location, "/a");
  EXPECT_EQ(r.errors[0].keyword, "anyOf");
  EXPECT_EQ(r.errors[0].keyword_location, "#/properties/a/anyOf");
}

TEST(JsonSchemaErrorTest, ErrorsInsideRefTargetsCarryTheTargetLocation) {
  Schema schema = MustCompile(R"({"$defs": {"id": {"type": "string"}},
                                  "properties": {"owner": {"$ref": "#/$defs/id"}}})");
  ValidationResult r = schema.Validate(Json(R"({"owner": 7})"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].instance_location, "/owner");
  EXPECT_EQ(r.errors[0].keyword_location, "#/$defs/id/type");
}

TEST(JsonSchemaErrorTest, UnevaluatedPropertyIsReportedAtItsPath) {
  Schema schema = MustCompile(R"({"allOf": [{"properties": {"a": true}}],
                                  "unevaluatedProperties": false})");
  EXPECT_TRUE(schema.IsValid(Json(R"({"a": 1})")));
  ValidationResult r = schema.Validate(Json(R"({"a": 1, "b": 2})"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].instance_location, "/b");
  EXPECT_EQ(r.errors[0].keyword, "unevaluatedProperties");
}

TEST(JsonSchemaErrorTest, RootErrorHasEmptyLocation) {
  Schema schema = MustCompile(R"({"type": "object"})");
  ValidationResult r = schema.Validate(Json("[]"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].instance_location, "");
  EXPECT_EQ(r.errors[0].field, "");
  EXPECT_EQ(r.errors[0].keyword_location, "#/type");
  Status status = schema.Check(Json("[]"));
  ASSERT_FALSE(status.has_value());
  ASSERT_EQ(status.error().details.size(), 1u);  // no empty "field"
  EXPECT_EQ(status.error().details[0].first, "keyword");
}

// ---------------------------------------------------------------------------------------------
// Semantics that the suite covers only in passing.

TEST(JsonSchemaTest, IntegralFloatIsAnInteger) {
  Schema schema = MustCompile(R"({"type": "integer"})");
  EXPECT_TRUE(schema.IsValid(Json("1.0")));
  EXPECT_FALSE(schema.IsValid(Json("1.5")));
}

TEST(JsonSchemaTest, StringLengthCountsCodePoints) {
  Schema schema = MustCompile(R"({"maxLength": 2})");
  EXPECT_TRUE(schema.IsValid(bj::value("\xc3\xa9\xc3\xa9")));
  EXPECT_FALSE(schema.IsValid(bj::value("\xc3\xa9\xc3\xa9\xc3\xa9")));
}

TEST(JsonSchemaTest, FormatIsAnAnnotationUnlessAsserted) {
  constexpr std::string_view kDate = R"({"format": "date"})";
  EXPECT_TRUE(MustCompile(kDate).IsValid(bj::value("not a date")));
  CompileOptions options;
  options.assert_format = true;
  Schema asserted = MustCompile(kDate, options);
  EXPECT_TRUE(asserted.IsValid(bj::value("2024-02-29")));
  ValidationResult r = asserted.Validate(bj::value("2023-02-29"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].keyword, "format");
  EXPECT_EQ(r.errors[0].message, "must be a valid date");
}

TEST(JsonSchemaTest, SchemaDialectSelectsDraft07Semantics) {
  // In draft-07 "$ref" overrides its siblings; in 2020-12 they apply alongside.
  constexpr std::string_view kDraft7 = R"({"$schema": "http://json-schema.org/draft-07/schema#",
      "definitions": {"s": {"type": "string"}}, "properties": {"a": {"$ref": "#/definitions/s",
      "maxLength": 1}}})";
  EXPECT_TRUE(MustCompile(kDraft7).IsValid(Json(R"({"a": "long"})")));
  constexpr std::string_view k2020 = R"({"$defs": {"s": {"type": "string"}},
      "properties": {"a": {"$ref": "#/$defs/s", "maxLength": 1}}})";
  EXPECT_FALSE(MustCompile(k2020).IsValid(Json(R"({"a": "long"})")));
}

TEST(JsonSchemaTest, RemoteReferenceResolvesFromRegistryOnly) {
  constexpr std::string_view kSchema = R"({"$ref": "https://schemas.example/id.json"})";
  auto missing = Schema::Compile(Json(kSchema));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().Detail("field"), "#/$ref");

  SchemaRegistry registry;
  registry.Add("https://schemas.example/id.json", Json(R"({"type": "string", "minLength": 3})"));
  CompileOptions options;
  options.registry = &registry;
  Schema schema = MustCompile(kSchema, options);
  EXPECT_TRUE(schema.IsValid(bj::value("abc")));
  ValidationResult r = schema.Validate(bj::value("ab"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].keyword_location, "https://schemas.example/id.json#/minLength");
}

TEST(JsonSchemaTest, SchemaOutlivesItsSourceAndRegistry) {
  std::optional<Schema> schema;
  {
    SchemaRegistry registry;
    registry.Add("https://schemas.example/n.json", Json(R"({"type": "number"})"));
    CompileOptions options;
    options.registry = &registry;
    bj::value source = Json(R"({"properties": {"n": {"$ref": "https://schemas.example/n.json"}}})");
    schema = MustCompile(bj::serialize(source), options);
  }
  EXPECT_TRUE(schema->IsValid(Json(R"({"n": 1})")));
  EXPECT_FALSE(schema->IsValid(Json(R"({"n": "1"})")));
}

TEST(JsonSchemaTest, ConcurrentValidationOfOneSchemaAgrees) {
  Schema schema = MustCompile(kRequestSchema);
  bj::value good = Json(R"({"scope": {"environment": "prod", "regions": ["eu"]}})");
  bj::value bad = Json(R"({"scope": {"environment": "prod", "regions": ["e"]}})");
  std::atomic<int> wrong{0};
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (!schema.IsValid(good) || schema.Validate(bad).errors.size() != 1) {
          ++wrong;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(wrong.load(), 0);
}

// ---------------------------------------------------------------------------------------------
// Compile errors and hostile schemas.

TEST(JsonSchemaCompileTest, RejectsMalformedKeywordsWithTheirLocation) {
  auto r = Schema::Compile(Json(R"({"properties": {"a": {"minLength": "x"}}})"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().Detail("field"), "#/properties/a/minLength");
}

TEST(JsonSchemaCompileTest, RejectsInvalidPattern) {
  auto r = Schema::Compile(Json(R"({"pattern": "(unclosed"})"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().Detail("field"), "#/pattern");
}

TEST(JsonSchemaCompileTest, RejectsUnknownDialect) {
  auto r = Schema::Compile(Json(R"({"$schema": "https://example.com/my-dialect"})"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kUnimplemented);
}

TEST(JsonSchemaCompileTest, RejectsNonSchemaRoot) {
  auto r = Schema::Compile(Json("42"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(JsonSchemaCompileTest, RejectsDanglingPointer) {
  auto r = Schema::Compile(Json(R"({"$ref": "#/$defs/missing"})"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

TEST(JsonSchemaHostileTest, SelfReferenceWithoutProgressIsInvalidNotInfinite) {
  Schema schema = MustCompile(R"({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
                                  "$ref": "#/$defs/a"})");
  ValidationResult r = schema.Validate(Json("1"));
  EXPECT_FALSE(r.valid);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors.back().message.find("cycle"), std::string::npos);
}

TEST(JsonSchemaHostileTest, RecursionIntoDeeperInstanceIsFine) {
  Schema schema = MustCompile(R"({"type": ["array", "integer"], "items": {"$ref": "#"}})");
  std::string deep = std::string(60, '[') + "1" + std::string(60, ']');
  EXPECT_TRUE(schema.IsValid(Json(deep)));
}

TEST(JsonSchemaHostileTest, ExponentialSchemaHitsTheStepBudget) {
  // Each level doubles the work: 2^40 evaluations without a budget.
  bj::object defs;
  constexpr int kLevels = 40;
  for (int i = 0; i < kLevels; ++i) {
    std::string next = "#/$defs/a" + std::to_string(i + 1);
    defs["a" + std::to_string(i)] =
        bj::object{{"anyOf", bj::array{bj::object{{"$ref", next}}, bj::object{{"$ref", next}}}}};
  }
  defs["a" + std::to_string(kLevels)] = false;
  bj::value root = bj::object{{"$defs", defs}, {"$ref", "#/$defs/a0"}};
  CompileOptions options;
  options.max_evaluation_steps = 10'000;
  auto schema = Schema::Compile(root, options);
  ASSERT_TRUE(schema.has_value()) << schema.error().ToString();
  ValidationResult r = schema->Validate(Json("1"));
  EXPECT_FALSE(r.valid);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("10000 evaluation steps"), std::string::npos);
  EXPECT_FALSE(schema->Check(Json("1")).has_value());
}

TEST(JsonSchemaHostileTest, CatastrophicPatternDoesNotHang) {
  Schema schema = MustCompile(R"({"pattern": "^(a|aa)+$"})");
  EXPECT_FALSE(schema.IsValid(bj::value(std::string(5000, 'a') + "b")));
}

}  // namespace
}  // namespace qlrf::json_schema
