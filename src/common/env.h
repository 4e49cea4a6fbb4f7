// Process environment seam: configuration reads variables through this, never std::getenv.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace qlrf {

// Thread-safe for reads.
class Env {
 public:
  virtual ~Env() = default;
  virtual std::optional<std::string> Get(std::string_view name) const = 0;
};

// The real process environment. The one place std::getenv is called.
class SystemEnv final : public Env {
 public:
  std::optional<std::string> Get(std::string_view name) const override;
};

// A fixed map, for tests.
class MapEnv final : public Env {
 public:
  explicit MapEnv(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}
  std::optional<std::string> Get(std::string_view name) const override {
    auto it = vars_.find(std::string(name));
    if (it == vars_.end()) {
      return std::nullopt;
    }
    return it->second;
  }

 private:
  std::map<std::string, std::string> vars_;
};

}  // namespace qlrf
