#include "app/console_wiring.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>

#include <fmt/format.h>
#include <simdjson.h>

#include "app/console_log.h"
#include "app/disk_use.h"
#include "app/live_tail.h"
#include "app/prom_samples.h"
#include "base/json_text.h"
#include "jobs/replay.h"
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
    sources.topics_json = [brokers = watched.brokers, log_dir] {
      return TopicsJson(brokers, log_dir);
    };
    sources.groups_json = [brokers = watched.brokers] { return GroupsJson(brokers); };
    sources.messages_json = [brokers = watched.brokers](const console::MessageQuery& q) {
      return MessagesJson(brokers, q);
    };
  }
  if (!watched.brokers.empty() && !lake_dir.empty()) {
    sources.replay = [brokers = watched.brokers,
                      lake_dir](const std::string& table) -> Result<console::ReplayOutcome> {
      jobs::ReplayOptions options{lake_dir, table, brokers, ""};
      EL_ASSIGN_OR_RETURN(jobs::ReplaySummary s, jobs::ReplayDeadLetters(options));
      return console::ReplayOutcome{s.replayed, s.already_replayed,
                                    jobs::FormatReplaySummary(options, s)};
    };
  }
  return sources;
}

}  // namespace el::app
