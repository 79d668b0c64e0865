// Retention and roll: time- and size-based deletion of whole closed segments, log start moving,
// reads below it refused, topic configs persisted and applied at reopen.
#include <gtest/gtest.h>

#include "io/dir.h"
#include "io/fault.h"
#include "storage/log_manager.h"
#include "storage/partition_log.h"
#include "storage/test_batches.h"
#include "storage/test_temp_dir.h"

namespace el::storage {
namespace {

using testing::MakeValueBatch;

constexpr int64_t kHour = 3600 * 1000;

size_t CountLogs(const std::string& dir) {
  size_t n = 0;
  auto entries = io::ListDir(dir);
  for (const auto& e : *entries) n += e.name.ends_with(".log");
  return n;
}

class RetentionTest : public ::testing::Test {
 protected:
  std::unique_ptr<PartitionLog> Open(LogOptions o) {
    auto log = PartitionLog::Open(tmp_.path(), o, false);
    EL_CHECK(log.ok());
    return std::move(log).value();
  }
  // Appends `n` 10-record batches stamped `ts`; returns the bytes of one batch.
  size_t Fill(PartitionLog& log, int n, int64_t ts) {
    size_t size = 0;
    for (int i = 0; i < n; ++i) {
      auto b = MakeValueBatch(10, "value-", ts);
      size = b.size();
      EL_CHECK(log.Append(b, false).ok());
    }
    return size;
  }
  testing::TempDir tmp_;
};

TEST_F(RetentionTest, DeletesSegmentsOlderThanRetentionMs) {
  LogOptions o;
  o.segment_bytes = 2048;
  o.retention_ms = 10 * kHour;
  auto log = Open(o);
  int64_t now = 100 * kHour;
  Fill(*log, 20, now - 20 * kHour);  // old
  Offset old_end = log->high_watermark();
  Fill(*log, 20, now - kHour);        // recent
  size_t before = CountLogs(tmp_.path());
  ASSERT_GT(before, 3u);
  auto deleted = log->EnforceRetention(TimestampMs(now));
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_GT(*deleted, 0u);
  EXPECT_EQ(CountLogs(tmp_.path()), before - *deleted);
  EXPECT_GT(log->log_start(), Offset(0));
  EXPECT_LE(log->log_start(), old_end);  // nothing recent was deleted
  EXPECT_EQ(log->Read(Offset(0), 1 << 20).status().code(), StatusCode::kOutOfRange);
  EXPECT_TRUE(log->Read(log->log_start(), 1 << 20).ok());
  // Reopen: log start survives (it is the first remaining segment).
  Offset start = log->log_start();
  ASSERT_TRUE(log->Close().ok());
  log.reset();
  EXPECT_EQ(Open(o)->log_start(), start);
}

TEST_F(RetentionTest, AllExpiredRollsTheActiveSegmentAndDeletesIt) {
  LogOptions o;
  o.retention_ms = kHour;
  auto log = Open(o);
  Fill(*log, 3, 1000);
  Offset end = log->high_watermark();
  ASSERT_EQ(*log->EnforceRetention(TimestampMs(10 * kHour)), 1u);
  EXPECT_EQ(log->log_start(), end);
  EXPECT_EQ(log->high_watermark(), end);
  EXPECT_EQ(*log->Append(MakeValueBatch(1), false), end);
}

TEST_F(RetentionTest, KeepsAtLeastRetentionBytes) {
  LogOptions o;
  o.segment_bytes = 2048;
  o.retention_bytes = 4096;
  auto log = Open(o);
  Fill(*log, 60, 1000);
  ASSERT_TRUE(log->EnforceRetention(TimestampMs(1000)).ok());
  EXPECT_GE(log->size_bytes(), 4096u);
  EXPECT_LE(log->size_bytes(), 4096u + 2 * 2048u);
  EXPECT_GT(log->log_start(), Offset(0));
}

TEST_F(RetentionTest, SegmentMsRollsAnAgedActiveSegment) {
  LogOptions o;
  o.segment_ms = kHour;
  auto log = Open(o);
  Fill(*log, 2, 1000);
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  ASSERT_EQ(*log->EnforceRetention(TimestampMs(now)), 0u);
  EXPECT_EQ(CountLogs(tmp_.path()), 1u);
  ASSERT_EQ(*log->EnforceRetention(TimestampMs(now + 2 * kHour)), 0u);
  EXPECT_EQ(CountLogs(tmp_.path()), 2u);  // rolled, nothing deleted (no retention limit)
  EXPECT_EQ(log->log_start(), Offset(0));
}

TEST(TopicConfigTest, AppliedPersistedAndValidated) {
  testing::TempDir tmp;
  LogOptions defaults;
  EXPECT_FALSE(ApplyTopicConfigs(defaults, {{"retention.ms", "soon"}}).ok());
  EXPECT_FALSE(ApplyTopicConfigs(defaults, {{"segment.bytes", "10"}}).ok());
  auto o = ApplyTopicConfigs(defaults, {{"retention.ms", "5000"}, {"retention.bytes", "-1"},
                                        {"segment.bytes", "4096"}, {"cleanup.policy", "delete"}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->retention_ms, 5000);
  EXPECT_EQ(o->segment_bytes, 4096u);
  {
    auto mgr = LogManager::Open(tmp.path());
    ASSERT_TRUE(mgr.ok());
    EXPECT_EQ((*mgr)->CreateTopic("bad", 1, {{"retention.bytes", "x"}}).code(),
              StatusCode::kInvalidArgument);
    // A setting the broker would not honour is refused, never stored and ignored.
    Status compact = (*mgr)->CreateTopic("bad", 1, {{"cleanup.policy", "compact"}});
    EXPECT_EQ(compact.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(compact.message().find("compaction is not supported"), std::string::npos);
    EXPECT_EQ((*mgr)->CreateTopic("bad", 1, {{"max.message.bytes", "100"}}).code(),
              StatusCode::kInvalidArgument);
    EXPECT_TRUE(CheckNewTopicConfigs({{"cleanup.policy", "delete"}, {"min.insync.replicas", "1"},
                                      {"retention.ms", "-1"}})
                    .ok());
    ASSERT_TRUE((*mgr)->CreateTopic("t", 2, {{"retention.ms", "5000"}}).ok());
    ASSERT_TRUE((*mgr)->Close().ok());
  }
  auto mgr = LogManager::Open(tmp.path());
  ASSERT_TRUE(mgr.ok());
  auto configs = (*mgr)->GetTopicConfigs("t");
  ASSERT_TRUE(configs.has_value());
  EXPECT_EQ(configs->at("retention.ms"), "5000");
  EXPECT_FALSE((*mgr)->GetTopic("bad").has_value());
}

TEST(CleanShutdownTest, NotMarkedCleanAfterAnIoError) {
  testing::TempDir tmp;
  {
    auto mgr = LogManager::Open(tmp.path());
    ASSERT_TRUE(mgr.ok());
    ASSERT_TRUE((*mgr)->CreateTopic("t", 1).ok());
    io::SetFaultHook([](io::FileOp op, const std::string& path) {
      return op == io::FileOp::kSync && path.ends_with(".log") ? IOError("injected EIO")
                                                               : Status::Ok();
    });
    EXPECT_FALSE((*mgr)->Get("t", 0)->Append(MakeValueBatch(2), /*sync=*/true).ok());
    io::SetFaultHook(nullptr);
    EXPECT_FALSE((*mgr)->Get("t", 0)->healthy());
    ASSERT_TRUE((*mgr)->Close().ok());  // the retried fdatasync succeeds, but the run was not clean
  }
  EXPECT_FALSE(io::Exists(tmp.path() + "/.clean_shutdown"));
  {
    auto mgr = LogManager::Open(tmp.path());
    ASSERT_TRUE(mgr.ok());
    ASSERT_TRUE((*mgr)->Close().ok());
  }
  EXPECT_TRUE(io::Exists(tmp.path() + "/.clean_shutdown"));
}

}  // namespace
}  // namespace el::storage
