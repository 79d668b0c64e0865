// `eventlake config check FILE` and `eventlake config print`: the configuration file's problems
// with their lines, and the effective configuration with the source of every value.
#include <iostream>
#include <memory>
#include <string>

#include "app/commands.h"
#include "app/settings_cli.h"

namespace el::app {
namespace {

// Prints `problems` on stderr; true when there were none.
bool Report(const std::vector<config::Problem>& problems) {
  for (const config::Problem& p : problems) std::cerr << p.ToString() << "\n";
  return problems.empty();
}

int Check(const std::string& file) {
  Settings settings;
  std::vector<config::Problem> problems = settings.registry.ApplyFile(file);
  if (problems.empty()) problems = settings.Finish(config::kAllCommands);
  if (!Report(problems)) {
    std::cerr << file << ": " << problems.size() << " problem(s)\n";
    return 2;
  }
  std::cout << file << ": ok\n";
  return 0;
}

int Print(const CLI::App& cmd) {
  Settings settings;
  std::vector<config::Problem> problems;
  std::string file = ConfigFile(cmd);
  if (!file.empty()) problems = settings.registry.ApplyFile(file);
  for (auto& p : settings.registry.ApplyEnv(config::ProcessEnvironment()))
    problems.push_back(std::move(p));
  if (problems.empty()) problems = settings.Finish(config::kAllCommands);
  if (!Report(problems)) return 2;
  std::cout << "# eventlake's effective configuration" << (file.empty() ? "" : " from " + file)
            << " and the environment; command-line flags override it per command.\n"
            << "# Precedence: default < file < flag < env (EVENTLAKE_<SECTION>_<KEY>).\n\n"
            << settings.registry.Print();
  return 0;
}

}  // namespace

void AddConfigCommand(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "config", "Check a configuration file, or print the effective configuration");
  cmd->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  CLI::App* check =
      cmd->add_subcommand("check", "Report every problem of FILE with its line (exit 2 if any)");
  check->add_option("FILE", *file, "eventlake.toml to check")->required();
  check->callback([file, &exit_code] { exit_code = Check(*file); });
  CLI::App* print = cmd->add_subcommand(
      "print",
      "Print every setting's effective value and its source (default, file:LINE, env NAME)");
  print->callback([print, &exit_code] { exit_code = Print(*print); });
}

}  // namespace el::app
