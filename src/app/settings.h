#pragma once
// Settings: every configurable value of every component in one table (config::Registry), bound to
// the options structs the components take. The same table gives each command its flags, each value
// its eventlake.toml key ([section] key) and EVENTLAKE_<SECTION>_<KEY> variable, its checks, and
// `eventlake config print` its lines. Sections: [up] (what only `up` has), [broker], [collector],
// [lander], [console] (the web console of `up` and `eventlake console`), [kafka_client] (librdkafka
// properties of the collector's producer and the lander's consumer), [log] (every command's
// logging). Lifetime: not copyable or movable (the registry points into the members).
#include <map>
#include <string>
#include <vector>

#include "app/admin.h"
#include "collector/collector.h"
#include "config/registry.h"
#include "jobs/lander.h"
#include "kafka/server/broker.h"

namespace el::app {

struct UpSettings {
  std::string data = "eventlake-data";  // log under DATA/log, lake under DATA/lake
  std::string port_file;
  double max_lag_s = 60;
};

struct BrokerSettings {
  kafka::BrokerOptions options;  // listen and advertise come from the texts below
  std::string listen = "127.0.0.1:9092";
  std::string advertise;
  std::string port_file;
  AdminFlags admin;  // /healthz and /metrics of a standalone broker
};

struct CollectorSettings {
  collector::CollectorOptions options;  // listen, ignore paths and producer properties from below
  std::string listen = "127.0.0.1:5000";
  std::string port_file;
  std::vector<std::string> ignore_paths;         // patterns or the words none/default
  std::vector<std::string> producer_properties;  // KEY=VALUE, over [kafka_client]
};

// How every command logs: the root's --log-level and --log-format, with keys of their own so that
// one file sets them for every process of a deployment.
struct LogSettings {
  std::string level = "info";
  std::string format = "text";
};

// The console (`up` serves it; `eventlake console` serves it alone).
struct ConsoleSettings {
  std::string listen = "127.0.0.1:5080";  // "off": none (up)
  std::string token;
  std::string port_file;
  // `eventlake console` only: what it watches.
  std::string brokers;
  std::string topic = "events";  // whose events the Live events page shows
  std::string lake;
  std::string data;  // the broker's data directory, for disk use
  std::vector<std::string> admin;
  int64_t query_timeout_ms = 30000;
  int64_t max_rows = 10000;
};

struct LanderSettings {
  jobs::LandOptions options;
  AdminFlags admin;       // /healthz and /metrics of a standalone follow lander
  double max_lag_s = 60;  // its /healthz answers 503 while the lake is further behind the log
};

class Settings {
 public:
  Settings();  // declares every setting with its default
  Settings(const Settings&) = delete;
  Settings& operator=(const Settings&) = delete;

  // After the file, flags and environment are applied: derives the options that are not plain
  // copies (listeners, ignore paths, client properties) and checks what spans several keys or
  // what `command` requires. Returns the problems found (none: the options are ready).
  std::vector<config::Problem> Finish(config::Command command);

  UpSettings up;
  BrokerSettings broker;
  CollectorSettings collector;
  LanderSettings lander;
  ConsoleSettings console;
  LogSettings log;
  std::map<std::string, std::string> kafka_client;
  config::Registry registry;

 private:
  void DeclareUp();
  void DeclareBroker();
  void DeclareCollector();
  void DeclareLander();
  void DeclareConsole();
  void DeclareLog();
};

// Checks a bootstrap list HOST:PORT[,HOST:PORT...]. Errors: InvalidArgument naming the bad item.
Status CheckBrokerList(const std::string& text);

// How a setting is named to a user: "--flag ([section] key, EVENTLAKE_...)".
std::string DescribeSetting(const config::Setting& s);

}  // namespace el::app
