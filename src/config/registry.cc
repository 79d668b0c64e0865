#include "config/registry.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

extern char** environ;

namespace el::config {
namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The nearest of `candidates` to `word`, when near enough to be a likely slip; else "".
std::string Nearest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  size_t limit = std::max<size_t>(2, word.size() / 3);
  bool contains =
      !best.empty() && word.size() >= 3 &&
      (best.find(word) != std::string::npos || word.find(best) != std::string_view::npos);
  return best_distance <= limit || contains ? best : "";
}

int LineOf(const toml::source_region& region) { return static_cast<int>(region.begin.line); }

// A TOML value as a setting value; false for tables, dates and arrays holding non-strings.
bool ToValue(const toml::node& node, Value& out) {
  if (auto s = node.value_exact<std::string>()) {
    out = *s;
  } else if (auto i = node.value_exact<int64_t>()) {
    out = *i;
  } else if (auto d = node.value_exact<double>()) {
    out = *d;
  } else if (auto b = node.value_exact<bool>()) {
    out = *b;
  } else if (const toml::array* array = node.as_array()) {
    std::vector<std::string> items;
    for (const toml::node& item : *array) {
      auto s = item.value_exact<std::string>();
      if (!s) return false;
      items.push_back(*s);
    }
    out = items;
  } else {
    return false;
  }
  return true;
}

std::string_view NodeTypeName(const toml::node& node) {
  if (node.is_table()) return "a table";
  if (node.is_array()) return "an array holding more than strings";
  if (node.is_string()) return "a string";
  if (node.is_integer()) return "an integer";
  if (node.is_floating_point()) return "a number";
  if (node.is_boolean()) return "a boolean";
  return "a date or time";
}

// Scalars of a free-form section as text ("30000", "true", "lz4").
bool ToText(const toml::node& node, std::string& out) {
  Value v;
  if (node.is_array() || !ToValue(node, v)) return false;
  out = std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : Setting::Literal(v);
  return true;
}

// Flattens nested tables of a free-form section into dotted keys: `socket.timeout.ms = 1` parses
// as tables socket -> timeout -> ms.
void Flatten(const toml::table& table, const std::string& prefix,
             std::vector<std::tuple<std::string, const toml::node*, int>>& out) {
  for (const auto& [k, node] : table) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const toml::table* sub = node.as_table()) {
      Flatten(*sub, key, out);
    } else {
      out.emplace_back(key, &node, LineOf(k.source()));
    }
  }
}

}  // namespace

std::string Problem::ToString() const {
  if (where.empty()) return message;
  return line > 0 ? fmt::format("{}:{}: {}", where, line, message)
                  : fmt::format("{}: {}", where, message);
}

Setting& Registry::Add(const std::string& section, const std::string& key, Kind kind, Value initial,
                       Setting::Store store) {
  if (std::find(sections_.begin(), sections_.end(), section) == sections_.end())
    sections_.push_back(section);
  settings_.push_back(
      std::make_unique<Setting>(section, key, kind, std::move(initial), std::move(store)));
  return *settings_.back();
}

Setting& Registry::Millis(const std::string& section, const std::string& key,
                          std::chrono::milliseconds* target) {
  return Add(
      section, key, Kind::kInt, static_cast<int64_t>(target->count()),
      [target](const Value& v) { *target = std::chrono::milliseconds(std::get<int64_t>(v)); });
}

Setting& Registry::Double(const std::string& section, const std::string& key, double* target) {
  return Add(section, key, Kind::kDouble, *target,
             [target](const Value& v) { *target = std::get<double>(v); });
}

Setting& Registry::Bool(const std::string& section, const std::string& key, bool* target) {
  return Add(section, key, Kind::kBool, *target,
             [target](const Value& v) { *target = std::get<bool>(v); });
}

Setting& Registry::String(const std::string& section, const std::string& key, std::string* target) {
  return Add(section, key, Kind::kString, *target,
             [target](const Value& v) { *target = std::get<std::string>(v); });
}

Setting& Registry::List(const std::string& section, const std::string& key,
                        std::vector<std::string>* target) {
  return Add(section, key, Kind::kList, *target,
             [target](const Value& v) { *target = std::get<std::vector<std::string>>(v); });
}

void Registry::Open(const std::string& section, std::map<std::string, std::string>* target,
                    std::function<Status(const std::string&, const std::string&)> check) {
  if (std::find(sections_.begin(), sections_.end(), section) == sections_.end())
    sections_.push_back(section);
  open_[section] = OpenSection{target, std::move(check), {}};
}

Setting* Registry::Find(std::string_view section, std::string_view key) {
  for (auto& s : settings_) {
    if (s->section() == section && s->key() == key) return s.get();
  }
  return nullptr;
}

std::string Registry::SuggestKey(std::string_view section, std::string_view key) const {
  std::vector<std::string> keys;
  for (const auto& s : settings_) {
    if (s->section() == section) keys.push_back(s->key());
  }
  std::string best = Nearest(key, keys);
  return best.empty() ? "" : " (did you mean " + best + "?)";
}

void Registry::ApplyOpen(OpenSection& open, const std::string& key, const std::string& text,
                         const Source& source, std::vector<Problem>& problems,
                         const std::string& where, int line) {
  if (open.check) {
    Status st = open.check(key, text);
    if (!st.ok()) {
      problems.push_back({where, line, st.message()});
      return;
    }
  }
  (*open.target)[key] = text;
  open.sources[key] = source;
}

std::vector<Problem> Registry::ApplyToml(std::string_view text, const std::string& path) {
  std::vector<Problem> problems;
  toml::table doc;
  try {
    doc = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    problems.push_back({path, LineOf(e.source()), std::string(e.description())});
    return problems;
  }
  for (const auto& [section_key, section_node] : doc) {
    std::string section(section_key.str());
    int section_line = LineOf(section_key.source());
    const toml::table* table = section_node.as_table();
    if (table == nullptr) {
      std::string hint;
      for (const std::string& s : sections_) {
        if (Find(s, section) != nullptr) hint = fmt::format(" (did you mean [{}] {}?)", s, section);
      }
      problems.push_back(
          {path, section_line, fmt::format("key {} is outside any section{}", section, hint)});
      continue;
    }
    if (auto open = open_.find(section); open != open_.end()) {
      std::vector<std::tuple<std::string, const toml::node*, int>> entries;
      Flatten(*table, "", entries);
      for (const auto& [key, node, line] : entries) {
        std::string value;
        if (!ToText(*node, value)) {
          problems.push_back({path, line,
                              fmt::format("[{}] {}: wants a string, number or boolean, got {}",
                                          section, key, NodeTypeName(*node))});
          continue;
        }
        ApplyOpen(open->second, key, value, Source{Source::Type::kFile, path, line}, problems, path,
                  line);
      }
      continue;
    }
    if (std::find(sections_.begin(), sections_.end(), section) == sections_.end()) {
      std::string best = Nearest(section, sections_);
      problems.push_back(
          {path, section_line,
           fmt::format("unknown section [{}]{}", section,
                       best.empty() ? fmt::format(" (sections: {})", fmt::join(sections_, ", "))
                                    : fmt::format(" (did you mean [{}]?)", best))});
      continue;
    }
    for (const auto& [k, node] : *table) {
      std::string key(k.str());
      int line = LineOf(k.source());
      Setting* setting = Find(section, key);
      if (setting == nullptr) {
        problems.push_back(
            {path, line,
             fmt::format("[{}] {}: unknown key{}", section, key, SuggestKey(section, key))});
        continue;
      }
      Value v;
      if (!ToValue(node, v)) {
        problems.push_back({path, line,
                            fmt::format("[{}] {}: wants {}, got {}", section, key,
                                        setting->KindName(), NodeTypeName(node))});
        continue;
      }
      Status st = setting->Set(v, Source{Source::Type::kFile, path, line});
      if (!st.ok())
        problems.push_back({path, line, fmt::format("[{}] {}: {}", section, key, st.message())});
    }
  }
  // toml++ keeps tables sorted by key; report in the file's order.
  std::stable_sort(problems.begin(), problems.end(),
                   [](const Problem& a, const Problem& b) { return a.line < b.line; });
  return problems;
}

std::vector<Problem> Registry::ApplyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {Problem{path, 0, "cannot read the configuration file"}};
  std::stringstream text;
  text << in.rdbuf();
  return ApplyToml(text.str(), path);
}

std::vector<Problem> Registry::ApplyEnv(const std::vector<std::string>& env) {
  std::vector<Problem> problems;
  std::vector<std::string> by_length = sections_;
  std::sort(by_length.begin(), by_length.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const std::string& entry : env) {
    size_t eq = entry.find('=');
    if (eq == std::string::npos) continue;
    std::string name = entry.substr(0, eq);
    std::string text = entry.substr(eq + 1);
    for (const std::string& section : by_length) {
      std::string prefix = "EVENTLAKE_" + Upper(section) + "_";
      if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
      std::string key = Lower(name.substr(prefix.size()));
      std::string where = "env " + name;
      Source source{Source::Type::kEnv, name, 0};
      if (auto open = open_.find(section); open != open_.end()) {
        std::replace(key.begin(), key.end(), '_', '.');
        ApplyOpen(open->second, key, text, source, problems, where, 0);
        break;
      }
      Setting* setting = Find(section, key);
      if (setting == nullptr) {
        problems.push_back(
            {where, 0,
             fmt::format("[{}] {}: unknown key{}", section, key, SuggestKey(section, key))});
        break;
      }
      Status st = setting->SetText(text, source);
      if (!st.ok())
        problems.push_back({where, 0, fmt::format("[{}] {}: {}", section, key, st.message())});
      break;
    }
  }
  return problems;
}

std::string Registry::Print() const {
  std::string out;
  for (const std::string& section : sections_) {
    std::vector<std::pair<std::string, std::string>> lines;  // "key = value", source
    if (auto open = open_.find(section); open != open_.end()) {
      for (const auto& [key, value] : *open->second.target) {
        auto src = open->second.sources.find(key);
        lines.emplace_back(fmt::format("\"{}\" = {}", key, Setting::Literal(value)),
                           src == open->second.sources.end() ? "default" : src->second.ToString());
      }
    }
    for (const auto& s : settings_) {
      if (s->section() != section) continue;
      lines.emplace_back(fmt::format("{} = {}", s->key(), Setting::Literal(s->value())),
                         s->source().ToString());
    }
    size_t width = 0;
    // Comments line up, except after a line too long to wait for (the default ignore_path).
    for (const auto& [line, src] : lines) {
      if (line.size() <= 48) width = std::max(width, line.size());
    }
    out += fmt::format("{}[{}]\n", out.empty() ? "" : "\n", section);
    for (const auto& [line, src] : lines) out += fmt::format("{:<{}}  # {}\n", line, width, src);
  }
  return out;
}

std::vector<std::string> ProcessEnvironment() {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) out.emplace_back(*e);
  return out;
}

}  // namespace el::config
