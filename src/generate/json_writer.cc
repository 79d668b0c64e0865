#include "generate/json_writer.h"

#include <chrono>

#include <fmt/format.h>

namespace el::generate {

void JsonWriter::Key(std::string_view key) {
  if (need_comma_) out_ += ',';
  if (!key.empty()) {
    out_ += '"';
    out_ += key;  // keys are generator constants: no escaping needed
    out_ += "\":";
  }
  need_comma_ = true;
}

JsonWriter& JsonWriter::BeginObject(std::string_view key) {
  Key(key);
  out_ += '{';
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::EndObject() {
  out_ += '}';
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::BeginArray(std::string_view key) {
  Key(key);
  out_ += '[';
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::EndArray() {
  out_ += ']';
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view key, std::string_view value) {
  Key(key);
  out_ += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out_ += '\\';
    out_ += c;
  }
  out_ += '"';
  return *this;
}
JsonWriter& JsonWriter::Int(std::string_view key, int64_t value) {
  Key(key);
  out_ += std::to_string(value);
  return *this;
}
JsonWriter& JsonWriter::Double(std::string_view key, double value) {
  Key(key);
  out_ += fmt::format("{:.2f}", value);
  return *this;
}
JsonWriter& JsonWriter::Bool(std::string_view key, bool value) {
  Key(key);
  out_ += value ? "true" : "false";
  return *this;
}

std::string IsoMillis(int64_t epoch_ms) {
  using namespace std::chrono;
  sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(epoch_ms)));
  year_month_day ymd(day);
  int64_t ms_of_day = epoch_ms - duration_cast<milliseconds>(day.time_since_epoch()).count();
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     ms_of_day / 3600000, ms_of_day / 60000 % 60, ms_of_day / 1000 % 60, ms_of_day % 1000);
}

}  // namespace el::generate
