#include "base/step_times.h"

#include <gtest/gtest.h>

#include <regex>
#include <thread>

namespace el {
namespace {

TEST(StepTimesTest, NamesEachStepWithItsOwnDuration) {
  StepTimes steps;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  steps.Mark("first");
  steps.Mark("second");
  std::smatch m;
  const std::string& text = steps.text();
  ASSERT_TRUE(
      std::regex_match(text, m, std::regex(R"( first (\d+\.\d{3}) s second (\d+\.\d{3}) s)")))
      << text;
  EXPECT_GE(std::stod(m[1]), 0.020);
  EXPECT_LT(std::stod(m[2]), std::stod(m[1]));
}

TEST(StepTimesTest, StartsEmpty) { EXPECT_EQ(StepTimes().text(), ""); }

}  // namespace
}  // namespace el
