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

constexpr char kHexDigits[] = "0123456789abcdef";

// Writes `digits` lower-case hex digits of `v` (most significant first) at `out`.
char* PutHex(char* out, uint64_t v, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = kHexDigits[v & 0xF];
    v >>= 4;
  }
  return out + digits;
}

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

std::string_view WriteEventId(char (&out)[kEventIdSize]) {
  thread_local std::mt19937_64 rng{std::random_device{}() ^
                                   (static_cast<uint64_t>(std::random_device{}()) << 32)};
  uint64_t hi = rng();
  uint64_t lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 10xx
  // 8-4-4-4-12 hex digits.
  char* p = out;
  p = PutHex(p, hi >> 32, 8);
  *p++ = '-';
  p = PutHex(p, (hi >> 16) & 0xFFFF, 4);
  *p++ = '-';
  p = PutHex(p, hi & 0xFFFF, 4);
  *p++ = '-';
  p = PutHex(p, lo >> 48, 4);
  *p++ = '-';
  PutHex(p, lo & 0xFFFFFFFFFFFFull, 12);
  return {out, kEventIdSize};
}

std::string NewEventId() {
  char id[kEventIdSize];
  return std::string(WriteEventId(id));
}

void EventBatch::Seal() {
  for (BuiltEvent& event : events) {
    event.json = std::string_view(*text).substr(event.json_begin, event.json_size);
  }
}

void EventBuilder::Clear() {
  text_.clear();
  fields_.clear();
  index_.clear();
}

int64_t EventBuilder::Find(std::string_view key) const {
  if (fields_.size() <= kLinearSearchLimit) {
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (KeyOf(fields_[i]) == key) return static_cast<int64_t>(i);
    }
    return -1;
  }
  auto it = index_.find(std::string(key));
  return it == index_.end() ? -1 : static_cast<int64_t>(it->second);
}

bool EventBuilder::Has(std::string_view key) const { return Find(key) >= 0; }

template <typename WriteValue>
void EventBuilder::Put(std::string_view key, WriteValue write_value) {
  // `key` never points into text_, so appending to text_ cannot invalidate it.
  auto write_member = [&](Field& field) {
    field.member_begin = static_cast<uint32_t>(text_.size());
    AppendJsonString(text_, key);
    text_.push_back(':');
    write_value(text_);
    field.member_size = static_cast<uint32_t>(text_.size() - field.member_begin);
  };
  int64_t found = Find(key);
  if (found >= 0) {
    write_member(fields_[static_cast<size_t>(found)]);
    return;
  }
  Field field;
  field.key_begin = static_cast<uint32_t>(text_.size());
  field.key_size = static_cast<uint32_t>(key.size());
  text_.append(key);
  write_member(field);
  fields_.push_back(field);
  if (fields_.size() == kLinearSearchLimit + 1) {
    for (size_t i = 0; i < fields_.size(); ++i) index_.emplace(KeyOf(fields_[i]), i);
  } else if (fields_.size() > kLinearSearchLimit + 1) {
    index_.emplace(std::string(key), fields_.size() - 1);
  }
}

void EventBuilder::Set(std::string_view key, std::string_view json_value) {
  Put(key, [json_value](std::string& text) { text.append(json_value); });
}

void EventBuilder::SetString(std::string_view key, std::string_view value) {
  Put(key, [value](std::string& text) { AppendJsonString(text, value); });
}

void PrepareJson(RequestContext& context) {
  for (Header& header : context.headers) {
    header.json.clear();
    AppendJsonString(header.json, header.name);
    header.json.push_back(':');
    AppendJsonString(header.json, header.value);
  }
  context.tail_json = "{";  // AppendField adds a comma only after the first character
  if (!context.client_ip.empty()) AppendField(context.tail_json, kClientIp, JsonString(context.client_ip));
  AppendField(context.tail_json, kReceivedAt, JsonString(context.received_at));
  context.tail_json.erase(0, 1);
}

std::string EventBuilder::Finish(const RequestContext& context, std::string_view event_id) const {
  std::string out;
  out.reserve(256 + context.headers.size() * 48);
  AppendTo(out, context, event_id);
  return out;
}

void EventBuilder::AppendTo(std::string& out, const RequestContext& context,
                            std::string_view event_id) const {
  const size_t start = out.size();
  out.push_back('{');
  auto comma = [&out, start] {
    if (out.size() > start + 1) out.push_back(',');
  };
  auto field = [&](std::string_view key, std::string_view json_value) {
    comma();
    AppendJsonString(out, key);
    out.push_back(':');
    out.append(json_value);
  };
  for (const Field& f : fields_) {
    if (IsCollectorField(KeyOf(f))) continue;
    comma();
    out.append(MemberOf(f));
  }
  for (const Header& header : context.headers) {
    if (IsCollectorField(header.name) || Has(header.name)) continue;
    comma();
    if (!header.json.empty()) {
      out.append(header.json);
      continue;
    }
    AppendJsonString(out, header.name);
    out.push_back(':');
    AppendJsonString(out, header.value);
  }
  if (!context.tail_json.empty()) {
    comma();
    out.append(context.tail_json);
  } else {
    if (!context.client_ip.empty()) field(kClientIp, JsonString(context.client_ip));
    field(kReceivedAt, JsonString(context.received_at));
  }
  comma();
  AppendJsonString(out, kEventId);
  out.push_back(':');
  AppendJsonString(out, event_id);
  out.push_back('}');
}

}  // namespace el::collector
