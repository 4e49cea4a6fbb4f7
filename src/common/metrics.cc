// Prometheus registry and text rendering.
#include "common/metrics.h"

#include <cstdio>
#include <map>
#include <shared_mutex>

namespace qlrf::metrics {

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), buckets_(new std::atomic<uint64_t>[bounds->size() + 1]) {
  for (size_t i = 0; i <= bounds_->size(); ++i) {
    buckets_[i].store(0);
  }
}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_->size() && v > (*bounds_)[i]) {
    ++i;
  }
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::Buckets() const {
  std::vector<uint64_t> out(bounds_->size() + 1);
  uint64_t acc = 0;
  for (size_t i = 0; i <= bounds_->size(); ++i) {
    acc += buckets_[i].load(std::memory_order_relaxed);
    out[i] = acc;
  }
  return out;
}

namespace {

std::string LabelText(const Labels& labels, const std::string& extra = {}) {
  if (labels.empty() && extra.empty()) {
    return {};
  }
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) {
      out += ',';
    }
    first = false;
    out += k;
    out += "=\"";
    for (char c : v) {
      if (c == '"' || c == '\\') {
        out += '\\';
      }
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  if (!extra.empty()) {
    if (!first) {
      out += ',';
    }
    out += extra;
  }
  out += '}';
  return out;
}

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

struct Registry::State {
  struct Family {
    std::string help;
    std::string type;
    std::map<std::string, std::pair<Labels, std::unique_ptr<Counter>>> counters;
    std::map<std::string, std::pair<Labels, std::unique_ptr<Histogram>>> histograms;
    std::vector<std::pair<Labels, std::function<double()>>> gauges;
  };
  mutable std::shared_mutex mu;
  std::map<std::string, Family> families;
};

Registry::Registry() : state_(std::make_unique<State>()) {}
Registry::~Registry() = default;

Counter& Registry::GetCounter(const std::string& name, const std::string& help,
                              const Labels& labels) {
  std::string key = LabelText(labels);
  {
    std::shared_lock lock(state_->mu);
    auto f = state_->families.find(name);
    if (f != state_->families.end()) {
      auto it = f->second.counters.find(key);
      if (it != f->second.counters.end()) {
        return *it->second.second;
      }
    }
  }
  std::unique_lock lock(state_->mu);
  auto& fam = state_->families[name];
  fam.help = help;
  fam.type = "counter";
  auto& slot = fam.counters[key];
  if (!slot.second) {
    slot = {labels, std::make_unique<Counter>()};
  }
  return *slot.second;
}

Histogram& Registry::GetHistogram(const std::string& name, const std::string& help,
                                  const Labels& labels) {
  std::string key = LabelText(labels);
  {
    std::shared_lock lock(state_->mu);
    auto f = state_->families.find(name);
    if (f != state_->families.end()) {
      auto it = f->second.histograms.find(key);
      if (it != f->second.histograms.end()) {
        return *it->second.second;
      }
    }
  }
  std::unique_lock lock(state_->mu);
  auto& fam = state_->families[name];
  fam.help = help;
  fam.type = "histogram";
  auto& slot = fam.histograms[key];
  if (!slot.second) {
    slot = {labels, std::make_unique<Histogram>(&LatencyBuckets())};
  }
  return *slot.second;
}

void Registry::AddGauge(const std::string& name, const std::string& help,
                        std::function<double()> read, const Labels& labels) {
  std::unique_lock lock(state_->mu);
  auto& fam = state_->families[name];
  fam.help = help;
  fam.type = "gauge";
  fam.gauges.emplace_back(labels, std::move(read));
}

std::string Registry::Render() const {
  std::shared_lock lock(state_->mu);
  std::string out;
  for (const auto& [name, fam] : state_->families) {
    out += "# HELP " + name + " " + fam.help + "\n# TYPE " + name + " " + fam.type + "\n";
    for (const auto& [key, entry] : fam.counters) {
      out += name + key + " " + Num(entry.second->value()) + "\n";
    }
    for (const auto& [labels, read] : fam.gauges) {
      out += name + LabelText(labels) + " " + Num(read()) + "\n";
    }
    for (const auto& [key, entry] : fam.histograms) {
      const auto& [labels, h] = entry;
      auto buckets = h->Buckets();
      const auto& bounds = LatencyBuckets();
      for (size_t i = 0; i < buckets.size(); ++i) {
        std::string le = i < bounds.size() ? Num(bounds[i]) : "+Inf";
        out += name + "_bucket" + LabelText(labels, "le=\"" + le + "\"") + " " +
               std::to_string(buckets[i]) + "\n";
      }
      out += name + "_sum" + key + " " + Num(h->sum()) + "\n";
      out += name + "_count" + key + " " + std::to_string(h->count()) + "\n";
    }
  }
  return out;
}

}  // namespace qlrf::metrics
