#include "lake/names.h"

#include <charconv>
#include <climits>

#include <fmt/format.h>

namespace el::lake {

bool ParseNonNegative(std::string_view text, int64_t& out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && out >= 0;
}

bool IsHidden(std::string_view name) { return name.empty() || name[0] == '_' || name[0] == '.'; }

std::string SanitizeName(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    out += keep ? static_cast<char>(c) : '_';
  }
  if (out.empty()) return "empty";
  if (out.size() <= kMaxSanitizedName) return out;
  uint32_t hash = 2166136261u;
  for (unsigned char c : value) hash = (hash ^ c) * 16777619u;
  out.resize(kMaxSanitizedName - 9);
  return out + fmt::format("_{:08x}", hash);
}

std::string DataFileName(std::string_view topic, int32_t partition, int64_t first, int64_t last) {
  return fmt::format("{}+{}+{}-{}.parquet", topic, partition, first, last);
}

std::optional<DataFileRange> ParseDataFileName(std::string_view topic, std::string_view name) {
  constexpr std::string_view kExt = ".parquet";
  if (name.size() <= topic.size() + 1 + kExt.size()) return std::nullopt;
  if (name.substr(0, topic.size()) != topic || name[topic.size()] != '+') return std::nullopt;
  if (name.substr(name.size() - kExt.size()) != kExt) return std::nullopt;
  std::string_view rest =
      name.substr(topic.size() + 1, name.size() - topic.size() - 1 - kExt.size());
  size_t plus = rest.find('+');
  if (plus == std::string_view::npos) return std::nullopt;
  std::string_view range = rest.substr(plus + 1);
  size_t dash = range.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view last = range.substr(dash + 1);
  if (size_t part = last.find('_'); part != std::string_view::npos) {
    int64_t index = 0;
    if (!ParseNonNegative(last.substr(part + 1), index)) return std::nullopt;
    last = last.substr(0, part);
  }
  int64_t partition = 0;
  DataFileRange out;
  if (!ParseNonNegative(rest.substr(0, plus), partition) || partition > INT32_MAX ||
      !ParseNonNegative(range.substr(0, dash), out.first) || !ParseNonNegative(last, out.last) ||
      out.first > out.last) {
    return std::nullopt;
  }
  out.partition = static_cast<int32_t>(partition);
  return out;
}

bool IsDataFileName(std::string_view name) {
  size_t plus = name.find('+');
  return plus != std::string_view::npos && plus > 0 &&
         ParseDataFileName(name.substr(0, plus), name).has_value();
}

std::string PartFileName(const std::string& stem, std::string_view index) {
  return index == "0" ? stem + ".parquet" : fmt::format("{}_{}.parquet", stem, index);
}

}  // namespace el::lake
