#include "config/setting.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "base/result.h"

namespace el::config {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04X}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// "[\"a\", \"b\"]" as a list of strings.
Result<std::vector<std::string>> ParseTomlArray(std::string_view text) {
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + std::string(text));
  } catch (const toml::parse_error&) {
    return InvalidArgument(fmt::format("'{}' is not a TOML array of strings", text));
  }
  const toml::array* array = parsed["v"].as_array();
  std::vector<std::string> out;
  if (array == nullptr)
    return InvalidArgument(fmt::format("'{}' is not a TOML array of strings", text));
  for (const toml::node& item : *array) {
    if (!item.is_string())
      return InvalidArgument(fmt::format("'{}' is not a TOML array of strings", text));
    out.push_back(*item.value<std::string>());
  }
  return out;
}

std::string_view TypeOf(const Value& v) {
  switch (v.index()) {
    case 0:
      return "a string";
    case 1:
      return "an integer";
    case 2:
      return "a number";
    case 3:
      return "a boolean";
    default:
      return "an array";
  }
}

}  // namespace

std::string Source::ToString() const {
  switch (type) {
    case Type::kDefault:
      return "default";
    case Type::kFile:
      return fmt::format("file:{}:{}", where, line);
    case Type::kFlag:
      return "flag " + where;
    case Type::kEnv:
      return "env " + where;
  }
  return "default";
}

Setting::Setting(std::string section, std::string key, Kind kind, Value initial, Store store)
    : section_(std::move(section)),
      key_(std::move(key)),
      kind_(kind),
      store_(std::move(store)),
      default_(initial),
      value_(std::move(initial)) {
  flag_ = "--" + key_;
  std::replace(flag_.begin(), flag_.end(), '_', '-');
}

Setting& Setting::Help(std::string text) {
  help_ = std::move(text);
  return *this;
}
Setting& Setting::Range(double min, double max) {
  ranged_ = true;
  min_ = min;
  max_ = max;
  return *this;
}
Setting& Setting::Choices(std::vector<std::string> choices) {
  choices_ = std::move(choices);
  return *this;
}
Setting& Setting::Validate(Check check) {
  checks_.push_back(std::move(check));
  return *this;
}
Setting& Setting::UsedBy(unsigned commands) {
  used_by_ = commands;
  return *this;
}
Setting& Setting::Flag(std::string flag) {
  flag_ = std::move(flag);
  return *this;
}
Setting& Setting::UpFlag(std::string flag) {
  up_flag_ = std::move(flag);
  return *this;
}
Setting& Setting::Delimiter(char c) {
  delimiter_ = c;
  return *this;
}

std::string Setting::EnvName() const {
  std::string name = "EVENTLAKE_" + section_ + "_" + key_;
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

std::string_view Setting::KindName() const {
  switch (kind_) {
    case Kind::kString:
      return "a string";
    case Kind::kInt:
      return "an integer";
    case Kind::kDouble:
      return "a number";
    case Kind::kBool:
      return "a boolean";
    case Kind::kList:
      return "an array of strings";
  }
  return "a string";
}

Status Setting::CheckValue(const Value& v) const {
  if (ranged_ && (kind_ == Kind::kInt || kind_ == Kind::kDouble)) {
    double x =
        kind_ == Kind::kInt ? static_cast<double>(std::get<int64_t>(v)) : std::get<double>(v);
    auto show = [](double d) {
      return std::abs(d) < 1e15 && d == std::floor(d) ? fmt::format("{}", static_cast<int64_t>(d))
                                                      : fmt::format("{}", d);
    };
    if (!(x >= min_ && x <= max_)) {
      std::string got =
          kind_ == Kind::kInt ? std::to_string(std::get<int64_t>(v)) : fmt::format("{}", x);
      return InvalidArgument(
          fmt::format("{} is out of range: it must be from {} to {}", got, show(min_), show(max_)));
    }
  }
  std::vector<std::string> items;
  if (kind_ == Kind::kString) items = {std::get<std::string>(v)};
  if (kind_ == Kind::kList) items = std::get<std::vector<std::string>>(v);
  for (const std::string& item : items) {
    if (!choices_.empty() && std::find(choices_.begin(), choices_.end(), item) == choices_.end()) {
      return InvalidArgument(fmt::format("'{}' is not one of {}", item, fmt::join(choices_, ", ")));
    }
    for (const Check& check : checks_) {
      Status st = check(item);
      if (!st.ok()) return st;
    }
  }
  return Status::Ok();
}

Status Setting::Set(const Value& given, Source source) {
  Value v = given;
  if (kind_ == Kind::kDouble && std::holds_alternative<int64_t>(v))
    v = static_cast<double>(std::get<int64_t>(v));
  if (kind_ == Kind::kList && std::holds_alternative<std::string>(v)) {
    v = std::vector<std::string>{std::get<std::string>(v)};
  }
  if (v.index() != default_.index()) {
    return InvalidArgument(fmt::format("wants {}, got {}", KindName(), TypeOf(given)));
  }
  Status st = CheckValue(v);
  if (!st.ok()) return st;
  value_ = v;
  source_ = std::move(source);
  store_(value_);
  return Status::Ok();
}

Status Setting::SetText(std::string_view raw, Source source) {
  std::string text = Trim(raw);
  switch (kind_) {
    case Kind::kString:
      return Set(std::string(raw), std::move(source));
    case Kind::kInt: {
      int64_t n = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
        return InvalidArgument(fmt::format("wants an integer, got '{}'", raw));
      }
      return Set(n, std::move(source));
    }
    case Kind::kDouble: {
      char* end = nullptr;
      double d = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(d)) {
        return InvalidArgument(fmt::format("wants a number, got '{}'", raw));
      }
      return Set(d, std::move(source));
    }
    case Kind::kBool: {
      std::string t = text;
      for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (t == "true" || t == "1" || t == "yes" || t == "on") return Set(true, std::move(source));
      if (t == "false" || t == "0" || t == "no" || t == "off") return Set(false, std::move(source));
      return InvalidArgument(fmt::format("wants true or false, got '{}'", raw));
    }
    case Kind::kList: {
      if (!text.empty() && text.front() == '[') {
        auto list = ParseTomlArray(text);
        if (!list.ok()) return list.status();
        return Set(*list, std::move(source));
      }
      std::vector<std::string> items;
      char delim = delimiter_ != 0 ? delimiter_ : ',';
      size_t start = 0;
      while (start <= text.size()) {
        size_t end = text.find(delim, start);
        if (end == std::string::npos) end = text.size();
        std::string item = Trim(std::string_view(text).substr(start, end - start));
        if (!item.empty()) items.push_back(item);
        start = end + 1;
      }
      return Set(items, std::move(source));
    }
  }
  return Internal("unknown kind");
}

std::string Setting::Literal(const Value& v) {
  switch (v.index()) {
    case 0:
      return Quote(std::get<std::string>(v));
    case 1:
      return std::to_string(std::get<int64_t>(v));
    case 2: {
      std::string s = fmt::format("{}", std::get<double>(v));
      if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
      return s;
    }
    case 3:
      return std::get<bool>(v) ? "true" : "false";
    default: {
      std::vector<std::string> quoted;
      for (const std::string& s : std::get<std::vector<std::string>>(v)) quoted.push_back(Quote(s));
      return fmt::format("[{}]", fmt::join(quoted, ", "));
    }
  }
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace el::config
