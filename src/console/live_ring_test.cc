#include "console/live_ring.h"

#include <gtest/gtest.h>

namespace el::console {
namespace {

TEST(LiveRingTest, EmptyRing) {
  LiveRing ring(3);
  EXPECT_EQ(ring.JsonSince(0, 10), R"({"state":"idle","next":0,"events":[]})");
}

TEST(LiveRingTest, ReturnsOnlyWhatIsNew) {
  LiveRing ring(10);
  ring.SetState("reading");
  ring.Add({0, 7, 1000, R"({"a":1})"});
  ring.Add({1, 3, 1001, "x"});
  EXPECT_EQ(ring.JsonSince(1, 10),
            R"({"state":"reading","next":2,"events":[{"seq":2,"partition":1,"offset":3,)"
            R"("timestamp_ms":1001,"value":"x"}]})");
  EXPECT_EQ(ring.JsonSince(2, 10), R"({"state":"reading","next":2,"events":[]})");
}

TEST(LiveRingTest, IsBoundedAndKeepsTheNewest) {
  LiveRing ring(2);
  for (int i = 0; i < 5; ++i) ring.Add({0, i, 0, std::to_string(i)});
  std::string all = ring.JsonSince(0, 10);
  EXPECT_EQ(all.find("\"value\":\"2\""), std::string::npos);
  EXPECT_NE(all.find("\"seq\":4"), std::string::npos);
  EXPECT_NE(all.find("\"seq\":5"), std::string::npos);
  std::string one = ring.JsonSince(0, 1);  // at most `max`: the newest
  EXPECT_EQ(one.find("\"seq\":4"), std::string::npos);
  EXPECT_NE(one.find("\"seq\":5"), std::string::npos);
}

TEST(LiveRingTest, CutsLongValuesAndEscapes) {
  LiveRing ring(2);
  ring.Add({0, 0, 0, std::string(10000, 'v')});
  ring.Add({0, 1, 0, "quote\" and \n"});
  std::string json = ring.JsonSince(0, 10);
  EXPECT_NE(json.find(std::string(LiveRing::kMaxValueBytes, 'v') + "\""), std::string::npos);
  EXPECT_NE(json.find(R"(quote\" and \n)"), std::string::npos);
}

}  // namespace
}  // namespace el::console
