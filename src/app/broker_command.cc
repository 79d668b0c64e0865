// `eventlake broker`: the single-node Kafka-wire-compatible broker, until SIGINT/SIGTERM.
#include <chrono>
#include <memory>
#include <string>

#include "app/admin.h"
#include "app/commands.h"
#include "app/signals.h"
#include "base/log.h"
#include "kafka/server/broker.h"
#include "net/endpoint.h"

namespace el::app {
namespace {

struct BrokerArgs {
  std::string data;
  std::string listen = "127.0.0.1:9092";
  std::string advertise;
  std::string port_file;
  int32_t partitions = 1;
  int io_threads = 2;
  int64_t retention_ms = -1;
  int64_t retention_bytes = -1;
  uint64_t segment_bytes = 128ull << 20;
  int64_t segment_ms = 7ll * 24 * 3600 * 1000;
  int64_t flush_ms = 1000;
  uint64_t flush_bytes = 0;
  int64_t retention_check_ms = 30000;
  int group_initial_delay_ms = 300;
  int32_t group_min_session_ms = 6000;
  int32_t group_max_session_ms = 1800000;
  AdminFlags admin;
};

int RunBroker(const BrokerArgs& args) {
  kafka::BrokerOptions options;
  options.data_dir = args.data;
  options.default_partitions = args.partitions;
  options.io_threads = args.io_threads;
  options.log.retention_ms = args.retention_ms;
  options.log.retention_bytes = args.retention_bytes;
  options.log.segment_bytes = args.segment_bytes;
  options.log.segment_ms = args.segment_ms;
  options.log.flush_bytes = args.flush_bytes;
  options.flush_ms = args.flush_ms;
  options.retention_check_ms = args.retention_check_ms;
  options.groups.initial_rebalance_delay = std::chrono::milliseconds(args.group_initial_delay_ms);
  options.groups.min_session_timeout_ms = args.group_min_session_ms;
  options.groups.max_session_timeout_ms = args.group_max_session_ms;
  auto listen = net::ParseHostPort(args.listen, 9092);
  if (!listen.ok()) {
    spdlog::error("--listen: {}", listen.status().message());
    return 2;
  }
  options.listen = *listen;
  if (!args.advertise.empty()) {
    auto advertise = net::ParseHostPort(args.advertise, 9092);
    if (!advertise.ok()) {
      spdlog::error("--advertise: {}", advertise.status().message());
      return 2;
    }
    options.advertise = *advertise;
  }
  if (Status st = CheckAdminFlags(args.admin); !st.ok()) {
    spdlog::error("{}", st.message());
    return 2;
  }
  BlockStopSignals();  // before any thread starts, so only sigwait below sees SIGINT/SIGTERM
  auto broker = kafka::Broker::Start(options);
  if (!broker.ok()) {
    spdlog::error("broker cannot start: {}", broker.status().ToString());
    return broker.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  auto admin = StartAdmin(args.admin, {&(*broker)->status()});
  if (!admin.ok()) {
    spdlog::error("--admin: {}", admin.status().ToString());
    return admin.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  if (!args.port_file.empty()) {
    Status st = net::WritePortFile(args.port_file, std::to_string((*broker)->port()));
    if (!st.ok()) {
      spdlog::error("{}", st.ToString());
      return 1;
    }
  }
  spdlog::info("eventlake broker listening on {} (data {})", (*broker)->advertised(), args.data);
  int sig = WaitForStopSignal();
  spdlog::info("signal {}: shutting down", sig);
  if (*admin) (*admin)->Stop();
  (*broker)->Stop();
  spdlog::info("broker stopped");
  return 0;
}

// Broker-wide log defaults; a topic's own configs (CreateTopics, `topics create --config`) win.
void AddStorageOptions(CLI::App& cmd, BrokerArgs& args) {
  cmd.add_option("--retention-ms", args.retention_ms,
                 "Delete closed segments older than this (-1 = keep forever)")
      ->capture_default_str()->check(CLI::Range(int64_t{-1}, INT64_MAX));
  cmd.add_option("--retention-bytes", args.retention_bytes,
                 "Per partition: delete the oldest closed segments beyond this size (-1 = no limit)")
      ->capture_default_str()->check(CLI::Range(int64_t{-1}, INT64_MAX));
  cmd.add_option("--segment-bytes", args.segment_bytes, "Roll segment files at this size")
      ->capture_default_str()->check(CLI::Range(uint64_t{1024}, uint64_t{1} << 40));
  cmd.add_option("--segment-ms", args.segment_ms, "Roll a segment this old (0 = never)")
      ->capture_default_str()->check(CLI::Range(int64_t{0}, INT64_MAX));
  cmd.add_option("--flush-ms", args.flush_ms,
                 "acks=0/1: fdatasync unsynced partitions this often (0 = leave it to the OS)")
      ->capture_default_str()->check(CLI::Range(int64_t{0}, INT64_MAX));
  cmd.add_option("--flush-bytes", args.flush_bytes,
                 "acks=0/1: fdatasync once this many bytes are unsynced in a partition (0 = off)")
      ->capture_default_str();
  cmd.add_option("--retention-check-ms", args.retention_check_ms,
                 "How often retention and segment-age rolls run")
      ->capture_default_str()->check(CLI::Range(int64_t{100}, INT64_MAX));
}

}  // namespace

void AddBrokerCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<BrokerArgs>();
  CLI::App* cmd = app.add_subcommand("broker", "Run the Kafka-wire-compatible broker");
  cmd->add_option("--data", args->data, "Data directory for the partition logs")->required();
  cmd->add_option("--listen", args->listen, "Listen address HOST:PORT (port 0 = any)")->capture_default_str();
  cmd->add_option("--advertise", args->advertise,
                  "Address told to clients (default: listen host, wildcard -> 127.0.0.1, bound port)");
  cmd->add_option("--port-file", args->port_file, "Write the bound port here once accepting");
  cmd->add_option("--partitions", args->partitions, "Partitions of auto-created topics")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--io-threads", args->io_threads, "Network threads")->capture_default_str()->check(CLI::Range(1, 64));
  cmd->add_option("--group-initial-delay-ms", args->group_initial_delay_ms,
                  "How long the first rebalance of an empty consumer group waits for more members")
      ->capture_default_str()
      ->check(CLI::Range(0, 300000));
  cmd->add_option("--group-min-session-ms", args->group_min_session_ms, "Smallest consumer session timeout accepted")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600000));
  cmd->add_option("--group-max-session-ms", args->group_max_session_ms, "Largest consumer session timeout accepted")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600000));
  AddStorageOptions(*cmd, *args);
  AddAdminOptions(*cmd, args->admin);
  cmd->callback([args, &exit_code] {
    SetLogComponent("broker");
    exit_code = RunBroker(*args);
  });
}

}  // namespace el::app
