// `eventlake console --lake DIR [--admin URL ...] [--data DIR] [--listen HOST:PORT]`: the web
// console alone, watching processes that run elsewhere through their /healthz and /metrics.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "app/commands.h"
#include "app/console_wiring.h"
#include "app/settings_cli.h"
#include "app/signals.h"
#include "base/log.h"
#include "console/console_server.h"
#include "net/endpoint.h"

namespace el::app {
namespace {

int RunConsole(Settings& s) {
  const ConsoleSettings& c = s.console;
  std::error_code ec;
  if (!std::filesystem::is_directory(c.lake, ec)) {
    spdlog::error("console: --lake {} is not a directory", c.lake);
    return 2;
  }
  auto listen = net::ParseHostPort(c.listen, 5080);
  if (!listen.ok()) {
    spdlog::error("console: --listen: {}", listen.status().message());
    return 2;
  }
  BlockStopSignals();
  console::ConsoleOptions options;
  options.listen = *listen;
  options.token = c.token;
  options.lake_dir = c.lake;
  options.sql.timeout = std::chrono::milliseconds(c.query_timeout_ms);
  options.sql.max_rows = static_cast<size_t>(c.max_rows);
  auto server = console::ConsoleServer::Start(
      options, ScrapeSources({c.admin, c.data, c.lake, c.brokers, c.topic}));
  if (!server.ok()) {
    spdlog::error("console: {}", server.status().ToString());
    return server.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  if (!c.port_file.empty()) {
    Status st = net::WritePortFile(c.port_file, std::to_string((*server)->port()));
    if (!st.ok()) spdlog::warn("{}", st.ToString());
  }
  std::printf("eventlake console: %s (lake %s)\n", (*server)->Url().c_str(), c.lake.c_str());
  std::fflush(stdout);
  int sig = WaitForStopSignal();
  spdlog::info("signal {}: shutting down", sig);
  (*server)->Stop();
  return 0;
}

}  // namespace

void AddConsoleCommand(CLI::App& app, int& exit_code) {
  auto settings = std::make_shared<Settings>();
  auto flags = std::make_shared<SettingFlags>(settings->registry, config::kConsole);
  AddSettingsCommand(app, "console",
                     "Serve the web console alone, over a lake and the /healthz and /metrics of "
                     "running processes",
                     settings, flags, exit_code, [settings] { return RunConsole(*settings); });
}

}  // namespace el::app
