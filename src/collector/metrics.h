#pragma once
// Metrics: the collector's counters and the Prometheus text rendering of /metrics.
// Thread-safe: every counter is a relaxed atomic; label sets are fixed at compile time, so
// recording never allocates or locks.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace el::collector {

class Metrics {
 public:
  // Routes (RouteLabels()) and answered statuses (StatusCodes(); others count as "other").
  static constexpr size_t kRoutes = 13;
  static constexpr size_t kStatuses = 14;
  static constexpr size_t kBuckets = 14;

  // One answered request: its route label, HTTP status, latency and request body size.
  void RecordRequest(std::string_view route_label, int status, double seconds, size_t body_bytes);
  // Events acknowledged by the broker, and duplicates accepted without producing.
  void AddEvents(uint64_t produced, uint64_t duplicates);

  // Prometheus text exposition format 0.0.4.
  // `broker_acknowledging`: false while the broker acknowledges nothing (delivery_watch.h).
  std::string Render(int64_t queue_depth, bool broker_reachable, bool broker_acknowledging) const;

 private:
  std::array<std::array<std::atomic<uint64_t>, kStatuses>, kRoutes> requests_{};
  std::array<std::atomic<uint64_t>, kBuckets + 1> latency_buckets_{};  // last: +Inf
  std::atomic<uint64_t> latency_count_{0};
  std::atomic<uint64_t> latency_micros_sum_{0};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> events_{0};
  std::atomic<uint64_t> duplicates_{0};
};

}  // namespace el::collector
