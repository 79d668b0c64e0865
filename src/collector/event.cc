#include "collector/event.h"

#include <cstdint>
#include <ctime>
#include <random>

#include "base/json_text.h"

namespace el::collector {
namespace {

constexpr size_t kLinearSearchLimit = 16;
constexpr std::string_view kReceivedAt = "received_at";
constexpr std::string_view kEventId = "event_id";
constexpr std::string_view kClientIp = "client_ip";

bool IsCollectorField(std::string_view key) {
  return key == kReceivedAt || key == kEventId || key == kClientIp;
}

void AppendField(std::string& out, std::string_view key, std::string_view json_value) {
  if (out.size() > 1) out.push_back(',');
  AppendJsonString(out, key);
  out.push_back(':');
  out.append(json_value);
}

}  // namespace

std::string FormatReceivedAt(std::chrono::system_clock::time_point time) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  int millis = static_cast<int>(ms % 1000);
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::string NewEventId() {
  thread_local std::mt19937_64 rng{std::random_device{}() ^
                                   (static_cast<uint64_t>(std::random_device{}()) << 32)};
  uint64_t hi = rng();
  uint64_t lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 10xx
  char buf[37];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

bool EventBuilder::Has(std::string_view key) const {
  if (fields_.size() <= kLinearSearchLimit) {
    for (const auto& [k, v] : fields_) {
      if (k == key) return true;
    }
    return false;
  }
  return index_.find(std::string(key)) != index_.end();
}

void EventBuilder::Set(std::string_view key, std::string json_value) {
  if (fields_.size() <= kLinearSearchLimit) {
    for (auto& [k, v] : fields_) {
      if (k == key) {
        v = std::move(json_value);
        return;
      }
    }
    fields_.emplace_back(std::string(key), std::move(json_value));
    if (fields_.size() > kLinearSearchLimit) {
      for (size_t i = 0; i < fields_.size(); ++i) index_.emplace(fields_[i].first, i);
    }
    return;
  }
  auto [it, inserted] = index_.emplace(std::string(key), fields_.size());
  if (!inserted) {
    fields_[it->second].second = std::move(json_value);
  } else {
    fields_.emplace_back(std::string(key), std::move(json_value));
  }
}

void EventBuilder::SetString(std::string_view key, std::string_view value) {
  Set(key, JsonString(value));
}

std::string EventBuilder::Finish(const RequestContext& context, std::string_view event_id) const {
  std::string out;
  out.reserve(256 + context.headers.size() * 48);
  out.push_back('{');
  for (const auto& [key, value] : fields_) {
    if (!IsCollectorField(key)) AppendField(out, key, value);
  }
  for (const Header& header : context.headers) {
    if (IsCollectorField(header.name) || Has(header.name)) continue;
    if (out.size() > 1) out.push_back(',');
    AppendJsonString(out, header.name);
    out.push_back(':');
    AppendJsonString(out, header.value);
  }
  if (!context.client_ip.empty()) AppendField(out, kClientIp, JsonString(context.client_ip));
  AppendField(out, kReceivedAt, JsonString(context.received_at));
  AppendField(out, kEventId, JsonString(event_id));
  out.push_back('}');
  return out;
}

}  // namespace el::collector
