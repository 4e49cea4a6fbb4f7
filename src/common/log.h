// Structured logging: one JSON object per line on stderr (spdlog). The logger is the one global.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace qlrf::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Sets the level ("debug" | "info" | "warn" | "error"); safe to call once at start-up.
void Init(std::string_view level);
bool Enabled(Level level);

using Field = std::pair<std::string_view, std::string_view>;
// Writes {"ts":…,"level":…,"msg":…, fields…}. Values are strings; never pass secrets.
void Write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});
// The same with a pre-rendered tail of JSON members (",\"k\":1,…"), for the access log.
void WriteRaw(Level level, std::string_view msg, std::string_view json_members);

inline void Info(std::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kInfo, msg, f);
}
inline void Warn(std::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kWarn, msg, f);
}
inline void Error(std::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kError, msg, f);
}
inline void Debug(std::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kDebug, msg, f);
}

}  // namespace qlrf::log
