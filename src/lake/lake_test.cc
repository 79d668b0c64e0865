#include "lake/recovery.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "base/test_dirs.h"
#include "io/fault.h"
#include "lake/listing.h"
#include "lake/superseded.h"
#include "lake/locks.h"
#include "lake/progress.h"
#include "lake/publish.h"

namespace el::lake {
namespace {

namespace fs = std::filesystem;

fs::path TempDir() { return test::FreshTestDir("el_lake_test"); }
void Touch(const fs::path& p) { test::TouchFile(p); }

// Publishes a staged folder of a table without a schema (as a job's progress folder is).
Result<int64_t> Publish(const fs::path& staging, const fs::path& table, bool replace) {
  auto db = duck::Database::OpenInMemory();
  if (!db.ok()) return db.status();
  auto con = duck::Connection::Open(*db);
  if (!con.ok()) return con.status();
  return PublishTable(*con, TablePublish{staging, table, {}, replace, {}, {}});
}

TEST(LakeTest, SanitizeName) {
  EXPECT_EQ(SanitizeName("purchase_sword"), "purchase_sword");
  EXPECT_EQ(SanitizeName("Purchase Sword!"), "purchase_sword_");
  EXPECT_EQ(SanitizeName("a-b.c/9"), "a_b_c_9");
  EXPECT_EQ(SanitizeName(""), "empty");
  // Long values are cut to a file-name-safe length; distinct values stay distinct.
  std::string a = SanitizeName(std::string(300, 'x') + "a"),
              b = SanitizeName(std::string(300, 'x') + "b");
  EXPECT_EQ(a.size(), kMaxSanitizedName);
  EXPECT_EQ(a.substr(0, 55), std::string(55, 'x'));
  EXPECT_NE(a, b);
  EXPECT_EQ(a, SanitizeName(std::string(300, 'x') + "a"));
  EXPECT_EQ(SanitizeName(std::string(64, 'y')), std::string(64, 'y'));
}

TEST(LakeTest, DataFileNamesRoundTrip) {
  EXPECT_EQ(DataFileName("events", 3, 10, 41), "events+3+10-41.parquet");
  auto r = ParseDataFileName("events", "events+3+10-41.parquet");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->partition, 3);
  EXPECT_EQ(r->first, 10);
  EXPECT_EQ(r->last, 41);
  EXPECT_FALSE(ParseDataFileName("events", "events2+3+10-41.parquet"));
  EXPECT_FALSE(ParseDataFileName("events", "events+3+41-10.parquet"));
  EXPECT_FALSE(ParseDataFileName("events", "events+x+1-2.parquet"));
  EXPECT_FALSE(ParseDataFileName("events", "events+1+1-2.csv"));
  EXPECT_FALSE(ParseDataFileName("events", "events+1+-2.parquet"));
  EXPECT_FALSE(ParseDataFileName("ev", "events+1+1-2.parquet"));
}

TEST(LakeTest, PublishAppendsOrReplaces) {
  fs::path lake = TempDir();
  Touch(lake / "t" / "old.parquet");
  Touch(lake / "_staging" / "k" / "1" / "t" / "a.parquet");
  auto n = Publish(lake / "_staging" / "k" / "1" / "t", lake / "t", false);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(ListDataFiles(lake / "t")->size(), 2u);
  EXPECT_TRUE(fs::exists(lake / "t" / "_SUCCESS"));
  EXPECT_FALSE(fs::exists(lake / "_staging" / "k" / "1" / "t"));
  Touch(lake / "_staging" / "k" / "2" / "t" / "b.parquet");
  ASSERT_TRUE(Publish(lake / "_staging" / "k" / "2" / "t", lake / "t", true).ok());
  auto files = ListDataFiles(lake / "t");
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ(files->front().filename(), "b.parquet");
  EXPECT_EQ(*ListTables(lake), std::vector<std::string>{"t"});
  fs::remove_all(lake);
}

TEST(LakeTest, RecoverRemovesUncommittedBatches) {
  fs::path lake = TempDir();
  Touch(lake / "ev" / "ev+0+0-9.parquet");
  Touch(lake / "ev" / "ev+0+10-19.parquet");
  Touch(lake / "ev" / "ev+1+0-4.parquet");
  Touch(lake / "ev_buy" / "ev+0+10-19.parquet");     // committed
  Touch(lake / "ev_buy" / "ev+0+20-29.parquet");     // staged but never committed
  Touch(lake / "ev_buy" / "ev+2+0-3.parquet");       // partition never committed
  Touch(lake / "ev_buy" / "other+0+20-29.parquet");  // another topic's file
  Touch(lake / "_staging" / "ev" / "ev-1-1" / "ev_buy" / "ev+0+30-31.parquet");
  Touch(lake / "_staging" / "ev" / "ev-1-1" / "batch.ndjson");
  Touch(lake / "_staging" / "ev" / "ev-1-2" / "ev" / "ev+0+20-29.parquet");
  auto next = RecoverTopic(lake, "ev");
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, (std::map<int32_t, int64_t>{{0, 20}, {1, 5}}));
  EXPECT_TRUE(fs::exists(lake / "ev_buy" / "ev+0+10-19.parquet"));
  EXPECT_FALSE(fs::exists(lake / "ev_buy" / "ev+0+20-29.parquet"));
  EXPECT_FALSE(fs::exists(lake / "ev_buy" / "ev+2+0-3.parquet"));
  EXPECT_TRUE(fs::exists(lake / "ev_buy" / "other+0+20-29.parquet"));
  EXPECT_FALSE(fs::exists(lake / "_staging" / "ev" / "ev-1-1"));
  EXPECT_FALSE(fs::exists(lake / "_staging" / "ev" / "ev-1-2"));
  fs::remove_all(lake);
}

TEST(LakeTest, RecoveryKeepsTheStagingOfRunningLandersAndOtherPartitions) {
  fs::path lake = TempDir();
  Touch(lake / "ev" / "ev+0+0-9.parquet");
  Touch(lake / "ev_buy" / "ev+0+10-19.parquet");  // partition 0: not committed
  Touch(lake / "ev_buy" / "ev+1+0-9.parquet");    // partition 1: not committed
  Touch(lake / "_staging" / "ev" / "ev-4242-1" / "ev_buy" / "ev+1+0-9.parquet");
  {
    auto running =
        FileLock::Acquire(lake / "_staging" / "ev" / "4242.owner", false);  // lander 4242 runs
    ASSERT_TRUE(running.ok()) << running.status().ToString();
    std::set<int32_t> mine{1};
    auto next = RecoverTopic(lake, "ev", &mine);
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    EXPECT_TRUE(next->empty());
    EXPECT_TRUE(fs::exists(lake / "ev_buy" / "ev+0+10-19.parquet"));  // not this lander's partition
    EXPECT_FALSE(fs::exists(lake / "ev_buy" / "ev+1+0-9.parquet"));
    EXPECT_TRUE(fs::exists(lake / "_staging" / "ev" / "ev-4242-1"));
    auto again = FileLock::Acquire(lake / "_staging" / "ev" / "4242.owner", false);
    EXPECT_EQ(again.status().code(), StatusCode::kUnavailable);
  }
  auto next = RecoverTopic(lake, "ev");  // lander 4242 is gone now
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, (std::map<int32_t, int64_t>{{0, 10}}));
  EXPECT_FALSE(fs::exists(lake / "ev_buy" / "ev+0+10-19.parquet"));
  EXPECT_FALSE(fs::exists(lake / "_staging" / "ev" / "ev-4242-1"));
  EXPECT_FALSE(fs::exists(lake / "_staging" / "ev" / "4242.owner"));
  fs::remove_all(lake);
}

TEST(LakeTest, LanderGoneWhenAnOwnerFileIsNoLongerLocked) {
  fs::path lake = TempDir();
  fs::path owners = lake / "_staging" / "ev";
  fs::create_directories(owners);
  EXPECT_FALSE(*LanderGone(lake, "ev"));
  auto mine = FileLock::Acquire(OwnerLockPath(lake, "ev"), false);  // this process: never "gone"
  ASSERT_TRUE(mine.ok());
  {
    auto other = FileLock::Acquire(owners / "4242.owner", false);
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(*LanderGone(lake, "ev"));
  }
  EXPECT_TRUE(*LanderGone(lake, "ev"));  // 4242 ended without recovery
  ASSERT_TRUE(RecoverTopic(lake, "ev").ok());
  EXPECT_FALSE(*LanderGone(lake, "ev"));
  fs::remove_all(lake);
}

TEST(LakeTest, ProgressRecordsCommitPartitionsWithOnlyDeadLetters) {
  fs::path lake = TempDir();
  Touch(lake / "ev" / "ev+0+0-9.parquet");
  Touch(lake / "ev_dead_letter" / "ev+1+0-4.parquet");  // partition 1 held only bad records
  ASSERT_TRUE(WriteTopicProgress(lake, "ev", {{0, 10}, {1, 5}}, false).ok());
  EXPECT_EQ(*TopicCommitted(lake, "ev"), (std::map<int32_t, int64_t>{{0, 10}, {1, 5}}));
  ASSERT_TRUE(WriteTopicProgress(lake, "ev", {{1, 3}}, false).ok());  // never moves back
  EXPECT_EQ(TopicCommitted(lake, "ev")->at(1), 5);
  Touch(lake / "ev" / "ev+0+10-29.parquet");  // the table is ahead of the record: the table wins
  EXPECT_EQ(TopicCommitted(lake, "ev")->at(0), 30);
  auto next = RecoverTopic(lake, "ev");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, (std::map<int32_t, int64_t>{{0, 30}, {1, 5}}));
  EXPECT_TRUE(fs::exists(lake / "ev_dead_letter" / "ev+1+0-4.parquet"));  // committed by its record
  ASSERT_TRUE(
      WriteTopicProgress(lake, "ev", {{0, 4}}, true).ok());  // an overwrite run: exactly this
  fs::remove(lake / "ev" / "ev+0+10-29.parquet");
  fs::remove(lake / "ev" / "ev+0+0-9.parquet");
  EXPECT_EQ(*TopicCommitted(lake, "ev"), (std::map<int32_t, int64_t>{{0, 4}}));
  fs::remove_all(lake);
}

TEST(LakeTest, PublishesPartitionFoldersAndRecoversFromThem) {
  fs::path lake = TempDir();
  Touch(lake / "t" / "dt=2020-01-01" / "ev+0+0-9.parquet");
  Touch(lake / "_staging" / "j" / "j-1-1" / "t" / "dt=2020-01-02" / "ev+0+10-19.parquet");
  auto n = Publish(lake / "_staging" / "j" / "j-1-1" / "t", lake / "t", true);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_TRUE(fs::exists(lake / "t" / "dt=2020-01-02" / "ev+0+10-19.parquet"));
  EXPECT_TRUE(fs::exists(lake / "t" / "dt=2020-01-02" / "_SUCCESS"));
  EXPECT_TRUE(fs::exists(lake / "t" / "_SUCCESS"));
  EXPECT_FALSE(fs::exists(lake / "t" / "dt=2020-01-01"));  // replaced, empty folder removed
  Touch(lake / "_jobs" / "j" / "ev+0+0-19.parquet");
  Touch(lake / "t" / "dt=2020-01-03" / "ev+0+20-29.parquet");  // never committed
  Touch(lake / "other" / "ev+0+20-29.parquet");                // not this job's table
  auto next = RecoverRange(RecoverySpec{lake, "ev", lake / "_jobs" / "j", "j", {"t"}});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, (std::map<int32_t, int64_t>{{0, 20}}));
  EXPECT_FALSE(fs::exists(lake / "t" / "dt=2020-01-03" / "ev+0+20-29.parquet"));
  EXPECT_TRUE(fs::exists(lake / "other" / "ev+0+20-29.parquet"));
  fs::remove_all(lake);
}

TEST(LakeTest, ParsesPartFileNames) {
  auto r = ParseDataFileName("ev", "ev+2+10-41_3.parquet");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->partition, 2);
  EXPECT_EQ(r->last, 41);
  EXPECT_FALSE(ParseDataFileName("ev", "ev+2+10-41_.parquet"));
  EXPECT_FALSE(ParseDataFileName("ev", "ev+2+10-41_x.parquet"));
  EXPECT_EQ(PartFileName("ev+0+1-2", "0"), "ev+0+1-2.parquet");
  EXPECT_EQ(PartFileName("ev+0+1-2", "3"), "ev+0+1-2_3.parquet");
}

// The superseded rule shared by compaction, recovery and the S3 reader: a file whose range lies
// inside another's of the same topic and partition goes; equal ranges (parts) stay.
TEST(LakeTest, SupersededFilesAreThoseInsideAnotherRangeOfTheirSource) {
  std::vector<std::string_view> names = {
      "ev+0+0-9.parquet",   "ev+0+10-19.parquet",   "ev+0+0-19.parquet",   // merged over two
      "ev+0+20-29.parquet", "ev+0+20-29_1.parquet",                        // parts of one range
      "ev+1+0-9.parquet",                                                  // other partition
      "ev2+0+5-5.parquet",                                                 // other topic
      "ev+0+30-39.parquet", "ev+0+35-49.parquet",                          // overlapping only
      "_SUCCESS",           "other.parquet",        "ev+0+0-19.parquet"};  // not data; a twin
  std::vector<bool> got = SupersededFiles(names);
  std::vector<bool> want = {true,  true,  false, false, false, false,
                            false, false, false, false, false, false};
  EXPECT_EQ(got, want);
  EXPECT_EQ(SupersededFiles({"ev+0+0-9.parquet", "ev+0+0-99.parquet", "ev+0+5-5_2.parquet"}),
            (std::vector<bool>{true, false, true}));
  EXPECT_TRUE(SupersededFiles({}).empty());
  // Keys: the rule holds within a folder, never across folders.
  EXPECT_EQ(SupersededKeys({"t/dt=1/ev+0+0-9.parquet", "t/dt=1/ev+0+0-19.parquet",
                            "t/dt=2/ev+0+10-19.parquet", "ev+0+3-4.parquet", "ev+0+0-5.parquet"}),
            (std::vector<std::string>{"ev+0+3-4.parquet", "t/dt=1/ev+0+0-9.parquet"}));
}

// A listing that fails (EMFILE, EACCES, EIO) is an error, never "nothing committed": recovery
// deletes nothing and says why.
TEST(LakeTest, FailedListingMakesRecoveryDeleteNothing) {
  fs::path lake = TempDir();
  Touch(lake / "ev" / "ev+0+0-9.parquet");
  Touch(lake / "ev_buy" / "ev+0+0-9.parquet");
  Touch(lake / "ev_buy" / "ev+0+10-19.parquet");  // uncommitted
  for (fs::path failing : {lake / "ev", lake / "ev_buy", lake / "_progress" / "ev", lake}) {
    io::SetFaultHook([&](io::FileOp op, const std::string& path) {
      return op == io::FileOp::kList && path == failing.string()
                 ? IOError("opendir " + path + ": Too many open files")
                 : Status::Ok();
    });
    auto next = RecoverTopic(lake, "ev");
    io::SetFaultHook(nullptr);
    EXPECT_FALSE(next.ok()) << failing;
    EXPECT_NE(next.status().message().find("Too many open files"), std::string::npos)
        << next.status().ToString();
    EXPECT_TRUE(fs::exists(lake / "ev_buy" / "ev+0+10-19.parquet")) << failing;
    EXPECT_TRUE(fs::exists(lake / "ev_buy" / "ev+0+0-9.parquet")) << failing;
    EXPECT_EQ(TopicCommitted(lake, "ev")->at(0), 10);
  }
  io::SetFaultHook([&](io::FileOp op, const std::string& path) {
    return op == io::FileOp::kList && path == (lake / "ev").string() ? IOError("denied")
                                                                     : Status::Ok();
  });
  EXPECT_FALSE(TopicCommitted(lake, "ev").ok());
  EXPECT_FALSE(ListDataFilesRecursive(lake / "ev").ok());
  io::SetFaultHook(nullptr);
  auto next = RecoverTopic(lake, "ev");  // once listing works again, recovery does its job
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_FALSE(fs::exists(lake / "ev_buy" / "ev+0+10-19.parquet"));
  fs::remove_all(lake);
}

TEST(LakeTest, MissingFoldersListAsEmpty) {
  fs::path lake = TempDir();
  EXPECT_TRUE(ListDataFilesRecursive(lake / "nope")->empty());
  EXPECT_TRUE(ListTables(lake / "nope")->empty());
  EXPECT_TRUE(TopicCommitted(lake, "nope")->empty());
  fs::remove_all(lake);
}

}  // namespace
}  // namespace el::lake
