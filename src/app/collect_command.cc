// `eventlake collect`: runs the HTTP collector until SIGINT or SIGTERM, then drains in-flight
// requests and the producer queue before exiting. Its settings are the [collector] and
// [kafka_client] sections of the settings table (app/settings.cc).
#include <memory>
#include <string>

#include "app/commands.h"
#include "app/settings_cli.h"
#include "app/signals.h"
#include "base/log.h"
#include "collector/collector.h"
#include "net/endpoint.h"

namespace el::app {
namespace {

int RunCollect(const CollectorSettings& settings) {
  const collector::CollectorOptions& options = settings.options;
  BlockStopSignals();  // before the collector's threads start, so they inherit the mask
  auto started = collector::Collector::Start(options);
  if (!started.ok()) {
    spdlog::error("collect: {}", started.status().ToString());
    return started.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  auto& collector = *started;
  spdlog::info("collector listening on http://{}:{} (topic {}{}, brokers {})", options.listen.host,
               collector->port(), options.topic, options.topic_per_type ? ".<event_type>" : "",
               options.brokers);
  if (!settings.port_file.empty()) {
    Status status = net::WritePortFile(settings.port_file, std::to_string(collector->port()));
    if (!status.ok()) {
      spdlog::error("collect: {}", status.ToString());
      return 1;
    }
  }
  int sig = WaitForStopSignal();
  spdlog::info("collector: signal {}, draining requests and the producer queue", sig);
  collector->Stop();
  spdlog::info("collector: stopped");
  return 0;
}

}  // namespace

void AddCollectCommand(CLI::App& app, int& exit_code) {
  auto settings = std::make_shared<Settings>();
  auto flags = std::make_shared<SettingFlags>(settings->registry, config::kCollect);
  AddSettingsCommand(app, "collect", "HTTP tracking API that produces events to a topic", settings,
                     flags, exit_code, [settings] {
                       SetLogComponent("collector");
                       return RunCollect(settings->collector);
                     });
}

}  // namespace el::app
