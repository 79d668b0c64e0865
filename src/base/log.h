#pragma once
// Logging is spdlog's default logger (stderr). Call InitLogging once from main.
// Every line carries the component of the thread that logs it (SetLogComponent: "broker",
// "collector", "lander", ...; "eventlake" by default) and, through LogFields, structured fields.
// Text lines: `<time> <level> [<component>] <message>[ key=value...]`; JSON lines (--log-format
// json): {"time","level","component","message","fields":{...}}, one object a line. A message
// repeated within 10 s is logged once, then "Skipped N duplicate messages..".
#include <spdlog/spdlog.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace el {

// level: trace|debug|info|warn|error|off (unknown names: info); format: text|json (unknown: text).
void InitLogging(std::string_view level, std::string_view format = "text");

// The component of this thread's log lines.
void SetLogComponent(std::string_view component);
std::string LogComponent();

// A structured field of a log line: its key and its value as JSON text.
struct LogField {
  LogField(std::string k, int64_t v) : key(std::move(k)), json(std::to_string(v)) {}
  LogField(std::string k, int v) : LogField(std::move(k), static_cast<int64_t>(v)) {}
  LogField(std::string k, size_t v) : LogField(std::move(k), static_cast<int64_t>(v)) {}
  LogField(std::string k, double v);
  LogField(std::string k, std::string_view v);
  LogField(std::string k, const char* v) : LogField(std::move(k), std::string_view(v)) {}
  std::string key;
  std::string json;
};

// Logs `message` with `fields` at `level`.
void LogFields(spdlog::level::level_enum level, std::string_view message,
               const std::vector<LogField>& fields);

}  // namespace el
