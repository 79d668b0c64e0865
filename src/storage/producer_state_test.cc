// Idempotent-producer checks: the table alone, then through PartitionLog (duplicates answered with
// the original offset and not stored, gaps and stale epochs refused, state rebuilt at reopen).
#include "storage/producer_state.h"

#include <gtest/gtest.h>

#include "io/dir.h"
#include "storage/partition_log.h"
#include "storage/producer_ids.h"
#include "storage/test_batches.h"
#include "storage/test_temp_dir.h"

namespace el::storage {
namespace {

using testing::MakeProducerBatch;
using testing::MakeValueBatch;

BatchHeader Header(int64_t pid, int16_t epoch, int32_t seq, int32_t count) {
  BatchHeader h{};
  h.producer_id = pid;
  h.producer_epoch = epoch;
  h.base_sequence = seq;
  h.last_offset_delta = count - 1;
  return h;
}

TEST(ProducerStateTable, ChecksSequencesEpochsAndDuplicates) {
  ProducerStateTable t;
  EXPECT_EQ(t.Check(Header(-1, 0, 0, 1)).verdict, SequenceVerdict::kAppend);
  EXPECT_EQ(t.Check(Header(7, 0, 3, 1)).verdict, SequenceVerdict::kUnknownProducer);
  ASSERT_EQ(t.Check(Header(7, 0, 0, 2)).verdict, SequenceVerdict::kAppend);
  t.Record(Header(7, 0, 0, 2), Offset(10));
  t.Record(Header(7, 0, 2, 3), Offset(12));
  SequenceCheck dup = t.Check(Header(7, 0, 0, 2));
  EXPECT_EQ(dup.verdict, SequenceVerdict::kDuplicate);
  EXPECT_EQ(dup.duplicate_base, Offset(10));
  EXPECT_EQ(t.Check(Header(7, 0, 5, 1)).verdict, SequenceVerdict::kAppend);
  EXPECT_EQ(t.Check(Header(7, 0, 6, 1)).verdict, SequenceVerdict::kOutOfOrder);
  EXPECT_EQ(t.Check(Header(7, 0, 4, 1)).verdict, SequenceVerdict::kOutOfOrder);
  EXPECT_EQ(t.Check(Header(7, 1, 5, 1)).verdict, SequenceVerdict::kOutOfOrder);
  EXPECT_EQ(t.Check(Header(7, 1, 0, 1)).verdict, SequenceVerdict::kAppend);
  t.Record(Header(7, 1, 0, 1), Offset(20));
  EXPECT_EQ(t.Check(Header(7, 0, 5, 1)).verdict, SequenceVerdict::kStaleEpoch);
}

TEST(ProducerStateTable, KeepsOnlyTheLastFiveBatches) {
  ProducerStateTable t;
  for (int i = 0; i < 7; ++i) t.Record(Header(1, 0, i, 1), Offset(i));
  EXPECT_EQ(t.Check(Header(1, 0, 2, 1)).verdict, SequenceVerdict::kDuplicate);
  EXPECT_EQ(t.Check(Header(1, 0, 1, 1)).verdict, SequenceVerdict::kOutOfOrder);
}

TEST(ProducerStateTable, SequenceWrapsAtInt32Max) {
  ProducerStateTable t;
  t.Record(Header(1, 0, 2147483646, 2), Offset(1));  // ends at INT32_MAX
  EXPECT_EQ(t.Check(Header(1, 0, 0, 1)).verdict, SequenceVerdict::kAppend);
}

class IdempotentLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<PartitionLog> Open() {
    auto log = PartitionLog::Open(tmp_.path(), LogOptions{}, false);
    EL_CHECK(log.ok());
    return std::move(log).value();
  }
  testing::TempDir tmp_;
};

TEST_F(IdempotentLogTest, RetryIsNotStoredTwiceAndGapsAreRefused) {
  auto log = Open();
  ASSERT_EQ(*log->Append(MakeValueBatch(2), false), Offset(0));  // producerId -1: unchecked
  auto first = log->AppendChecked(MakeProducerBatch(3, 42, 0, 0), true);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->verdict, SequenceVerdict::kAppend);
  EXPECT_EQ(first->base, Offset(2));
  auto retry = log->AppendChecked(MakeProducerBatch(3, 42, 0, 0), true);
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->verdict, SequenceVerdict::kDuplicate);
  EXPECT_EQ(retry->base, Offset(2));
  EXPECT_EQ(log->high_watermark(), Offset(5));
  EXPECT_EQ(log->AppendChecked(MakeProducerBatch(1, 42, 0, 4), false)->verdict,
            SequenceVerdict::kOutOfOrder);
  EXPECT_EQ(log->AppendChecked(MakeProducerBatch(1, 42, 1, 0), false)->verdict,
            SequenceVerdict::kAppend);
  EXPECT_EQ(log->AppendChecked(MakeProducerBatch(1, 42, 0, 3), false)->verdict,
            SequenceVerdict::kStaleEpoch);
  EXPECT_EQ(log->AppendChecked(MakeProducerBatch(1, 99, 0, 8), false)->verdict,
            SequenceVerdict::kUnknownProducer);
  EXPECT_EQ(log->high_watermark(), Offset(6));
  // The plain Append refuses a gap with FailedPrecondition.
  EXPECT_EQ(log->Append(MakeProducerBatch(1, 42, 1, 9), false).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(IdempotentLogTest, RetryAfterReopenIsStillADuplicate) {
  {
    auto log = Open();
    ASSERT_TRUE(log->Append(MakeProducerBatch(2, 5, 3, 0), true).ok());
    ASSERT_TRUE(log->Append(MakeProducerBatch(2, 5, 3, 2), true).ok());
    // Destroyed without Close: like a crash after the fdatasync.
  }
  auto log = Open();
  auto retry = log->AppendChecked(MakeProducerBatch(2, 5, 3, 2), true);
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->verdict, SequenceVerdict::kDuplicate);
  EXPECT_EQ(retry->base, Offset(2));
  EXPECT_EQ(log->AppendChecked(MakeProducerBatch(1, 5, 3, 4), true)->base, Offset(4));
  EXPECT_EQ(log->high_watermark(), Offset(5));
}

}  // namespace
}  // namespace el::storage

namespace el::storage {
namespace {

TEST(ProducerIdAllocatorTest, IdsAreUniqueAcrossReopen) {
  testing::TempDir tmp;
  int64_t last = -1;
  {
    auto ids = ProducerIdAllocator::Open(tmp.path());
    ASSERT_TRUE(ids.ok());
    EXPECT_EQ(*(*ids)->Allocate(), 0);
    last = *(*ids)->Allocate();
  }
  auto ids = ProducerIdAllocator::Open(tmp.path());
  ASSERT_TRUE(ids.ok());
  int64_t next = *(*ids)->Allocate();
  EXPECT_GT(next, last);
  EXPECT_EQ(next, ProducerIdAllocator::kBlockSize);
  ASSERT_TRUE(io::WriteFileDurably(tmp.path() + "/.producer_ids", "garbage").ok());
  EXPECT_EQ(ProducerIdAllocator::Open(tmp.path()).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace el::storage
