#include "storage/batch_header.h"

#include <gtest/gtest.h>

#include "storage/test_batches.h"

namespace el::storage {
namespace {

using testing::MakeBatch;
using testing::MakeValueBatch;

TEST(BatchHeaderTest, ParsesValidBatch) {
  auto b = MakeBatch({{std::nullopt, "a"}, {std::string("k"), "bb"}, {std::nullopt, "ccc"}}, 5000, 7);
  auto h = ParseBatch(b);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->base_offset, 7);
  EXPECT_EQ(h->magic, 2);
  EXPECT_EQ(h->record_count, 3);
  EXPECT_EQ(h->last_offset_delta, 2);
  EXPECT_EQ(h->base_timestamp, 5000);
  EXPECT_EQ(h->max_timestamp, 5002);
  EXPECT_EQ(h->producer_id, -1);
  EXPECT_EQ(h->total_size(), b.size());
}

TEST(BatchHeaderTest, TrailingBytesAfterTheBatchAreIgnored) {
  auto b = MakeValueBatch(2);
  size_t size = b.size();
  b.resize(size + 10, 0xAB);
  auto h = ParseBatch(b);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->total_size(), size);
}

TEST(BatchHeaderTest, BadCrcIsDataLoss) {
  auto b = MakeValueBatch(2);
  b.back() ^= 0x01;
  EXPECT_EQ(ParseBatch(b).status().code(), StatusCode::kDataLoss);
  auto c = MakeValueBatch(2);
  c[kBatchCrcField] ^= 0x80;
  EXPECT_EQ(ParseBatch(c).status().code(), StatusCode::kDataLoss);
}

TEST(BatchHeaderTest, TornBatchIsOutOfRange) {
  auto b = MakeValueBatch(3);
  for (size_t n : {size_t{0}, size_t{5}, size_t{16}, size_t{40}, b.size() - 1}) {
    EXPECT_EQ(ParseBatch(std::span(b).first(n)).status().code(), StatusCode::kOutOfRange) << n;
  }
}

TEST(BatchHeaderTest, WrongMagicIsInvalidArgument) {
  auto b = MakeValueBatch(1);
  b[16] = 1;
  EXPECT_EQ(ParseBatch(b).status().code(), StatusCode::kInvalidArgument);
}

TEST(BatchHeaderTest, ImpossibleLengthIsDataLoss) {
  auto b = MakeValueBatch(1);
  StoreBe32(b.data() + 8, 10);
  EXPECT_EQ(ParseBatch(b).status().code(), StatusCode::kDataLoss);
  StoreBe32(b.data() + 8, 0xFFFFFFF0u);  // negative
  EXPECT_EQ(ParseBatch(b).status().code(), StatusCode::kDataLoss);
}

TEST(BatchHeaderTest, NegativeDeltaIsDataLoss) {
  auto b = MakeValueBatch(1);
  StoreBe32(b.data() + 23, 0xFFFFFFFFu);
  // Recompute the CRC so that only the delta is wrong.
  StoreBe32(b.data() + kBatchCrcField, Crc32c(std::span<const uint8_t>(b).subspan(kBatchCrcStart)));
  EXPECT_EQ(ParseBatch(b).status().code(), StatusCode::kDataLoss);
}

TEST(BatchHeaderTest, SetBaseOffsetKeepsCrcValid) {
  auto b = MakeValueBatch(4);
  SetBaseOffset(b, Offset(123456789012));
  auto h = ParseBatch(b);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->base_offset, 123456789012);
}

}  // namespace
}  // namespace el::storage
