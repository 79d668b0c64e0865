#include "app/console_wiring.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>

#include <fmt/format.h>
#include <simdjson.h>

#include "app/disk_use.h"
#include "app/live_tail.h"
#include "app/prom_samples.h"
#include "base/json_text.h"
#include "clients/rdk/admin.h"
#include "clients/rdk/groups.h"
#include "net/http_get.h"

namespace el::app {
namespace {

constexpr auto kScrapeTimeout = std::chrono::milliseconds(2000);
constexpr auto kFresh = std::chrono::milliseconds(900);
constexpr size_t kLiveEvents = 1000;

struct Scrape {
  int health_status = 200;
  std::string health_json;  // {"status":..,"components":{..}}
  std::vector<Sample> samples;
};

// Reads every process's /healthz and /metrics, at most once per kFresh. Thread-safe.
class Scraper {
 public:
  explicit Scraper(std::vector<std::string> urls) : urls_(std::move(urls)) {}

  Scrape Get() {
    std::lock_guard lock(mu_);
    auto now = std::chrono::steady_clock::now();
    if (!has_ || now - at_ >= kFresh) {
      last_ = Read();
      at_ = now;
      has_ = true;
    }
    return last_;
  }

 private:
  Scrape Read() const {
    Scrape out;
    std::string components;
    bool well = true;
    for (const std::string& url : urls_) {
      auto health = net::HttpGet(url, "/healthz", kScrapeTimeout);
      simdjson::dom::parser parser;
      simdjson::dom::object listed;
      if (health.ok() &&
          parser.parse(health->body).at_key("components").get(listed) == simdjson::SUCCESS) {
        for (auto [name, state] : listed) {
          std::string_view text;
          if (state.get(text) != simdjson::SUCCESS) continue;
          if (!components.empty()) components += ',';
          AppendJsonString(components, name);
          components += ':';
          AppendJsonString(components, text);
          well = well && text == "ok";
        }
      } else {
        well = false;
        if (!components.empty()) components += ',';
        AppendJsonString(components, url);
        components += ':';
        AppendJsonString(components, health.ok() ? "no health answer (HTTP " +
                                                       std::to_string(health->status) + ")"
                                                 : "unreachable: " + health.status().message());
      }
      auto metrics = net::HttpGet(url, "/metrics", kScrapeTimeout);
      if (metrics.ok() && metrics->status == 200) {
        auto samples = ParseSamples(metrics->body);
        out.samples.insert(out.samples.end(), samples.begin(), samples.end());
      }
    }
    out.health_status = well ? 200 : 503;
    out.health_json = fmt::format("{{\"status\":\"{}\",\"components\":{{{}}}}}",
                                  well ? "ok" : "unavailable", components);
    return out;
  }

  const std::vector<std::string> urls_;
  std::mutex mu_;
  Scrape last_;  // GUARDED_BY(mu_)
  bool has_ = false;
  std::chrono::steady_clock::time_point at_;
};

double Sum(const std::vector<Sample>& samples, std::string_view name) {
  double total = 0;
  for (const Sample& s : samples)
    if (s.name == name) total += s.value;
  return total;
}

std::string SamplesJson(const std::vector<Sample>& samples) {
  std::string out = "{\"samples\":[";
  bool first = true;
  for (const Sample& s : samples) {
    if (!std::isfinite(s.value)) continue;  // JSON has no NaN or Inf
    out += first ? "{\"name\":" : ",{\"name\":";
    first = false;
    AppendJsonString(out, s.name);
    out += ",\"labels\":{";
    bool first_label = true;
    for (const auto& [k, v] : s.labels) {
      if (!first_label) out += ',';
      first_label = false;
      AppendJsonString(out, k);
      out += ':';
      AppendJsonString(out, v);
    }
    out += fmt::format("}},\"value\":{}}}", s.value);
  }
  return out + "]}";
}

constexpr auto kAdminTimeout = std::chrono::milliseconds(5000);

// {"topics":[{"name":..,"messages":N,"partitions":[{"id":..,"low":..,"high":..}]}]}
Result<std::string> TopicsJson(const std::string& brokers) {
  EL_ASSIGN_OR_RETURN(rdk::Admin admin, rdk::Admin::Connect(brokers, kAdminTimeout));
  EL_ASSIGN_OR_RETURN(auto topics, admin.ListTopics());
  std::string out = "{\"topics\":[";
  for (size_t i = 0; i < topics.size(); ++i) {
    const rdk::TopicMetadata& t = topics[i];
    std::string parts;
    int64_t messages = 0;
    for (const auto& p : t.partitions) {
      auto marks = admin.Watermarks(t.name, p.id);
      int64_t low = marks.ok() ? marks->first : -1;
      int64_t high = marks.ok() ? marks->second : -1;
      if (marks.ok()) messages += high - low;
      parts += fmt::format("{}{{\"id\":{},\"low\":{},\"high\":{}}}", parts.empty() ? "" : ",", p.id,
                           low, high);
    }
    out += i > 0 ? ",{\"name\":" : "{\"name\":";
    AppendJsonString(out, t.name);
    out += fmt::format(",\"messages\":{},\"partitions\":[{}]}}", messages, parts);
  }
  return out + "]}";
}

// {"groups":[{"group":..,"state":..,"members":N,"lag":[{"topic":..,"partition":..,
// "committed":..,"high":..,"lag":..}]}]}
Result<std::string> GroupsJson(const std::string& brokers) {
  EL_ASSIGN_OR_RETURN(rdk::GroupsClient groups, rdk::GroupsClient::Connect(brokers, kAdminTimeout));
  EL_ASSIGN_OR_RETURN(auto listed, groups.List());
  std::string out = "{\"groups\":[";
  for (size_t i = 0; i < listed.size(); ++i) {
    const rdk::GroupInfo& g = listed[i];
    out += i > 0 ? ",{\"group\":" : "{\"group\":";
    AppendJsonString(out, g.group);
    out += ",\"state\":";
    AppendJsonString(out, g.state);
    out += fmt::format(",\"members\":{},\"lag\":[", g.members.size());
    auto lags = groups.Lag(g);
    if (lags.ok()) {
      for (size_t j = 0; j < lags->size(); ++j) {
        const rdk::PartitionLag& l = (*lags)[j];
        out += j > 0 ? ",{\"topic\":" : "{\"topic\":";
        AppendJsonString(out, l.topic);
        out += fmt::format(",\"partition\":{},\"committed\":{},\"high\":{},\"lag\":{}}}",
                           l.partition, l.committed, l.high, l.lag);
      }
    }
    out += "]}";
  }
  return out + "]}";
}

}  // namespace

console::ConsoleSources ScrapeSources(WatchedPipeline watched) {
  auto scraper = std::make_shared<Scraper>(std::move(watched.admin_urls));
  std::string log_dir = watched.log_dir;
  std::string lake_dir = watched.lake_dir;
  console::ConsoleSources sources;
  sources.health = [scraper] {
    Scrape s = scraper->Get();
    return net::AdminResponse{s.health_status, "application/json", s.health_json, {}};
  };
  sources.metrics_json = [scraper] { return SamplesJson(scraper->Get().samples); };
  sources.counters = [scraper] {
    Scrape s = scraper->Get();
    return std::pair<double, double>(Sum(s.samples, "eventlake_collector_events_total"),
                                     Sum(s.samples, "eventlake_lander_events_total"));
  };
  sources.disk_json = [log_dir, lake_dir] {
    auto bytes = [](const std::string& dir) {
      std::error_code ec;
      return dir.empty() || !std::filesystem::is_directory(dir, ec) ? std::string("null")
                                                                    : std::to_string(DiskUse(dir));
    };
    return "{\"log\":" + bytes(log_dir) + ",\"lake\":" + bytes(lake_dir) + "}";
  };
  if (!watched.brokers.empty() && !watched.topic.empty()) {
    sources.live = std::make_shared<console::LiveRing>(kLiveEvents);
    auto tail = std::make_shared<LiveTail>(watched.brokers, watched.topic, sources.live);
    sources.live_wanted = [tail] { tail->Want(); };
  }
  if (!watched.brokers.empty()) {
    sources.topics_json = [brokers = watched.brokers] { return TopicsJson(brokers); };
    sources.groups_json = [brokers = watched.brokers] { return GroupsJson(brokers); };
  }
  return sources;
}

}  // namespace el::app
