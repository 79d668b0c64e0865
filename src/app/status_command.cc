// `eventlake status [--brokers LIST] [--admin URL ...] [--lake DIR] [--data DIR]`: one screen for
// an operator: each process's health (its /healthz), the topics (partitions, messages, bytes),
// consumer group lag, how fresh the lake is, and disk use. Every part comes from what is given and
// is skipped otherwise. Exit 0 when everything asked about answered and is well, else 1.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <simdjson.h>

#include "app/commands.h"
#include "app/lake_option.h"
#include "app/disk_use.h"
#include "app/prom_samples.h"
#include "base/log.h"
#include "clients/rdk/admin.h"
#include "clients/rdk/groups.h"
#include "net/http_get.h"
#include "query/session.h"

namespace el::app {
namespace {

struct StatusArgs {
  std::string brokers;
  std::vector<std::string> admin;
  std::string lake;
  std::string data;
  int timeout_ms = 5000;
};

std::string HumanBytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, units[u]);
}

std::string UtcTime(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", fmt::gmtime(t));
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What every --admin listener said; `samples` from all of them.
struct Scraped {
  std::vector<Sample> samples;
  bool all_well = true;
};

Scraped ShowComponents(const StatusArgs& args) {
  Scraped out;
  if (args.admin.empty()) return out;
  std::printf("COMPONENTS\n");
  auto timeout = std::chrono::milliseconds(args.timeout_ms);
  for (const std::string& url : args.admin) {
    auto health = net::HttpGet(url, "/healthz", timeout);
    if (!health.ok()) {
      out.all_well = false;
      std::printf("  %-28s %-12s %s\n", url.c_str(), "unreachable",
                  health.status().message().c_str());
      continue;
    }
    std::string detail;
    simdjson::dom::parser parser;
    simdjson::dom::object components;
    if (parser.parse(health->body).at_key("components").get(components) == simdjson::SUCCESS) {
      for (auto [name, state] : components) {
        std::string_view text;
        if (state.get(text) != simdjson::SUCCESS) continue;
        detail += fmt::format("{}{}: {}", detail.empty() ? "" : ", ", std::string_view(name), text);
      }
    }
    bool well = health->status == 200;
    out.all_well = out.all_well && well;
    std::printf("  %-28s %-12s %s\n", url.c_str(), well ? "ok" : "unavailable", detail.c_str());
    auto metrics = net::HttpGet(url, "/metrics", timeout);
    if (metrics.ok() && metrics->status == 200) {
      auto samples = ParseSamples(metrics->body);
      out.samples.insert(out.samples.end(), samples.begin(), samples.end());
    }
  }
  return out;
}

// Bytes per topic: the broker's own metrics when an admin listener serves them, else the topic's
// partition directories under --data.
std::optional<double> TopicBytes(const StatusArgs& args, const Scraped& scraped,
                                 const rdk::TopicMetadata& t) {
  std::optional<double> bytes;
  for (const Sample& s : scraped.samples) {
    if (s.name == "eventlake_broker_log_size_bytes" && s.labels.count("topic") &&
        s.labels.at("topic") == t.name) {
      bytes = bytes.value_or(0) + s.value;
    }
  }
  if (bytes || args.data.empty()) return bytes;
  for (const auto& p : t.partitions) {
    std::filesystem::path dir =
        std::filesystem::path(args.data) / (t.name + "-" + std::to_string(p.id));
    if (std::filesystem::is_directory(dir))
      bytes = bytes.value_or(0) + static_cast<double>(DiskUse(dir));
  }
  return bytes;
}

Status ShowTopicsAndGroups(const StatusArgs& args, const Scraped& scraped) {
  auto timeout = std::chrono::milliseconds(args.timeout_ms);
  EL_ASSIGN_OR_RETURN(rdk::Admin admin, rdk::Admin::Connect(args.brokers, timeout));
  EL_ASSIGN_OR_RETURN(auto topics, admin.ListTopics());
  std::printf("TOPICS (%s)\n  %-28s %10s %12s %12s\n", args.brokers.c_str(), "TOPIC", "PARTITIONS",
              "MESSAGES", "BYTES");
  for (const auto& t : topics) {
    int64_t messages = 0;
    for (const auto& p : t.partitions) {
      auto marks = admin.Watermarks(t.name, p.id);
      if (marks.ok()) messages += marks->second - marks->first;
    }
    auto bytes = TopicBytes(args, scraped, t);
    std::printf("  %-28s %10zu %12lld %12s\n", t.name.c_str(), t.partitions.size(),
                static_cast<long long>(messages), bytes ? HumanBytes(*bytes).c_str() : "-");
  }
  EL_ASSIGN_OR_RETURN(rdk::GroupsClient groups, rdk::GroupsClient::Connect(args.brokers, timeout));
  EL_ASSIGN_OR_RETURN(auto listed, groups.List());
  std::printf("GROUPS\n  %-36s %-20s %7s %-20s %10s\n", "GROUP", "STATE", "MEMBERS", "TOPIC",
              "LAG");
  for (const auto& g : listed) {
    EL_ASSIGN_OR_RETURN(auto lags, groups.Lag(g));
    std::map<std::string, int64_t> by_topic;
    for (const auto& l : lags) by_topic[l.topic] += std::max<int64_t>(0, l.lag);
    if (by_topic.empty()) by_topic[""] = 0;
    for (const auto& [topic, lag] : by_topic) {
      std::printf("  %-36s %-20s %7zu %-20s %10lld\n", g.group.c_str(), g.state.c_str(),
                  g.members.size(), topic.empty() ? "-" : topic.c_str(),
                  static_cast<long long>(lag));
    }
  }
  return Status::Ok();
}

// The newest Kafka timestamp landed in any table of the lake (ms), from the Parquet files.
std::optional<int64_t> NewestLanded(const std::string& lake) {
  auto session = query::Session::Open(lake);
  if (!session.ok()) return std::nullopt;
  std::optional<int64_t> newest;
  for (const std::string& table : session->Tables()) {
    auto rows = session->Run(fmt::format("SELECT max(epoch_ms(_timestamp)) FROM \"{}\"", table),
                             query::Format::kCsv);
    if (!rows.ok() || rows->rows.empty() || rows->rows[0].empty() || !rows->rows[0][0]) continue;
    try {
      int64_t ms = std::stoll(*rows->rows[0][0]);
      newest = std::max(newest.value_or(ms), ms);
    } catch (const std::exception&) {
    }
  }
  return newest;
}

void ShowLake(const StatusArgs& args, const Scraped& scraped) {
  int64_t now = NowMs();
  bool from_metrics = false;
  for (const Sample& s : scraped.samples) {
    if (s.name != "eventlake_lander_lag_seconds") continue;
    if (!from_metrics) std::printf("LANDERS\n");
    from_metrics = true;
    std::string topic = s.labels.count("topic") ? s.labels.at("topic") : "-";
    double landed_at = 0;
    for (const Sample& l : scraped.samples) {
      if (l.name == "eventlake_lander_last_landed_timestamp_seconds" && l.labels == s.labels)
        landed_at = l.value;
    }
    std::string last = landed_at > 0
                           ? fmt::format("last landed {:.0f} s ago", now / 1000.0 - landed_at)
                           : std::string("nothing landed yet");
    std::printf("  %-28s %s, the lake is %.1f s behind the log\n", topic.c_str(), last.c_str(),
                s.value);
  }
  if (args.lake.empty()) return;
  std::printf("LAKE %s\n", args.lake.c_str());
  auto newest = NewestLanded(args.lake);
  if (newest) {
    std::printf("  newest event %s (%.0f s ago)\n", UtcTime(*newest).c_str(),
                (now - *newest) / 1000.0);
  } else {
    std::printf("  newest event -  (no landed table)\n");
  }
}

void ShowDisk(const StatusArgs& args) {
  if (args.data.empty() && args.lake.empty()) return;
  std::printf("DISK\n");
  for (const auto& [name, dir] :
       {std::pair<const char*, std::string>{"log", args.data}, {"lake", args.lake}}) {
    if (dir.empty()) continue;
    std::error_code ec;
    auto space = std::filesystem::space(dir, ec);
    std::string free = ec ? std::string("free unknown")
                          : HumanBytes(static_cast<double>(space.available)) + " free";
    std::printf("  %-5s %-40s %10s used, %s\n", name, dir.c_str(),
                HumanBytes(static_cast<double>(DiskUse(dir))).c_str(), free.c_str());
  }
}

int RunStatus(const StatusArgs& args) {
  if (args.brokers.empty() && args.admin.empty() && args.lake.empty() && args.data.empty()) {
    std::fprintf(stderr,
                 "eventlake status: give at least one of --brokers, --admin, --lake or --data\n");
    return 2;
  }
  for (const std::string& dir : {args.lake, args.data}) {
    if (!dir.empty() && !std::filesystem::is_directory(dir)) {
      std::fprintf(stderr, "eventlake status: %s is not a directory\n", dir.c_str());
      return 2;
    }
  }
  std::printf("eventlake status at %s\n", UtcTime(NowMs()).c_str());
  Scraped scraped = ShowComponents(args);
  bool ok = scraped.all_well;
  if (!args.brokers.empty()) {
    Status st = ShowTopicsAndGroups(args, scraped);
    if (!st.ok()) {
      std::printf("  brokers %s: %s\n", args.brokers.c_str(), st.message().c_str());
      ok = false;
    }
  }
  ShowLake(args, scraped);
  ShowDisk(args);
  std::fflush(stdout);
  return ok ? 0 : 1;
}

}  // namespace

void AddStatusCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<StatusArgs>();
  CLI::App* cmd = app.add_subcommand(
      "status",
      "One screen: health of each process, topics, group lag, lake freshness and disk use");
  cmd->add_option("--brokers", args->brokers,
                  "Bootstrap brokers HOST:PORT[,...]: topics and consumer groups");
  cmd->add_option(
      "--admin", args->admin,
      "http://HOST:PORT of a process's /healthz and /metrics (up's HTTP listener, broker or land "
      "--admin); repeatable");
  cmd->add_option("--lake", args->lake, "Lake directory: newest landed event and disk use")
      ->transform(LakeLocationValidator("status"));
  cmd->add_option("--data", args->data,
                  "Broker log data directory: disk use (and topic bytes without --admin)");
  cmd->add_option("--timeout-ms", args->timeout_ms, "Per-request timeout")
      ->capture_default_str()
      ->check(CLI::Range(1, 600000));
  cmd->callback([args, &exit_code] { exit_code = RunStatus(*args); });
}

}  // namespace el::app
