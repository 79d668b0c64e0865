#include "base/log.h"

#include <gtest/gtest.h>

#include <string>

namespace el {
namespace {

int Count(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(LogTest, JsonLinesCarryComponentAndFields) {
  InitLogging("info", "json");
  SetLogComponent("lander");
  testing::internal::CaptureStderr();
  LogFields(spdlog::level::info, "landed \"3\" events",
            {{"events", 3}, {"topic", "ev\n"}, {"lag_seconds", 0.5}});
  spdlog::warn("plain");
  std::string out = testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find(R"("level":"info","component":"lander","message":"landed \"3\" events",)"
                     R"("fields":{"events":3,"topic":"ev\n","lag_seconds":0.5}})"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(R"("level":"warning","component":"lander","message":"plain","fields":{}})"),
            std::string::npos)
      << out;
  EXPECT_EQ(Count(out, "\n"), 2);
  EXPECT_EQ(out.rfind("{\"time\":\"", 0), 0u);
  SetLogComponent("eventlake");
}

TEST(LogTest, TextLinesAndRepeatsLoggedOnceWithACount) {
  InitLogging("info", "text");
  testing::internal::CaptureStderr();
  for (int i = 0; i < 5; ++i) spdlog::error("disk full");
  LogFields(spdlog::level::info, "next", {{"n", 1}});
  LogFields(spdlog::level::info, "next", {{"n", 2}});  // other fields: not a repeat
  std::string out = testing::internal::GetCapturedStderr();
  EXPECT_EQ(Count(out, "error [eventlake] disk full\n"), 1) << out;
  EXPECT_EQ(Count(out, "error [eventlake] the previous message repeated 4 more time(s)\n"), 1)
      << out;
  EXPECT_EQ(Count(out, "info [eventlake] next n=1\n"), 1) << out;
  EXPECT_EQ(Count(out, "info [eventlake] next n=2\n"), 1) << out;
}

}  // namespace
}  // namespace el
