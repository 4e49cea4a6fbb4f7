// Reader: JSON pointer tracking, typed reads and failures for the simdjson On-Demand parsers.
#include "engines/sbom/internal/reader.h"

#include <string>

#include "common/purl/purl.h"

namespace qlrf::sbom::internal {

std::string Reader::Pointer() const {
  std::string out;
  for (size_t i = 0; i < depth_; ++i) {
    const Segment& segment = path_[i];
    out += '/';
    if (segment.index != kKey) {
      out += std::to_string(segment.index);
      continue;
    }
    for (char c : segment.key) {
      if (c == '~') {
        out += "~0";
      } else if (c == '/') {
        out += "~1";
      } else {
        out += c;
      }
    }
  }
  return out;
}

int64_t Reader::Offset() const {
  const char* at = nullptr;
  if (doc_->current_location().get(at) != simdjson::SUCCESS || at == nullptr) {
    return -1;
  }
  return at - base_;
}

void Reader::Fail(std::string message) const {
  throw ParseFailure{std::move(message), Pointer(), Offset()};
}

void Reader::Fail(simdjson::error_code error, std::string_view expected) const {
  switch (error) {
    case simdjson::INCORRECT_TYPE:
      Fail("expected " + std::string(expected));
    case simdjson::NUMBER_ERROR:
      Fail("malformed or out-of-range number where " + std::string(expected) + " was expected");
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
    case simdjson::TAPE_ERROR:
    case simdjson::UNCLOSED_STRING:
      Fail(std::string("truncated or malformed JSON (") + simdjson::error_message(error) + ")");
    default:
      Fail(std::string("malformed JSON (") + simdjson::error_message(error) + ")");
  }
}

std::string_view Reader::String(od::value v) const {
  std::string_view s;
  if (auto error = v.get_string().get(s)) {
    Fail(error, "a string");
  }
  return s;
}

std::string_view Reader::StringOrNull(od::value v) const {
  if (IsNull(v)) {
    return {};
  }
  return String(v);
}

double Reader::Number(od::value v) const {
  double d = 0;
  if (auto error = v.get_double().get(d)) {
    Fail(error, "a number");
  }
  return d;
}

int64_t Reader::Integer(od::value v) const {
  int64_t i = 0;
  if (auto error = v.get_int64().get(i)) {
    Fail(error, "an integer");
  }
  return i;
}

bool Reader::Bool(od::value v) const {
  bool b = false;
  if (auto error = v.get_bool().get(b)) {
    Fail(error, "a boolean");
  }
  return b;
}

bool Reader::IsNull(od::value v) const {
  od::json_type type{};
  if (auto error = v.type().get(type)) {
    Fail(error, "a value");
  }
  if (type != od::json_type::null) {
    return false;
  }
  bool is_null = false;
  if (auto error = v.is_null().get(is_null); error || !is_null) {
    Fail(error ? error : simdjson::N_ATOM_ERROR, "null");
  }
  return true;
}

od::json_type Reader::Type(od::value v) const {
  od::json_type type{};
  if (auto error = v.type().get(type)) {
    Fail(error, "a value");
  }
  return type;
}

void Reader::Strings(od::value v, std::vector<std::string>& out) {
  ArrayOrNull(v, [&](size_t, od::value item) {
    if (!IsNull(item)) {
      out.emplace_back(String(item));
    }
  });
}

const std::string& Reader::CanonicalPurl(std::string_view purl) {
  PurlSlot& slot = purls_[FastHash(purl) % kPurlSlots];
  if (slot.used && slot.raw == purl) {
    return slot.canonical;
  }
  auto canonical = purl::CanonicalizePurl(purl);
  if (!canonical) {
    Warn("unparseable purl \"" + std::string(CutUtf8(purl, 200)) + "\" at " + Pointer() + ": " +
         canonical.error().message);
  }
  slot.raw.assign(purl);
  slot.canonical = canonical ? std::move(*canonical) : std::string();
  slot.used = true;
  return slot.canonical;
}

std::string Reader::CanonicalPurlOnce(std::string_view purl) {
  auto canonical = purl::CanonicalizePurl(purl);
  if (!canonical) {
    Warn("unparseable purl \"" + std::string(CutUtf8(purl, 200)) + "\" at " + Pointer() + ": " +
         canonical.error().message);
    return {};
  }
  return std::move(*canonical);
}

void Reader::Warn(std::string warning) {
  // Bounded so a hostile document cannot make the warning list the biggest thing in memory.
  if (warnings_.size() < kMaxWarnings) {
    warnings_.push_back(std::move(warning));
  }
}

void CheckAtEnd(Reader& reader, od::document& document) {
  const char* at = nullptr;
  if (document.current_location().get(at) == simdjson::SUCCESS) {
    reader.Fail("unexpected content after the top-level value");
  }
}

Error FailureToError(std::string_view format, const std::string& message, std::string pointer,
                     int64_t offset) {
  std::string text = std::string(format.empty() ? "json" : format) + ": " + message;
  if (!pointer.empty()) {
    text += " at " + pointer;
  }
  if (offset >= 0) {
    text += " (byte " + std::to_string(offset) + ")";
  }
  Error error = InvalidArgument(std::move(text));
  error.details.emplace_back("format", format.empty() ? "unknown" : std::string(format));
  error.details.emplace_back("field", pointer.empty() ? "/" : std::move(pointer));
  if (offset >= 0) {
    error.details.emplace_back("offset", std::to_string(offset));
  }
  return error;
}

std::string_view CutUtf8(std::string_view text, size_t max) {
  if (text.size() <= max) {
    return text;
  }
  size_t end = max;
  // Step back over continuation bytes (10xxxxxx) so the cut lands before a lead byte.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return text.substr(0, end);
}

int CvssRank(std::string_view vector) {
  if (vector.starts_with("CVSS:3.1/")) {
    return 4;
  }
  if (vector.starts_with("CVSS:3.0/")) {
    return 3;
  }
  if (vector.starts_with("CVSS:4.0/")) {
    return 2;
  }
  if (!vector.empty()) {
    return 1;
  }
  return 0;
}

}  // namespace qlrf::sbom::internal
