#include "storage/record_scan.h"

#include <gtest/gtest.h>

#include "storage/partition_log.h"
#include "storage/test_batches.h"
#include "storage/test_temp_dir.h"

namespace el::storage {
namespace {

using testing::MakeBatch;
using testing::TestRecord;

std::vector<TestRecord> Records(int n) {
  std::vector<TestRecord> out;
  for (int i = 0; i < n; ++i) out.push_back({std::nullopt, "v" + std::to_string(i)});
  return out;
}

TEST(RecordScanTest, FindsTheFirstRecordAtOrAfterTheTimestamp) {
  // Records are stamped 1000, 1001, ... 1004 at offsets 10..14.
  auto batch = MakeBatch(Records(5), 1000, 10);
  EXPECT_EQ(FirstRecordAtOrAfter(batch, Offset(10), TimestampMs(0)), Offset(10));
  EXPECT_EQ(FirstRecordAtOrAfter(batch, Offset(10), TimestampMs(1003)), Offset(13));
  EXPECT_EQ(FirstRecordAtOrAfter(batch, Offset(10), TimestampMs(1004)), Offset(14));
  EXPECT_EQ(FirstRecordAtOrAfter(batch, Offset(10), TimestampMs(1005)), std::nullopt);
}

TEST(RecordScanTest, CompressedOrMalformedBatchesAreNotScanned) {
  auto batch = MakeBatch(Records(3), 1000, 0);
  auto compressed = batch;
  compressed[22] |= 0x1;  // gzip bit: the CRC no longer matches either, so parse fails first
  EXPECT_EQ(FirstRecordAtOrAfter(compressed, Offset(0), TimestampMs(1001)), std::nullopt);
  std::vector<uint8_t> truncated(batch.begin(), batch.end() - 4);
  EXPECT_EQ(FirstRecordAtOrAfter(truncated, Offset(0), TimestampMs(1001)), std::nullopt);
}

TEST(RecordScanTest, PartitionLogAnswersWithTheRecordOffset) {
  testing::TempDir dir;
  auto log = PartitionLog::Open(dir.path(), LogOptions{}, false);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  auto batch = MakeBatch(Records(10), 5000, 0);
  ASSERT_TRUE((*log)->Append(batch, false).ok());
  EXPECT_EQ((*log)->OffsetForTimestamp(TimestampMs(5007)), Offset(7));
  EXPECT_EQ((*log)->OffsetForTimestamp(TimestampMs(1)), Offset(0));
  EXPECT_EQ((*log)->OffsetForTimestamp(TimestampMs(9999)), Offset(10));
}

}  // namespace
}  // namespace el::storage
