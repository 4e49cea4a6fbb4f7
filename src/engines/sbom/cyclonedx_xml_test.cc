// CycloneDX XML: each XML document of testdata/cyclonedx-xml is the XML form of a JSON example of
// ../shared/conformance (same name, .json; written by make_twins.py, the valid ones checked against
// the official XSDs) and must read to the same Document — components, dependencies, findings, VEX
// statements and document fields — or, for invalid-*, be refused as its JSON twin is.
// QLRF_CDX_XML_DIR=<dir with 1.4/ 1.5/ ...> checks another set of XML twins (the CycloneDX
// specification's own XML examples, not copied into this repository): valid ones read, invalid
// ones are refused. Then the XML-only rules: namespaces, hostile input, error locations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "common/json.h"
#include "engines/sbom/cyclonedx_xml_writer.h"
#include "engines/sbom/sbom.h"
#include "testing/files.h"

namespace qlrf::sbom {

// Readable failure output.
void PrintTo(const Component& c, std::ostream* os) {
  *os << "{ref=" << c.ref << " name=" << c.name << " version=" << c.version << " purl=" << c.purl
      << " type=" << c.type << " ecosystem=" << c.ecosystem << " supplier=" << c.supplier
      << " licenses=[";
  for (const auto& l : c.licenses) {
    *os << l << ";";
  }
  *os << "] hashes=[";
  for (const auto& h : c.hashes) {
    *os << h.algorithm << ":" << h.value << ";";
  }
  *os << "]}";
}

void PrintTo(const Finding& f, std::ostream* os) {
  *os << "{id=" << f.id << " ref=" << f.component_ref << " pkg=" << f.package_name << "@"
      << f.installed_version << " severity=" << SeverityName(f.severity)
      << " cvss=" << f.cvss_score.value_or(-1) << " vector=" << f.cvss_vector
      << " source=" << f.data_source << " title=" << f.title.substr(0, 40)
      << " published=" << f.published << " cwes=" << f.cwes.size()
      << " aliases=" << f.aliases.size() << " description=" << f.description.substr(0, 40) << "}";
}

namespace {

namespace fs = std::filesystem;

using ::qlrf::testing::ReadFile;

const fs::path& SpecDir() {
  static const fs::path kDir = fs::path(QLRF_CONFORMANCE_DIR) / "sbom" / "cyclonedx-spec-tests";
  return kDir;
}

// The JSON twin of an XML example: same version folder and name.
fs::path JsonTwin(const fs::path& xml) {
  std::string name = xml.stem().string() + ".json";
  std::string version = xml.parent_path().filename().string();
  if (fs::exists(SpecDir() / version / name)) {
    return SpecDir() / version / name;
  }
  return {};
}

void ExpectSameDocument(const Document& x, const Document& j, const std::string& what) {
  EXPECT_EQ(x.format, Format::kCycloneDx) << what;
  EXPECT_EQ(x.spec_version, j.spec_version) << what;
  EXPECT_EQ(x.serial_number, j.serial_number) << what;
  EXPECT_EQ(x.tool, j.tool) << what;
  EXPECT_EQ(x.subject, j.subject) << what;
  EXPECT_EQ(x.created, j.created) << what;
  ASSERT_EQ(x.components.size(), j.components.size()) << what;
  for (size_t i = 0; i < x.components.size(); ++i) {
    EXPECT_EQ(x.components[i], j.components[i])
        << what << " component " << i << " (" << j.components[i].name << ")";
  }
  EXPECT_EQ(x.dependencies, j.dependencies) << what;
  ASSERT_EQ(x.findings.size(), j.findings.size()) << what;
  for (size_t i = 0; i < x.findings.size(); ++i) {
    EXPECT_EQ(x.findings[i], j.findings[i]) << what << " finding " << i;
  }
  EXPECT_EQ(x.vex, j.vex) << what;
}

bool SameDocument(const Document& x, const Document& j) {
  return x.spec_version == j.spec_version && x.serial_number == j.serial_number &&
         x.tool == j.tool && x.subject == j.subject && x.created == j.created &&
         x.components == j.components && x.dependencies == j.dependencies &&
         x.findings == j.findings && x.vex == j.vex;
}

struct Tally {
  int valid = 0;
  int invalid = 0;
  int without_twin = 0;
  int same = 0;          // valid documents that read exactly as their JSON twin
  int json_accepts = 0;  // invalid examples the JSON reader accepts (so nothing to compare)
};

// The rule an error names: its message without the format prefix, the location and the
// position (which differ between a JSON pointer and an XML location by nature).
// The same rule worded for each encoding: a JSON licence-choice item holding both a licence and
// an expression is, in XML, a <licenses> mixing the two.
std::string Rule(const Error& e) {
  std::string m = e.message;
  constexpr std::string_view kPrefix = "cyclonedx: ";
  if (m.starts_with(kPrefix)) {
    m.erase(0, kPrefix.size());
  }
  for (std::string_view cut : {" (line ", " at /", " (byte "}) {
    if (auto at = m.find(cut); at != std::string::npos) {
      m.resize(at);
    }
  }
  constexpr std::string_view kXmlLicences =
      "a licence expression must be the only item of <licenses>";
  if (m.starts_with(kXmlLicences)) {
    m = "a licence choice item has either \"license\" or \"expression\"";
  }
  return m;
}

// Checks every *.xml under `root`/<version>/ against its JSON twin: valid ones read (and, when
// `exact`, read the same as the twin), invalid ones are refused when the twin is.
Tally CheckTwins(const fs::path& root, bool exact) {
  Tally tally;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() == ".xml") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& xml_path : files) {
    std::string name = xml_path.filename().string();
    fs::path json_path = JsonTwin(xml_path);
    if (json_path.empty()) {
      ++tally.without_twin;
      continue;
    }
    auto json = Parse(ReadFile(json_path));
    auto xml = Parse(ReadFile(xml_path));
    if (name.starts_with("invalid-")) {
      ++tally.invalid;
      if (json.has_value()) {
        ++tally.json_accepts;
        continue;
      }
      EXPECT_FALSE(xml.has_value()) << name << " was accepted; JSON twin: " << json.error().message;
      if (!xml.has_value()) {
        EXPECT_EQ(xml.error().Detail("format"), "cyclonedx") << name;
        EXPECT_FALSE(xml.error().Detail("field").empty()) << name;
        if (exact) {  // refused for the same rule
          EXPECT_EQ(Rule(xml.error()), Rule(json.error()))
              << name << "\n  xml:  " << xml.error().message
              << "\n  json: " << json.error().message;
        }
      }
      continue;
    }
    ++tally.valid;
    EXPECT_TRUE(xml.has_value()) << name << ": " << xml.error().message;
    if (!json.has_value() || !xml.has_value()) {
      continue;
    }
    if (exact) {
      ExpectSameDocument(*xml, *json, name);
    }
    tally.same += SameDocument(*xml, *json) ? 1 : 0;
  }
  return tally;
}

TEST(CycloneDxXmlTest, TwinsOfTheConformanceExamplesReadTheSame) {
  Tally t = CheckTwins(fs::path(QLRF_SOURCE_DIR) / "src/engines/sbom/testdata/cyclonedx-xml", true);
  EXPECT_EQ(t.without_twin, 0);
  EXPECT_EQ(t.json_accepts, 0);
  EXPECT_GE(t.valid, 70);
  EXPECT_GE(t.invalid, 60);
  std::printf("committed XML twins: %d valid, %d invalid\n", t.valid, t.invalid);
}

TEST(CycloneDxXmlTest, ExternalTwins) {
  const char* dir = std::getenv("QLRF_CDX_XML_DIR");
  if (dir == nullptr || *dir == '\0') {
    GTEST_SKIP() << "QLRF_CDX_XML_DIR not set";
  }
  // Not exact: the specification's XML examples differ from its JSON ones in places (other
  // names, timestamps, an extra component); the count of identical ones is printed.
  Tally t = CheckTwins(dir, false);
  std::printf(
      "external XML twins: %d valid (%d read exactly as their JSON twin), %d invalid, %d without "
      "a JSON twin\n",
      t.valid, t.same, t.invalid, t.without_twin);
  EXPECT_GT(t.valid, 0);
}

constexpr std::string_view kBom15 =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\" version=\"1\">\n"
    "  <components>\n"
    "    <component type=\"library\" bom-ref=\"a\"><name>a</name><version>1</version></component>\n"
    "    <component type=\"library\" bom-ref=\"b\">\n"
    "      <name>b</name>\n"
    "      <hashes><hash alg=\"SHA-1\">0123</hash></hashes>\n"
    "    </component>\n"
    "  </components>\n"
    "</bom>\n";

TEST(CycloneDxXmlTest, ErrorsNameTheElementAndLine) {
  auto r = Parse(kBom15);
  ASSERT_FALSE(r.has_value());
  const Error& e = r.error();
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(e.Detail("format"), "cyclonedx");
  EXPECT_EQ(e.Detail("field"), "/bom/components[1]/component[2]/hashes[1]/hash[1]");
  EXPECT_NE(e.message.find("hash content must be"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("line 7"), std::string::npos) << e.message;

  ParseOptions lax;
  lax.strict = false;
  auto kept = Parse(kBom15, std::nullopt, lax);
  ASSERT_TRUE(kept.has_value()) << kept.error().message;
  ASSERT_EQ(kept->components.size(), 2u);
  EXPECT_EQ(kept->components[1].hashes[0].value, "0123");
}

TEST(CycloneDxXmlTest, DetectsXmlAndRefusesOtherXml) {
  EXPECT_EQ(DetectFormat(kBom15).value(), Format::kCycloneDx);
  EXPECT_EQ(
      DetectFormat("\xEF\xBB\xBF  \n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"/>").value(),
      Format::kCycloneDx);
  auto other = DetectFormat("<?xml version=\"1.0\"?><RDF xmlns=\"urn:rdf\"/>");
  ASSERT_FALSE(other.has_value());
  EXPECT_NE(other.error().message.find("not a CycloneDX BOM"), std::string::npos);
  auto broken = DetectFormat("<?xml version=\"1.0\"?><rdf:RDF/>");  // unbound prefix
  ASSERT_FALSE(broken.has_value());
  EXPECT_NE(broken.error().message.find("cannot be read up to its root element"), std::string::npos)
      << broken.error().message;

  auto rdf = Parse("<?xml version=\"1.0\"?><spdx xmlns=\"http://spdx.org/rdf/terms#\"/>");
  ASSERT_FALSE(rdf.has_value());
  EXPECT_NE(rdf.error().message.find("not a CycloneDX BOM"), std::string::npos)
      << rdf.error().message;
  EXPECT_EQ(rdf.error().Detail("format"), "unknown");  // as for JSON of no known format
  EXPECT_EQ(rdf.error().Detail("field"), "format");

  // Detection reads the root element, wherever it is and whatever the encoding.
  std::string far = "<?xml version=\"1.0\"?>\n<!--" + std::string(6000, '-').replace(0, 1, " ") +
                    " -->\n" + std::string(kBom15.substr(kBom15.find("<bom")));
  far.replace(far.find("<!--") + 4, 6000, std::string(6000, 'x'));
  EXPECT_EQ(DetectFormat(far).value(), Format::kCycloneDx);
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"/>")) {
    utf16 += c;
    utf16 += '\0';
  }
  EXPECT_EQ(DetectFormat(utf16).value(), Format::kCycloneDx);
  EXPECT_TRUE(Parse(utf16).has_value());
  auto as_trivy = Parse(kBom15, Format::kTrivy);
  ASSERT_FALSE(as_trivy.has_value());
  EXPECT_NE(as_trivy.error().message.find("this is XML"), std::string::npos);
}

TEST(CycloneDxXmlTest, NamespaceDecidesTheVersion) {
  auto v16 = Parse(
      "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><components><component "
      "type=\"library\"><name>x</name><purl>pkg:NPM/x@1</purl></component></components></bom>");
  ASSERT_TRUE(v16.has_value()) << v16.error().message;
  EXPECT_EQ(v16->spec_version, "1.6");
  ASSERT_EQ(v16->components.size(), 1u);
  EXPECT_EQ(v16->components[0].purl, "pkg:npm/x@1");
  EXPECT_EQ(v16->components[0].ecosystem, "npm");
  EXPECT_EQ(v16->components[0].ref, "#0");

  for (std::string_view ns : {"http://cyclonedx.org/schema/bom/1.1",
                              "http://cyclonedx.org/schema/bom/2.0", "urn:other"}) {
    auto r = Parse("<bom xmlns=\"" + std::string(ns) + "\"/>", Format::kCycloneDx);
    ASSERT_FALSE(r.has_value()) << ns;
    EXPECT_EQ(r.error().Detail("field"), "/bom") << ns;
  }
  // Elements of other namespaces (extensions) are skipped, as the schema allows.
  auto ext = Parse(
      "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\" xmlns:x=\"urn:x\"><x:components>"
      "<component/></x:components><components><component type=\"library\"><name>n</name>"
      "<x:name>ignored</x:name></component></components></bom>");
  ASSERT_TRUE(ext.has_value()) << ext.error().message;
  ASSERT_EQ(ext->components.size(), 1u);
  EXPECT_EQ(ext->components[0].name, "n");
}

TEST(CycloneDxXmlTest, ScoresAreFiniteDecimalsAndErrorsNameTheRating) {
  auto with_score = [](std::string_view score) {
    return "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"><components><component "
           "type=\"library\" bom-ref=\"c\"><name>c</name></component></components>"
           "<vulnerabilities><vulnerability><id>CVE-1</id><ratings><rating><score>5.0</score>"
           "</rating><rating><score>" +
           std::string(score) +
           "</score></rating></ratings><affects><target><ref>c</ref></target></affects>"
           "</vulnerability></vulnerabilities></bom>";
  };
  auto ok = Parse(with_score("7.5"));
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  ASSERT_EQ(ok->findings.size(), 1u);
  EXPECT_EQ(ok->findings[0].cvss_score, 5.0);  // no method: the first scored rating
  for (std::string_view bad : {"1e999", "inf", "nan", "0x1p3", "7,5", ""}) {
    auto r = Parse(with_score(bad));
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().Detail("field"),
              "/bom/vulnerabilities[1]/vulnerability[1]/ratings[1]/rating[2]/score[1]")
        << bad;
  }
}

TEST(CycloneDxXmlTest, ServiceDataFlowsOfBothShapesAreChecked) {
  auto with_flow = [](std::string_view data) {
    return "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"><services><service><name>s</name>"
           "<data>" +
           std::string(data) + "</data></service></services></bom>";
  };
  EXPECT_TRUE(Parse(with_flow("<classification flow=\"inbound\">PII</classification>")));
  EXPECT_TRUE(Parse(with_flow(
      "<dataflow name=\"x\"><classification flow=\"outbound\">PII</classification></dataflow>")));
  EXPECT_FALSE(Parse(with_flow("<classification flow=\"sideways\">PII</classification>")));
  auto nested =
      Parse(with_flow("<dataflow><classification flow=\"foo\">PII</classification></dataflow>"));
  ASSERT_FALSE(nested.has_value());
  EXPECT_NE(nested.error().message.find("data flow must be"), std::string::npos);
}

// The strict rules the XML reader checks on structures of its own (pedigree, services,
// citations, properties, swid, versionRange), each broken once next to its valid form.
TEST(CycloneDxXmlTest, StrictRulesOfTheXmlOnlyPaths) {
  struct Case {
    std::string_view version;
    std::string_view body;
    std::string_view refusal;  // "" when valid
  };
  const Case cases[] = {
      {"1.5", R"(<components><component type="library"><name>a</name><pedigree><patches>
         <patch type="backport"><resolves><issue type="security"/></resolves></patch>
         </patches></pedigree></component></components>)",
       ""},
      {"1.5", R"(<components><component type="library"><name>a</name><pedigree><patches>
         <patch type="sideways"/></patches></pedigree></component></components>)",
       "patch type must be"},
      {"1.5", R"(<components><component type="library"><name>a</name><pedigree><patches>
         <patch type="backport"><resolves><issue type="wish"/></resolves></patch></patches>
         </pedigree></component></components>)",
       "issue type must be"},
      {"1.5", R"(<components><component type="library"><name>a</name>
         <swid tagId="t" name="n"/></component></components>)",
       ""},
      {"1.5", R"(<components><component type="library"><name>a</name><swid tagId="t"/>
         </component></components>)",
       "swid needs tagId and name"},
      {"1.5", R"(<services><service bom-ref="s1"><name>api</name><services>
         <service><name>inner</name></service></services></service></services>)",
       ""},
      {"1.5", R"(<services><service><name>api</name><services><service/></services>
         </service></services>)",
       "service without \"name\""},
      {"1.5", R"(<components><component type="library" bom-ref="x"><name>a</name></component>
         </components><services><service bom-ref="x"><name>s</name></service></services>)",
       "duplicate bom-ref"},
      {"1.7", R"(<citations><citation><pointers><pointer>/components/0</pointer></pointers>
         <timestamp>2025-01-01T00:00:00Z</timestamp><attributedTo>p</attributedTo></citation>
         </citations>)",
       ""},
      {"1.7", R"(<citations><citation><pointers><pointer>/x</pointer></pointers>
         <timestamp>2025-01-01T00:00:00Z</timestamp></citation></citations>)",
       "a citation needs attributedTo or process"},
      {"1.6", R"(<metadata><properties><property name="k">v</property></properties></metadata>)",
       ""},
      {"1.6", R"(<metadata><properties><property>v</property></properties></metadata>)",
       "a property has a name"},
      {"1.5", R"(<metadata><properties><property>v</property></properties></metadata>)", ""},
      {"1.6", R"(<metadata><distribution>open</distribution></metadata>)",
       "unknown metadata property"},
      {"1.7", R"(<components><component type="library" isExternal="true"><name>a</name>
         <versionRange>vers:npm/&gt;1.0</versionRange></component></components>)",
       ""},
      {"1.7", R"(<components><component type="library"><name>a</name>
         <versionRange>vers:npm/&gt;1.0</versionRange></component></components>)",
       "versionRange is only allowed on external components"},
  };
  for (const Case& c : cases) {
    std::string doc = "<bom xmlns=\"http://cyclonedx.org/schema/bom/" + std::string(c.version) +
                      "\">" + std::string(c.body) + "</bom>";
    auto r = Parse(doc);
    if (c.refusal.empty()) {
      EXPECT_TRUE(r.has_value()) << doc << "\n" << r.error().message;
      continue;
    }
    ASSERT_FALSE(r.has_value()) << doc;
    EXPECT_NE(r.error().message.find(c.refusal), std::string::npos) << r.error().message;
    ParseOptions lax;
    lax.strict = false;
    EXPECT_TRUE(Parse(doc, std::nullopt, lax).has_value()) << doc;  // lax mode reads it
  }
}

TEST(CycloneDxXmlTest, VexAnalysisBecomesStatements) {
  auto r = Parse(R"(<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>
    <component type="library" bom-ref="pkg:npm/a@1"><name>a</name><version>1</version>
    <purl>pkg:npm/a@1</purl></component></components><vulnerabilities>
    <vulnerability><id>CVE-2024-1</id><ratings><rating><score>9.8</score>
    <severity>critical</severity><method>CVSSv31</method></rating></ratings>
    <analysis><state>not_affected</state><justification>code_not_reachable</justification>
    <responses><response>will_not_fix</response><response>update</response></responses>
    <detail>not called</detail><lastUpdated>2024-02-01T00:00:00Z</lastUpdated></analysis>
    <affects><target><ref>pkg:npm/a@1</ref></target></affects></vulnerability>
    </vulnerabilities></bom>)");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->findings.size(), 1u);
  EXPECT_EQ(r->findings[0].severity, Severity::kCritical);
  EXPECT_EQ(r->findings[0].package_name, "a");
  ASSERT_EQ(r->vex.size(), 1u);
  const VexStatement& v = r->vex[0];
  EXPECT_EQ(v.status, VexStatus::kNotAffected);
  EXPECT_EQ(v.justification, "code_not_reachable");
  EXPECT_EQ(v.action, "will_not_fix, update");
  EXPECT_EQ(v.detail, "not called");
  EXPECT_EQ(v.timestamp, "2024-02-01T00:00:00Z");
  EXPECT_EQ(v.purl, "pkg:npm/a@1");
}

TEST(CycloneDxXmlTest, HostileAndBrokenInputIsRefused) {
  auto truncated = Parse(kBom15.substr(0, kBom15.size() / 2));
  ASSERT_FALSE(truncated.has_value());
  EXPECT_NE(truncated.error().message.find("no element found"), std::string::npos)
      << truncated.error().message;
  EXPECT_FALSE(truncated.error().Detail("offset").empty());

  auto laughs = Parse(
      "<?xml version=\"1.0\"?><!DOCTYPE bom [<!ENTITY a \"aaaaaaaa\"><!ENTITY b "
      "\"&a;&a;&a;&a;&a;&a;&a;&a;\">]><bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\">"
      "<components><component type=\"library\"><name>&b;</name></component></components></bom>");
  ASSERT_FALSE(laughs.has_value());
  EXPECT_NE(laughs.error().message.find("DOCTYPE"), std::string::npos);

  auto dup = Parse(
      "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\"><components>"
      "<component type=\"library\" bom-ref=\"r\"><name>a</name></component>"
      "<component type=\"library\" bom-ref=\"r\"><name>b</name></component></components></bom>");
  ASSERT_FALSE(dup.has_value());
  EXPECT_NE(dup.error().message.find("duplicate bom-ref"), std::string::npos);
  EXPECT_EQ(dup.error().Detail("field"), "/bom/components[1]/component[2]");
}

TEST(CycloneDxXmlWriter, WritesWhatTheReaderReadsBack) {
  std::string json = R"J({"bomFormat":"CycloneDX","specVersion":"1.6",
    "serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79","version":3,
    "metadata":{"timestamp":"2026-11-23T10:00:00Z",
      "tools":{"components":[{"type":"application","name":"qlrf"}]},
      "component":{"type":"operating-system","bom-ref":"image:1","name":"ubuntu & <friends>",
        "version":"22.04"}},
    "components":[
      {"type":"library","bom-ref":"a\"1","name":"openssl","version":"3.0.2",
       "purl":"pkg:deb/ubuntu/openssl@3.0.2?arch=amd64&distro=jammy",
       "supplier":{"name":"Ubuntu <devel>"},
       "hashes":[{"alg":"SHA-256",
         "content":"f498a8ff2dd007e29c2074f5e4b01a9a01775c3ff3aeaf6906ea503bc5791b7b"}],
       "licenses":[{"license":{"name":"OpenSSL License"}},{"license":{"id":"Apache-2.0"}}],
       "components":[{"type":"library","bom-ref":"b","name":"libssl3","version":"3.0.2"}]},
      {"type":"library","bom-ref":"c","name":"zlib",
       "licenses":[{"expression":"Zlib OR (MIT AND BSD-3-Clause)"}]}],
    "dependencies":[{"ref":"a\"1","dependsOn":["b","c"]},{"ref":"c"}]})J";
  auto bom = json::Parse(json);
  ASSERT_TRUE(bom.has_value());
  auto xml = CycloneDxJsonToXml(bom->as_object());
  ASSERT_TRUE(xml.has_value()) << xml.error().message;
  auto from_xml = Parse(*xml);
  auto from_json = Parse(json);
  ASSERT_TRUE(from_xml.has_value()) << from_xml.error().message << "\n" << *xml;
  ASSERT_TRUE(from_json.has_value()) << from_json.error().message;
  ExpectSameDocument(*from_xml, *from_json, "writer round trip");
  EXPECT_EQ(from_xml->components.size(), 3u);
  EXPECT_EQ(from_xml->subject, "ubuntu & <friends>");
  EXPECT_NE(xml->find("xmlns=\"http://cyclonedx.org/schema/bom/1.6\""), std::string::npos);
  EXPECT_NE(xml->find("version=\"3\""), std::string::npos);
}

TEST(CycloneDxXmlWriter, RefusesWhatItCannotWrite) {
  auto bom = json::Parse(R"({"bomFormat":"CycloneDX","specVersion":"1.6",
    "components":[{"type":"library","name":"x","externalReferences":[]}]})");
  ASSERT_TRUE(bom.has_value());
  auto xml = CycloneDxJsonToXml(bom->as_object());
  ASSERT_FALSE(xml.has_value());
  EXPECT_EQ(xml.error().Detail("field"), "component.externalReferences");
  auto no_version = json::Parse(R"({"bomFormat":"CycloneDX"})");
  EXPECT_FALSE(CycloneDxJsonToXml(no_version->as_object()).has_value());
  auto mistyped = json::Parse(R"({"bomFormat":"CycloneDX","specVersion":"1.6","components":{}})");
  EXPECT_FALSE(CycloneDxJsonToXml(mistyped->as_object()).has_value());
}

}  // namespace
}  // namespace qlrf::sbom
