// `eventlake collect`: runs the HTTP collector until SIGINT or SIGTERM, then drains in-flight
// requests and the producer queue before exiting.
#include <memory>
#include <sstream>
#include <string>
#include <vector>

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
  std::string allow_headers = "Host,User-Agent,Accept,Referer,Content-Type,Accept-Language";
  bool truncate_ip = false;
  bool topic_per_type = false;
  std::vector<std::string> write_keys;
  std::string cors_origin = "*";
  int64_t dedup_window_ms = 10 * 60 * 1000;
  int64_t header_timeout_ms = 10000;
  int64_t body_timeout_ms = 30000;
  int64_t delivery_timeout_ms = 10000;
  int64_t stall_timeout_ms = 1000;
  int linger_ms = 0;
  std::string compression = "lz4";
  std::vector<std::string> trusted_proxies;
  std::vector<std::string> ignore_paths;  // none given: the collector's default list
  size_t max_body_bytes = 500 * 1024;
  size_t max_event_bytes = 32 * 1024;
  size_t max_batch_events = 2500;
  std::vector<std::string> producer_properties;
};

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    size_t b = item.find_first_not_of(' ');
    size_t e = item.find_last_not_of(' ');
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

// Fills `options` from `args`; false (after logging) on a usage error.
bool ToOptions(const CollectArgs& args, collector::CollectorOptions& options) {
  auto listen = net::ParseHostPort(args.listen, 5000);
  if (!listen.ok()) {
    spdlog::error("collect: --listen: {}", listen.status().message());
    return false;
  }
  options.brokers = args.brokers;
  options.listen = *listen;
  options.topic = args.topic;
  options.io_threads = args.io_threads;
  options.header_allow = SplitList(args.allow_headers);
  options.truncate_ip = args.truncate_ip;
  options.topic_per_type = args.topic_per_type;
  options.write_keys = args.write_keys;
  options.cors_origin = args.cors_origin;
  options.dedup_window = std::chrono::milliseconds(args.dedup_window_ms);
  options.header_timeout = std::chrono::milliseconds(args.header_timeout_ms);
  options.body_timeout = std::chrono::milliseconds(args.body_timeout_ms);
  options.delivery_timeout = std::chrono::milliseconds(args.delivery_timeout_ms);
  options.stall_timeout = std::chrono::milliseconds(args.stall_timeout_ms);
  options.linger_ms = args.linger_ms;
  options.compression = args.compression;
  options.trusted_proxies = args.trusted_proxies;
  auto ignore_paths = collector::ResolveIgnoredPaths(args.ignore_paths);
  if (!ignore_paths.ok()) {
    spdlog::error("collect: --ignore-path: {}", ignore_paths.status().message());
    return false;
  }
  options.ignore_paths = std::move(ignore_paths).value();
  options.max_body_bytes = args.max_body_bytes;
  options.max_event_bytes = args.max_event_bytes;
  options.max_batch_events = args.max_batch_events;
  for (const std::string& kv : args.producer_properties) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      spdlog::error("collect: --producer-property wants KEY=VALUE, got '{}'", kv);
      return false;
    }
    options.producer_properties[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return true;
}

int RunCollect(const CollectArgs& args) {
  collector::CollectorOptions options;
  if (!ToOptions(args, options)) return 2;
  BlockStopSignals();  // before the collector's threads start, so they inherit the mask
  auto started = collector::Collector::Start(options);
  if (!started.ok()) {
    spdlog::error("collect: {}", started.status().ToString());
    return 1;
  }
  auto& collector = *started;
  spdlog::info("collector listening on http://{}:{} (topic {}{}, brokers {})", options.listen.host,
               collector->port(), options.topic, options.topic_per_type ? ".<event_type>" : "",
               options.brokers);
  if (!args.port_file.empty()) {
    Status status = net::WritePortFile(args.port_file, std::to_string(collector->port()));
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

void AddLimitOptions(CLI::App* cmd, CollectArgs& args) {
  cmd->add_option("--max-body-bytes", args.max_body_bytes, "largest request body (413 beyond)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-event-bytes", args.max_event_bytes, "largest event (413 beyond)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-batch-events", args.max_batch_events, "most events per request")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--header-timeout-ms", args.header_timeout_ms,
                  "idle keep-alive and request-head timeout")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--body-timeout-ms", args.body_timeout_ms, "request body timeout")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--delivery-timeout-ms", args.delivery_timeout_ms,
                  "give up on an unacknowledged event (503) after this long")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--stall-timeout-ms", args.stall_timeout_ms,
                  "answer 503 at once while the broker has acknowledged nothing for this long")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
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
  cmd->add_option("--allow-headers", args->allow_headers,
                  "comma-separated request headers copied into events ('*': all)")
      ->capture_default_str();
  cmd->add_flag("--truncate-ip", args->truncate_ip, "keep only the /24 (IPv4) or /48 (IPv6)");
  cmd->add_flag("--topic-per-type", args->topic_per_type,
                "produce to <topic>.<event_type> instead of one topic");
  cmd->add_option("--write-key", args->write_keys,
                  "accepted write key (repeatable); without any, no authentication");
  cmd->add_option("--cors-origin", args->cors_origin, "Access-Control-Allow-Origin value")
      ->capture_default_str();
  cmd->add_option("--dedup-window-ms", args->dedup_window_ms,
                  "messageIds acknowledged within this window are not produced again (0: off)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--trusted-proxy", args->trusted_proxies,
                  "reverse proxy (CIDR or address, repeatable) whose X-Forwarded-For gives the client IP");
  cmd->add_option("--ignore-path", args->ignore_paths, collector::kIgnorePathHelp);
  cmd->add_option("--linger-ms", args->linger_ms, "producer linger.ms (0: the broker batches by group commit)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  cmd->add_option("--compression", args->compression,
                  "codec of the produced batches, as stored in the topic (none for consumers without lz4)")
      ->capture_default_str()
      ->check(CLI::IsMember(collector::kCompressionCodecs));
  cmd->add_option("--producer-property", args->producer_properties,
                  "extra librdkafka producer setting KEY=VALUE (repeatable)");
  AddLimitOptions(cmd, *args);
  cmd->callback([args, &exit_code] {
    SetLogComponent("collector");
    exit_code = RunCollect(*args);
  });
}

}  // namespace el::app
