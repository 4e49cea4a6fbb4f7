// A small Prometheus registry: counters, gauges and histograms with bounded labels, rendered in
// the text exposition format at /metrics. Thread-safe; the hot path is lock-free after the
// first use of a label set.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"

namespace qlrf::metrics {

class Counter {
 public:
  void Inc(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds);
  void Observe(double v);
  // Cumulative counts per bound (+Inf last), sum and count.
  std::vector<uint64_t> Buckets() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double>* bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

using Labels = std::vector<std::pair<std::string, std::string>>;

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Returns the series for (name, labels), creating it on first use. The reference stays valid
  // for the registry's lifetime.
  Counter& GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& GetHistogram(const std::string& name, const std::string& help,
                          const Labels& labels = {});
  // A gauge whose value is read at render time.
  void AddGauge(const std::string& name, const std::string& help, std::function<double()> read,
                const Labels& labels = {});

  std::string Render() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

// Latency buckets in seconds (0.5 ms .. 10 s).
const std::vector<double>& LatencyBuckets();

}  // namespace qlrf::metrics
