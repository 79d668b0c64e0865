#include "jobs/dedup_window.h"

#include <gtest/gtest.h>

#include <string>

namespace el::jobs {
namespace {

using std::chrono::milliseconds;

TEST(DedupWindowTest, LandedAndPendingIdsAreSeen) {
  DedupWindow w(milliseconds(1000), 100);
  EXPECT_FALSE(w.SeenOrAdd("a", 10));
  EXPECT_TRUE(w.SeenOrAdd("a", 11));  // twice in one batch
  w.CommitPending(w.pending());
  EXPECT_TRUE(w.SeenOrAdd("a", 500));  // a retry landed later
  EXPECT_FALSE(w.SeenOrAdd("b", 20));
  w.DropPending();                     // that batch was not landed
  EXPECT_FALSE(w.SeenOrAdd("b", 20));  // so b is new again
}

TEST(DedupWindowTest, IdsLeaveAfterTheWindowOrBeyondTheLimit) {
  DedupWindow w(milliseconds(1000), 3);
  w.AddLanded("old", 0);
  EXPECT_FALSE(w.SeenOrAdd("new", 5000));
  w.CommitPending(w.pending());
  EXPECT_FALSE(w.SeenOrAdd("old", 5001));  // older than the window: no longer known
  w.CommitPending(w.pending());
  for (const char* id : {"x", "y", "z"}) EXPECT_FALSE(w.SeenOrAdd(id, 6000));
  w.CommitPending(w.pending());
  EXPECT_EQ(w.size(), 3u);
  EXPECT_FALSE(w.SeenOrAdd("new", 6001));  // pushed out by the limit
}

TEST(DedupWindowTest, OneOfTwoPendingBatchesCommits) {
  DedupWindow w(milliseconds(60'000), 100);
  EXPECT_FALSE(w.SeenOrAdd("a", 10));  // batch 1 (being staged)
  size_t first = w.pending();
  EXPECT_FALSE(w.SeenOrAdd("b", 11));  // batch 2 (being read)
  EXPECT_TRUE(w.SeenOrAdd("a", 12));   // a duplicate across the two batches
  w.CommitPending(first);
  EXPECT_EQ(w.pending(), 1u);
  w.DropPending();  // batch 2 was not landed
  EXPECT_TRUE(w.SeenOrAdd("a", 13));
  EXPECT_FALSE(w.SeenOrAdd("b", 14));
}

TEST(DedupWindowTest, ManyIdsInAndOut) {
  DedupWindow w(milliseconds(1'000'000), 50'000);
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 40'000; ++i)
      EXPECT_FALSE(w.SeenOrAdd("id-" + std::to_string(round * 40'000 + i), round));
    w.CommitPending(w.pending());
  }
  EXPECT_EQ(w.size(), 50'000u);
  EXPECT_TRUE(w.SeenOrAdd("id-159999", 5));   // among the newest 50,000
  EXPECT_FALSE(w.SeenOrAdd("id-100000", 5));  // pushed out by the limit
  EXPECT_FALSE(w.SeenOrAdd("id-0", 5));
}

}  // namespace
}  // namespace el::jobs
