#include "lake/superseded.h"

#include <map>
#include <optional>

#include "lake/names.h"

namespace el::lake {

std::vector<bool> SupersededFiles(const std::vector<std::string_view>& names) {
  struct Parsed {
    std::string_view topic;
    DataFileRange range;
  };
  std::vector<std::optional<Parsed>> parsed;
  parsed.reserve(names.size());
  for (std::string_view name : names) {
    size_t plus = name.find('+');
    auto range = plus == std::string_view::npos || plus == 0
                     ? std::nullopt
                     : ParseDataFileName(name.substr(0, plus), name);
    parsed.push_back(range ? std::optional<Parsed>(Parsed{name.substr(0, plus), *range})
                           : std::nullopt);
  }
  std::vector<bool> out(names.size(), false);
  for (size_t i = 0; i < names.size(); ++i) {
    if (!parsed[i]) continue;
    const DataFileRange& a = parsed[i]->range;
    for (size_t j = 0; j < names.size() && !out[i]; ++j) {
      if (i == j || !parsed[j] || parsed[j]->topic != parsed[i]->topic) continue;
      const DataFileRange& b = parsed[j]->range;
      bool inside = b.partition == a.partition && b.first <= a.first && a.last <= b.last;
      out[i] = inside && (b.first != a.first || b.last != a.last);
    }
  }
  return out;
}

std::vector<std::string> SupersededKeys(const std::vector<std::string>& keys) {
  std::map<std::string_view, std::vector<std::string_view>> folders;  // folder -> file names
  for (const std::string& k : keys) {
    size_t slash = k.rfind('/');
    size_t cut = slash == std::string::npos ? 0 : slash + 1;
    folders[std::string_view(k).substr(0, cut)].push_back(std::string_view(k).substr(cut));
  }
  std::vector<std::string> out;
  for (const auto& [folder, names] : folders) {
    std::vector<bool> superseded = SupersededFiles(names);
    for (size_t i = 0; i < names.size(); ++i) {
      if (superseded[i]) out.push_back(std::string(folder) + std::string(names[i]));
    }
  }
  return out;
}

}  // namespace el::lake
