#include "jobs/land_metrics.h"

#include <gtest/gtest.h>

#include <chrono>

namespace el::jobs {
namespace {

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(LandMetricsTest, UnwellWhileFailingOrBehind) {
  LandMetrics m("ev", std::chrono::seconds(10));
  EXPECT_EQ(m.Problem(), "");  // nothing landed yet, nothing wrong
  int64_t now = Now();
  m.RecordLanded({5, 0, 0, 2, 700, 0.1, now - 1000, {{0, 0}}});
  EXPECT_EQ(m.ProblemAt(now + 60'000), "");  // caught up: old events are no lag
  m.RecordLanded({5, 0, 0, 2, 300, 0.1, now - 1000, {{0, 40}}});
  EXPECT_EQ(m.ProblemAt(now + 5'000), "");
  EXPECT_EQ(m.ProblemAt(now + 20'000), "the lake is 21.0 s behind the log (limit 10.0 s)");
  m.RecordError("No space left on device");
  EXPECT_EQ(m.Problem(), "not landing: No space left on device");
  m.RecordLanded({1, 0, 0, 1, 24, 0.1, Now(), {{0, 0}}});
  EXPECT_EQ(m.Problem(), "");
  std::string text = m.Metrics();
  EXPECT_NE(text.find("eventlake_lander_events_total{topic=\"ev\"} 11\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("eventlake_lander_errors_total{topic=\"ev\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("eventlake_lander_bytes_total{topic=\"ev\"} 1024\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("eventlake_lander_lag_records{topic=\"ev\",partition=\"0\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("eventlake_lander_landing{topic=\"ev\"} 1\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace el::jobs
