// `eventlake up`: broker, collector and a continuous lander for one topic, in one process under one
// data directory. The collector and the lander reach the broker through the Kafka protocol, exactly
// as they would reach a Kafka cluster.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "app/commands.h"
#include "app/console_wiring.h"
#include "app/settings_cli.h"
#include "app/signals.h"
#include "base/log.h"
#include "clients/rdk/admin.h"
#include "collector/collector.h"
#include "jobs/lander.h"
#include "jobs/store_target.h"
#include "kafka/server/broker.h"
#include "lake/layout.h"
#include "net/endpoint.h"
#include "objstore/location.h"

namespace el::app {
namespace {

Status EnsureTopic(const std::string& brokers, const std::string& topic, int32_t partitions) {
  EL_ASSIGN_OR_RETURN(rdk::Admin admin, rdk::Admin::Connect(brokers, std::chrono::seconds(10)));
  Status s = admin.CreateTopic(topic, partitions);
  if (s.code() == StatusCode::kAlreadyExists) return Status::Ok();
  return s;
}

// Runs the continuous lander; a failed run (say, the broker briefly unreachable) is logged and
// restarted after a pause, since the lake records its own progress.
void FollowUntilStopped(const jobs::LandOptions& options, std::stop_token stop) {
  while (!stop.stop_requested()) {
    auto summary = jobs::Land(options, stop);
    if (summary.ok() || stop.stop_requested()) return;
    spdlog::error("lander: {}; restarting in 1 s", summary.status().ToString());
    if (options.metrics != nullptr) options.metrics->RecordError(summary.status().message());
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock lock(mu);
    cv.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
  }
}

// The console over the collector's /healthz and /metrics (which report every component of the
// process) and the lake; null with --console off. A default address that is taken (another `up`
// on this host) only costs the console, with a warning; an address given must work.
Result<std::unique_ptr<console::ConsoleServer>> StartUpConsole(Settings& s,
                                                               WatchedPipeline watched) {
  if (s.console.listen == "off") return std::unique_ptr<console::ConsoleServer>();
  EL_ASSIGN_OR_RETURN(net::HostPort listen, net::ParseHostPort(s.console.listen, 5080));
  console::ConsoleOptions options;
  options.listen = listen;
  options.token = s.console.token;
  options.lake_dir = watched.lake_dir;
  options.sql.timeout = std::chrono::milliseconds(s.console.query_timeout_ms);
  options.sql.max_rows = static_cast<size_t>(s.console.max_rows);
  auto server = console::ConsoleServer::Start(options, ScrapeSources(std::move(watched)));
  const config::Setting* setting = s.registry.Find("console", "listen");
  if (!server.ok() && server.status().code() == StatusCode::kIOError && setting != nullptr &&
      setting->source().type == config::Source::Type::kDefault) {
    spdlog::warn("console: {}; running without it (--console HOST:PORT to choose another)",
                 server.status().message());
    return std::unique_ptr<console::ConsoleServer>();
  }
  return server;
}

// Checks the lake before anything starts; returns 0 or the exit code. A local lake: its format.
// An S3 lake: the bucket and the credentials (jobs/store_target.h); the console, which reads a
// local lake, is left off (refused when asked for by name).
int CheckUpLake(Settings& s) {
  const std::string& lake = s.lander.options.lake_dir;
  auto loc = objstore::ParseLocation(lake);
  if (loc.ok() && loc->is_s3()) {
    const std::string& topic = s.collector.options.topic;
    auto store = jobs::StoreTarget::ForLake(lake, {topic, topic, "", "", {}});
    if (!store.ok()) {
      spdlog::error("up: {}", store.status().message());
      return 1;
    }
    if (s.console.listen == "off") return 0;
    const config::Setting* setting = s.registry.Find("console", "listen");
    if (setting != nullptr && setting->source().type != config::Source::Type::kDefault) {
      spdlog::error("up: --console: the console reads a local lake, and the lake is {}; add "
                    "--console off",
                    loc->ToString());
      return 2;
    }
    spdlog::warn("console off: it reads a local lake, and the lake is {}", loc->ToString());
    s.console.listen = "off";
    return 0;
  }
  if (Status format = lake::CheckLakeFormat(lake, true); !format.ok()) {
    spdlog::error("up: {}", format.message());
    return 2;
  }
  return 0;
}

// Runs every part until a stop signal; returns the exit code. `s` holds resolved settings.
int RunUp(Settings& s) {
  auto started = std::chrono::steady_clock::now();
  const std::string& topic = s.collector.options.topic;
  // What only DuckDB can judge is checked before anything starts, so that a bad value stops `up`
  // instead of a lander restarting forever.
  if (Status st = jobs::CheckEngineOptions(s.lander.options); !st.ok()) {
    bool zone = st.message().find("time zone") != std::string::npos;
    spdlog::error("up: [lander] {}: {}", zone ? "time_zone" : "memory_limit", st.message());
    return 2;
  }
  std::filesystem::path data(s.up.data);
  std::error_code ec;
  std::filesystem::create_directories(data, ec);
  if (ec) {
    spdlog::error("up: --data ([up] data): cannot create data directory {}: {}", s.up.data,
                  ec.message());
    return 2;
  }
  if (s.lander.options.lake_dir.empty()) s.lander.options.lake_dir = (data / "lake").string();
  if (int code = CheckUpLake(s); code != 0) return code;
  BlockStopSignals();

  kafka::BrokerOptions broker_options = s.broker.options;
  broker_options.data_dir = (data / "log").string();
  auto broker = kafka::Broker::Start(broker_options);
  if (!broker.ok()) {
    spdlog::error("broker: {}", broker.status().ToString());
    return broker.status().code() == StatusCode::kInvalidArgument ? 2
                                                                  : 1;  // say, a newer log format
  }
  std::string brokers = (*broker)->advertised();
  // The topic exists before the first event, so the lander follows it from offset 0. Created over
  // the Kafka protocol like any client would.
  Status created = EnsureTopic(brokers, topic, broker_options.default_partitions);
  if (!created.ok()) {
    spdlog::error("cannot create topic {}: {}", topic, created.ToString());
    (*broker)->Stop();
    return 1;
  }

  jobs::LandMetrics land_metrics(
      topic, std::chrono::milliseconds(static_cast<int64_t>(s.up.max_lag_s * 1000)));
  collector::CollectorOptions collector_options = s.collector.options;
  collector_options.components = {&(*broker)->status(), &land_metrics};
  collector_options.brokers = brokers;
  auto collector = collector::Collector::Start(collector_options);
  if (!collector.ok()) {
    spdlog::error("collector: {}", collector.status().ToString());
    (*broker)->Stop();
    return collector.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }

  jobs::LandOptions land_options = s.lander.options;
  land_options.brokers = brokers;
  land_options.topic = topic;
  land_options.follow = true;
  land_options.mode = jobs::WriteMode::kAppend;
  land_options.metrics = &land_metrics;
  std::jthread lander([land_options](std::stop_token stop) {
    SetLogComponent("lander");
    FollowUntilStopped(land_options, stop);
  });

  uint16_t http_port = (*collector)->port();
  // A wildcard listener (the packaged 0.0.0.0:5000) is reached on this host through loopback.
  std::string http_host = collector_options.listen.host;
  if (http_host == "0.0.0.0" || http_host == "::" || http_host.empty()) http_host = "127.0.0.1";
  std::string http_url = "http://" + net::HostPort{http_host, http_port}.ToString();
  std::string lake = land_options.lake_dir;

  auto console = StartUpConsole(s, {{http_url}, (data / "log").string(), lake, brokers, topic});
  if (!console.ok()) {
    spdlog::error("console: {}", console.status().ToString());
    (*collector)->Stop();
    lander.request_stop();
    lander.join();
    (*broker)->Stop();
    return console.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  if (!s.up.port_file.empty()) {
    std::string text =
        "kafka=" + std::to_string((*broker)->port()) + "\nhttp=" + std::to_string(http_port) + "\n";
    if (*console) text += "console=" + std::to_string((*console)->port()) + "\n";
    Status st = net::WritePortFile(s.up.port_file, text);
    if (!st.ok()) spdlog::warn("{}", st.ToString());
  }
  if (*console && !s.console.port_file.empty()) {
    Status st = net::WritePortFile(s.console.port_file, std::to_string((*console)->port()));
    if (!st.ok()) spdlog::warn("{}", st.ToString());
  }
  double ready_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string console_line =
      *console ? "  console " + (*console)->Url() + "\n" : std::string("  console off\n");
  std::printf(
      "eventlake up: ready in %.2f s (data in %s)\n"
      "  kafka  %s    kcat -b %s -t %s -C -o beginning -e\n"
      "  http   %s\n"
      "  lake   %s    landing topic '%s' continuously\n"
      "%s"
      "try:\n"
      "  curl %s/purchase_a_sword\n"
      "  eventlake query --lake %s \"SELECT event_type, count(*) AS n FROM %s GROUP BY 1\"\n",
      ready_s, s.up.data.c_str(), brokers.c_str(), brokers.c_str(), topic.c_str(), http_url.c_str(),
      lake.c_str(), topic.c_str(), console_line.c_str(), http_url.c_str(), lake.c_str(),
      topic.c_str());
  std::fflush(stdout);

  int sig = WaitForStopSignal();
  spdlog::info("signal {}: shutting down", sig);
  console->reset();  // its live reader goes before the broker
  // Order: stop taking events, land what is in the log, then close the log.
  (*collector)->Stop();
  lander.request_stop();
  lander.join();
  (*broker)->Stop();
  return 0;
}

}  // namespace

void AddUpCommand(CLI::App& app, int& exit_code) {
  auto settings = std::make_shared<Settings>();
  auto flags = std::make_shared<SettingFlags>(settings->registry, config::kUp);
  AddSettingsCommand(app, "up", "Run broker, collector and a continuous lander in one process",
                     settings, flags, exit_code, [settings] { return RunUp(*settings); });
}

}  // namespace el::app
