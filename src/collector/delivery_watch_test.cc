#include "collector/delivery_watch.h"

#include <gtest/gtest.h>

namespace el::collector {
namespace {

using std::chrono::milliseconds;
using Clock = DeliveryWatch::Clock;

TEST(DeliveryWatchTest, StallsOnlyWhileEventsWaitWithoutReports) {
  Clock::time_point t0{};
  DeliveryWatch watch(milliseconds(1000), t0);
  watch.Sample(t0 + milliseconds(500), 10);
  EXPECT_FALSE(watch.stalled());
  watch.Sample(t0 + milliseconds(1001), 10);
  EXPECT_TRUE(watch.stalled());
  watch.Progress(t0 + milliseconds(1100));  // a report (even a failure) ends the stall
  EXPECT_FALSE(watch.stalled());
  watch.Sample(t0 + milliseconds(2000), 10);
  EXPECT_FALSE(watch.stalled());
  watch.Sample(t0 + milliseconds(2101), 10);
  EXPECT_TRUE(watch.stalled());
}

TEST(DeliveryWatchTest, AnIdleProducerIsNeverStalled) {
  Clock::time_point t0{};
  DeliveryWatch watch(milliseconds(1000), t0);
  watch.Sample(t0 + milliseconds(60000), 0);  // idle for a minute
  watch.Sample(t0 + milliseconds(60100), 5);  // the next request's events
  EXPECT_FALSE(watch.stalled());
  watch.Sample(t0 + milliseconds(61101), 5);
  EXPECT_TRUE(watch.stalled());
  watch.Sample(t0 + milliseconds(61200), 0);  // every event reported (e.g. timed out)
  EXPECT_FALSE(watch.stalled());
}

}  // namespace
}  // namespace el::collector
