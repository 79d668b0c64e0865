#include "console/replay_gate.h"

#include <gtest/gtest.h>

namespace el::console {
namespace {

using std::chrono::seconds;

TEST(ReplayGateTest, ACodeIsGoodOnceForItsTable) {
  ReplayGate gate(seconds(60));
  auto now = ReplayGate::Clock::now();
  std::string code = gate.Issue("events", now);
  EXPECT_EQ(code.size(), 32u);
  EXPECT_FALSE(gate.Take("other", code, now));
  EXPECT_TRUE(gate.Take("events", code, now));
  EXPECT_FALSE(gate.Take("events", code, now));  // used up
}

TEST(ReplayGateTest, AWrongCodeUsesTheQuestionUp) {
  ReplayGate gate(seconds(60));
  auto now = ReplayGate::Clock::now();
  std::string code = gate.Issue("events", now);
  EXPECT_FALSE(gate.Take("events", "", now));
  EXPECT_FALSE(gate.Take("events", code, now));  // one guess per question
}

TEST(ReplayGateTest, CodesExpireAndANewQuestionReplacesTheOld) {
  ReplayGate gate(seconds(60));
  auto now = ReplayGate::Clock::now();
  std::string old_code = gate.Issue("events", now);
  EXPECT_FALSE(gate.Take("events", old_code, now + seconds(61)));
  old_code = gate.Issue("events", now);
  std::string code = gate.Issue("events", now);
  EXPECT_NE(code, old_code);
  EXPECT_FALSE(gate.Take("events", old_code, now));
  code = gate.Issue("events", now);
  EXPECT_TRUE(gate.Take("events", code, now + seconds(59)));
}

}  // namespace
}  // namespace el::console
