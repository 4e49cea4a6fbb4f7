// spdlog sink writing pre-rendered JSON lines; formatting is ours so every line is valid JSON.
#include "common/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>

#include "common/clock.h"
#include "common/json.h"

namespace qlrf::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};  // NOLINT: the logger is the one global

spdlog::logger& Logger() {
  static auto logger = [] {
    auto l =
        std::make_shared<spdlog::logger>("qlrf", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return *logger;
}

std::string_view LevelName(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::string Head(Level level, std::string_view msg) {
  std::string line = "{\"ts\":\"";
  line += FormatTime(std::chrono::system_clock::now());
  line += "\",\"level\":\"";
  line += LevelName(level);
  line += "\",\"msg\":";
  json::AppendQuoted(line, msg);
  return line;
}

}  // namespace

void Init(std::string_view level) {
  Level l = Level::kInfo;
  if (level == "debug") {
    l = Level::kDebug;
  }
  if (level == "warn") {
    l = Level::kWarn;
  }
  if (level == "error") {
    l = Level::kError;
  }
  g_level.store(static_cast<int>(l));
}

bool Enabled(Level level) { return static_cast<int>(level) >= g_level.load(); }

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (!Enabled(level)) {
    return;
  }
  std::string line = Head(level, msg);
  for (const auto& [k, v] : fields) {
    line += ',';
    json::AppendQuoted(line, k);
    line += ':';
    json::AppendQuoted(line, v);
  }
  line += '}';
  Logger().info("{}", line);
}

void WriteRaw(Level level, std::string_view msg, std::string_view json_members) {
  if (!Enabled(level)) {
    return;
  }
  std::string line = Head(level, msg);
  line += json_members;
  line += '}';
  Logger().info("{}", line);
}

}  // namespace qlrf::log
