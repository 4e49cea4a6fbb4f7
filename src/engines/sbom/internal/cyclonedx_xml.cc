// CycloneDX XML 1.2-1.7 (BOMs and VEX), read as a stream: each top-level component, dependency
// and vulnerability is built as a small tree (xml::Parse collects it), turned into the same
// Document the JSON reader makes, and dropped. Strict mode checks the rules the JSON reader checks
// where the XML schema has them too (enumerations, hash and serial-number patterns, licence
// choice, required names and types, unique bom-refs).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/purl/purl.h"
#include "common/xml/xml.h"
#include "engines/sbom/internal/cyclonedx_rules.h"
#include "engines/sbom/internal/formats.h"
#include "engines/sbom/internal/spdx_license_ids.h"

namespace qlrf::sbom::internal {
namespace {

constexpr std::string_view kNamespacePrefix = "http://cyclonedx.org/schema/bom/";

class XmlWalker final : public xml::Visitor {
 public:
  XmlWalker(const ParseOptions& options, Document& doc) : strict_(options.strict), doc_(doc) {}

  Result<xml::Action> Start(const xml::Element& e, std::string_view path) override {
    xml::Action action = xml::Action::kSkip;
    if (!Run(path, [&] { action = Enter(e, path); })) {
      return Fail(Stopped());
    }
    return action;
  }

  Status Collected(xml::Element&& e, std::string_view path) override {
    if (!Run(path, [&] { Read(e); })) {
      return Fail(Stopped());
    }
    return Ok();
  }

  Status End(const xml::Element&, std::string_view path) override {
    if (path.empty()) {
      FinishCycloneDx(doc_);
    } else {
      container_.clear();
    }
    return Ok();
  }

  // The failure that stopped the parse, if a rule of this walker stopped it.
  std::optional<ParseFailure> TakeFailure() { return std::move(failure_); }

 private:
  // Runs `body`; a ParseFailure is kept (it must not unwind through expat) and stops the parse.
  template <class F>
  bool Run(std::string_view path, F&& body) {
    base_ = path;
    steps_.clear();
    try {
      body();
      return true;
    } catch (ParseFailure& failure) {
      failure_ = std::move(failure);
      return false;
    }
  }

  Error Stopped() const { return InvalidArgument(failure_->message); }

  // Keeps the location of the element being read, for errors.
  class At {
   public:
    At(XmlWalker& walker, const xml::Element& e) : walker_(walker) { walker_.steps_.push_back(&e); }
    ~At() { walker_.steps_.pop_back(); }
    At(const At&) = delete;
    At& operator=(const At&) = delete;

   private:
    XmlWalker& walker_;
  };

  [[noreturn]] void FailAt(const xml::Element& e, std::string message) const {
    std::string pointer(base_);
    for (const xml::Element* step : steps_) {
      pointer += '/';
      pointer += step->Step();
    }
    if (steps_.empty() || steps_.back() != &e) {
      pointer += '/';
      pointer += pointer.size() == 1 ? e.name : e.Step();  // the root has no index
    }
    throw ParseFailure{
        message + " (line " + std::to_string(e.line) + ", column " + std::to_string(e.column) + ")",
        std::move(pointer), e.offset};
  }

  void Check(const xml::Element& e, bool ok, std::string_view message) const {
    if (strict_ && !ok) {
      FailAt(e, std::string(message));
    }
  }

  // A rule of versions min..max only (the version is known from the root's namespace); the
  // message names the version, as the JSON reader's does.
  void CheckFor(const xml::Element& e, int min_minor, int max_minor, bool ok,
                std::string_view message) const {
    int minor = MinorVersion(doc_.spec_version);
    if (strict_ && !ok && minor >= min_minor && minor <= max_minor) {
      FailAt(e, std::string(message) + " (CycloneDX " + doc_.spec_version + ")");
    }
  }

  bool InBom(const xml::Element& e) const { return e.ns == ns_; }

  xml::Action Enter(const xml::Element& e, std::string_view path) {
    if (path.empty()) {
      Root(e);
      return xml::Action::kDescend;
    }
    if (!InBom(e)) {
      return xml::Action::kSkip;  // extension elements of other namespaces
    }
    if (container_.empty()) {  // a child of <bom>
      if (e.name == "metadata" || e.name == "services" || (e.name == "citations" && strict_)) {
        return xml::Action::kCollect;
      }
      if (e.name == "components" || e.name == "dependencies" || e.name == "vulnerabilities") {
        container_ = e.name;
        return xml::Action::kDescend;
      }
      return xml::Action::kSkip;
    }
    bool item = (container_ == "components" && e.name == "component") ||
                (container_ == "dependencies" && e.name == "dependency") ||
                (container_ == "vulnerabilities" && e.name == "vulnerability");
    return item ? xml::Action::kCollect : xml::Action::kSkip;
  }

  void Root(const xml::Element& e) {
    if (e.name != "bom" || !e.ns.starts_with(kNamespacePrefix)) {
      FailAt(e, "the root element is <" + std::string(CutUtf8(e.name, 64)) +
                    (e.ns.empty() ? "" : " xmlns=\"" + std::string(CutUtf8(e.ns, 128)) + "\"") +
                    ">, not a CycloneDX <bom xmlns=\"" + std::string(kNamespacePrefix) + "1.x\">");
    }
    doc_.spec_version = e.ns.substr(kNamespacePrefix.size());
    if (MinorVersion(doc_.spec_version) == 0) {
      FailAt(e, "CycloneDX " + std::string(CutUtf8(doc_.spec_version, 32)) +
                    " is not supported (CycloneDX 1.2 to 1.7)");
    }
    ns_ = e.ns;
    if (const std::string* serial = e.Attribute("serialNumber")) {
      Check(e, IsSerialNumber(*serial), "serialNumber must be a urn:uuid: with a RFC 4122 UUID");
      doc_.serial_number = *serial;
    }
    if (const std::string* version = e.Attribute("version")) {
      int64_t n = 0;
      auto [end, ec] = std::from_chars(version->data(), version->data() + version->size(), n);
      Check(e, ec == std::errc() && end == version->data() + version->size() && n >= 1,
            "version must be 1 or more");
    }
  }

  void Read(const xml::Element& e) {
    if (e.name == "metadata") {
      Metadata(e);
    } else if (e.name == "services") {
      At at(*this, e);
      for (const xml::Element& s : e.children) {
        Service(s);
      }
    } else if (e.name == "citations") {
      At at(*this, e);
      for (const xml::Element& c : e.children) {
        Citation(c);
      }
    } else if (e.name == "component") {
      ReadComponent(e, true);
    } else if (e.name == "dependency") {
      ReadDependency(e);
    } else if (e.name == "vulnerability") {
      ReadVulnerability(e);
    }
  }

  void Metadata(const xml::Element& e) {
    At at(*this, e);
    for (const xml::Element& m : e.children) {
      if (!InBom(m)) {
        continue;
      }
      Check(m, OneOf(m.name, kMetadataKeys),
            "unknown metadata property \"" + std::string(CutUtf8(m.name, 64)) + "\"");
      if (m.name == "timestamp") {
        Check(m, IsDateTime(m.Trimmed()), "timestamp must be an RFC 3339 date-time");
        doc_.created = m.Trimmed();
      } else if (m.name == "tools") {
        Tools(m);
      } else if (m.name == "component") {
        doc_.subject = ReadComponent(m, false, true).name;
      } else if (m.name == "licenses") {
        std::vector<std::string> ignored;
        Licenses(m, ignored);
      } else if (m.name == "properties") {
        Properties(m);
      }
    }
  }

  // From 1.6 a property has a name (the JSON rule "a name and an optional value only").
  void Properties(const xml::Element& e) {
    At at(*this, e);
    for (const xml::Element& p : e.children) {
      CheckFor(p, 6, 7, p.name != "property" || p.Attribute("name") != nullptr,
               "a property has a name and an optional value only");
    }
  }

  void Citation(const xml::Element& e) {
    At at(*this, e);
    auto count = [&](std::string_view name) {
      return std::count_if(e.children.begin(), e.children.end(),
                           [&](const xml::Element& c) { return c.name == name; });
    };
    Check(e, count("timestamp") == 1, "a citation needs a timestamp");
    Check(e, count("attributedTo") + count("process") > 0,
          "a citation needs attributedTo or process");
    Check(e, count("attributedTo") <= 1 && count("process") <= 1,
          "a citation has at most one attributedTo and one process");
    Check(e, (count("pointers") > 0) != (count("expressions") > 0),
          "a citation has either pointers or expressions");
  }

  void Tools(const xml::Element& e) {
    At at(*this, e);
    auto tool = [&](const xml::Element& t) {
      std::string_view name = t.ChildText("name");
      std::string_view version = t.ChildText("version");
      if (doc_.tool.empty() && !name.empty()) {
        doc_.tool = name;
        if (!version.empty()) {
          doc_.tool += " ";
          doc_.tool += version;
        }
      }
    };
    for (const xml::Element& t : e.children) {
      if (t.name == "tool") {
        tool(t);  // 1.2-1.4 shape (deprecated later)
      } else if (t.name == "components" || t.name == "services") {
        for (const xml::Element& item : t.children) {
          tool(item);
        }
      }
    }
  }

  void RegisterRef(const xml::Element& e, const std::string& ref) {
    CheckFor(e, 5, 7, !ref.empty(), "bom-ref must not be empty");
    if (strict_ && !ref.empty() && !refs_.insert(ref).second) {
      FailAt(e, "duplicate bom-ref \"" + std::string(CutUtf8(ref, 64)) + "\"");
    }
  }

  // Reads one component; `flatten` adds it (and its nested components) to the document.
  Component ReadComponent(const xml::Element& e, bool flatten, bool register_ref = false) {
    At at(*this, e);
    size_t slot = doc_.components.size();
    if (flatten) {
      doc_.components.emplace_back();
    }
    Component c;
    if (const std::string* type = e.Attribute("type")) {
      c.type = *type;
      Check(e, OneOf(c.type, kComponentTypes),
            "unknown component type \"" + std::string(CutUtf8(c.type, 64)) + "\"");
    } else {
      Check(e, false, "component without \"type\"");
    }
    if (const std::string* ref = e.Attribute("bom-ref")) {
      c.ref = *ref;
      if (flatten || register_ref) {
        RegisterRef(e, c.ref);
      }
    }
    bool has_name = false;
    bool has_version = false;
    bool has_range = false;
    for (const xml::Element& x : e.children) {
      if (!InBom(x)) {
        continue;
      }
      if (x.name == "name") {
        has_name = true;
        c.name = x.Trimmed();
      } else if (x.name == "version") {
        has_version = true;
        c.version = x.Trimmed();
      } else if (x.name == "versionRange") {
        has_range = true;
      } else if (x.name == "purl") {
        if (!x.Trimmed().empty()) {
          c.purl = CanonicalPurl(x, x.Trimmed());
        }
      } else if (x.name == "scope") {
        Check(x, OneOf(x.Trimmed(), kScopes), "scope must be required, optional or excluded");
      } else if (x.name == "hashes") {
        Hashes(x, c.hashes);
      } else if (x.name == "licenses") {
        Licenses(x, c.licenses);
      } else if (x.name == "supplier") {
        c.supplier = x.ChildText("name");
      } else if (x.name == "publisher" && c.supplier.empty()) {
        c.supplier = x.Trimmed();
      } else if (x.name == "components") {
        At in(*this, x);
        for (const xml::Element& child : x.children) {
          if (child.name == "component" && InBom(child)) {
            ReadComponent(child, flatten);
          }
        }
      } else if (x.name == "swid") {
        Check(x, x.Attribute("tagId") != nullptr && x.Attribute("name") != nullptr,
              "swid needs tagId and name");
      } else if (x.name == "pedigree" && strict_) {
        Pedigree(x);
      } else if (x.name == "properties") {
        Properties(x);
      }
    }
    Check(e, has_name, "component without \"name\"");
    if (has_range) {
      bool external = false;
      if (const std::string* flag = e.Attribute("isExternal")) {
        external = *flag == "true" || *flag == "1";
      }
      CheckFor(e, 7, 7, !has_version, "a component has version or versionRange, not both");
      CheckFor(e, 7, 7, external, "versionRange is only allowed on external components");
    }
    return PlaceComponent(std::move(c), flatten, slot, doc_);
  }

  void Hashes(const xml::Element& e, std::vector<Hash>& out) {
    At at(*this, e);
    for (const xml::Element& h : e.children) {
      if (h.name != "hash") {
        continue;
      }
      Hash hash;
      if (const std::string* alg = h.Attribute("alg")) {
        hash.algorithm = *alg;
      }
      Check(h, OneOf(hash.algorithm, kHashAlgorithms),
            "unknown hash algorithm \"" + std::string(CutUtf8(hash.algorithm, 64)) + "\"");
      std::string_view content = h.Trimmed();
      size_t n = content.size();
      hash.value = LowerHex(content);
      Check(h, hash.value.size() == n && (n == 32 || n == 40 || n == 64 || n == 96 || n == 128),
            "hash content must be 32, 40, 64, 96 or 128 hex digits");
      if (hash.value.empty()) {
        hash.value = content;  // lax mode keeps what it was given
      }
      out.push_back(std::move(hash));
    }
  }

  // <licenses>: <license> elements, or one <expression> (several from 1.7).
  void Licenses(const xml::Element& e, std::vector<std::string>& out) {
    At at(*this, e);
    size_t items = 0;
    size_t expressions = 0;
    for (const xml::Element& item : e.children) {
      if (!InBom(item)) {
        continue;
      }
      if (item.name == "expression") {
        ++items;
        ++expressions;
        out.emplace_back(item.Trimmed());
        Acknowledgement(item);
      } else if (item.name == "expression-detailed") {  // 1.7
        ++items;
        ++expressions;
        const std::string* expression = item.Attribute("expression");
        Check(item, expression != nullptr, "expression-detailed needs an expression attribute");
        if (expression != nullptr) {
          out.push_back(*expression);
        }
        Acknowledgement(item);
      } else if (item.name == "license") {
        ++items;
        License(item, out);
      }
    }
    // Before 1.7 the schema's choice is <license> elements or a single <expression>.
    CheckFor(e, 2, 6, expressions == 0 || items == 1,
             "a licence expression must be the only item of <licenses>");
  }

  void Acknowledgement(const xml::Element& e) {
    if (const std::string* ack = e.Attribute("acknowledgement")) {
      Check(e, OneOf(*ack, kAcknowledgements), "acknowledgement must be declared or concluded");
    }
  }

  void License(const xml::Element& e, std::vector<std::string>& out) {
    At at(*this, e);
    Acknowledgement(e);
    bool has_id = false;
    bool has_name = false;
    for (const xml::Element& x : e.children) {
      if (x.name == "id") {
        has_id = true;
        std::string_view id = x.Trimmed();
        Check(x, IsSpdxLicenseId(id),
              "\"" + std::string(CutUtf8(id, 64)) + "\" is not an SPDX licence identifier");
        out.emplace_back(id);
      } else if (x.name == "name") {
        has_name = true;
        out.emplace_back(x.Trimmed());
      } else if (x.name == "text") {
        if (const std::string* encoding = x.Attribute("encoding")) {
          Check(x, *encoding == "base64", "attachment encoding must be base64");
        }
      } else if (x.name == "properties") {
        Properties(x);
      }
    }
    Check(e, has_id != has_name, "a license has exactly one of \"id\" and \"name\"");
  }

  void Pedigree(const xml::Element& e) {
    At at(*this, e);
    for (const xml::Element& x : e.children) {
      if (x.name == "ancestors" || x.name == "descendants" || x.name == "variants") {
        At in(*this, x);
        for (const xml::Element& c : x.children) {
          if (c.name == "component") {
            ReadComponent(c, false);
          }
        }
      } else if (x.name == "patches") {
        At in(*this, x);
        for (const xml::Element& patch : x.children) {
          const std::string* type = patch.Attribute("type");
          Check(patch, type != nullptr && OneOf(*type, kPatchTypes),
                "patch type must be unofficial, monkey, backport or cherry-pick");
          At p(*this, patch);
          if (const xml::Element* resolves = patch.Child("resolves")) {
            At r(*this, *resolves);
            for (const xml::Element& issue : resolves->children) {
              const std::string* issue_type = issue.Attribute("type");
              Check(issue, issue_type != nullptr && OneOf(*issue_type, kIssueTypes),
                    "issue type must be defect, enhancement or security");
            }
          }
        }
      }
    }
  }

  void Service(const xml::Element& e) {
    if (e.name != "service") {
      return;
    }
    At at(*this, e);
    if (const std::string* ref = e.Attribute("bom-ref")) {
      RegisterRef(e, *ref);
    }
    bool has_name = false;
    for (const xml::Element& x : e.children) {
      if (x.name == "name") {
        has_name = true;
      } else if (x.name == "services") {
        At in(*this, x);
        for (const xml::Element& s : x.children) {
          Service(s);
        }
      } else if (x.name == "data" && strict_) {
        // 1.2-1.4: <data><classification flow="…">; from 1.5 also
        // <data><dataflow><classification flow="…">.
        At in(*this, x);
        for (const xml::Element& flow : x.children) {
          if (flow.name == "classification") {
            DataFlow(flow);
          } else if (flow.name == "dataflow") {
            At df(*this, flow);
            for (const xml::Element& c : flow.children) {
              if (c.name == "classification") {
                DataFlow(c);
              }
            }
          }
        }
      }
    }
    Check(e, has_name, "service without \"name\"");
  }

  void DataFlow(const xml::Element& classification) {
    const std::string* direction = classification.Attribute("flow");
    Check(classification, direction != nullptr && OneOf(*direction, kDataFlows),
          "data flow must be inbound, outbound, bi-directional or unknown");
  }

  void ReadDependency(const xml::Element& e) {
    At at(*this, e);
    const std::string* ref = e.Attribute("ref");
    if (ref == nullptr) {
      Check(e, false, "dependency without \"ref\"");
      return;
    }
    CheckFor(e, 5, 7, !ref->empty(), "dependency ref must not be empty");
    for (const xml::Element& to : e.children) {
      if (to.name != "dependency") {
        continue;
      }
      const std::string* target = to.Attribute("ref");
      Check(to, target != nullptr, "dependency without \"ref\"");
      if (target != nullptr) {
        doc_.dependencies.push_back({*ref, *target});
      }
    }
  }

  void ReadVulnerability(const xml::Element& e) {
    At at(*this, e);
    CdxVulnerability vuln;
    Finding& base = vuln.base;
    for (const xml::Element& x : e.children) {
      if (!InBom(x)) {
        continue;
      }
      if (x.name == "id") {
        base.id = x.Trimmed();
      } else if (x.name == "source") {
        base.data_source = x.ChildText("name");
      } else if (x.name == "references") {
        for (const xml::Element& ref : x.children) {
          if (ref.name == "reference" && ref.Child("id") != nullptr) {
            base.aliases.emplace_back(ref.ChildText("id"));
          }
        }
      } else if (x.name == "ratings") {
        At in(*this, x);
        for (const xml::Element& rating : x.children) {
          At r(*this, rating);
          std::optional<double> score;
          if (const xml::Element* s = rating.Child("score")) {
            score = Number(*s);
          }
          vuln.ratings.Add(base, score, rating.ChildText("vector"), rating.ChildText("method"),
                           SeverityFromName(rating.ChildText("severity")));
        }
      } else if (x.name == "cwes") {
        At in(*this, x);
        for (const xml::Element& cwe : x.children) {
          std::string_view digits = cwe.Trimmed();
          if (!IsDigits(digits) || digits.size() > 9) {
            FailAt(cwe, "a CWE is a number");
          }
          base.cwes.push_back("CWE-" + std::to_string(std::stoll(std::string(digits))));
        }
      } else if (x.name == "description") {
        base.description = CutUtf8(x.Trimmed(), 4096);
      } else if (x.name == "detail" && base.title.empty()) {
        base.title = CutUtf8(x.Trimmed(), 4096);
      } else if (x.name == "published") {
        base.published = x.Trimmed();
      } else if (x.name == "analysis") {
        Analysis(x, vuln);
      } else if (x.name == "affects") {
        At in(*this, x);
        for (const xml::Element& target : x.children) {
          const xml::Element* ref = target.Child("ref");
          Check(target, ref != nullptr, "affects entry without \"ref\"");
          if (ref != nullptr) {
            vuln.affects.emplace_back(ref->Trimmed());
          }
        }
      }
    }
    std::string id = vuln.base.id;
    if (!AddVulnerability(std::move(vuln), doc_)) {
      Warn("vulnerability " + std::string(CutUtf8(id, 64)) +
           " names no affected component (no affects); not recorded as a finding");
    }
  }

  void Analysis(const xml::Element& e, CdxVulnerability& vuln) {
    At at(*this, e);
    vuln.has_analysis = true;
    VexStatement& vex = vuln.vex;
    for (const xml::Element& a : e.children) {
      if (a.name == "state") {
        auto status = VexStatusFromName(a.Trimmed());
        if (!status) {
          FailAt(a, "unknown analysis state \"" + std::string(CutUtf8(a.Trimmed(), 64)) + "\"");
        }
        vex.status = *status;
      } else if (a.name == "justification") {
        vex.justification = a.Trimmed();
      } else if (a.name == "detail") {
        vex.detail = a.Trimmed();
      } else if (a.name == "responses") {
        for (const xml::Element& r : a.children) {
          if (r.name == "response") {
            vuln.responses.emplace_back(r.Trimmed());
          }
        }
      } else if (a.name == "lastUpdated" || (a.name == "firstIssued" && vex.timestamp.empty())) {
        vex.timestamp = a.Trimmed();
      }
    }
  }

  // A finite decimal number (what JSON allows; no hex, inf or nan), whatever the locale.
  double Number(const xml::Element& e) const {
    std::string_view text = e.Trimmed();
    double value = 0;
    auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::general);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
        !std::isfinite(value)) {
      FailAt(e, "expected a number, not \"" + std::string(CutUtf8(text, 32)) + "\"");
    }
    return value;
  }

  // Bounded like Reader::Warn: a hostile document cannot make warnings the bulk of memory.
  void Warn(std::string warning) {
    if (doc_.warnings.size() < kMaxWarnings) {
      doc_.warnings.push_back(std::move(warning));
    }
  }

  std::string CanonicalPurl(const xml::Element& e, std::string_view purl) {
    auto canonical = purl::CanonicalizePurl(purl);
    if (!canonical) {
      Warn("unparseable purl \"" + std::string(CutUtf8(purl, 200)) + "\" at line " +
           std::to_string(e.line) + ": " + canonical.error().message);
      return {};
    }
    return std::move(*canonical);
  }

  bool strict_;
  Document& doc_;
  std::string ns_;
  std::string container_;  // the child of <bom> being streamed through, or ""
  std::unordered_set<std::string> refs_;
  std::string_view base_;
  std::vector<const xml::Element*> steps_;
  std::optional<ParseFailure> failure_;
};

}  // namespace

void ReadCycloneDxXml(std::string_view bytes, const ParseOptions& options, Document& doc) {
  doc.format = Format::kCycloneDx;
  XmlWalker walker(options, doc);
  Status status = xml::Parse(bytes, walker);
  if (auto failure = walker.TakeFailure()) {
    throw std::move(*failure);
  }
  if (!status) {  // not well-formed XML, a DOCTYPE, nesting too deep
    const Error& e = status.error();
    std::string_view offset = e.Detail("offset");
    throw ParseFailure{e.message, std::string(e.Detail("field")),
                       offset.empty() ? -1 : std::stoll(std::string(offset))};
  }
}

}  // namespace qlrf::sbom::internal
