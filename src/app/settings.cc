#include "app/settings.h"

#include <cctype>
#include <cstdint>
#include <filesystem>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "app/lake_option.h"
#include "clients/rdk/handles.h"
#include "collector/ignored_paths.h"
#include "collector/proxy.h"
#include "console/access.h"
#include "net/endpoint.h"

namespace el::app {
namespace {

using config::kBroker;
using config::kCollect;
using config::kLand;
using config::kUp;

constexpr double kMaxMs = 7.0 * 24 * 3600 * 1000;  // a week: the longest time setting taken

Status HostPortCheck(const std::string& text) {
  if (text.empty()) return Status::Ok();  // unset (advertise), or required elsewhere
  auto parsed = net::ParseHostPort(text, 9092);
  return parsed.ok() ? Status::Ok() : parsed.status();
}

}  // namespace

Status CheckBrokerList(const std::string& text) {
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty()) return InvalidArgument(fmt::format("'{}' has an empty broker address", text));
    EL_RETURN_IF_ERROR(HostPortCheck(item));
  }
  return Status::Ok();
}

namespace {

// A Kafka topic name: 1 to 249 of [A-Za-z0-9._-], neither "." nor "..".
Status TopicCheck(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 249 && name != "." && name != "..";
  for (char c : name)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
  return ok ? Status::Ok()
            : InvalidArgument(
                  fmt::format("'{}' is not a topic name (1 to 249 of A-Z a-z 0-9 . _ -)", name));
}

// A port file's folder must exist: the file is written only once the listener is ready, too late
// to find out.
Status PortFileCheck(const std::string& path) {
  if (path.empty()) return Status::Ok();
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
    return InvalidArgument(fmt::format("folder {} of '{}' does not exist", parent.string(), path));
  }
  return Status::Ok();
}

Status NotEmpty(const std::string& text) {
  return text.empty() ? InvalidArgument("cannot be empty") : Status::Ok();
}

// DuckDB's memory_limit syntax: a number and a unit (512MB, 1.5GB, 2GiB).
Status MemoryLimitCheck(const std::string& text) {
  static const std::regex kLimit(
      R"(^\s*[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB|bytes)?\s*$)", std::regex::icase);
  return std::regex_match(text, kLimit)
             ? Status::Ok()
             : InvalidArgument(fmt::format("'{}' is not a memory size such as 512MB or 2GB", text));
}

Status ProducerPropertyCheck(const std::string& kv) {
  size_t eq = kv.find('=');
  if (eq == std::string::npos || eq == 0)
    return InvalidArgument(fmt::format("wants KEY=VALUE, got '{}'", kv));
  auto conf = rdk::MakeConf({{kv.substr(0, eq), kv.substr(eq + 1)}});
  return conf.ok() ? Status::Ok() : conf.status();
}

// The librdkafka properties eventlake sets itself from its own settings.
Status KafkaClientCheck(const std::string& key, const std::string& value) {
  static const std::map<std::string, std::string> kOwned = {
      {"bootstrap.servers", "[collector] brokers and [lander] brokers"},
      {"metadata.broker.list", "[collector] brokers and [lander] brokers"},
      {"group.id", "[lander] group"},
      {"enable.auto.commit", "the lander (it commits after the lake holds the data)"},
      {"enable.auto.offset.store", "the lander (it commits after the lake holds the data)"},
      {"compression.type", "[collector] compression"},
      {"compression.codec", "[collector] compression"},
      {"acks", "the collector (acks=all: an event is answered once it is durable)"},
      {"request.required.acks",
       "the collector (acks=all: an event is answered once it is durable)"},
  };
  if (auto it = kOwned.find(key); it != kOwned.end()) {
    return InvalidArgument(
        fmt::format("[kafka_client] {}: set by eventlake from {}", key, it->second));
  }
  auto conf = rdk::MakeConf({{key, value}});
  if (!conf.ok())
    return InvalidArgument(fmt::format("[kafka_client] {}: {}", key, conf.status().message()));
  return Status::Ok();
}

}  // namespace

std::string DescribeSetting(const config::Setting& s) {
  return fmt::format("[{}] {} ({})", s.section(), s.key(), s.EnvName());
}

Settings::Settings() {
  DeclareUp();
  DeclareBroker();
  DeclareCollector();
  DeclareLander();
  DeclareConsole();
  DeclareLog();
  registry.Open("kafka_client", &kafka_client, KafkaClientCheck);
}

void Settings::DeclareUp() {
  registry.String("up", "data", &up.data)
      .UsedBy(kUp)
      .Validate(NotEmpty)
      .Help("Data directory: the log in DATA/log, the lake in DATA/lake");
  registry.String("up", "port_file", &up.port_file)
      .UsedBy(kUp)
      .Validate(PortFileCheck)
      .Help("Write kafka=PORT, http=PORT and console=PORT here once ready");
  registry.Double("up", "max_lag_s", &up.max_lag_s)
      .UsedBy(kUp)
      .Range(0.001, 7 * 24 * 3600)
      .Help("/healthz answers 503 while the lake is further than this behind the log (seconds)");
}

void Settings::DeclareLog() {
  // No flag of their own on the commands: the root's --log-level and --log-format stand for them
  // (ResolveSettings).
  registry.String("log", "level", &log.level)
      .UsedBy(config::kAllCommands)
      .Flag("")
      .Choices({"trace", "debug", "info", "warn", "error", "off"})
      .Help("Lowest level logged (--log-level)");
  registry.String("log", "format", &log.format)
      .UsedBy(config::kAllCommands)
      .Flag("")
      .Choices({"text", "json"})
      .Help("text, or json: one object a line (--log-format)");
}

void Settings::DeclareBroker() {
  kafka::BrokerOptions& o = broker.options;
  const unsigned both = kBroker | kUp;
  registry.String("broker", "data", &o.data_dir)
      .UsedBy(kBroker)
      .Help("Data directory for the partition logs");
  registry.String("broker", "listen", &broker.listen)
      .UsedBy(both)
      .UpFlag("--kafka")
      .Validate(NotEmpty)
      .Validate(HostPortCheck)
      .Help("Kafka listener HOST:PORT (port 0: any)");
  registry.String("broker", "advertise", &broker.advertise)
      .UsedBy(both)
      .Validate(HostPortCheck)
      .Help("Address told to clients (default: listen host, wildcard -> 127.0.0.1, bound port)");
  registry.String("broker", "port_file", &broker.port_file)
      .UsedBy(kBroker)
      .Validate(PortFileCheck)
      .Help("Write the bound port here once accepting");
  registry.String("broker", "admin", &broker.admin.listen)
      .UsedBy(kBroker)
      .Validate(HostPortCheck)
      .Help("Admin listener HOST:PORT serving /healthz and /metrics (port 0: any)");
  registry.String("broker", "admin_port_file", &broker.admin.port_file)
      .UsedBy(kBroker)
      .Validate(PortFileCheck)
      .Help("Write the admin listener's port here once it accepts");
  registry.Int("broker", "partitions", &o.default_partitions)
      .UsedBy(both)
      .Range(1, 10000)
      .Help("Partitions of auto-created topics (and of up's topic when up creates it)");
  registry.Int("broker", "io_threads", &o.io_threads)
      .UsedBy(both)
      .Range(1, 64)
      .Help("Network threads");
  registry.Millis("broker", "group_initial_delay_ms", &o.groups.initial_rebalance_delay)
      .UsedBy(both)
      .Range(0, 300000)
      .Help("How long the first rebalance of an empty consumer group waits for more members");
  registry.Int("broker", "group_min_session_ms", &o.groups.min_session_timeout_ms)
      .UsedBy(both)
      .Range(1, 3600000)
      .Help("Smallest consumer session timeout accepted");
  registry.Int("broker", "group_max_session_ms", &o.groups.max_session_timeout_ms)
      .UsedBy(both)
      .Range(1, 3600000)
      .Help("Largest consumer session timeout accepted");
  registry.Int("broker", "retention_ms", &o.log.retention_ms)
      .UsedBy(both)
      .Range(-1, static_cast<double>(INT64_MAX))
      .Help("Delete closed segments older than this (-1: keep forever)");
  registry.Int("broker", "retention_bytes", &o.log.retention_bytes)
      .UsedBy(both)
      .Range(-1, static_cast<double>(INT64_MAX))
      .Help("Per partition: delete the oldest closed segments beyond this size (-1: no limit)");
  registry.Int("broker", "segment_bytes", &o.log.segment_bytes)
      .UsedBy(both)
      .Range(1024, 1ull << 40)
      .Help("Roll segment files at this size");
  registry.Int("broker", "segment_ms", &o.log.segment_ms)
      .UsedBy(both)
      .Range(0, static_cast<double>(INT64_MAX))
      .Help("Roll a segment this old (0: never)");
  registry.Int("broker", "flush_ms", &o.flush_ms)
      .UsedBy(both)
      .Range(0, kMaxMs)
      .Help("acks=0/1: fdatasync unsynced partitions this often (0: leave it to the OS)");
  registry.Int("broker", "flush_bytes", &o.log.flush_bytes)
      .UsedBy(both)
      .Help("acks=0/1: fdatasync once this many bytes are unsynced in a partition (0: off)");
  registry.Int("broker", "retention_check_ms", &o.retention_check_ms)
      .UsedBy(both)
      .Range(100, kMaxMs)
      .Help("How often retention and segment-age rolls run");
}

void Settings::DeclareCollector() {
  collector::CollectorOptions& o = collector.options;
  const unsigned both = kCollect | kUp;
  o.brokers.clear();  // required for `collect`; `up` uses its own broker
  registry.String("collector", "brokers", &o.brokers)
      .UsedBy(kCollect)
      .Validate(CheckBrokerList)
      .Help("Kafka bootstrap servers HOST:PORT,...");
  registry.String("collector", "listen", &collector.listen)
      .UsedBy(both)
      .UpFlag("--http")
      .Validate(NotEmpty)
      .Validate(HostPortCheck)
      .Help("HTTP listener HOST:PORT (port 0: any)");
  registry.String("collector", "topic", &o.topic)
      .UsedBy(both)
      .Validate(TopicCheck)
      .Help("Topic the events go to (up: also the topic its lander lands)");
  registry.String("collector", "port_file", &collector.port_file)
      .UsedBy(kCollect)
      .Validate(PortFileCheck)
      .Help("Write the bound port here once accepting");
  registry.Int("collector", "io_threads", &o.io_threads)
      .UsedBy(both)
      .Range(1, 64)
      .Help("HTTP threads");
  registry.List("collector", "allow_headers", &o.header_allow)
      .UsedBy(both)
      .Delimiter(',')
      .Help("Request headers copied into events ('*': all but Authorization and Cookie)");
  registry.Bool("collector", "truncate_ip", &o.truncate_ip)
      .UsedBy(both)
      .Help("Keep only the /24 (IPv4) or /48 (IPv6) of client_ip");
  registry.Bool("collector", "topic_per_type", &o.topic_per_type)
      .UsedBy(kCollect)
      .Help("Produce to <topic>.<event_type> instead of one topic");
  registry.List("collector", "write_key", &o.write_keys)
      .UsedBy(both)
      .Validate(NotEmpty)
      .Help("Accepted write key (repeatable); without any, no authentication");
  registry.String("collector", "cors_origin", &o.cors_origin)
      .UsedBy(both)
      .Help("Access-Control-Allow-Origin of answers to requests with Origin");
  registry.Millis("collector", "dedup_window_ms", &o.dedup_window)
      .UsedBy(both)
      .Range(0, kMaxMs)
      .Help("messageIds acknowledged within this window are not produced again (0: off)");
  registry.Millis("collector", "header_timeout_ms", &o.header_timeout)
      .UsedBy(both)
      .Range(1, kMaxMs)
      .Help("Idle keep-alive and request-head timeout");
  registry.Millis("collector", "body_timeout_ms", &o.body_timeout)
      .UsedBy(both)
      .Range(1, kMaxMs)
      .Help("Request body timeout");
  registry.Millis("collector", "delivery_timeout_ms", &o.delivery_timeout)
      .UsedBy(both)
      .Range(1, kMaxMs)
      .Help("Give up on an unacknowledged event (503) after this long");
  registry.Millis("collector", "stall_timeout_ms", &o.stall_timeout)
      .UsedBy(both)
      .Range(1, kMaxMs)
      .Help("Answer 503 at once while the broker has acknowledged nothing for this long");
  registry.Int("collector", "linger_ms", &o.linger_ms)
      .UsedBy(both)
      .Range(0, 1000)
      .Help("Producer linger.ms (0: the broker batches by group commit)");
  registry.String("collector", "compression", &o.compression)
      .UsedBy(both)
      .Choices(collector::kCompressionCodecs)
      .Help(
          "Codec of the produced batches, as stored in the topic (none for consumers without lz4)");
  registry.List("collector", "trusted_proxy", &o.trusted_proxies)
      .UsedBy(both)
      .Validate([](const std::string& text) {
        auto net = collector::ParseIpNetwork(text);
        return net.ok() ? Status::Ok() : net.status();
      })
      .Help(
          "Reverse proxy (CIDR or address, repeatable) whose X-Forwarded-For gives the client IP");
  collector.ignore_paths = collector::DefaultIgnoredPaths();
  registry.List("collector", "ignore_path", &collector.ignore_paths)
      .UsedBy(both)
      .Validate([](const std::string& p) { return collector::ResolveIgnoredPaths({p}).status(); })
      .Help(collector::kIgnorePathHelp);
  registry.Int("collector", "max_body_bytes", &o.max_body_bytes)
      .UsedBy(both)
      .Range(1, 1 << 30)
      .Help("Largest request body (413 beyond)");
  registry.Int("collector", "max_event_bytes", &o.max_event_bytes)
      .UsedBy(both)
      .Range(1, 1 << 30)
      .Help("Largest event (413 beyond)");
  registry.Int("collector", "max_batch_events", &o.max_batch_events)
      .UsedBy(both)
      .Range(1, 1000000)
      .Help("Most events per request (400 beyond)");
  registry.List("collector", "producer_property", &collector.producer_properties)
      .UsedBy(both)
      .Validate(ProducerPropertyCheck)
      .Help("Extra librdkafka producer setting KEY=VALUE (repeatable; over [kafka_client])");
}

void Settings::DeclareLander() {
  jobs::LandOptions& o = lander.options;
  const unsigned both = kLand | kUp;
  registry.String("lander", "brokers", &o.brokers)
      .UsedBy(kLand)
      .Validate(NotEmpty)
      .Validate(CheckBrokerList)
      .Help("Kafka bootstrap servers HOST:PORT,...");
  registry.String("lander", "lake", &o.lake_dir)
      .UsedBy(both)
      .Help("Lake directory or s3:// URI (up: default DATA/lake)");
  registry.String("lander", "admin", &lander.admin.listen)
      .UsedBy(kLand)
      .Validate(HostPortCheck)
      .Help("With --follow: admin listener HOST:PORT serving /healthz and /metrics (port 0: any)");
  registry.String("lander", "admin_port_file", &lander.admin.port_file)
      .UsedBy(kLand)
      .Validate(PortFileCheck)
      .Help("Write the admin listener's port here once it accepts");
  registry.Double("lander", "max_lag_s", &lander.max_lag_s)
      .UsedBy(kLand)
      .Range(0.001, 7 * 24 * 3600)
      .Help(
          "With --admin: /healthz answers 503 while the lake is further than this behind the log "
          "(seconds)");
  registry.String("lander", "topic", &o.topic)
      .UsedBy(kLand)
      .Validate([](const std::string& t) { return t.empty() ? Status::Ok() : TopicCheck(t); })
      .Help("Topic to land (with --job: replaces the job's topics)");
  registry.String("lander", "group", &o.group)
      .UsedBy(both)
      .Help(
          "Consumer group landed offsets are committed to; with follow, joined (its landers split "
          "the partitions)");
  registry.Millis("lander", "flush_ms", &o.flush_interval)
      .UsedBy(both)
      .UpFlag("--flush-ms")
      .Range(1, 3600000)
      .Help("Follow: longest time an event waits to be landed");
  registry.Int("lander", "max_rows", &o.max_rows)
      .UsedBy(both)
      .Range(1, 100000000)
      .Help("Follow: land a batch once it holds this many records");
  registry.Int("lander", "max_bytes", &o.max_bytes)
      .UsedBy(both)
      .Range(1, static_cast<double>(int64_t{1} << 40))
      .Help("Follow: land a batch once it stages this many bytes");
  registry.String("lander", "event_type_field", &o.event_type_field)
      .UsedBy(both)
      .Help("Default layout: field whose values get their own tables");
  registry.String("lander", "event_time_field", &o.event_time.field)
      .UsedBy(both)
      .Help("Field holding the event time for dt/hour partitions (else the Kafka timestamp)");
  registry.String("lander", "time_zone", &o.event_time.time_zone)
      .UsedBy(both)
      .Validate(NotEmpty)
      .Help("Zone of dt/hour folders");
  registry.List("lander", "partition_by", &o.partition_by)
      .UsedBy(both)
      .Delimiter(',')
      .Help("Partition columns of the default layout, e.g. dt or dt,hour");
  registry.String("lander", "memory_limit", &o.memory_limit)
      .UsedBy(both)
      .Validate(MemoryLimitCheck)
      .Help(
          "DuckDB memory for a batch (e.g. 512MB, 2GB); beyond it, it spills to the lake's "
          "_staging");
  registry.Int("lander", "max_record_bytes", &o.max_record_bytes)
      .UsedBy(both)
      .Range(1, 1 << 30)
      .Help("Records longer than this become dead letters");
  registry.String("lander", "dedup_field", &o.dedup_field)
      .UsedBy(both)
      .Help("String field naming each event once (the collector's event_id); none: off");
  registry.Millis("lander", "dedup_window_ms", &o.dedup_window)
      .UsedBy(both)
      .Range(1, kMaxMs)
      .Help("How far back (Kafka time) landed ids are remembered");
}

void Settings::DeclareConsole() {
  const unsigned both = config::kConsole | kUp;
  registry.String("console", "listen", &console.listen)
      .UsedBy(both)
      .UpFlag("--console")
      .Validate(NotEmpty)
      .Validate([](const std::string& t) { return t == "off" ? Status::Ok() : HostPortCheck(t); })
      .Help(
          "Console listener HOST:PORT (port 0: any; up: off for none); other than loopback needs a "
          "token");
  registry.String("console", "token", &console.token)
      .UsedBy(both)
      .UpFlag("--console-token")
      .Help("Token the console asks for (Authorization: Bearer, or open /?token=TOKEN once)");
  registry.String("console", "port_file", &console.port_file)
      .UsedBy(both)
      .UpFlag("--console-port-file")
      .Validate(PortFileCheck)
      .Help(
          "Write the console's port here once it accepts (up also writes console=PORT to its "
          "port_file)");
  registry.String("console", "brokers", &console.brokers)
      .UsedBy(config::kConsole)
      .Validate([](const std::string& t) { return t.empty() ? Status::Ok() : CheckBrokerList(t); })
      .Help(
          "Kafka bootstrap servers HOST:PORT,... of the pipeline watched (for the Topics and "
          "Groups pages)");
  registry.String("console", "lake", &console.lake)
      .UsedBy(config::kConsole)
      .Help("Lake directory: tables and SQL");
  registry.String("console", "data", &console.data)
      .UsedBy(config::kConsole)
      .Help("The broker's data directory, for disk use");
  registry.List("console", "admin", &console.admin)
      .UsedBy(config::kConsole)
      .Help("http://HOST:PORT of a process's /healthz and /metrics (repeatable)");
  registry.Int("console", "query_timeout_ms", &console.query_timeout_ms)
      .UsedBy(both)
      .UpFlag("--console-query-timeout-ms")
      .Range(1, kMaxMs)
      .Help("A console query is stopped after this long");
  registry.Int("console", "max_rows", &console.max_rows)
      .UsedBy(both)
      .UpFlag("--console-max-rows")
      .Range(1, 10000000)
      .Help("Most rows a console query returns");
}

std::vector<config::Problem> Settings::Finish(config::Command command) {
  std::vector<config::Problem> problems;
  auto problem = [&](const std::string& message) { problems.push_back({"", 0, message}); };
  auto require = [&](const char* section, const char* key) {
    const config::Setting* s = registry.Find(section, key);
    if (std::get<std::string>(s->value()).empty())
      problem(s->flag() + " is required, or " + DescribeSetting(*s));
  };
  if (command == kBroker) require("broker", "data");
  if (command == kCollect) require("collector", "brokers");
  if (command == kLand) require("lander", "lake");
  if (!lander.options.lake_dir.empty() && (command == kLand || command == kUp)) {
    Status lake = CheckLakeLocation(lander.options.lake_dir, command == kLand ? "land" : "up", S3Lakes::kAccepted);
    if (!lake.ok()) problem(registry.Find("lander", "lake")->flag() + ": " + lake.message());
    if (lake.ok()) lander.options.lake_dir = LocalLakePath(lander.options.lake_dir);
  }
  if (command == config::kConsole) require("console", "lake");
  if (command == config::kConsole && !console.lake.empty()) {
    Status lake = CheckLakeLocation(console.lake, "console");
    if (!lake.ok()) problem("[console] lake: " + lake.message());
    if (lake.ok()) console.lake = LocalLakePath(console.lake);
  }
  if ((command & (kUp | config::kConsole)) != 0 && console.listen != "off") {
    // A console open to the network without a token is refused before anything starts.
    if (auto listen = net::ParseHostPort(console.listen, 5080); listen.ok()) {
      Status st = console::CheckListenNeedsToken(listen->host, console.token);
      if (!st.ok()) problem("[console] listen: " + st.message());
    }
  }
  if (command == config::kConsole && console.listen == "off")
    problem("--listen: the console command needs an address");
  if (auto listen = net::ParseHostPort(broker.listen, 9092); listen.ok())
    broker.options.listen = *listen;
  if (!broker.advertise.empty()) {
    if (auto advertise = net::ParseHostPort(broker.advertise, 9092); advertise.ok()) {
      broker.options.advertise = *advertise;
    }
  }
  if (auto listen = net::ParseHostPort(collector.listen, 5000); listen.ok())
    collector.options.listen = *listen;
  if (broker.options.groups.min_session_timeout_ms > broker.options.groups.max_session_timeout_ms) {
    problem(fmt::format("[broker] group_min_session_ms ({}) is above group_max_session_ms ({})",
                        broker.options.groups.min_session_timeout_ms,
                        broker.options.groups.max_session_timeout_ms));
  }
  auto ignore = collector::ResolveIgnoredPaths(collector.ignore_paths);
  if (ignore.ok()) {
    collector.options.ignore_paths = *ignore;
  } else {
    problem("[collector] ignore_path: " + ignore.status().message());
  }
  collector.options.producer_properties = kafka_client;
  for (const std::string& kv : collector.producer_properties) {
    size_t eq = kv.find('=');
    if (eq != std::string::npos && eq > 0)
      collector.options.producer_properties[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  lander.options.consumer_properties = kafka_client;
  if (lander.options.dedup_field == "none") lander.options.dedup_field.clear();
  return problems;
}

}  // namespace el::app
