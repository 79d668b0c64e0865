#include "collector/metrics.h"

#include <fmt/format.h>

namespace el::collector {
namespace {

constexpr std::array<std::string_view, Metrics::kRoutes> kRouteLabels{
    "/",          "/purchase_a_sword", "/<action>",  "/events",   "/v1/track",
    "/v1/identify", "/v1/page",        "/v1/screen", "/v1/group", "/v1/alias",
    "/v1/batch",  "/healthz",          "other"};
constexpr std::array<int, Metrics::kStatuses - 1> kStatusCodes{200, 204, 400, 401, 404, 405, 408,
                                                               413, 415, 431, 500, 503, 504};
constexpr std::array<double, Metrics::kBuckets> kBucketBounds{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

size_t RouteIndex(std::string_view label) {
  for (size_t i = 0; i < kRouteLabels.size(); ++i) {
    if (kRouteLabels[i] == label) return i;
  }
  return kRouteLabels.size() - 1;  // "other" (also /metrics itself)
}

size_t StatusIndex(int status) {
  for (size_t i = 0; i < kStatusCodes.size(); ++i) {
    if (kStatusCodes[i] == status) return i;
  }
  return kStatusCodes.size();
}

}  // namespace

void Metrics::RecordRequest(std::string_view route_label, int status, double seconds,
                            size_t body_bytes) {
  requests_[RouteIndex(route_label)][StatusIndex(status)].fetch_add(1, std::memory_order_relaxed);
  size_t b = 0;
  while (b < kBucketBounds.size() && seconds > kBucketBounds[b]) ++b;
  latency_buckets_[b].fetch_add(1, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_micros_sum_.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  bytes_.fetch_add(body_bytes, std::memory_order_relaxed);
}

void Metrics::AddEvents(uint64_t produced, uint64_t duplicates) {
  events_.fetch_add(produced, std::memory_order_relaxed);
  duplicates_.fetch_add(duplicates, std::memory_order_relaxed);
}

std::string Metrics::Render(int64_t queue_depth, bool broker_reachable,
                            bool broker_acknowledging) const {
  std::string out;
  out += "# HELP eventlake_collector_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE eventlake_collector_requests_total counter\n";
  for (size_t r = 0; r < kRoutes; ++r) {
    for (size_t s = 0; s < kStatuses; ++s) {
      uint64_t n = requests_[r][s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::string code = s < kStatusCodes.size() ? std::to_string(kStatusCodes[s]) : "other";
      out += fmt::format("eventlake_collector_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                         kRouteLabels[r], code, n);
    }
  }
  out += "# HELP eventlake_collector_events_total Events acknowledged by the broker.\n";
  out += "# TYPE eventlake_collector_events_total counter\n";
  out += fmt::format("eventlake_collector_events_total {}\n", events_.load());
  out += "# HELP eventlake_collector_duplicate_events_total Events accepted but not produced "
         "again (messageId seen within the window).\n";
  out += "# TYPE eventlake_collector_duplicate_events_total counter\n";
  out += fmt::format("eventlake_collector_duplicate_events_total {}\n", duplicates_.load());
  out += "# HELP eventlake_collector_request_bytes_total Request body bytes received.\n";
  out += "# TYPE eventlake_collector_request_bytes_total counter\n";
  out += fmt::format("eventlake_collector_request_bytes_total {}\n", bytes_.load());
  out += "# HELP eventlake_collector_request_duration_seconds Time from request read to answer.\n";
  out += "# TYPE eventlake_collector_request_duration_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t b = 0; b <= kBuckets; ++b) {
    cumulative += latency_buckets_[b].load(std::memory_order_relaxed);
    std::string le = b < kBuckets ? fmt::format("{}", kBucketBounds[b]) : "+Inf";
    out += fmt::format("eventlake_collector_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", le,
                       cumulative);
  }
  out += fmt::format("eventlake_collector_request_duration_seconds_sum {:.6f}\n",
                     static_cast<double>(latency_micros_sum_.load()) / 1e6);
  out += fmt::format("eventlake_collector_request_duration_seconds_count {}\n", cumulative);
  out += "# HELP eventlake_collector_producer_queue_depth Messages queued in the producer, not yet "
         "acknowledged.\n";
  out += "# TYPE eventlake_collector_producer_queue_depth gauge\n";
  out += fmt::format("eventlake_collector_producer_queue_depth {}\n", queue_depth);
  out += "# HELP eventlake_collector_broker_reachable 1 when the last broker probe succeeded.\n";
  out += "# TYPE eventlake_collector_broker_reachable gauge\n";
  out += fmt::format("eventlake_collector_broker_reachable {}\n", broker_reachable ? 1 : 0);
  out += "# HELP eventlake_collector_broker_acknowledging 0 while events wait and the broker has "
         "acknowledged none for the stall timeout (requests are answered 503).\n";
  out += "# TYPE eventlake_collector_broker_acknowledging gauge\n";
  out += fmt::format("eventlake_collector_broker_acknowledging {}\n", broker_acknowledging ? 1 : 0);
  return out;
}

}  // namespace el::collector
