#include "common/xml/xml.h"

#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace qlrf::xml {
namespace {

// Records what the reader does; `decide` picks the action per element (default: collect at
// depth 1, descend above).
class Recorder final : public Visitor {
 public:
  std::function<Result<Action>(const Element&, std::string_view)> decide;
  std::vector<std::string> starts;  // "path name"
  std::vector<Element> collected;
  std::vector<std::string> collected_ns;  // Element::ns is valid during the parse only
  std::vector<std::string> collected_paths;
  std::vector<std::string> ends;

  Result<Action> Start(const Element& e, std::string_view path) override {
    starts.push_back(std::string(path) + " " + e.name);
    if (decide) {
      return decide(e, path);
    }
    return path.empty() ? Action::kDescend : Action::kCollect;
  }
  Status Collected(Element&& e, std::string_view path) override {
    collected_paths.emplace_back(path);
    collected_ns.emplace_back(e.ns);
    collected.push_back(std::move(e));
    return Ok();
  }
  Status End(const Element& e, std::string_view path) override {
    ends.push_back(std::string(path) + " " + e.name);
    return Ok();
  }
};

TEST(XmlTest, CollectsSubtreesWithAttributesTextAndPositions) {
  Recorder r;
  std::string doc =
      "<?xml version=\"1.0\"?>\n"
      "<list>\n"
      "  <item id=\"a\" kind='x'>\n"
      "    <name> first </name><tag>1</tag><tag>2</tag>\n"
      "  </item>\n"
      "  <item id=\"b\"><name>second &amp; &#x41;&lt;</name></item>\n"
      "</list>\n";
  ASSERT_TRUE(Parse(doc, r).has_value());
  ASSERT_EQ(r.collected.size(), 2u);
  const Element& a = r.collected[0];
  EXPECT_EQ(a.name, "item");
  EXPECT_EQ(*a.Attribute("id"), "a");
  EXPECT_EQ(*a.Attribute("kind"), "x");
  EXPECT_EQ(a.Attribute("missing"), nullptr);
  EXPECT_EQ(a.ChildText("name"), "first");
  EXPECT_EQ(a.Child("name")->text, " first ");
  ASSERT_EQ(a.children.size(), 3u);
  EXPECT_EQ(a.children[1].Step(), "tag[1]");
  EXPECT_EQ(a.children[2].Step(), "tag[2]");
  EXPECT_EQ(a.line, 3);
  EXPECT_EQ(a.column, 3);
  EXPECT_EQ(a.offset, static_cast<int64_t>(doc.find("<item id=\"a\"")));
  EXPECT_EQ(r.collected[1].Step(), "item[2]");
  EXPECT_EQ(r.collected[1].ChildText("name"), "second & A<");
  EXPECT_EQ(r.collected_paths, (std::vector<std::string>{"/list", "/list"}));
  EXPECT_EQ(r.ends, (std::vector<std::string>{" list"}));
}

TEST(XmlTest, DescendSkipAndPaths) {
  Recorder r;
  r.decide = [](const Element& e, std::string_view) -> Result<Action> {
    if (e.name == "skip") {
      return Action::kSkip;
    }
    return e.name == "leaf" ? Action::kCollect : Action::kDescend;
  };
  ASSERT_TRUE(Parse("<r><g><leaf/><leaf>x</leaf></g><skip><leaf/><deep><leaf/></deep></skip>"
                    "<g><leaf n='3'/></g></r>",
                    r)
                  .has_value());
  EXPECT_EQ(r.starts, (std::vector<std::string>{" r", "/r g", "/r/g[1] leaf", "/r/g[1] leaf",
                                                "/r skip", "/r g", "/r/g[2] leaf"}));
  ASSERT_EQ(r.collected.size(), 3u);
  EXPECT_EQ(r.collected[1].text, "x");
  EXPECT_EQ(r.collected_paths.back(), "/r/g[2]");
  EXPECT_EQ(r.ends, (std::vector<std::string>{"/r g", "/r g", " r"}));
}

TEST(XmlTest, ResolvesNamespaces) {
  Recorder r;
  ASSERT_TRUE(Parse("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\" xmlns:e=\"urn:ext\">"
                    "<e:thing e:a=\"1\" b=\"2\"/><component/></bom>",
                    r)
                  .has_value());
  ASSERT_EQ(r.collected.size(), 2u);
  EXPECT_EQ(r.collected_ns[0], "urn:ext");
  EXPECT_EQ(r.collected[0].name, "thing");
  EXPECT_EQ(*r.collected[0].Attribute("urn:ext a"), "1");
  EXPECT_EQ(*r.collected[0].Attribute("b"), "2");
  EXPECT_EQ(r.collected_ns[1], "http://cyclonedx.org/schema/bom/1.5");
}

TEST(XmlTest, DecodesOtherEncodingsToUtf8) {
  Recorder r;
  ASSERT_TRUE(
      Parse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r><n>caf\xE9</n></r>", r).has_value());
  ASSERT_EQ(r.collected.size(), 1u);
  EXPECT_EQ(r.collected[0].text, "caf\xC3\xA9");

  Recorder r16;
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("<r><n>ok</n></r>")) {
    utf16 += c;
    utf16 += '\0';
  }
  ASSERT_TRUE(Parse(utf16, r16).has_value());
  ASSERT_EQ(r16.collected.size(), 1u);
  EXPECT_EQ(r16.collected[0].text, "ok");
}

void ExpectError(std::string_view doc, std::string_view message_part, int64_t line) {
  Recorder r;
  Status s = Parse(doc, r);
  ASSERT_FALSE(s.has_value()) << doc;
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(s.error().message.find(message_part), std::string::npos) << s.error().message;
  EXPECT_EQ(s.error().Detail("line"), std::to_string(line)) << s.error().message;
  EXPECT_FALSE(s.error().Detail("column").empty());
  EXPECT_FALSE(s.error().Detail("offset").empty());
}

TEST(XmlTest, MalformedInputIsAnErrorNamingWhere) {
  ExpectError("<r>\n<a></b>\n</r>", "mismatched tag", 2);
  ExpectError("<r>\n<a>text", "no element found", 2);
  ExpectError("", "no element found", 1);
  ExpectError("   ", "no element found", 1);
  ExpectError("{\"json\": true}", "not well-formed", 1);
  ExpectError("<r a=\"1\" a=\"2\"/>", "duplicate attribute", 1);
  ExpectError("<r>&undefined;</r>", "undefined entity", 1);
  ExpectError("<r/><second/>", "junk after document element", 1);
  ExpectError("<p:r/>", "unbound prefix", 1);
  // Bytes that are not valid in the declared (default UTF-8) encoding.
  ExpectError("<r>\xC3\x28</r>", "not well-formed", 1);
}

TEST(XmlTest, ErrorsInsideAStreamNameTheLocation) {
  Recorder r;
  r.decide = [](const Element&, std::string_view) -> Result<Action> { return Action::kDescend; };
  Status s = Parse("<r><a/><a><b></c></a></r>", r);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().Detail("field"), "/r/a[2]/b[1]");
}

TEST(XmlTest, RefusesDoctypesAndEntityExpansion) {
  // Billion laughs: refused at the DOCTYPE, before any entity is defined.
  std::string laughs =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
      " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n]>\n"
      "<lolz>&lol2;</lolz>";
  ExpectError(laughs, "DOCTYPE declarations are not accepted", 2);
  ExpectError("<!DOCTYPE r SYSTEM \"file:///etc/passwd\"><r/>", "DOCTYPE", 1);
  ExpectError("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"http://x/\">]><r>&x;</r>",
              "DOCTYPE", 1);
}

TEST(XmlTest, RefusesDeepNesting) {
  std::string deep;
  for (int i = 0; i < 300; ++i) {
    deep += "<a>";
  }
  Recorder r;
  r.decide = [](const Element&, std::string_view) -> Result<Action> { return Action::kDescend; };
  Status s = Parse(deep, r);
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("nested more than 256 deep"), std::string::npos);

  // Inside a collected subtree the same limit holds.
  Recorder c;
  Options small;
  small.max_depth = 8;
  Status s2 =
      Parse("<a><b><c><d><e><f><g><h><i><j/></i></h></g></f></e></d></c></b></a>", c, small);
  ASSERT_FALSE(s2.has_value());
  EXPECT_NE(s2.error().message.find("nested more than 8 deep"), std::string::npos);
}

TEST(XmlTest, AVisitorErrorStopsTheParseAndGainsAPosition) {
  Recorder r;
  r.decide = [](const Element& e, std::string_view path) -> Result<Action> {
    if (e.name == "bad") {
      return Fail(InvalidArgument("no bad elements").With("field", "/r/bad"));
    }
    return path.empty() ? Action::kDescend : Action::kCollect;
  };
  Status s = Parse("<r>\n<ok/>\n<bad/>\n<ok/>\n</r>", r);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message, "no bad elements");
  EXPECT_EQ(s.error().Detail("field"), "/r/bad");
  EXPECT_EQ(s.error().Detail("line"), "3");
  EXPECT_EQ(r.collected.size(), 1u);  // nothing after the failure
}

TEST(XmlTest, StreamsManyItemsOneAtATime) {
  std::string doc = "<list>";
  for (int i = 0; i < 20000; ++i) {
    doc += "<item n=\"" + std::to_string(i) + "\"><v>" + std::to_string(i * 2) + "</v></item>";
  }
  doc += "</list>";
  struct Counter final : Visitor {
    int64_t sum = 0;
    size_t count = 0;
    Result<Action> Start(const Element&, std::string_view path) override {
      return path.empty() ? Action::kDescend : Action::kCollect;
    }
    Status Collected(Element&& e, std::string_view) override {
      ++count;
      sum += std::stoll(std::string(e.ChildText("v")));
      EXPECT_EQ(e.index, count);
      return Ok();
    }
  } counter;
  ASSERT_TRUE(Parse(doc, counter).has_value());
  EXPECT_EQ(counter.count, 20000u);
  EXPECT_EQ(counter.sum, 2 * (19999LL * 20000 / 2));
}

TEST(XmlTest, ASubtreeOverItsBudgetIsRefused) {
  std::string doc = "<r><big>";
  for (int i = 0; i < 5000; ++i) {
    doc += "<a x=\"0123456789\">text</a>";
  }
  doc += "</big><small/></r>";
  Recorder r;
  Options tight;
  tight.max_subtree_bytes = 100000;
  Status s = Parse(doc, r, tight);
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("holds more than"), std::string::npos) << s.error().message;
  EXPECT_TRUE(r.collected.empty());
  Recorder roomy;
  ASSERT_TRUE(Parse(doc, roomy).has_value());  // the default budget holds it
  EXPECT_EQ(roomy.collected.size(), 2u);
}

TEST(XmlTest, DepthIsLimitedInsideSkippedElementsToo) {
  std::string deep = "<r><skip>";
  for (int i = 0; i < 1000; ++i) deep += "<a>";
  for (int i = 0; i < 1000; ++i) deep += "</a>";
  deep += "</skip></r>";
  Recorder r;
  r.decide = [](const Element& e, std::string_view) -> Result<Action> {
    return e.name == "skip" ? Action::kSkip : Action::kDescend;
  };
  Status s = Parse(deep, r);
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("nested more than 256 deep"), std::string::npos);
}

TEST(XmlTest, ManyDistinctChildNamesStayLinear) {
  // 50,000 differently named children: counted in a hash map past the first few names (a list
  // search per child made this quadratic: seconds at this size, minutes at a few MB).
  std::string doc = "<r><c>";
  for (int i = 0; i < 50000; ++i) doc += "<n" + std::to_string(i) + "/>";
  doc += "<n7/></c></r>";
  Recorder r;
  ASSERT_TRUE(Parse(doc, r).has_value());
  ASSERT_EQ(r.collected.size(), 1u);
  ASSERT_EQ(r.collected[0].children.size(), 50001u);
  EXPECT_EQ(r.collected[0].children.back().Step(), "n7[2]");
}

TEST(XmlTest, MalformedXmlInsideACollectedSubtreeNamesTheInnerElement) {
  Recorder r;
  Status s = Parse(
      "<bom><components><component/><component><hashes><hash></x></hashes>"
      "</component></components></bom>",
      r);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().Detail("field"), "/bom/components[1]/component[2]/hashes[1]/hash[1]");
}

TEST(XmlTest, AVisitorsExceptionLeavesParseWithoutCrossingExpat) {
  struct Thrower final : Visitor {
    Result<Action> Start(const Element& e, std::string_view) override {
      if (e.name == "boom") throw std::runtime_error("visitor failed");
      return Action::kDescend;
    }
    Status Collected(Element&&, std::string_view) override { return Ok(); }
  } thrower;
  EXPECT_THROW((void)Parse("<r><ok/><boom/><ok/></r>", thrower), std::runtime_error);
}

TEST(XmlTest, ChildLooksInTheElementsOwnNamespace) {
  Recorder r;
  ASSERT_TRUE(Parse("<r xmlns=\"urn:a\" xmlns:x=\"urn:x\"><item><x:name>ext</x:name>"
                    "<name>own</name></item></r>",
                    r)
                  .has_value());
  ASSERT_EQ(r.collected.size(), 1u);
  EXPECT_EQ(r.collected[0].ChildText("name"), "own");
}

TEST(XmlTest, RootReadsOnlyTheFirstStartTag) {
  auto root = Root("<?xml version=\"1.0\"?>\n<!-- a comment -->\n<bom xmlns=\"urn:b\"><unclosed>");
  ASSERT_TRUE(root.has_value()) << root.error().message;
  EXPECT_EQ(root->ns, "urn:b");
  EXPECT_EQ(root->name, "bom");
  EXPECT_FALSE(Root("not xml").has_value());
  EXPECT_FALSE(Root("").has_value());
}

}  // namespace
}  // namespace qlrf::xml
