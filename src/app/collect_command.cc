// `eventlake collect`: runs the HTTP collector until SIGINT or SIGTERM.
#include <memory>
#include <string>

#include "app/commands.h"
#include "app/signals.h"
#include "base/log.h"
#include "collector/collector.h"
#include "net/endpoint.h"

namespace el::app {
namespace {

struct CollectArgs {
  std::string brokers;
  std::string listen = "127.0.0.1:5000";
  std::string topic = "events";
  std::string port_file;
  int io_threads = 2;
};

int RunCollect(const CollectArgs& args) {
  auto listen = net::ParseHostPort(args.listen, 5000);
  if (!listen.ok()) {
    spdlog::error("collect: --listen: {}", listen.status().message());
    return 2;
  }
  collector::CollectorOptions options;
  options.brokers = args.brokers;
  options.listen = *listen;
  options.topic = args.topic;
  options.io_threads = args.io_threads;
  BlockStopSignals();  // before the collector's threads start, so they inherit the mask
  auto started = collector::Collector::Start(options);
  if (!started.ok()) {
    spdlog::error("collect: {}", started.status().ToString());
    return 1;
  }
  auto& collector = *started;
  spdlog::info("collector listening on http://{}:{} (topic {}, brokers {})", options.listen.host,
               collector->port(), options.topic, options.brokers);
  if (!args.port_file.empty()) {
    Status status = net::WritePortFile(args.port_file, std::to_string(collector->port()));
    if (!status.ok()) {
      spdlog::error("collect: {}", status.ToString());
      return 1;
    }
  }
  int sig = WaitForStopSignal();
  spdlog::info("collector: signal {}, stopping", sig);
  collector->Stop();
  return 0;
}

}  // namespace

void AddCollectCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<CollectArgs>();
  CLI::App* cmd =
      app.add_subcommand("collect", "HTTP tracking API that produces events to a topic");
  cmd->add_option("--brokers", args->brokers, "Kafka bootstrap servers (HOST:PORT,...)")
      ->required();
  cmd->add_option("--listen", args->listen, "HTTP listen address HOST:PORT (port 0: any)")
      ->capture_default_str();
  cmd->add_option("--topic", args->topic, "topic to produce events to")->capture_default_str();
  cmd->add_option("--port-file", args->port_file, "write the bound port to this file");
  cmd->add_option("--io-threads", args->io_threads, "HTTP io threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->callback([args, &exit_code] { exit_code = RunCollect(*args); });
}

}  // namespace el::app
