#include "base/histogram.h"

#include <gtest/gtest.h>

namespace el {
namespace {

TEST(LatencyHistogramTest, BucketsAreCumulativeAndCountMatchesInf) {
  LatencyHistogram h;
  h.Observe(0.00005);  // first bucket
  h.Observe(0.001);    // exactly a bound: counted in it (le means <=)
  h.Observe(0.3);
  h.Observe(60);  // past the last bound: +Inf only
  std::string out;
  h.Render("x_seconds", "api=\"Produce\"", out);
  EXPECT_NE(out.find("x_seconds_bucket{api=\"Produce\",le=\"0.0001\"} 1\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("x_seconds_bucket{api=\"Produce\",le=\"0.001\"} 2\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("x_seconds_bucket{api=\"Produce\",le=\"0.25\"} 2\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("x_seconds_bucket{api=\"Produce\",le=\"0.5\"} 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_seconds_bucket{api=\"Produce\",le=\"10\"} 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_seconds_bucket{api=\"Produce\",le=\"+Inf\"} 4\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("x_seconds_count{api=\"Produce\"} 4\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_seconds_sum{api=\"Produce\"} 60.301050\n"), std::string::npos) << out;
  EXPECT_EQ(h.count(), 4u);
}

TEST(LatencyHistogramTest, RendersWithoutLabels) {
  LatencyHistogram h;
  h.Observe(0.002);
  std::string out;
  h.Render("y", "", out);
  EXPECT_NE(out.find("y_bucket{le=\"0.0025\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("y_count 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("y_sum 0.002000\n"), std::string::npos) << out;
}

TEST(PromLabelTest, EscapesQuotesBackslashesAndNewlines) {
  EXPECT_EQ(PromLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace el
