#include "base/log.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <utility>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include "base/json_text.h"

namespace el {
namespace {

thread_local std::string t_component = "eventlake";
thread_local const std::vector<LogField>* t_fields = nullptr;  // of the line being logged

void AppendTime(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count() %
      1000;
  fmt::format_to(std::back_inserter(dest), "{:%Y-%m-%dT%H:%M:%S}.{:03}",
                 fmt::gmtime(std::chrono::system_clock::to_time_t(msg.time)), ms);
}

// `<time> <level> [<component>] <message> key=value...`
class TextFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    AppendTime(msg, dest);
    auto level = spdlog::level::to_string_view(msg.level);
    fmt::format_to(std::back_inserter(dest), " {} [{}] ",
                   std::string_view(level.data(), level.size()), t_component);
    dest.append(msg.payload.data(), msg.payload.data() + msg.payload.size());
    if (t_fields != nullptr) {
      for (const LogField& f : *t_fields)
        fmt::format_to(std::back_inserter(dest), " {}={}", f.key, f.json);
    }
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextFormatter>();
  }
};

// {"time":...,"level":...,"component":...,"message":...,"fields":{...}}
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line = "{\"time\":\"";
    spdlog::memory_buf_t time;
    AppendTime(msg, time);
    line.append(time.data(), time.size());
    line += "Z\",\"level\":";
    auto level = spdlog::level::to_string_view(msg.level);
    AppendJsonString(line, std::string_view(level.data(), level.size()));
    line += ",\"component\":";
    AppendJsonString(line, t_component);
    line += ",\"message\":";
    AppendJsonString(line, std::string_view(msg.payload.data(), msg.payload.size()));
    line += ",\"fields\":{";
    if (t_fields != nullptr) {
      for (size_t i = 0; i < t_fields->size(); ++i) {
        if (i > 0) line += ',';
        AppendJsonString(line, (*t_fields)[i].key);
        line += ':';
        line += (*t_fields)[i].json;
      }
    }
    line += "}}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

// Passes a line on unless it repeats the previous one (same level, message and fields) within
// `window` of the last line passed on; the next line passed on is preceded by how many were not.
class RepeatFilterSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  RepeatFilterSink(std::shared_ptr<spdlog::sinks::sink> out, std::chrono::seconds window)
      : out_(std::move(out)), window_(window) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string key(msg.payload.data(), msg.payload.size());
    key += '\0';
    if (t_fields != nullptr) {
      for (const LogField& f : *t_fields) key += f.key + "=" + f.json + "\0";
    }
    if (msg.level == last_level_ && key == last_key_ && msg.time - last_time_ < window_) {
      ++skipped_;
      return;
    }
    if (skipped_ > 0) {
      std::string text = fmt::format("the previous message repeated {} more time(s)", skipped_);
      spdlog::details::log_msg note(msg.logger_name, last_level_, text);
      const std::vector<LogField>* fields = std::exchange(t_fields, nullptr);
      out_->log(note);
      t_fields = fields;
    }
    out_->log(msg);
    skipped_ = 0;
    last_level_ = msg.level;
    last_key_ = std::move(key);
    last_time_ = msg.time;
  }
  void flush_() override { out_->flush(); }
  void set_formatter_(std::unique_ptr<spdlog::formatter> f) override {
    out_->set_formatter(std::move(f));
  }

 private:
  std::shared_ptr<spdlog::sinks::sink> out_;
  std::chrono::seconds window_;
  spdlog::level::level_enum last_level_ = spdlog::level::off;
  std::string last_key_;
  spdlog::log_clock::time_point last_time_;
  size_t skipped_ = 0;
};

}  // namespace

LogField::LogField(std::string k, double v) : key(std::move(k)), json(fmt::format("{}", v)) {
  if (json.find_first_of("0123456789") == std::string::npos) json = "null";  // inf, nan
}

LogField::LogField(std::string k, std::string_view v) : key(std::move(k)) {
  AppendJsonString(json, v);
}

void InitLogging(std::string_view level, std::string_view format) {
  auto sink = std::make_shared<RepeatFilterSink>(
      std::make_shared<spdlog::sinks::stderr_color_sink_mt>(), std::chrono::seconds(10));
  auto logger = std::make_shared<spdlog::logger>("eventlake", sink);
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_formatter(std::make_unique<TextFormatter>());
  }
  spdlog::set_default_logger(logger);
  auto lvl = spdlog::level::from_str(std::string(level));
  spdlog::set_level(lvl == spdlog::level::off && level != "off" ? spdlog::level::info : lvl);
}

void SetLogComponent(std::string_view component) { t_component = component; }

std::string LogComponent() { return t_component; }

void LogFields(spdlog::level::level_enum level, std::string_view message,
               const std::vector<LogField>& fields) {
  t_fields = &fields;
  spdlog::log(level, "{}", message);
  t_fields = nullptr;
}

}  // namespace el
