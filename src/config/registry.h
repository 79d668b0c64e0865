#pragma once
// Registry: the table of every setting of every component, grouped in sections ([broker],
// [collector], ...), from which flags, file keys, environment variables, checks and `config print`
// all come. Values are applied in precedence order by the caller: defaults (the bound fields'
// values at declaration) < file (ApplyToml/ApplyFile) < flags (Setting::Set with a kFlag source)
// < environment (ApplyEnv); each later one replaces the earlier.
// Lifetime: the bound fields must outlive the registry. Not thread-safe (main thread, start-up).
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "config/setting.h"

namespace el::config {

// One problem in a configuration: "FILE:LINE: [section] key: message" (or "env NAME: ...").
struct Problem {
  std::string where;  // file path, "env NAME", a flag, or "" (a problem of several settings)
  int line = 0;       // 0: none
  std::string message;
  std::string ToString() const;
};

// A section of free-form keys (librdkafka properties): any dotted key, any scalar value, kept as
// text. `check` (may be empty) vets one key and value.
struct OpenSection {
  std::map<std::string, std::string>* target;
  std::function<Status(const std::string& key, const std::string& value)> check;
  std::map<std::string, Source> sources;
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Declares section.key bound to `*target`, whose current value is the default.
  template <typename T>
  Setting& Int(const std::string& section, const std::string& key, T* target) {
    static_assert(std::is_integral_v<T>);
    Setting& s = Add(section, key, Kind::kInt, static_cast<int64_t>(*target),
                     [target](const Value& v) { *target = static_cast<T>(std::get<int64_t>(v)); });
    if constexpr (std::is_unsigned_v<T>) s.Range(0, static_cast<double>(INT64_MAX));
    return s;
  }
  Setting& Millis(const std::string& section, const std::string& key,
                  std::chrono::milliseconds* target);
  Setting& Double(const std::string& section, const std::string& key, double* target);
  Setting& Bool(const std::string& section, const std::string& key, bool* target);
  Setting& String(const std::string& section, const std::string& key, std::string* target);
  Setting& List(const std::string& section, const std::string& key,
                std::vector<std::string>* target);
  void Open(const std::string& section, std::map<std::string, std::string>* target,
            std::function<Status(const std::string&, const std::string&)> check);

  Setting* Find(std::string_view section, std::string_view key);
  const std::vector<std::unique_ptr<Setting>>& settings() const { return settings_; }
  // Sections in declaration order.
  const std::vector<std::string>& sections() const { return sections_; }
  // " (did you mean max_body_bytes?)" for the key of `section` nearest to `key`, or "".
  std::string SuggestKey(std::string_view section, std::string_view key) const;

  // Applies a TOML document; every problem (syntax, unknown section or key, wrong type, out of
  // range) is returned with its line, and the good values are applied with source file:PATH:LINE.
  std::vector<Problem> ApplyToml(std::string_view text, const std::string& path);
  // Reads `path` and ApplyToml. An unreadable file is one problem.
  std::vector<Problem> ApplyFile(const std::string& path);
  // Applies EVENTLAKE_<SECTION>_<KEY>=VALUE variables of `env` (NAME=VALUE strings); variables
  // whose name starts with no section's prefix (EVENTLAKE_CONFIG) are not settings.
  std::vector<Problem> ApplyEnv(const std::vector<std::string>& env);
  // The effective configuration as TOML, each value commented with its source.
  std::string Print() const;

 private:
  Setting& Add(const std::string& section, const std::string& key, Kind kind, Value initial,
               Setting::Store store);
  void ApplyOpen(OpenSection& open, const std::string& key, const std::string& text,
                 const Source& source, std::vector<Problem>& problems, const std::string& where,
                 int line);

  std::vector<std::unique_ptr<Setting>> settings_;
  std::vector<std::string> sections_;
  std::map<std::string, OpenSection, std::less<>> open_;
};

// Every variable of this process's environment, as NAME=VALUE.
std::vector<std::string> ProcessEnvironment();

}  // namespace el::config
