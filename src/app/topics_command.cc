// `eventlake topics create|list|describe|delete --brokers LIST [--topic T] [--partitions N]`:
// topic administration over the Kafka protocol (librdkafka Admin API and Metadata), so it works the
// same against eventlake's broker and a Kafka cluster.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/settings_cli.h"
#include "base/log.h"
#include "app/prom_samples.h"
#include "clients/rdk/admin.h"
#include "net/http_get.h"

namespace el::app {
namespace {

struct TopicsArgs {
  std::string action;
  std::string brokers;
  std::string topic;
  int32_t partitions = -1;
  std::vector<std::string> configs;  // "name=value" topic configs for create
  int timeout_ms = 10000;
  std::string admin;  // describe: a broker /metrics URL for bytes on disk
};

// "name=value" -> map. Errors: InvalidArgument for an entry without '='.
Result<std::map<std::string, std::string>> ParseConfigs(const std::vector<std::string>& entries) {
  std::map<std::string, std::string> out;
  for (const std::string& e : entries) {
    size_t eq = e.find('=');
    if (eq == std::string::npos || eq == 0) return InvalidArgument("--config expects name=value, got '" + e + "'");
    out[e.substr(0, eq)] = e.substr(eq + 1);
  }
  return out;
}

// Bytes on disk per (topic, partition) from a broker's /metrics (`--admin`); empty without it.
// Errors: what reading the URL failed with.
Result<std::map<std::pair<std::string, int32_t>, int64_t>> LogSizes(const TopicsArgs& args) {
  std::map<std::pair<std::string, int32_t>, int64_t> out;
  if (args.admin.empty()) return out;
  EL_ASSIGN_OR_RETURN(
      net::HttpAnswer answer,
      net::HttpGet(args.admin, "/metrics", std::chrono::milliseconds(args.timeout_ms)));
  if (answer.status != 200)
    return Unavailable(args.admin + "/metrics answered " + std::to_string(answer.status));
  for (const Sample& s : ParseSamples(answer.body)) {
    if (s.name != "eventlake_broker_log_size_bytes" || !s.labels.count("topic") ||
        !s.labels.count("partition")) {
      continue;
    }
    int32_t partition = 0;
    const std::string& text = s.labels.at("partition");
    if (std::from_chars(text.data(), text.data() + text.size(), partition).ec != std::errc())
      continue;
    out[{s.labels.at("topic"), partition}] = static_cast<int64_t>(s.value);
  }
  return out;
}

// The topic's configs, one line each, `(default)` where the topic does not set it.
void PrintConfigs(rdk::Admin& admin, const std::string& topic) {
  auto configs = admin.DescribeTopicConfigs(topic);
  if (!configs.ok()) {
    std::printf("  configs unknown (%s)\n", configs.status().message().c_str());
    return;
  }
  for (const rdk::ConfigEntry& c : *configs) {
    std::printf("  config %s=%s%s%s\n", c.name.c_str(), c.value.c_str(),
                c.is_default ? " (default)" : "", c.read_only ? " (read-only)" : "");
  }
}

void PrintTopic(rdk::Admin& admin, const rdk::TopicMetadata& t,
                const std::map<std::pair<std::string, int32_t>, int64_t>& sizes) {
  std::printf("topic %s partitions %zu%s%s\n", t.name.c_str(), t.partitions.size(),
              t.error.empty() ? "" : " error ", t.error.c_str());
  for (const auto& p : t.partitions) {
    auto marks = admin.Watermarks(t.name, p.id);
    auto size = sizes.find({t.name, p.id});
    std::string bytes = size != sizes.end() ? " bytes " + std::to_string(size->second) : "";
    if (marks.ok()) {
      std::printf("  partition %d leader %d offsets %lld..%lld%s\n", p.id, p.leader,
                  static_cast<long long>(marks->first), static_cast<long long>(marks->second),
                  bytes.c_str());
    } else {
      std::printf("  partition %d leader %d offsets unknown (%s)\n", p.id, p.leader,
                  marks.status().message().c_str());
    }
  }
  PrintConfigs(admin, t.name);
}

Status RunAction(rdk::Admin& admin, const TopicsArgs& args) {
  if (args.action == "list") {
    EL_ASSIGN_OR_RETURN(auto topics, admin.ListTopics());
    for (const auto& t : topics) std::printf("%s\n", t.name.c_str());
    return Status::Ok();
  }
  if (args.action == "describe") {
    EL_ASSIGN_OR_RETURN(auto sizes, LogSizes(args));
    if (args.topic.empty()) {
      EL_ASSIGN_OR_RETURN(auto topics, admin.ListTopics());
      for (const auto& t : topics) PrintTopic(admin, t, sizes);
    } else {
      EL_ASSIGN_OR_RETURN(auto t, admin.DescribeTopic(args.topic));
      PrintTopic(admin, t, sizes);
    }
    return Status::Ok();
  }
  if (args.action == "create") {
    EL_ASSIGN_OR_RETURN(auto configs, ParseConfigs(args.configs));
    EL_RETURN_IF_ERROR(admin.CreateTopic(args.topic, args.partitions, -1, configs));
    std::printf("created topic %s\n", args.topic.c_str());
    return Status::Ok();
  }
  EL_RETURN_IF_ERROR(admin.DeleteTopic(args.topic));
  std::printf("deleted topic %s\n", args.topic.c_str());
  return Status::Ok();
}

int RunTopics(const TopicsArgs& args) {
  if (!args.admin.empty() && args.action != "describe") {
    std::fprintf(stderr, "topics %s: --admin is only read by describe\n", args.action.c_str());
    return 2;
  }
  if ((args.action == "create" || args.action == "delete") && args.topic.empty()) {
    std::fprintf(stderr, "topics %s needs --topic\n", args.action.c_str());
    return 2;
  }
  auto admin = rdk::Admin::Connect(args.brokers, std::chrono::milliseconds(args.timeout_ms));
  if (!admin.ok()) {
    spdlog::error("{}", admin.status().message());
    return 2;
  }
  Status st = RunAction(*admin, args);
  if (!st.ok()) {
    spdlog::error("{}", st.message());
    return 1;
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace

void AddTopicsCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TopicsArgs>();
  CLI::App* cmd = app.add_subcommand("topics", "Create, list, describe or delete topics (Kafka protocol)");
  cmd->add_option("action", args->action, "create|list|describe|delete")
      ->required()
      ->check(CLI::IsMember({"create", "list", "describe", "delete"}));
  cmd->add_option("--brokers", args->brokers, "Bootstrap brokers HOST:PORT[,HOST:PORT...]")
      ->required()
      ->check(BrokerListValidator());
  cmd->add_option("--topic", args->topic, "Topic name");
  cmd->add_option("--partitions", args->partitions, "Partitions for create (-1 = broker default)")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& text) {
            return text == "-1" || CLI::Range(1, 10000)(text).empty() ? std::string() : "must be -1 or from 1 to 10000";
          },
          "-1|1..10000"));
  cmd->add_option("--config", args->configs,
                  "Topic config name=value for create (repeatable): retention.ms, retention.bytes, "
                  "segment.bytes, segment.ms");
  cmd->add_option("--timeout-ms", args->timeout_ms, "Per-request timeout")
      ->capture_default_str()
      ->check(TimeoutMsValidator());
  cmd->add_option("--admin", args->admin,
                  "describe: http://HOST:PORT of the broker's /metrics (broker --admin, up's HTTP "
                  "listener) for "
                  "each partition's bytes on disk");
  cmd->callback([args, &exit_code] { exit_code = RunTopics(*args); });
}

}  // namespace el::app
