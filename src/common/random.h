// Randomness seam: ids, tokens, passwords. SystemRandom draws from the OS CSPRNG.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace qlrf {

using SystemTimeMs = int64_t;  // milliseconds since the Unix epoch

// Thread-safe.
class Random {
 public:
  virtual ~Random() = default;
  virtual void Fill(std::span<uint8_t> out) = 0;
};

// OpenSSL RAND_bytes. Thread-safe. Aborts if the CSPRNG fails (cannot continue safely).
class SystemRandom final : public Random {
 public:
  void Fill(std::span<uint8_t> out) override;
};

// A reproducible stream (mt19937_64) for generated data such as demo fleets and benchmarks.
// Never for secrets. Not thread-safe.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  void Fill(std::span<uint8_t> out) override;
  uint64_t Next();
  // Uniform in [0, n).
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

// A random UUID (version 4), lowercase canonical form.
std::string NewUuid(Random& random);
// A time-ordered UUID (version 7): 48-bit Unix milliseconds, then `sequence` (12 bits) and
// random bits. Ids made in order sort in order, so B-tree inserts stay local.
std::string NewUuidV7(Random& random, SystemTimeMs unix_ms, uint16_t sequence);
// Time-ordered ids for a batch of new rows: UUIDv7 from `start_ms` with sequence 0, 1, …; every
// 4096 ids the millisecond advances. Keeps bulk primary-key inserts at the end of the B-tree.
// Not thread-safe.
class UuidV7Sequence {
 public:
  UuidV7Sequence(Random& random, SystemTimeMs start_ms) : random_(random), ms_(start_ms) {}
  std::string Next();

 private:
  // Random bytes are drawn for kBatch ids at a time: one CSPRNG call per id cost more than
  // the rest of a bulk import's id handling.
  static constexpr size_t kBatch = 32;
  Random& random_;
  SystemTimeMs ms_;
  uint16_t seq_ = 0;
  std::array<uint8_t, 16 * kBatch> pool_{};
  size_t used_ = pool_.size();
};

// True for a canonical 8-4-4-4-12 hex UUID.
bool IsUuid(std::string_view s);
// `n` random bytes as lowercase hex / as base62 text of `chars` characters.
std::string RandomHex(Random& random, size_t n);
std::string RandomBase62(Random& random, size_t chars);

}  // namespace qlrf
