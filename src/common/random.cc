// OS randomness (OpenSSL RAND_bytes), UUIDs and random tokens.
#include "common/random.h"

#include <openssl/rand.h>

#include <cstring>
#include <vector>

#include "common/crypto.h"
#include "common/result.h"

namespace qlrf {

void SystemRandom::Fill(std::span<uint8_t> out) {
  int ok = RAND_bytes(out.data(), static_cast<int>(out.size()));
  QLRF_CHECK(ok == 1, "the OS CSPRNG failed; no safe way to continue");
}

// splitmix64: small, fast and well distributed; reproducible across platforms.
uint64_t SeededRandom::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void SeededRandom::Fill(std::span<uint8_t> out) {
  size_t i = 0;
  while (i < out.size()) {
    uint64_t v = Next();
    for (int b = 0; b < 8 && i < out.size(); ++b, ++i) {
      out[i] = static_cast<uint8_t>(v >> (8 * b));
    }
  }
}

namespace {

std::string FormatUuid(const uint8_t (&b)[16]) {
  static constexpr char kHex[] = "0123456789abcdef";
  char out[36];
  size_t o = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out[o++] = '-';
    }
    out[o++] = kHex[b[i] >> 4];
    out[o++] = kHex[b[i] & 0xF];
  }
  return std::string(out, sizeof out);
}

// UUIDv7 from 16 bytes whose random bits are already filled in.
std::string UuidV7Of(uint8_t (&b)[16], SystemTimeMs unix_ms, uint16_t sequence) {
  auto ms = static_cast<uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) {
    b[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  }
  b[6] = static_cast<uint8_t>(0x70 | ((sequence >> 8) & 0x0F));
  b[7] = static_cast<uint8_t>(sequence & 0xFF);
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);
  return FormatUuid(b);
}

}  // namespace

std::string NewUuidV7(Random& random, SystemTimeMs unix_ms, uint16_t sequence) {
  uint8_t b[16];
  random.Fill(b);
  return UuidV7Of(b, unix_ms, sequence);
}

std::string UuidV7Sequence::Next() {
  if (seq_ == 4096) {
    seq_ = 0;
    ++ms_;
  }
  if (used_ == pool_.size()) {
    random_.Fill(pool_);
    used_ = 0;
  }
  uint8_t b[16];
  std::memcpy(b, pool_.data() + used_, sizeof b);
  used_ += sizeof b;
  return UuidV7Of(b, ms_, seq_++);
}

std::string NewUuid(Random& random) {
  uint8_t b[16];
  random.Fill(b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);
  return FormatUuid(b);
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') {
        return false;
      }
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string RandomHex(Random& random, size_t n) {
  std::vector<uint8_t> b(n);
  random.Fill(b);
  return crypto::HexEncode(b);
}

std::string RandomBase62(Random& random, size_t chars) {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  out.reserve(chars);
  uint8_t buf[64];
  while (out.size() < chars) {
    random.Fill(buf);
    for (uint8_t x : buf) {
      if (x < 248 && out.size() < chars) {  // 248 = 4*62: rejection sampling keeps it unbiased
        out += kAlphabet[x % 62];
      }
    }
  }
  return out;
}

}  // namespace qlrf
