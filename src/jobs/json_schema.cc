#include "jobs/json_schema.h"

#include <chrono>
#include <optional>

namespace el::jobs {
namespace {

bool IsNumeric(JsonType::Kind k) {
  return k == JsonType::Kind::kBigint || k == JsonType::Kind::kDouble;
}
bool IsText(JsonType::Kind k) {
  return k == JsonType::Kind::kDate || k == JsonType::Kind::kTimestamp ||
         k == JsonType::Kind::kVarchar;
}

// The number written by `n` digits at text[pos], or -1 when one of them is not a digit.
int Digits(std::string_view text, size_t pos, size_t n) {
  int value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool ValidDate(int year, int month, int day) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return !(month == 2 && day == 29 && !leap);
}

std::string QuoteName(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

}  // namespace

bool IsIsoDateTime(std::string_view text, bool* date_only) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return false;
  if (!ValidDate(Digits(text, 0, 4), Digits(text, 5, 2), Digits(text, 8, 2))) return false;
  *date_only = text.size() == 10;
  if (*date_only) return true;
  if (text.size() < 19 || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' ||
      text[16] != ':') {
    return false;
  }
  int hour = Digits(text, 11, 2), minute = Digits(text, 14, 2), second = Digits(text, 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    size_t digits = 0;
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) ++digits;
    if (digits == 0 || digits > 9) return false;
  }
  if (pos < text.size() && text[pos] == 'Z') ++pos;
  return pos == text.size();
}

std::optional<int64_t> IsoMicros(std::string_view text) {
  bool date_only = false;
  if (!IsIsoDateTime(text, &date_only)) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{Digits(text, 0, 4)}, month{static_cast<unsigned>(Digits(text, 5, 2))},
                     day{static_cast<unsigned>(Digits(text, 8, 2))}};
  int64_t micros =
      static_cast<int64_t>(sys_days{ymd}.time_since_epoch().count()) * 86'400'000'000LL;
  if (date_only) return micros;
  micros += (Digits(text, 11, 2) * 3600LL + Digits(text, 14, 2) * 60LL + Digits(text, 17, 2)) *
            1'000'000LL;
  if (text.size() > 20 && text[19] == '.') {
    int64_t fraction = 0;
    size_t digits = 0;
    for (size_t i = 20; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
      if (digits < 6) fraction = fraction * 10 + (text[i] - '0');
    }
    for (; digits < 6; ++digits) fraction *= 10;
    micros += fraction;
  }
  return micros;
}

void JsonType::Observe(Kind kind) {
  if (kind_ == kind || kind_ == Kind::kJson) return;
  if (kind_ == Kind::kNull) {
    kind_ = kind;
  } else if (IsNumeric(kind_) && IsNumeric(kind)) {
    kind_ = Kind::kDouble;
  } else if (IsText(kind_) && IsText(kind)) {
    kind_ = Kind::kVarchar;
  } else {
    BecomeJson();
  }
}

void JsonType::BecomeJson() {
  kind_ = Kind::kJson;
  fields_.clear();
  index_.clear();
  element_.reset();
}

void JsonType::ObserveString(std::string_view text) {
  if (kind_ == Kind::kVarchar || kind_ == Kind::kJson) return;
  bool date_only = false;
  if (text.empty() || text[0] < '0' || text[0] > '9' || !IsIsoDateTime(text, &date_only)) {
    Observe(Kind::kVarchar);
  } else {
    Observe(date_only ? Kind::kDate : Kind::kTimestamp);
  }
}

bool JsonType::ObserveObject() {
  Observe(Kind::kStruct);
  next_hint_ = 0;
  return kind_ == Kind::kStruct;
}

JsonType* JsonType::Field(std::string_view name) {
  size_t at = next_hint_;
  if (at >= fields_.size() || fields_[at].first != name) {
    auto it = index_.find(std::string(name));
    if (it != index_.end()) {
      at = it->second;
    } else {
      at = fields_.size();
      fields_.emplace_back(std::string(name), std::make_unique<JsonType>());
      index_.emplace(std::string(name), at);
    }
  }
  next_hint_ = at + 1;
  return fields_[at].second.get();
}

JsonType* JsonType::ObserveArray() {
  Observe(Kind::kList);
  if (kind_ != Kind::kList) return nullptr;
  if (!element_) element_ = std::make_unique<JsonType>();
  return element_.get();
}

void JsonType::Merge(JsonType&& other) {
  if (kind_ == Kind::kNull) {
    *this = std::move(other);
    next_hint_ = 0;
  } else if (other.kind_ != Kind::kNull && kind_ != Kind::kJson) {
    Observe(other.kind_);
    if (kind_ == Kind::kStruct && other.kind_ == Kind::kStruct) {
      for (auto& [name, child] : other.fields_) {
        if (auto it = index_.find(name); it != index_.end()) {
          fields_[it->second].second->Merge(std::move(*child));
        } else {
          index_.emplace(name, fields_.size());
          fields_.emplace_back(std::move(name), std::move(child));
        }
      }
    } else if (kind_ == Kind::kList && other.kind_ == Kind::kList && other.element_) {
      if (element_) {
        element_->Merge(std::move(*other.element_));
      } else {
        element_ = std::move(other.element_);
      }
    }
  }
  other = JsonType();
}

std::string JsonType::SqlType() const {
  switch (kind_) {
    case Kind::kNull:
      return "JSON";
    case Kind::kBoolean:
      return "BOOLEAN";
    case Kind::kBigint:
      return "BIGINT";
    case Kind::kDouble:
      return "DOUBLE";
    case Kind::kDate:
      return "DATE";
    case Kind::kTimestamp:
      return "TIMESTAMP";
    case Kind::kVarchar:
      return "VARCHAR";
    case Kind::kJson:
      return "JSON";
    case Kind::kList:
      return (element_ ? element_->SqlType() : std::string("JSON")) + "[]";
    case Kind::kStruct:
      break;
  }
  if (fields_.empty()) return "JSON";
  std::string out = "STRUCT(";
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i > 0) out += ", ";
    out += QuoteName(fields_[i].first) + " " + fields_[i].second->SqlType();
  }
  return out + ")";
}

}  // namespace el::jobs
