// `eventlake broker`: the single-node Kafka-wire-compatible broker, until SIGINT/SIGTERM. Its
// settings are the [broker] section of the settings table (app/settings.cc).
#include <memory>
#include <string>

#include "app/admin.h"
#include "app/commands.h"
#include "app/settings_cli.h"
#include "app/signals.h"
#include "base/log.h"
#include "kafka/server/broker.h"
#include "net/endpoint.h"

namespace el::app {
namespace {

int RunBroker(const BrokerSettings& settings) {
  const kafka::BrokerOptions& options = settings.options;
  if (Status st = CheckAdminFlags(settings.admin); !st.ok()) {
    spdlog::error("{}", st.message());
    return 2;
  }
  BlockStopSignals();  // before any thread starts, so only sigwait below sees SIGINT/SIGTERM
  auto broker = kafka::Broker::Start(options);
  if (!broker.ok()) {
    spdlog::error("broker cannot start: {}", broker.status().ToString());
    return broker.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  auto admin = StartAdmin(settings.admin, {&(*broker)->status()});
  if (!admin.ok()) {
    spdlog::error("--admin: {}", admin.status().ToString());
    return admin.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  if (!settings.port_file.empty()) {
    Status st = net::WritePortFile(settings.port_file, std::to_string((*broker)->port()));
    if (!st.ok()) {
      spdlog::error("{}", st.ToString());
      return 1;
    }
  }
  spdlog::info("eventlake broker listening on {} (data {})", (*broker)->advertised(),
               options.data_dir);
  int sig = WaitForStopSignal();
  spdlog::info("signal {}: shutting down", sig);
  if (*admin) (*admin)->Stop();
  (*broker)->Stop();
  spdlog::info("broker stopped");
  return 0;
}

}  // namespace

void AddBrokerCommand(CLI::App& app, int& exit_code) {
  auto settings = std::make_shared<Settings>();
  auto flags = std::make_shared<SettingFlags>(settings->registry, config::kBroker);
  AddSettingsCommand(app, "broker", "Run the Kafka-wire-compatible broker", settings, flags,
                     exit_code, [settings] {
                       SetLogComponent("broker");
                       return RunBroker(settings->broker);
                     });
}

}  // namespace el::app
