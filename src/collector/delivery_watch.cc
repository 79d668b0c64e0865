#include "collector/delivery_watch.h"

#include <string>

namespace el::collector {

DeliveryWatch::DeliveryWatch(Clock::duration stall_after, Clock::time_point now)
    : stall_after_(stall_after), last_progress_(now.time_since_epoch().count()) {}

void DeliveryWatch::Progress(Clock::time_point now) {
  last_progress_.store(now.time_since_epoch().count(), std::memory_order_relaxed);
  stalled_.store(false, std::memory_order_relaxed);
}

void DeliveryWatch::Sample(Clock::time_point now, int64_t outstanding) {
  if (outstanding <= 0) {
    Progress(now);
    return;
  }
  Clock::time_point last{Clock::duration(last_progress_.load(std::memory_order_relaxed))};
  stalled_.store(now - last > stall_after_, std::memory_order_relaxed);
}

Status DeliveryWatch::StalledError() const {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(stall_after_).count();
  return Unavailable("the broker has acknowledged no event for over " + std::to_string(ms) +
                     " ms; retry later");
}

}  // namespace el::collector
