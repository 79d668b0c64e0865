#pragma once
// DeliveryWatch: whether the broker has stopped acknowledging the collector's events.
//
// A broker that refuses writes (a full disk answers KAFKA_STORAGE_ERROR, which librdkafka retries
// until message.timeout.ms) or cannot be reached produces no delivery reports at all while events
// wait. The collector reports every time it serves delivery reports (Progress) and samples the
// producer's outstanding count on a short period (Sample). The watch is stalled while events have
// been outstanding for longer than `stall_after` with no delivery report: requests are then
// answered 503 with Retry-After at once instead of after the whole delivery timeout.
// Thread-safe: every member may be called from any thread.
#include <atomic>
#include <chrono>
#include <cstdint>

#include "base/status.h"

namespace el::collector {

class DeliveryWatch {
 public:
  using Clock = std::chrono::steady_clock;

  explicit DeliveryWatch(Clock::duration stall_after, Clock::time_point now = Clock::now());

  // Delivery reports (acknowledgements or failures) were served at `now`.
  void Progress(Clock::time_point now);
  // The producer had `outstanding` events without a delivery report at `now`; none counts as
  // progress (an idle collector is never stalled when the next event comes).
  void Sample(Clock::time_point now, int64_t outstanding);
  bool stalled() const { return stalled_.load(std::memory_order_relaxed); }
  // What a request is answered while stalled (Unavailable: 503 with Retry-After).
  Status StalledError() const;
  Clock::duration stall_after() const { return stall_after_; }

 private:
  const Clock::duration stall_after_;
  std::atomic<Clock::rep> last_progress_;
  std::atomic<bool> stalled_{false};
};

}  // namespace el::collector
