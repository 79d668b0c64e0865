#include "collector/dedup.h"

#include <gtest/gtest.h>

#include "collector/metrics.h"

namespace el::collector {
namespace {

using std::chrono::seconds;

TEST(MessageIdWindowTest, RemembersAcknowledgedIdsWithinTheWindow) {
  MessageIdWindow window(seconds(10), 100);
  auto t0 = MessageIdWindow::Clock::time_point{} + seconds(1000);
  std::string a = "a", b = "b", empty;
  EXPECT_EQ(window.Seen({&a, &b, &empty}, t0), (std::vector<bool>{false, false, false}));
  window.Remember({&a, &empty}, t0);
  EXPECT_EQ(window.Seen({&a, &b, &empty}, t0 + seconds(9)), (std::vector<bool>{true, false, false}));
  window.Remember({&a}, t0 + seconds(9));  // seen again: the window restarts for it
  EXPECT_EQ(window.Seen({&a}, t0 + seconds(15)), std::vector<bool>{true});
  EXPECT_EQ(window.Seen({&a}, t0 + seconds(20)), std::vector<bool>{false});
  EXPECT_EQ(window.size(), 0u);
}

TEST(MessageIdWindowTest, BoundedAndDisabled) {
  MessageIdWindow window(seconds(100), 2);
  auto t = MessageIdWindow::Clock::time_point{} + seconds(5);
  std::string ids[] = {"1", "2", "3"};
  window.Remember({&ids[0], &ids[1], &ids[2]}, t);
  EXPECT_EQ(window.size(), 2u);
  EXPECT_EQ(window.Seen({&ids[0], &ids[2]}, t), (std::vector<bool>{false, true}));
  MessageIdWindow off(seconds(0), 100);
  off.Remember({&ids[0]}, t);
  EXPECT_EQ(off.Seen({&ids[0]}, t), std::vector<bool>{false});
}

TEST(MetricsTest, RendersPrometheusText) {
  Metrics metrics;
  metrics.RecordRequest("/v1/track", 200, 0.002, 100);
  metrics.RecordRequest("/v1/track", 200, 0.2, 50);
  metrics.RecordRequest("/nope", 404, 0.0001, 0);
  metrics.RecordRequest("/", 418, 0.0001, 0);
  metrics.AddEvents(5, 1);
  std::string text = metrics.Render(7, true, true);
  EXPECT_NE(text.find("eventlake_collector_requests_total{route=\"/v1/track\",status=\"200\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("eventlake_collector_requests_total{route=\"other\",status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("eventlake_collector_requests_total{route=\"/\",status=\"other\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("eventlake_collector_request_duration_seconds_bucket{le=\"0.0025\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("eventlake_collector_request_duration_seconds_bucket{le=\"+Inf\"} 4\n"),
            std::string::npos);
  EXPECT_NE(text.find("eventlake_collector_request_duration_seconds_count 4\n"), std::string::npos);
  EXPECT_NE(text.find("eventlake_collector_events_total 5\n"), std::string::npos);
  EXPECT_NE(text.find("eventlake_collector_duplicate_events_total 1\n"), std::string::npos);
  EXPECT_NE(text.find("eventlake_collector_request_bytes_total 150\n"), std::string::npos);
  EXPECT_NE(text.find("eventlake_collector_producer_queue_depth 7\n"), std::string::npos);
  EXPECT_NE(text.find("eventlake_collector_broker_reachable 1\n"), std::string::npos);
}

}  // namespace
}  // namespace el::collector
