#pragma once
// Setting: one configuration value of a component (a key of a section of eventlake.toml), bound to
// the field of an options struct it fills. It knows its type, default, checks, command-line flag,
// environment variable, and where its effective value came from. Declared through config::Registry.
// Not thread-safe: settings are resolved on the main thread before any component starts.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"

namespace el::config {

enum class Kind { kString, kInt, kDouble, kBool, kList };
using Value = std::variant<std::string, int64_t, double, bool, std::vector<std::string>>;

// The commands that read settings; a setting names the ones that use it.
enum Command : unsigned {
  kBroker = 1,
  kCollect = 2,
  kLand = 4,
  kUp = 8,
  kConsole = 16,
  kAllCommands = 31
};

// Where an effective value came from.
struct Source {
  enum class Type { kDefault, kFile, kFlag, kEnv };
  Type type = Type::kDefault;
  std::string where;  // file path, flag ("--x") or variable name
  int line = 0;       // kFile: 1-based line of the key
  // "default", "file:PATH:LINE", "flag --x", "env NAME".
  std::string ToString() const;
};

class Setting {
 public:
  using Store = std::function<void(const Value&)>;
  // Checks one text value (a string setting's value or an item of a list); InvalidArgument says
  // why.
  using Check = std::function<Status(const std::string&)>;

  Setting(std::string section, std::string key, Kind kind, Value initial, Store store);

  // Declaration (chainable).
  Setting& Help(std::string text);
  Setting& Range(double min, double max);  // kInt, kDouble: inclusive bounds
  Setting& Choices(std::vector<std::string> choices);
  Setting& Validate(Check check);  // adds a check; every one must pass
  Setting& UsedBy(unsigned commands);
  Setting& Flag(std::string flag);    // the flag on the component's own command ("" = none)
  Setting& UpFlag(std::string flag);  // the flag on `up` when it differs from Flag()
  Setting& Delimiter(char c);         // kList: a flag or variable value also splits at `c`

  const std::string& section() const { return section_; }
  const std::string& key() const { return key_; }
  Kind kind() const { return kind_; }
  const std::string& help() const { return help_; }
  unsigned used_by() const { return used_by_; }
  const std::string& flag() const { return flag_; }
  const std::string& up_flag() const { return up_flag_; }
  char delimiter() const { return delimiter_; }
  const Source& source() const { return source_; }
  const Value& value() const { return value_; }
  const Value& default_value() const { return default_; }
  // EVENTLAKE_<SECTION>_<KEY>, upper case.
  std::string EnvName() const;
  // "an integer", "a string", "an array of strings", ...
  std::string_view KindName() const;

  // Checks `v` (type, range, choices, per-item checks) and, when good, stores it into the bound
  // field with its source. Errors: InvalidArgument saying what is wrong (without the key's name).
  Status Set(const Value& v, Source source);
  // Parses text as given on a command line or in a variable, then Set. Lists split at the
  // delimiter (or ','), or take a TOML array ("[\"a\", \"b\"]").
  Status SetText(std::string_view text, Source source);
  // The value as a TOML literal: 42, "text", true, ["a", "b"].
  static std::string Literal(const Value& v);

 private:
  Status CheckValue(const Value& v) const;

  std::string section_;
  std::string key_;
  Kind kind_;
  Store store_;
  Value default_;
  Value value_;
  Source source_;
  std::string help_;
  bool ranged_ = false;
  double min_ = 0;
  double max_ = 0;
  std::vector<std::string> choices_;
  std::vector<Check> checks_;  // all must pass
  unsigned used_by_ = 0;
  std::string flag_;
  std::string up_flag_;
  char delimiter_ = 0;
};

// The edit distance between two words (insertions, deletions, substitutions).
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace el::config
