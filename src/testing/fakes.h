// Test fakes shared by tests: a settable clock and a deterministic random source.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/random.h"

namespace qlrf::testing {

// Thread-safe. Starts at 2026-01-01T00:00:00Z; moves only when Advance() is called.
class FakeClock final : public Clock {
 public:
  FakeClock() : now_(FromUnixSeconds(1767225600)) {}
  SystemTime Now() const override {
    MutexLock lock(&mu_);
    return now_;
  }
  MonotonicTime Monotonic() const override {
    MutexLock lock(&mu_);
    return MonotonicTime(now_.time_since_epoch());
  }
  void Advance(std::chrono::milliseconds d) {
    MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable Mutex mu_;
  SystemTime now_ QLRF_GUARDED_BY(mu_);
};

// Thread-safe; the same seed gives the same bytes.
class FakeRandom final : public Random {
 public:
  explicit FakeRandom(uint64_t seed) : engine_(seed) {}
  void Fill(std::span<uint8_t> out) override {
    MutexLock lock(&mu_);
    for (auto& b : out) {
      b = static_cast<uint8_t>(engine_() & 0xFF);
    }
  }

 private:
  Mutex mu_;
  std::mt19937_64 engine_ QLRF_GUARDED_BY(mu_);
};

}  // namespace qlrf::testing
