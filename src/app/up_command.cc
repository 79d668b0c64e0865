// `eventlake up`: broker, collector and a continuous lander for one topic, in one process under one
// data directory. The collector and the lander reach the broker through the Kafka protocol, exactly as
// they would reach a Kafka cluster.
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
#include "app/signals.h"
#include "base/log.h"
#include "clients/rdk/admin.h"
#include "collector/collector.h"
#include "jobs/lander.h"
#include "kafka/server/broker.h"
#include "lake/layout.h"
#include "net/endpoint.h"

namespace el::app {
namespace {

struct UpArgs {
  std::string data = "eventlake-data";
  std::string kafka = "127.0.0.1:9092";
  std::string http = "127.0.0.1:5000";
  std::string topic = "events";
  std::string port_file;
  int flush_ms = 300;
  double max_lag_s = 60;
  std::string compression = "lz4";
  std::vector<std::string> ignore_paths;  // none given: the collector's default list
};

Status EnsureTopic(const std::string& brokers, const std::string& topic) {
  EL_ASSIGN_OR_RETURN(rdk::Admin admin, rdk::Admin::Connect(brokers, std::chrono::seconds(10)));
  Status s = admin.CreateTopic(topic, 1);
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

// Runs every part until a stop signal; returns the exit code.
int RunUp(const UpArgs& args) {
  auto started = std::chrono::steady_clock::now();
  auto kafka_addr = net::ParseHostPort(args.kafka, 9092);
  auto http_addr = net::ParseHostPort(args.http, 5000);
  if (!kafka_addr.ok() || !http_addr.ok()) {
    spdlog::error("{}", (!kafka_addr.ok() ? kafka_addr.status() : http_addr.status()).ToString());
    return 2;
  }
  auto ignore_paths = collector::ResolveIgnoredPaths(args.ignore_paths);
  if (!ignore_paths.ok()) {
    spdlog::error("up: --ignore-path: {}", ignore_paths.status().message());
    return 2;
  }
  std::filesystem::path data(args.data);
  std::error_code ec;
  std::filesystem::create_directories(data, ec);
  if (ec) {
    spdlog::error("cannot create data directory {}: {}", args.data, ec.message());
    return 1;
  }
  if (Status format = lake::CheckLakeFormat(data / "lake", true); !format.ok()) {
    spdlog::error("up: {}", format.message());
    return 2;
  }
  BlockStopSignals();

  kafka::BrokerOptions broker_options;
  broker_options.data_dir = (data / "log").string();
  broker_options.listen = *kafka_addr;
  auto broker = kafka::Broker::Start(broker_options);
  if (!broker.ok()) {
    spdlog::error("broker: {}", broker.status().ToString());
    return broker.status().code() == StatusCode::kInvalidArgument ? 2
                                                                  : 1;  // say, a newer log format
  }
  std::string brokers = (*broker)->advertised();
  // The topic exists before the first event, so the lander follows it from offset 0. Created over the
  // Kafka protocol like any client would.
  Status created = EnsureTopic(brokers, args.topic);
  if (!created.ok()) {
    spdlog::error("cannot create topic {}: {}", args.topic, created.ToString());
    (*broker)->Stop();
    return 1;
  }

  jobs::LandMetrics land_metrics(args.topic,
                                 std::chrono::milliseconds(static_cast<int64_t>(args.max_lag_s * 1000)));
  collector::CollectorOptions collector_options;
  collector_options.components = {&(*broker)->status(), &land_metrics};
  collector_options.brokers = brokers;
  collector_options.listen = *http_addr;
  collector_options.topic = args.topic;
  collector_options.compression = args.compression;
  collector_options.ignore_paths = std::move(ignore_paths).value();
  auto collector = collector::Collector::Start(collector_options);
  if (!collector.ok()) {
    spdlog::error("collector: {}", collector.status().ToString());
    (*broker)->Stop();
    return 1;
  }

  jobs::LandOptions land_options;
  land_options.brokers = brokers;
  land_options.lake_dir = (data / "lake").string();
  land_options.topic = args.topic;
  land_options.follow = true;
  land_options.mode = jobs::WriteMode::kAppend;
  land_options.flush_interval = std::chrono::milliseconds(args.flush_ms);
  land_options.metrics = &land_metrics;
  std::jthread lander([land_options](std::stop_token stop) {
    SetLogComponent("lander");
    FollowUntilStopped(land_options, stop);
  });

  uint16_t http_port = (*collector)->port();
  if (!args.port_file.empty()) {
    std::string text = "kafka=" + std::to_string((*broker)->port()) +
                       "\nhttp=" + std::to_string(http_port) + "\n";
    Status s = net::WritePortFile(args.port_file, text);
    if (!s.ok()) spdlog::warn("{}", s.ToString());
  }
  double ready_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string http_url = "http://" + net::HostPort{http_addr->host, http_port}.ToString();
  std::string lake = land_options.lake_dir;
  std::printf(
      "eventlake up: ready in %.2f s (data in %s)\n"
      "  kafka  %s    kcat -b %s -t %s -C -o beginning -e\n"
      "  http   %s\n"
      "  lake   %s    landing topic '%s' continuously\n"
      "try:\n"
      "  curl %s/purchase_a_sword\n"
      "  eventlake query --lake %s \"SELECT event_type, count(*) AS n FROM %s GROUP BY 1\"\n",
      ready_s, args.data.c_str(), brokers.c_str(), brokers.c_str(), args.topic.c_str(),
      http_url.c_str(), lake.c_str(), args.topic.c_str(), http_url.c_str(), lake.c_str(),
      args.topic.c_str());
  std::fflush(stdout);

  int sig = WaitForStopSignal();
  spdlog::info("signal {}: shutting down", sig);
  // Order: stop taking events, land what is in the log, then close the log.
  (*collector)->Stop();
  lander.request_stop();
  lander.join();
  (*broker)->Stop();
  return 0;
}

}  // namespace

void AddUpCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<UpArgs>();
  CLI::App* cmd = app.add_subcommand("up", "Run broker, collector and a continuous lander in one process");
  cmd->add_option("--data", args->data, "Data directory (log and lake)")->capture_default_str();
  cmd->add_option("--kafka", args->kafka, "Kafka listener HOST:PORT")->capture_default_str();
  cmd->add_option("--http", args->http, "HTTP listener HOST:PORT")->capture_default_str();
  cmd->add_option("--topic", args->topic, "Topic the collector writes and the lander lands")
      ->capture_default_str();
  cmd->add_option("--flush-ms", args->flush_ms, "Longest time an event waits before it is landed")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-lag-s", args->max_lag_s,
                  "/healthz answers 503 while the lake is further than this behind the log (seconds)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--compression", args->compression,
                  "codec of the collector's batches, as stored in the topic (none for consumers without lz4)")
      ->capture_default_str()
      ->check(CLI::IsMember(collector::kCompressionCodecs));
  cmd->add_option("--ignore-path", args->ignore_paths, collector::kIgnorePathHelp);
  cmd->add_option("--port-file", args->port_file, "Write kafka=PORT and http=PORT here once ready");
  cmd->callback([args, &exit_code] { exit_code = RunUp(*args); });
}

}  // namespace el::app
