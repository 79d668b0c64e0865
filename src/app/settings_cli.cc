#include "app/settings_cli.h"

#include <cstdlib>
#include <iostream>
#include <map>

#include <fmt/format.h>

#include "base/log.h"

namespace el::app {
namespace {

std::string CommandName(config::Command command) {
  switch (command) {
    case config::kBroker:
      return "broker";
    case config::kCollect:
      return "collect";
    case config::kLand:
      return "land";
    case config::kUp:
      return "up";
    case config::kConsole:
      return "console";
    default:
      return "config";
  }
}

std::string HelpOf(const config::Setting& s) {
  return fmt::format("{} [{}] {}", s.help(), s.section(), s.key());
}

}  // namespace

SettingFlags::SettingFlags(config::Registry& registry, config::Command command)
    : registry_(registry), command_(command) {}

std::string SettingFlags::FlagOf(const config::Setting& s) const {
  if ((s.used_by() & command_) == 0 || s.flag().empty()) return "";
  if (command_ != config::kUp) return s.flag();
  if (!s.up_flag().empty()) return s.up_flag();
  // On `up` a flag two components share (--io-threads, --flush-ms) is named after its section,
  // unless one of them took the plain name explicitly.
  int same = 0;
  for (const auto& other : registry_.settings()) {
    if ((other->used_by() & config::kUp) == 0) continue;
    std::string name = other->up_flag().empty() ? other->flag() : other->up_flag();
    if (name == s.flag()) ++same;
  }
  return same > 1 ? "--" + s.section() + "-" + s.flag().substr(2) : s.flag();
}

void SettingFlags::AddTo(CLI::App& cmd) {
  for (const auto& s : registry_.settings()) {
    std::string name = FlagOf(*s);
    if (name.empty()) continue;
    Bound& b = bound_.emplace_back(Bound{s.get(), name, "", {}, false, nullptr});
    std::string default_text = config::Setting::Literal(s->default_value());
    switch (s->kind()) {
      case config::Kind::kBool:
        b.option = cmd.add_flag(name, b.on, HelpOf(*s));
        break;
      case config::Kind::kList:
        b.option = cmd.add_option(name, b.list, HelpOf(*s) + " (repeatable)");
        if (s->delimiter() != 0) b.option->delimiter(s->delimiter());
        break;
      default:
        b.option = cmd.add_option(name, b.text, HelpOf(*s));
        b.option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // the last one given wins
        b.option->type_name(s->kind() == config::Kind::kString ? "TEXT"
                            : s->kind() == config::Kind::kInt  ? "INT"
                                                               : "NUMBER");
        break;
    }
    b.option->default_str(default_text);
  }
}

std::vector<config::Problem> SettingFlags::Apply() {
  std::vector<config::Problem> problems;
  for (Bound& b : bound_) {
    if (b.option->count() == 0) continue;
    config::Source source{config::Source::Type::kFlag, b.name, 0};
    Status st;
    if (b.setting->kind() == config::Kind::kBool) {
      st = b.setting->Set(b.on, source);
    } else if (b.setting->kind() == config::Kind::kList) {
      st = b.setting->Set(b.list, source);
    } else {
      st = b.setting->SetText(b.text, source);
    }
    if (!st.ok()) problems.push_back({b.name, 0, st.message()});
  }
  return problems;
}

bool SettingFlags::Given(const std::string& flag) const {
  for (const Bound& b : bound_) {
    if (b.name == flag) return b.option->count() > 0;
  }
  return false;
}

CLI::App* AddSettingsCommand(CLI::App& app, const std::string& name, const std::string& description,
                             std::shared_ptr<Settings> settings,
                             std::shared_ptr<SettingFlags> flags, int& exit_code,
                             std::function<int()> run) {
  CLI::App* cmd = app.add_subcommand(name, description);
  flags->AddTo(*cmd);
  cmd->callback([settings, flags, cmd, &exit_code, run = std::move(run)] {
    exit_code = ResolveSettings(*settings, *flags, *cmd, flags->command()) ? run() : 2;
  });
  return cmd;
}

CLI::Validator BrokerListValidator() {
  return CLI::Validator(
      [](std::string& text) {
        Status st = CheckBrokerList(text);
        return st.ok() ? std::string() : st.message();
      },
      "HOST:PORT[,HOST:PORT...]");
}

CLI::Validator TimeoutMsValidator() { return CLI::Range(1, 3600000); }

std::string ConfigFile(const CLI::App& cmd) {
  const CLI::App* root = &cmd;
  while (root->get_parent() != nullptr) root = root->get_parent();
  const CLI::Option* option = root->get_option_no_throw("--config");
  if (option != nullptr && option->count() > 0) return option->as<std::string>();
  const char* env = std::getenv("EVENTLAKE_CONFIG");
  return env != nullptr ? env : "";
}

namespace {

// The root's --log-level and --log-format, when given, as the flags of [log] level and format.
std::vector<config::Problem> ApplyLogFlags(config::Registry& registry, const CLI::App& cmd) {
  const CLI::App* root = &cmd;
  while (root->get_parent() != nullptr) root = root->get_parent();
  std::vector<config::Problem> problems;
  for (const char* key : {"level", "format"}) {
    std::string flag = std::string("--log-") + key;
    const CLI::Option* option = root->get_option_no_throw(flag);
    config::Setting* setting = registry.Find("log", key);
    if (option == nullptr || option->count() == 0 || setting == nullptr) continue;
    Status st = setting->SetText(option->as<std::string>(), {config::Source::Type::kFlag, flag, 0});
    if (!st.ok()) problems.push_back({flag, 0, st.message()});
  }
  return problems;
}

}  // namespace

bool ResolveSettings(Settings& settings, SettingFlags& flags, const CLI::App& cmd,
                     config::Command command) {
  std::vector<config::Problem> problems;
  std::string file = ConfigFile(cmd);
  if (!file.empty()) problems = settings.registry.ApplyFile(file);
  for (auto& p : flags.Apply()) problems.push_back(std::move(p));
  for (auto& p : ApplyLogFlags(settings.registry, cmd)) problems.push_back(std::move(p));
  for (auto& p : settings.registry.ApplyEnv(config::ProcessEnvironment()))
    problems.push_back(std::move(p));
  if (problems.empty()) problems = settings.Finish(command);
  for (const config::Problem& p : problems)
    std::cerr << "eventlake " << CommandName(command) << ": " << p.ToString() << "\n";
  if (!problems.empty()) return false;
  InitLogging(settings.log.level, settings.log.format);  // the file or environment may differ
  // A key of a section this command reads that only another command uses (say [broker] data under
  // `up`, which keeps its log in DATA/log): worth a word, since one file serves every command.
  auto reads = [&](const std::string& section) {
    for (const auto& s : settings.registry.settings()) {
      if (s->section() == section && (s->used_by() & command) != 0) return true;
    }
    return false;
  };
  for (const auto& s : settings.registry.settings()) {
    if ((s->used_by() & command) == 0 && s->source().type != config::Source::Type::kDefault &&
        reads(s->section())) {
      spdlog::warn("[{}] {} ({}) is not used by `eventlake {}`", s->section(), s->key(),
                   s->source().ToString(), CommandName(command));
    }
  }
  return true;
}

}  // namespace el::app
