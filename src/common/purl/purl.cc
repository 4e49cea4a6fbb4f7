// purl parsing ("How to parse" of the spec, with the per-type rules applied afterwards) and
// canonical printing ("How to build").
#include "common/purl/purl.h"

#include <string>
#include <utility>
#include <vector>

#include "common/purl/internal/encoding.h"
#include "common/purl/internal/type_rules.h"

namespace qlrf::purl {
namespace {

using internal::AppendEncoded;
using internal::AsciiLower;
using internal::AsciiUpper;
using internal::CaseRule;
using internal::Decode;
using internal::Requirement;
using internal::TypeRules;

Error ComponentError(std::string_view field, std::string message) {
  return FieldError(std::string(field), std::move(message));
}

std::string Quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Splits on '/' and drops empty segments (and "." / ".." when `drop_dots`).
std::vector<std::string_view> Segments(std::string_view path, bool drop_dots) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) {
      end = path.size();
    }
    std::string_view segment = path.substr(start, end - start);
    if (!segment.empty() && !(drop_dots && (segment == "." || segment == ".."))) {
      out.push_back(segment);
    }
    start = end + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string_view>& segments) {
  std::string out;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) {
      out += '/';
    }
    out += segments[i];
  }
  return out;
}

std::string ApplyCase(std::string_view text, CaseRule rule) {
  switch (rule) {
    case CaseRule::kLower:
      return AsciiLower(text);
    case CaseRule::kUpper:
      return AsciiUpper(text);
    case CaseRule::kKeep:
      break;
  }
  return std::string(text);
}

// Type: ASCII letters, digits, '.', '+', '-'; not starting with a digit; never percent-encoded.
Status ValidateType(std::string_view type) {
  if (type.empty()) {
    return Fail(ComponentError("type", "purl type is required"));
  }
  if (IsAsciiDigit(type.front())) {
    return Fail(ComponentError("type", "purl type " + Quoted(type) + " starts with a digit"));
  }
  for (char c : type) {
    if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '.' && c != '+' && c != '-') {
      return Fail(ComponentError("type", "purl type " + Quoted(type) +
                                             " has a character outside "
                                             "[A-Za-z0-9.+-]"));
    }
  }
  return Ok();
}

// Qualifier key: ASCII letters, digits, '.', '-', '_'; not starting with a digit; not encoded.
Status ValidateQualifierKey(std::string_view key) {
  bool ok = !key.empty() && !IsAsciiDigit(key.front());
  for (char c : key) {
    ok = ok && (IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '.' || c == '-' || c == '_');
  }
  if (!ok) {
    return Fail(ComponentError("qualifiers", "invalid qualifier key " + Quoted(key)));
  }
  return Ok();
}

// chrome-extension ids are 32 letters a-p; versions 1 to 4 dot-separated numbers.
bool IsChromeExtensionId(std::string_view name) {
  if (name.size() != 32) {
    return false;
  }
  for (char c : name) {
    if (c < 'a' || c > 'p') {
      return false;
    }
  }
  return true;
}

bool IsChromeExtensionVersion(std::string_view version) {
  size_t parts = 0;
  for (std::string_view rest = version;;) {
    size_t dot = rest.find('.');
    std::string_view part = rest.substr(0, dot);
    if (part.empty()) {
      return false;
    }
    for (char c : part) {
      if (!IsAsciiDigit(c)) {
        return false;
      }
    }
    ++parts;
    if (dot == std::string_view::npos) {
      break;
    }
    rest = rest.substr(dot + 1);
  }
  return parts <= 4;
}

// Case folding, requirements and the rules that need code, for registered types.
Status ApplyTypeRules(PackageUrl& p) {
  const TypeRules* rules = internal::FindTypeRules(p.type);
  if (rules != nullptr) {
    p.namespace_ = ApplyCase(p.namespace_, rules->namespace_case);
    p.name = ApplyCase(p.name, rules->name_case);
    p.version = ApplyCase(p.version, rules->version_case);
    // Exceptions for Go names that have no path to split: the standard library (every SBOM tool
    // and OSV's Go ecosystem call it "stdlib") and single-element module paths such as
    // go.starlark.net (a module path's first element is a host name, so it has a dot).
    bool go_pathless = p.type == "golang" &&
                       (p.name == "stdlib" || p.name.find('.') != std::string::npos);
    if (rules->namespace_requirement == Requirement::kRequired && p.namespace_.empty() &&
        !go_pathless) {
      return Fail(ComponentError("namespace", p.type + " purls require a namespace"));
    }
    if (rules->namespace_requirement == Requirement::kProhibited && !p.namespace_.empty()) {
      return Fail(ComponentError("namespace", p.type + " purls have no namespace"));
    }
    if (!rules->required_qualifier.empty() &&
        !p.qualifiers.contains(std::string(rules->required_qualifier))) {
      return Fail(ComponentError(
          "qualifiers",
          p.type + " purls require the " + Quoted(rules->required_qualifier) + " qualifier"));
    }
  }
  if (p.type == "pypi") {
    for (char& c : p.name) {
      c = c == '_' ? '-' : c;
    }
  } else if (p.type == "pub") {
    for (char& c : p.name) {
      c = (IsAsciiDigit(c) || (c >= 'a' && c <= 'z') || c == '_') ? c : '_';
    }
  } else if (p.type == "cpan" && p.name.find("::") != std::string::npos) {
    return Fail(ComponentError(
        "name", "cpan names are distribution names; " + Quoted(p.name) + " is a module name"));
  } else if (p.type == "chrome-extension") {
    if (!IsChromeExtensionId(p.name)) {
      return Fail(ComponentError("name", "chrome-extension ids are 32 letters a-p"));
    }
    if (!p.version.empty() && !IsChromeExtensionVersion(p.version)) {
      return Fail(ComponentError("version", "chrome-extension versions are 1 to 4 numbers"));
    }
  } else if (p.type == "cocoapods") {
    bool bad = !p.name.empty() && p.name.front() == '.';
    for (char c : p.name) {
      bad = bad || c == '+' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
    if (bad) {
      return Fail(ComponentError("name",
                                 "cocoapods names have no whitespace or '+' and do not "
                                 "start with '.'"));
    }
  } else if (p.type == "mlflow") {
    // Databricks model names are case-insensitive (lowercased); Azure ML ones are kept as-is.
    auto url = p.qualifiers.find("repository_url");
    if (url != p.qualifiers.end() && url->second.find("azuredatabricks.net") != std::string::npos) {
      p.name = AsciiLower(p.name);
    }
  } else if (p.type == "swid" && Segments(p.namespace_, false).size() > 2) {
    return Fail(ComponentError("namespace", "swid namespaces have at most two segments"));
  } else if (p.type == "git") {
    if (p.namespace_.find('/') != std::string::npos) {
      return Fail(ComponentError("namespace", "git namespaces are a single host segment"));
    }
    p.name = Join(Segments(p.name, false));  // printed segment by segment
  }
  return Ok();
}

// Decodes each '/'-separated segment of `raw` and joins the non-empty ones.
Result<std::string> DecodeSegments(std::string_view raw, std::string_view field) {
  std::vector<std::string> decoded;
  for (std::string_view segment : Segments(raw, false)) {
    QLRF_ASSIGN_OR_RETURN(std::string text, Decode(segment, field));
    decoded.push_back(std::move(text));
  }
  std::string out;
  for (size_t i = 0; i < decoded.size(); ++i) {
    out += (i > 0 ? "/" : "");
    out += decoded[i];
  }
  return out;
}

Status ParseQualifiers(std::string_view raw, PackageUrl& p) {
  std::vector<std::string> seen;
  size_t start = 0;
  while (start <= raw.size()) {
    size_t end = raw.find('&', start);
    if (end == std::string_view::npos) {
      end = raw.size();
    }
    std::string_view pair = raw.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) {
      continue;
    }
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return Fail(ComponentError("qualifiers", "qualifier " + Quoted(pair) + " has no '='"));
    }
    std::string_view raw_key = pair.substr(0, eq);
    QLRF_TRY(ValidateQualifierKey(raw_key));
    std::string key = AsciiLower(raw_key);
    for (const std::string& k : seen) {
      if (k == key) {
        return Fail(ComponentError("qualifiers", "duplicate qualifier key " + Quoted(key)));
      }
    }
    seen.push_back(key);
    QLRF_ASSIGN_OR_RETURN(std::string value, Decode(pair.substr(eq + 1), "qualifiers"));
    if (!value.empty()) {
      p.qualifiers.emplace(std::move(key), std::move(value));
    }
  }
  return Ok();
}

// The spec's parse steps, without canonicalisation.
Result<PackageUrl> SplitComponents(std::string_view rest) {
  PackageUrl p;
  if (size_t hash = rest.rfind('#'); hash != std::string_view::npos) {
    QLRF_ASSIGN_OR_RETURN(p.subpath, DecodeSegments(rest.substr(hash + 1), "subpath"));
    rest = rest.substr(0, hash);
  }
  if (size_t question = rest.rfind('?'); question != std::string_view::npos) {
    QLRF_TRY(ParseQualifiers(rest.substr(question + 1), p));
    rest = rest.substr(0, question);
  }
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) {
    return Fail(ComponentError("scheme", "purl has no \"pkg:\" scheme"));
  }
  if (AsciiLower(rest.substr(0, colon)) != "pkg") {
    return Fail(ComponentError(
        "scheme", "purl scheme must be \"pkg\", not " + Quoted(rest.substr(0, colon))));
  }
  rest = rest.substr(colon + 1);
  while (!rest.empty() && rest.front() == '/') {  // "pkg://" and "pkg:/" are accepted
    rest.remove_prefix(1);
  }
  while (!rest.empty() && rest.back() == '/') {
    rest.remove_suffix(1);
  }
  size_t slash = rest.find('/');
  std::string_view raw_type = rest.substr(0, slash);
  QLRF_TRY(ValidateType(raw_type));
  p.type = AsciiLower(raw_type);
  rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);

  // The version follows the last '@' of the last segment, so "@scope/name" keeps its '@'.
  size_t last_slash = rest.rfind('/');
  size_t last_segment = last_slash == std::string_view::npos ? 0 : last_slash + 1;
  if (size_t at = rest.rfind('@'); at != std::string_view::npos && at >= last_segment) {
    QLRF_ASSIGN_OR_RETURN(p.version, Decode(rest.substr(at + 1), "version"));
    if (p.version.empty()) {
      return Fail(ComponentError("version", "purl has an '@' but no version"));
    }
    rest = rest.substr(0, at);
  }

  std::vector<std::string_view> segments = Segments(rest, false);
  if (segments.empty() || rest.back() == '/') {  // "ns/@1.0": an empty name
    return Fail(ComponentError("name", "purl name is required"));
  }
  // git names are the path on the host ("owner/repo"); the namespace is the host alone.
  size_t name_begin = p.type == "git" ? 1 : segments.size() - 1;
  if (name_begin >= segments.size()) {
    return Fail(ComponentError("name", "purl name is required"));
  }
  for (size_t i = 0; i < segments.size(); ++i) {
    bool in_name = i >= name_begin;
    std::string& target = in_name ? p.name : p.namespace_;
    if (!target.empty()) {
      target += '/';
    }
    QLRF_ASSIGN_OR_RETURN(std::string text, Decode(segments[i], in_name ? "name" : "namespace"));
    target += text;
  }
  return p;
}

void AppendEncodedSegments(std::string& out, std::string_view path) {
  std::vector<std::string_view> segments = Segments(path, false);
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) {
      out += '/';
    }
    AppendEncoded(out, segments[i]);
  }
}

}  // namespace

Result<PackageUrl> Canonicalize(PackageUrl components) {
  PackageUrl p;
  QLRF_TRY(ValidateType(components.type));
  p.type = AsciiLower(components.type);
  p.namespace_ = Join(Segments(components.namespace_, false));
  p.name = std::move(components.name);
  p.version = std::move(components.version);
  for (auto& [raw_key, value] : components.qualifiers) {
    QLRF_TRY(ValidateQualifierKey(raw_key));
    std::string key = AsciiLower(raw_key);
    if (p.qualifiers.contains(key)) {
      return Fail(ComponentError("qualifiers", "duplicate qualifier key " + Quoted(key)));
    }
    if (!value.empty()) {
      p.qualifiers.emplace(std::move(key), std::move(value));
    }
  }
  p.subpath = Join(Segments(components.subpath, true));
  QLRF_TRY(ApplyTypeRules(p));
  if (p.name.empty()) {
    return Fail(ComponentError("name", "purl name is required"));
  }
  return p;
}

Result<PackageUrl> ParsePurl(std::string_view text) {
  QLRF_ASSIGN_OR_RETURN(PackageUrl components, SplitComponents(text));
  return Canonicalize(std::move(components));
}

std::string ToString(const PackageUrl& purl) {
  std::string out = "pkg:";
  out += purl.type;
  out += '/';
  if (!purl.namespace_.empty()) {
    AppendEncodedSegments(out, purl.namespace_);
    out += '/';
  }
  if (purl.type == "git") {
    AppendEncodedSegments(out, purl.name);
  } else {
    AppendEncoded(out, purl.name);
  }
  if (!purl.version.empty()) {
    out += '@';
    AppendEncoded(out, purl.version);
  }
  char separator = '?';
  for (const auto& [key, value] : purl.qualifiers) {
    out += separator;
    out += key;
    out += '=';
    AppendEncoded(out, value);
    separator = '&';
  }
  if (!purl.subpath.empty()) {
    out += '#';
    AppendEncodedSegments(out, purl.subpath);
  }
  return out;
}

Result<std::string> BuildPurl(const PackageUrl& components) {
  QLRF_ASSIGN_OR_RETURN(PackageUrl canonical, Canonicalize(components));
  return ToString(canonical);
}

Result<std::string> CanonicalizePurl(std::string_view text) {
  QLRF_ASSIGN_OR_RETURN(PackageUrl canonical, ParsePurl(text));
  return ToString(canonical);
}

}  // namespace qlrf::purl
