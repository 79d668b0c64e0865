#include "console/rate_ring.h"

#include <gtest/gtest.h>

namespace el::console {
namespace {

TEST(RateRingTest, FirstSampleIsTheBaseline) {
  RateRing ring(10);
  ring.Add(100, 50, 20);
  EXPECT_EQ(ring.size(), 0u);
  EXPECT_EQ(ring.ToJson(), R"({"t":[],"in":[],"landed":[]})");
}

TEST(RateRingTest, RatesPerSecond) {
  RateRing ring(10);
  ring.Add(100, 0, 0);
  ring.Add(101, 10, 4);
  ring.Add(103, 30, 10);  // two seconds later: 20 and 6 more
  EXPECT_EQ(ring.ToJson(), R"({"t":[101,103],"in":[10,10],"landed":[4,3]})");
}

TEST(RateRingTest, KeepsOnlyTheLastCapacitySeconds) {
  RateRing ring(3);
  for (int i = 0; i <= 10; ++i) ring.Add(1000 + i, i * 2.0, i);
  EXPECT_EQ(ring.size(), 3u);
  EXPECT_EQ(ring.ToJson(), R"({"t":[1008,1009,1010],"in":[2,2,2],"landed":[1,1,1]})");
}

TEST(RateRingTest, ACounterThatRestartsCountsFromZero) {
  RateRing ring(10);
  ring.Add(1, 100, 100);
  ring.Add(2, 5, 110);  // the collector restarted
  EXPECT_EQ(ring.ToJson(), R"({"t":[2],"in":[5],"landed":[10]})");
}

TEST(RateRingTest, SameOrEarlierSecondIsIgnored) {
  RateRing ring(10);
  ring.Add(5, 0, 0);
  ring.Add(5, 10, 10);
  ring.Add(4, 20, 20);
  EXPECT_EQ(ring.size(), 0u);
  ring.Add(6, 3, 1);
  EXPECT_EQ(ring.ToJson(), R"({"t":[6],"in":[3],"landed":[1]})");
}

}  // namespace
}  // namespace el::console
