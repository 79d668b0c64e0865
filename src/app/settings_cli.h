#pragma once
// The command-line side of the settings table: each setting a command uses becomes one of its flags
// (`up` names a few differently: --kafka, --http, --broker-flush-ms ...), and ResolveSettings
// applies file, flags and environment in their order of precedence. Lifetime: `registry` must
// outlive the SettingFlags; used on the main thread only.
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/settings.h"
#include "config/registry.h"

namespace el::app {

class SettingFlags {
 public:
  SettingFlags(config::Registry& registry, config::Command command);
  config::Command command() const { return command_; }

  // Adds a flag to `cmd` for every setting the command uses.
  void AddTo(CLI::App& cmd);
  // After parsing: sets every flag given on the command line (source: flag).
  std::vector<config::Problem> Apply();
  // Whether `flag` ("--flush-ms") was on the command line.
  bool Given(const std::string& flag) const;
  // The flag of `s` on this command, or "" when it has none.
  std::string FlagOf(const config::Setting& s) const;

 private:
  struct Bound {
    config::Setting* setting;
    std::string name;
    std::string text;
    std::vector<std::string> list;
    bool on = false;
    CLI::Option* option = nullptr;
  };
  config::Registry& registry_;
  config::Command command_;
  std::deque<Bound> bound_;  // stable addresses: CLI11 writes into them
};

// Adds subcommand `name` whose flags are the settings `flags` binds; once parsed, the settings are
// resolved (a problem exits 2) and `run` gives the exit code. Returns the subcommand, for flags of
// its own.
CLI::App* AddSettingsCommand(CLI::App& app, const std::string& name, const std::string& description,
                             std::shared_ptr<Settings> settings,
                             std::shared_ptr<SettingFlags> flags, int& exit_code,
                             std::function<int()> run);

// CLI11 validators for the commands outside the settings table (topics, groups, ...).
CLI::Validator BrokerListValidator();
CLI::Validator TimeoutMsValidator();

// The configuration file for `cmd` (its app's --config, else EVENTLAKE_CONFIG), or "".
std::string ConfigFile(const CLI::App& cmd);

// Applies, in order, the configuration file, the flags and the environment to `settings`, then
// Settings::Finish. Prints every problem on stderr ("eventlake <name>: ...") and returns false
// when there was any (the command exits 2); warns about keys set for other commands.
bool ResolveSettings(Settings& settings, SettingFlags& flags, const CLI::App& cmd,
                     config::Command command);

}  // namespace el::app
