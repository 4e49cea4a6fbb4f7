#include "engines/sbom/internal/cyclonedx_rules.h"

#include "engines/sbom/internal/formats.h"

#include <unordered_map>
#include <utility>

namespace qlrf::sbom::internal {

std::string LowerHex(std::string_view content) {
  std::string out(content.size(), '\0');
  unsigned char bad = 0;
  for (size_t i = 0; i < content.size(); ++i) {
    char c = kLowerHex[static_cast<unsigned char>(content[i])];
    out[i] = c;
    bad |= static_cast<unsigned char>(c == 0);
  }
  return bad != 0 ? std::string() : out;
}

bool IsSerialNumber(std::string_view s) {
  constexpr std::string_view kPrefix = "urn:uuid:";
  if (!s.starts_with(kPrefix)) {
    return false;
  }
  s.remove_prefix(kPrefix.size());
  constexpr std::array<size_t, 5> kGroups = {8, 4, 4, 4, 12};
  for (size_t i = 0; i < kGroups.size(); ++i) {
    if (s.size() < kGroups[i] || !IsHex(s.substr(0, kGroups[i]))) {
      return false;
    }
    s.remove_prefix(kGroups[i]);
    if (i + 1 < kGroups.size()) {
      if (s.empty() || s.front() != '-') {
        return false;
      }
      s.remove_prefix(1);
    }
  }
  return s.empty();
}

bool IsDateTime(std::string_view s) {
  auto digits = [&](size_t pos, size_t n) {
    return s.size() >= pos + n && IsDigits(s.substr(pos, n));
  };
  if (!(digits(0, 4) && s.size() > 10 && s[4] == '-' && digits(5, 2) && s[7] == '-' &&
        digits(8, 2) && (s[10] == 'T' || s[10] == 't') && digits(11, 2) && s.size() > 19 &&
        s[13] == ':' && digits(14, 2) && s[16] == ':' && digits(17, 2))) {
    return false;
  }
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])) != 0) {
      ++pos;
    }
    if (pos == start) {
      return false;
    }
  }
  std::string_view zone = s.substr(pos);
  if (zone == "Z" || zone == "z") {
    return true;
  }
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && IsDigits(zone.substr(1, 2)) &&
         zone[3] == ':' && IsDigits(zone.substr(4, 2));
}

int MinorVersion(std::string_view spec_version) {
  if (spec_version.size() == 3 && spec_version.starts_with("1.") && spec_version[2] >= '2' &&
      spec_version[2] <= '7') {
    return spec_version[2] - '0';
  }
  return 0;
}

int RatingRank(std::string_view method) {
  if (method == "CVSSv31") {
    return 5;
  }
  if (method == "CVSSv3") {
    return 4;
  }
  if (method == "CVSSv4") {
    return 3;
  }
  if (method == "CVSSv2") {
    return 2;
  }
  return 1;
}

void RatingPicker::Add(Finding& finding, std::optional<double> score, std::string_view vector,
                       std::string_view method, Severity severity) {
  if (severity > worst_) {
    worst_ = severity;
  }
  int rank = RatingRank(method);
  if (score && rank > best_rank_) {
    best_rank_ = rank;
    finding.cvss_score = score;
    finding.cvss_vector = vector;
    if (severity != Severity::kUnknown) {
      finding.severity = severity;
    }
  }
}

void RatingPicker::Finish(Finding& finding) const {
  if (finding.severity == Severity::kUnknown) {
    finding.severity = worst_;
  }
}

bool AddVulnerability(CdxVulnerability v, Document& doc) {
  if (v.affects.empty()) {
    return false;
  }
  v.ratings.Finish(v.base);
  for (size_t i = 0; i < v.responses.size(); ++i) {
    v.vex.action += (i > 0 ? ", " : "") + v.responses[i];
  }
  v.vex.vulnerability_id = v.base.id;
  for (std::string& ref : v.affects) {
    if (v.has_analysis) {
      VexStatement statement = v.vex;
      statement.component_ref = ref;
      doc.vex.push_back(std::move(statement));
    }
    Finding f = v.base;
    f.component_ref = std::move(ref);
    doc.findings.push_back(std::move(f));
  }
  return true;
}

Component PlaceComponent(Component c, bool flatten, size_t slot, Document& doc) {
  c.ecosystem = PurlType(c.purl);
  if (!flatten) {
    return c;
  }
  if (c.ref.empty()) {
    c.ref = "#" + std::to_string(slot);
  }
  doc.components[slot] = std::move(c);
  return {};
}

void FinishCycloneDx(Document& doc) {
  if (doc.findings.empty() && doc.vex.empty()) {
    return;
  }
  std::unordered_map<std::string_view, const Component*> by_ref;
  for (const Component& c : doc.components) {
    by_ref.emplace(c.ref, &c);
  }
  for (Finding& f : doc.findings) {
    if (auto it = by_ref.find(f.component_ref); it != by_ref.end()) {
      f.package_name = it->second->name;
      f.installed_version = it->second->version;
    }
  }
  for (VexStatement& s : doc.vex) {
    if (auto it = by_ref.find(s.component_ref); it != by_ref.end()) {
      s.purl = it->second->purl;
    }
  }
}

}  // namespace qlrf::sbom::internal
