#include "collector/http_names.h"

#include "base/percent.h"

namespace el::collector {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

std::string CanonicalHeaderName(std::string_view name) {
  std::string out(name);
  bool previous_letter = false;
  for (char& c : out) {
    if (c == '_') c = '-';
    bool letter = IsAsciiLetter(c);
    if (letter) {
      bool upper = c >= 'A' && c <= 'Z';
      if (!previous_letter && !upper) c = static_cast<char>(c - 'a' + 'A');
      if (previous_letter && upper) c = static_cast<char>(c - 'A' + 'a');
    }
    previous_letter = letter;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string key = PercentDecode(part.substr(0, eq), true);
    if (key.empty()) continue;
    std::string value =
        eq == std::string_view::npos ? std::string() : PercentDecode(part.substr(eq + 1), true);
    bool replaced = false;
    for (auto& [k, v] : out) {
      if (k == key) {
        v = std::move(value);
        replaced = true;
        break;
      }
    }
    if (!replaced) out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

}  // namespace el::collector
