// CycloneDX rules shared by the JSON and XML readers: the enumerations and patterns of the
// schema that strict mode checks, the bom-ref set, and how ratings, vulnerabilities and VEX
// analyses become findings and statements.
#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engines/sbom/internal/reader.h"
#include "engines/sbom/sbom.h"

namespace qlrf::sbom::internal {

template <size_t N>
inline bool OneOf(std::string_view value, const std::array<std::string_view, N>& allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

constexpr std::array<std::string_view, 13> kComponentTypes = {"application",
                                                              "framework",
                                                              "library",
                                                              "container",
                                                              "platform",
                                                              "operating-system",
                                                              "device",
                                                              "device-driver",
                                                              "firmware",
                                                              "file",
                                                              "machine-learning-model",
                                                              "data",
                                                              "cryptographic-asset"};
constexpr std::array<std::string_view, 14> kHashAlgorithms = {
    "MD5",         "SHA-1",    "SHA-256",      "SHA-384",     "SHA-512",
    "SHA3-256",    "SHA3-384", "SHA3-512",     "BLAKE2b-256", "BLAKE2b-384",
    "BLAKE2b-512", "BLAKE3",   "Streebog-256", "Streebog-512"};
constexpr std::array<std::string_view, 3> kScopes = {"required", "optional", "excluded"};
constexpr std::array<std::string_view, 4> kPatchTypes = {"unofficial", "monkey", "backport",
                                                         "cherry-pick"};
constexpr std::array<std::string_view, 3> kIssueTypes = {"defect", "enhancement", "security"};
constexpr std::array<std::string_view, 4> kDataFlows = {"inbound", "outbound", "bi-directional",
                                                        "unknown"};
constexpr std::array<std::string_view, 11> kMetadataKeys = {"timestamp",
                                                            "lifecycles",
                                                            "tools",
                                                            "authors",
                                                            "component",
                                                            "manufacture",
                                                            "manufacturer",
                                                            "supplier",
                                                            "licenses",
                                                            "properties",
                                                            "distributionConstraints"};
constexpr std::array<std::string_view, 2> kAcknowledgements = {"declared", "concluded"};

inline bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

inline bool IsHex(std::string_view s) { return std::all_of(s.begin(), s.end(), IsHexDigit); }

// Lowercase hex digit for each byte, 0 for anything else.
constexpr std::array<char, 256> kLowerHex = [] {
  std::array<char, 256> table{};
  for (char c = '0'; c <= '9'; ++c) {
    table[static_cast<unsigned char>(c)] = c;
  }
  for (char c = 'a'; c <= 'f'; ++c) {
    table[static_cast<unsigned char>(c)] = c;
    table[static_cast<unsigned char>(c - 'a' + 'A')] = c;
  }
  return table;
}();

// Lowercase hex of `content`, or "" when it is not all hex digits. Branch-free per byte: hash
// contents are the longest strings of most BOMs.
std::string LowerHex(std::string_view content);

inline bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// urn:uuid:8-4-4-4-12 hex digits.
bool IsSerialNumber(std::string_view s);

// RFC 3339 date-time (JSON Schema "format": "date-time").
bool IsDateTime(std::string_view s);

// An open-addressing set of string_views that must outlive it (the JSON reader's bom-refs, in
// simdjson's buffer for the whole parse): a node-based set costs an allocation per component.
class RefSet {
 public:
  // Sizes the table for about `expected` refs.
  void Reserve(size_t expected) {
    size_t slots = 1024;
    while (slots < expected * 2) {
      slots *= 2;
    }
    if (slots > slots_.size()) {
      std::vector<std::string_view> old = std::move(slots_);
      slots_.assign(slots, std::string_view());
      size_ = 0;
      for (std::string_view ref : old) {
        if (ref.data() != nullptr) {
          Insert(ref);
        }
      }
    }
  }

  // False when `ref` was already there.
  bool Insert(std::string_view ref) {
    if ((size_ + 1) * 2 > slots_.size()) {
      Grow();
    }
    size_t mask = slots_.size() - 1;
    for (size_t i = FastHash(ref) & mask;; i = (i + 1) & mask) {
      if (slots_[i].data() == nullptr) {
        slots_[i] = ref;
        ++size_;
        return true;
      }
      if (slots_[i] == ref) {
        return false;
      }
    }
  }

 private:
  void Grow() { Reserve(std::max<size_t>(512, slots_.size())); }

  std::vector<std::string_view> slots_;
  size_t size_ = 0;
};

int MinorVersion(std::string_view spec_version);

int RatingRank(std::string_view method);

// Picks a vulnerability's score, vector and severity from its ratings: the best method
// (CVSS v3.1 > v3.0 > v4 > v2 > other) with a score, else the worst severity named.
class RatingPicker {
 public:
  void Add(Finding& finding, std::optional<double> score, std::string_view vector,
           std::string_view method, Severity severity);
  void Finish(Finding& finding) const;

 private:
  int best_rank_ = 0;
  Severity worst_ = Severity::kUnknown;
};

// What one CycloneDX vulnerability says, read from either encoding.
struct CdxVulnerability {
  Finding base;
  std::vector<std::string> affects;  // refs of the affected components
  bool has_analysis = false;
  VexStatement vex;  // status, justification, detail, timestamp
  std::vector<std::string> responses;
  RatingPicker ratings;
};

// Adds a finding per affected ref (and a VEX statement per ref when there is an analysis); false
// when the vulnerability names no affected component (nothing added).
bool AddVulnerability(CdxVulnerability v, Document& doc);

// The end of reading a component: its ecosystem from the purl; when `flatten`, it goes into the
// document at `slot` (reserved before its nested components were added), named "#<slot>" if it
// has no bom-ref, and {} is returned; otherwise it is returned (metadata, pedigree).
Component PlaceComponent(Component c, bool flatten, size_t slot, Document& doc);

// Fills what findings and VEX statements know about their component from the BOM.
void FinishCycloneDx(Document& doc);

}  // namespace qlrf::sbom::internal
