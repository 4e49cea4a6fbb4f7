// Reader: the shared walking machinery of the format parsers over simdjson On-Demand. It keeps the
// JSON pointer of the value being read, reads typed values with clear messages, and turns a
// failure anywhere into one exception that Parse() converts to an Error (the only place that
// catches it). Not thread-safe; one per parse.
#pragma once

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/result.h"

namespace qlrf::sbom::internal {

namespace od = simdjson::ondemand;

// Warnings kept per document; more are dropped, so a hostile document cannot make its warnings
// the bulk of memory.
inline constexpr size_t kMaxWarnings = 100;

// What the parsers throw; caught in Parse()/the feed parsers and turned into InvalidArgument.
struct ParseFailure {
  std::string message;
  std::string pointer;
  int64_t offset = -1;
};

class Reader {
  static constexpr size_t kKey = static_cast<size_t>(-1);
  struct Segment {
    std::string_view key;
    size_t index;
  };

 public:
  Reader(od::document& doc, const char* base, size_t size) : doc_(&doc), base_(base), size_(size) {}

  // Size of the input in bytes (to size tables up front).
  size_t InputSize() const { return size_; }
  // The input itself.
  const char* Base() const { return base_; }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Descends into `key` / `index` of the current value; Pop() leaves it. Not RAII on purpose:
  // when a failure unwinds, the path stays where it failed so the error can name it.
  void Push(std::string_view key) { Push(Segment{key, kKey}); }
  void Push(size_t index) { Push(Segment{{}, index}); }
  void Pop() { --depth_; }
  size_t Depth() const { return depth_; }

  // The JSON pointer (RFC 6901) of the current position, e.g. "/Results/0/Vulnerabilities/3".
  std::string Pointer() const;

  // Throws ParseFailure at the current position.
  [[noreturn]] void Fail(std::string message) const;
  // Throws ParseFailure for a simdjson error at the current position.
  [[noreturn]] void Fail(simdjson::error_code error, std::string_view expected) const;

  // Typed reads. Each fails with "expected <type>" when the value has another type.
  std::string_view String(od::value v) const;
  // A string, or "" for null.
  std::string_view StringOrNull(od::value v) const;
  double Number(od::value v) const;
  int64_t Integer(od::value v) const;
  bool Bool(od::value v) const;
  bool IsNull(od::value v) const;
  od::json_type Type(od::value v) const;

  // Calls f(key, value) for every field of the object `v`, with the path set to the field.
  template <class F>
  void Object(od::value v, F&& f) {
    od::object object;
    if (auto error = v.get_object().get(object)) {
      Fail(error, "an object");
    }
    Fields(object, f);
  }

  template <class F>
  void Fields(od::object& object, F&& f) {
    for (auto field : object) {
      std::string_view key;
      if (auto error = field.unescaped_key().get(key)) {
        Fail(error, "an object key");
      }
      od::value value;
      if (auto error = field.value().get(value)) {
        Fail(error, "a value");
      }
      Push(key);
      f(key, value);
      Pop();
    }
  }

  // Like Object(), but null is an empty object.
  template <class F>
  void ObjectOrNull(od::value v, F&& f) {
    if (!IsNull(v)) {
      Object(v, f);
    }
  }

  // Calls f(index, value) for every element of the array `v`, with the path set to the element.
  template <class F>
  void Array(od::value v, F&& f) {
    od::array array;
    if (auto error = v.get_array().get(array)) {
      Fail(error, "an array");
    }
    size_t index = 0;
    for (auto element : array) {
      od::value value;
      if (auto error = element.get(value)) {
        Fail(error, "an array element");
      }
      Push(index);
      f(index, value);
      Pop();
      ++index;
    }
  }

  // Like Array(), but null is an empty array.
  template <class F>
  void ArrayOrNull(od::value v, F&& f) {
    if (!IsNull(v)) {
      Array(v, f);
    }
  }

  // Appends every string of an array of strings (null elements skipped).
  void Strings(od::value v, std::vector<std::string>& out);

  // The canonical form of a purl string, or "" when it does not parse; a purl repeated nearby is
  // canonicalised once. The reference is valid until the next call.
  const std::string& CanonicalPurl(std::string_view purl);
  // The same without the cache, for documents that name each purl once (BOMs).
  std::string CanonicalPurlOnce(std::string_view purl);

  void Warn(std::string warning);
  std::vector<std::string> TakeWarnings() { return std::move(warnings_); }

  // Byte offset of the parser's position in the input, or -1.
  int64_t Offset() const;

 private:
  // A fixed stack: pushing a segment per field is on the hot path of every parse.
  static constexpr size_t kMaxDepth = 128;

  void Push(Segment segment) {
    if (depth_ == kMaxDepth) {
      Fail("nested too deeply (more than " + std::to_string(kMaxDepth) + " levels)");
    }
    path_[depth_++] = segment;
  }

  od::document* doc_;
  const char* base_;
  size_t size_;
  std::array<Segment, kMaxDepth> path_;
  size_t depth_ = 0;
  std::vector<std::string> warnings_;
  // A direct-mapped cache of recent purls: scanner reports repeat a package's purl once per
  // finding, while BOMs rarely repeat one, so a full map would cost more than it saves there.
  struct PurlSlot {
    std::string raw;
    std::string canonical;
    bool used = false;
  };
  static constexpr size_t kPurlSlots = 256;
  std::vector<PurlSlot> purls_ = std::vector<PurlSlot>(kPurlSlots);
};

// Fails when anything but whitespace follows the top-level value.
void CheckAtEnd(Reader& reader, od::document& document);

// InvalidArgument {"format", "field": pointer, "offset"} with a message naming both.
Error FailureToError(std::string_view format, const std::string& message, std::string pointer,
                     int64_t offset);

// Runs `body(reader, document)` over `bytes` (copied once into simdjson's padded buffer) and
// converts any failure, including invalid JSON, to FailureToError(format, ...).
template <class T, class F>
Result<T> WithDocument(std::string_view bytes, std::string_view format, F&& body) {
  simdjson::padded_string padded(bytes);
  od::parser parser;
  od::document document;
  if (auto error = parser.iterate(padded).get(document)) {
    return Fail(FailureToError(
        format, std::string("not valid JSON (") + simdjson::error_message(error) + ")", "", -1));
  }
  Reader reader(document, padded.data(), padded.size());
  try {
    T value = body(reader, document);
    CheckAtEnd(reader, document);
    return value;
  } catch (const ParseFailure& failure) {
    return Fail(FailureToError(format, failure.message, failure.pointer, failure.offset));
  } catch (const simdjson::simdjson_error& e) {
    return Fail(FailureToError(format, std::string("malformed JSON (") + e.what() + ")",
                               reader.Pointer(), reader.Offset()));
  }
}

// A cheap, non-cryptographic hash for the parser's own tables (bom-refs, purl cache): 8 bytes
// at a time, so long refs and purls cost a few cycles each.
inline size_t FastHash(std::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, s.data() + i, 8);
    h = (h ^ word) * 0xFF51AFD7ED558CCDull;
    h ^= h >> 32;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail) * 0xC4CEB9FE1A85EC53ull;
  return static_cast<size_t>(h ^ (h >> 29));
}

// Cuts `text` to at most `max` bytes at a UTF-8 character boundary.
std::string_view CutUtf8(std::string_view text, size_t max);

// "CVSS:3.1/…" vectors: the CVSS version rank used to pick the best score (v3.1 > v3.0 > v4.0 >
// v2 > unknown).
int CvssRank(std::string_view vector);

}  // namespace qlrf::sbom::internal
