// Hashing, MACs, encodings and secure randomness (OpenSSL). Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace qlrf::crypto {

using Bytes = std::vector<uint8_t>;

std::string Sha256Hex(std::string_view data);
Bytes Sha256(std::string_view data);
Bytes HmacSha256(std::string_view key, std::string_view data);
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// Constant-time comparison of equal-length byte strings (false when lengths differ).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

std::string HexEncode(std::span<const uint8_t> data);
// 0..15 for a hex digit (either case), -1 otherwise.
int HexDigitValue(char c);
Result<Bytes> HexDecode(std::string_view hex);

// RFC 4648 §5 base64url without padding. Decode rejects padding, whitespace and bad characters.
std::string Base64UrlEncode(std::span<const uint8_t> data);
inline std::string Base64UrlEncode(std::string_view s) {
  return Base64UrlEncode(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}
Result<Bytes> Base64UrlDecode(std::string_view text);
// Standard base64 with padding.
std::string Base64Encode(std::span<const uint8_t> data);
Result<Bytes> Base64Decode(std::string_view text);

inline std::string_view AsString(const Bytes& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace qlrf::crypto
