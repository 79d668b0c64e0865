#include "jobs/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace el::jobs {
namespace {

TEST(ProgressBarTest, RendersFractionCountsAndRate) {
  EXPECT_EQ(ProgressBar::Render(50, 100, 2.0), "[##########..........]  50%  50/100 offsets  25 ev/s  2.0 s");
  EXPECT_EQ(ProgressBar::Render(0, 0, 0.0), "[....................]   0%  0/0 offsets  0 ev/s  0.0 s");
  EXPECT_EQ(ProgressBar::Render(100, 100, 1.0).substr(0, 27), "[####################] 100%");
}

TEST(ProgressBarTest, DisabledWritesNothingEnabledDrawsAndErases) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ProgressBar off(false, f);
  off.Update(1, 2);
  off.Finish();
  EXPECT_EQ(std::ftell(f), 0);
  ProgressBar on(true, f);
  on.Update(1, 2);
  on.Update(2, 2);  // the final frame is drawn even inside the 100 ms throttle
  on.Finish();
  std::rewind(f);
  char buf[512] = {};
  size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::string text(buf, n);
  EXPECT_NE(text.find("1/2 offsets"), std::string::npos);
  EXPECT_NE(text.find("2/2 offsets"), std::string::npos);
  EXPECT_EQ(text.substr(text.size() - 4), "\r\x1b[K");
  std::fclose(f);
}

}  // namespace
}  // namespace el::jobs
