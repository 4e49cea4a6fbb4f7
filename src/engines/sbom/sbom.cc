// Parse(): format detection, the one simdjson pass and the conversion of failures to Error.
#include "engines/sbom/sbom.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_set>

#include "common/xml/xml.h"
#include "engines/sbom/internal/formats.h"
#include "engines/sbom/internal/reader.h"

namespace qlrf::sbom {
namespace {

namespace od = simdjson::ondemand;
using internal::ParseFailure;
using internal::Reader;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view DisplayName(Format format) {
  switch (format) {
    case Format::kTrivy:
      return "a Trivy report";
    case Format::kGrype:
      return "a Grype report";
    case Format::kSpdx:
      return "an SPDX document";
    case Format::kCycloneDx:
      return "a CycloneDX BOM";
    case Format::kOpenVex:
      return "an OpenVEX document";
  }
  return "unknown";
}

Error FormatError(std::string_view format, const std::string& message, std::string pointer,
                  int64_t offset) {
  return internal::FailureToError(format, message, std::move(pointer), offset);
}

// Where the top-level value of `json` ends (one past its closing bracket), or npos when the input
// ends first. Only for error messages: it trusts strings and brackets to be well formed.
size_t EndOfTopLevel(std::string_view json) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// The top-level object, or a failure saying why there is none: truncated or trailing content,
// another JSON type, or the bare array of results of Trivy before v0.20.
void RootObject(Reader& reader, od::document& document, od::object& root) {
  auto fail = [&reader](simdjson::error_code error) {
    if (error == simdjson::INCOMPLETE_ARRAY_OR_OBJECT || error == simdjson::TAPE_ERROR) {
      // simdjson says the same for both; tell the user which it is.
      std::string_view input(reader.Base(), reader.InputSize());
      size_t end = EndOfTopLevel(input);
      size_t extra = end == std::string_view::npos ? end : input.find_first_not_of(" \t\r\n", end);
      if (extra != std::string_view::npos) {
        throw internal::ParseFailure{"unexpected content after the top-level value", "",
                                     static_cast<int64_t>(extra)};
      }
      throw internal::ParseFailure{"truncated JSON: the document ends inside an object or array",
                                   "", static_cast<int64_t>(input.size())};
    }
    reader.Fail(error, "a JSON object");
  };
  od::json_type type;
  if (auto error = document.type().get(type)) {
    fail(error);
  }
  if (type == od::json_type::array) {
    std::string_view head(reader.Base(), std::min<size_t>(reader.InputSize(), 1024));
    reader.Fail(std::string("the top level is a JSON array, not an object") +
                (head.find("\"Target\"") != std::string_view::npos
                     ? " (a bare array of results is the report format of Trivy before v0.20, "
                       "which is not read: scan again with a current trivy and --format json)"
                     : ""));
  }
  if (type != od::json_type::object) {
    reader.Fail("the top level is not a JSON object");
  }
  if (auto error = document.get_object().get(root)) {
    fail(error);
  }
}

// Decides the format from the top-level keys, reading as few of them as it can. Leaves the
// document to be rewound.
std::optional<Format> Sniff(Reader& reader, od::object& root) {
  std::optional<Format> found;
  std::optional<Format> weak;  // keys that only suggest a format
  for (auto field : root) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) {
      reader.Fail(error, "an object key");
    }
    if (key == "bomFormat" || key == "specVersion") {
      found = Format::kCycloneDx;
    } else if (key == "spdxVersion" || key == "SPDXID") {
      found = Format::kSpdx;
    } else if (key == "SchemaVersion" || key == "ArtifactName" || key == "ArtifactType" ||
               key == "ClusterName" || key == "Results") {
      found = Format::kTrivy;
    } else if (key == "matches") {
      found = Format::kGrype;
    } else if (key == "artifacts" || key == "artifactRelationships") {
      reader.Fail(
          "a Syft JSON document (artifacts, artifactRelationships), which is not read: write the "
          "SBOM as CycloneDX or SPDX instead (syft convert FILE -o cyclonedx-json)");
    } else if (key == "@context") {
      std::string_view context;
      if (field.value().get_string().get(context) == simdjson::SUCCESS &&
          context.find("openvex") != std::string_view::npos) {
        found = Format::kOpenVex;
      }
    } else if (key == "statements") {
      weak = Format::kOpenVex;
    } else if (key == "descriptor" || key == "distro") {
      weak = Format::kGrype;
    } else if (key == "$schema") {
      std::string_view schema;
      if (field.value().get_string().get(schema) == simdjson::SUCCESS &&
          schema.find("cyclonedx") != std::string_view::npos) {
        found = Format::kCycloneDx;
      }
    }
    if (found) {
      return found;
    }
  }
  return weak;
}

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// An XML document: '<' first after a byte-order mark and whitespace, or a UTF-16 byte-order mark
// (JSON is UTF-8 only).
bool LooksLikeXml(std::string_view bytes) {
  if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) {
    return true;
  }
  if (bytes.starts_with(kUtf8Bom)) {
    bytes.remove_prefix(kUtf8Bom.size());
  }
  size_t first = bytes.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && bytes[first] == '<';
}

// An XML document is CycloneDX when its root is <bom> in a CycloneDX namespace (any version:
// the reader says which it does not support); anything else is an unknown format, as for JSON.
Status CheckXmlRoot(std::string_view bytes) {
  auto root = xml::Root(bytes);
  if (!root) {
    Error e = root.error();
    return Fail(
        InvalidArgument("XML that cannot be read up to its root element (" + e.message + ")")
            .With("format", "unknown")
            .With("field", "format"));
  }
  if (root->name != "bom" || !root->ns.starts_with("http://cyclonedx.org/schema/bom/")) {
    return Fail(InvalidArgument("an XML document whose root is <" + root->name.substr(0, 64) +
                                "> in namespace \"" + root->ns.substr(0, 128) +
                                "\", not a CycloneDX BOM (CycloneDX is the one XML format read; "
                                "its root is <bom xmlns=\"http://cyclonedx.org/schema/bom/1.x\">)")
                    .With("format", "unknown")
                    .With("field", "format"));
  }
  return Ok();
}

}  // namespace

std::string_view FormatName(Format format) {
  switch (format) {
    case Format::kTrivy:
      return "trivy";
    case Format::kGrype:
      return "grype";
    case Format::kSpdx:
      return "spdx";
    case Format::kCycloneDx:
      return "cyclonedx";
    case Format::kOpenVex:
      return "openvex";
  }
  return "unknown";
}

Result<Format> FormatFromName(std::string_view name) {
  for (Format f :
       {Format::kTrivy, Format::kGrype, Format::kSpdx, Format::kCycloneDx, Format::kOpenVex}) {
    if (EqualsIgnoreCase(name, FormatName(f))) {
      return f;
    }
  }
  return Fail(FieldError("format", "unknown SBOM/report format \"" +
                                       std::string(name.substr(0, 64)) +
                                       "\" (trivy, grype, spdx, cyclonedx, openvex)"));
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kUnknown:
      return "unknown";
    case Severity::kNone:
      return "none";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "unknown";
}

Severity SeverityFromName(std::string_view name) {
  if (EqualsIgnoreCase(name, "critical")) {
    return Severity::kCritical;
  }
  if (EqualsIgnoreCase(name, "high")) {
    return Severity::kHigh;
  }
  if (EqualsIgnoreCase(name, "medium") || EqualsIgnoreCase(name, "moderate")) {
    return Severity::kMedium;
  }
  if (EqualsIgnoreCase(name, "low") || EqualsIgnoreCase(name, "negligible") ||
      EqualsIgnoreCase(name, "info") || EqualsIgnoreCase(name, "informational")) {
    return Severity::kLow;
  }
  if (EqualsIgnoreCase(name, "none")) {
    return Severity::kNone;
  }
  return Severity::kUnknown;
}

std::string_view VexStatusName(VexStatus status) {
  switch (status) {
    case VexStatus::kNotAffected:
      return "not_affected";
    case VexStatus::kAffected:
      return "affected";
    case VexStatus::kFixed:
      return "fixed";
    case VexStatus::kUnderInvestigation:
      return "under_investigation";
  }
  return "under_investigation";
}

Result<VexStatus> VexStatusFromName(std::string_view name) {
  struct Entry {
    std::string_view name;
    VexStatus status;
  };
  static constexpr Entry kNames[] = {
      {"not_affected", VexStatus::kNotAffected},
      {"false_positive", VexStatus::kNotAffected},
      {"affected", VexStatus::kAffected},
      {"exploitable", VexStatus::kAffected},
      {"fixed", VexStatus::kFixed},
      {"resolved", VexStatus::kFixed},
      {"resolved_with_pedigree", VexStatus::kFixed},
      {"under_investigation", VexStatus::kUnderInvestigation},
      {"in_triage", VexStatus::kUnderInvestigation},
  };
  for (const Entry& entry : kNames) {
    if (entry.name == name) {
      return entry.status;
    }
  }
  return Fail(
      FieldError("status", "unknown VEX status \"" + std::string(name.substr(0, 64)) + "\""));
}

namespace internal {

std::string_view PurlType(std::string_view canonical_purl) {
  if (!canonical_purl.starts_with("pkg:")) {
    return {};
  }
  std::string_view rest = canonical_purl.substr(4);
  return rest.substr(0, rest.find('/'));
}

void FinishFindings(Reader& reader, Document& doc) {
  std::unordered_set<std::string> seen;
  seen.reserve(doc.findings.size());
  size_t kept = 0;
  for (size_t i = 0; i < doc.findings.size(); ++i) {
    Finding& f = doc.findings[i];
    std::string key = f.id;
    key += '\0';
    key += f.component_ref;
    if (!seen.insert(std::move(key)).second) {
      continue;
    }
    if (kept != i) {
      doc.findings[kept] = std::move(f);
    }
    ++kept;
  }
  if (kept != doc.findings.size()) {
    reader.Warn("merged " + std::to_string(doc.findings.size() - kept) +
                " repeated finding(s) of the same vulnerability on the same component");
    doc.findings.resize(kept);
  }
}

}  // namespace internal

Result<Format> DetectFormat(std::string_view bytes) {
  if (LooksLikeXml(bytes)) {
    QLRF_TRY(CheckXmlRoot(bytes));
    return Format::kCycloneDx;
  }
  if (bytes.starts_with(kUtf8Bom)) {
    bytes.remove_prefix(kUtf8Bom.size());
  }
  simdjson::padded_string padded(bytes);
  od::parser parser;
  od::document document;
  if (auto error = parser.iterate(padded).get(document)) {
    return Fail(FormatError(
        "", std::string("not valid JSON (") + simdjson::error_message(error) + ")", "", -1));
  }
  Reader reader(document, padded.data(), padded.size());
  try {
    od::object root;
    RootObject(reader, document, root);
    if (auto format = Sniff(reader, root)) {
      return *format;
    }
    return Fail(InvalidArgument("not a Trivy, Grype, SPDX, CycloneDX or OpenVEX document (no "
                                "bomFormat, spdxVersion, SchemaVersion, matches or @context)")
                    .With("format", "unknown")
                    .With("field", "format"));
  } catch (const ParseFailure& failure) {
    Error error = FormatError("", failure.message, failure.pointer, failure.offset);
    error.details[1].second = "format";
    return Fail(std::move(error));
  }
}

Result<Document> Parse(std::string_view bytes, std::optional<Format> format,
                       const ParseOptions& options) {
  std::string_view requested = format ? FormatName(*format) : std::string_view();
  if (options.max_bytes != 0 && bytes.size() > options.max_bytes) {
    return Fail(FormatError(requested,
                            "document is " + std::to_string(bytes.size()) +
                                " bytes; the limit is " + std::to_string(options.max_bytes),
                            "", -1));
  }
  if (LooksLikeXml(bytes)) {
    if (format && *format != Format::kCycloneDx) {
      return Fail(FormatError(requested,
                              "expected " + std::string(DisplayName(*format)) +
                                  " but this is XML (CycloneDX is the one XML format read)",
                              "", -1));
    }
    if (!format) {
      QLRF_TRY(CheckXmlRoot(bytes));
    }
    Document doc;
    try {
      internal::ReadCycloneDxXml(bytes, options, doc);
    } catch (const ParseFailure& failure) {
      return Fail(FormatError("cyclonedx", failure.message, failure.pointer, failure.offset));
    }
    return doc;
  }
  if (bytes.starts_with(kUtf8Bom)) {
    bytes.remove_prefix(kUtf8Bom.size());  // allowed before JSON text (RFC 8259 §8.1)
  }
  simdjson::padded_string padded(bytes);
  od::parser parser;
  od::document document;
  if (auto error = parser.iterate(padded).get(document)) {
    return Fail(FormatError(
        requested, std::string("not valid JSON (") + simdjson::error_message(error) + ")", "", -1));
  }
  Reader reader(document, padded.data(), padded.size());
  Document doc;
  try {
    od::object root;
    RootObject(reader, document, root);
    std::optional<Format> sniffed = Sniff(reader, root);
    if (format && sniffed && *sniffed != *format) {
      reader.Fail("expected " + std::string(DisplayName(*format)) + " but this is " +
                  std::string(DisplayName(*sniffed)));
    }
    if (!format) {
      if (!sniffed) {
        return Fail(InvalidArgument("not a Trivy, Grype, SPDX, CycloneDX or OpenVEX document (no "
                                    "bomFormat, spdxVersion, SchemaVersion, matches or @context)")
                        .With("format", "unknown")
                        .With("field", "format"));
      }
      format = sniffed;
      requested = FormatName(*format);
    }
    document.rewind();
    RootObject(reader, document, root);
    doc.format = *format;
    switch (*format) {
      case Format::kTrivy:
        internal::ReadTrivy(reader, root, doc);
        break;
      case Format::kGrype:
        internal::ReadGrype(reader, root, doc);
        break;
      case Format::kCycloneDx:
        internal::ReadCycloneDx(reader, root, options, doc);
        break;
      case Format::kSpdx:
        internal::ReadSpdx(reader, root, options, doc);
        break;
      case Format::kOpenVex:
        internal::ReadOpenVex(reader, root, doc);
        break;
    }
    internal::CheckAtEnd(reader, document);
  } catch (const ParseFailure& failure) {
    return Fail(FormatError(requested, failure.message, failure.pointer, failure.offset));
  } catch (const simdjson::simdjson_error& e) {
    // Only reachable through a simdjson call that throws instead of returning its error code.
    return Fail(FormatError(requested, std::string("malformed JSON (") + e.what() + ")",
                            reader.Pointer(), reader.Offset()));
  }
  doc.warnings = reader.TakeWarnings();
  return doc;
}

}  // namespace qlrf::sbom
