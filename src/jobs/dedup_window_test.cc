#include "jobs/dedup_window.h"

#include <gtest/gtest.h>

namespace el::jobs {
namespace {

using std::chrono::milliseconds;

TEST(DedupWindowTest, LandedAndPendingIdsAreSeen) {
  DedupWindow w(milliseconds(1000), 100);
  EXPECT_FALSE(w.SeenOrAdd("a", 10));
  EXPECT_TRUE(w.SeenOrAdd("a", 11));  // twice in one batch
  w.CommitPending();
  EXPECT_TRUE(w.SeenOrAdd("a", 500));  // a retry landed later
  EXPECT_FALSE(w.SeenOrAdd("b", 20));
  w.DropPending();                     // that batch was not landed
  EXPECT_FALSE(w.SeenOrAdd("b", 20));  // so b is new again
}

TEST(DedupWindowTest, IdsLeaveAfterTheWindowOrBeyondTheLimit) {
  DedupWindow w(milliseconds(1000), 3);
  w.AddLanded("old", 0);
  EXPECT_FALSE(w.SeenOrAdd("new", 5000));
  w.CommitPending();
  EXPECT_FALSE(w.SeenOrAdd("old", 5001));  // older than the window: no longer known
  w.CommitPending();
  for (const char* id : {"x", "y", "z"}) EXPECT_FALSE(w.SeenOrAdd(id, 6000));
  w.CommitPending();
  EXPECT_EQ(w.size(), 3u);
  EXPECT_FALSE(w.SeenOrAdd("new", 6001));  // pushed out by the limit
}

}  // namespace
}  // namespace el::jobs
