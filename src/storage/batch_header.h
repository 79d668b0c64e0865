#pragma once
// Kafka RecordBatch v2 header: the unit the log stores. Storage keeps batches verbatim and reads only
// the header fields it needs (base offset, lengths, timestamps, CRC). Layout (big-endian), 61 bytes:
//   baseOffset i64 | batchLength i32 (bytes after this field) | partitionLeaderEpoch i32 | magic i8 |
//   crc u32 (CRC-32C from attributes to the end) | attributes i16 | lastOffsetDelta i32 |
//   baseTimestamp i64 | maxTimestamp i64 | producerId i64 | producerEpoch i16 | baseSequence i32 |
//   recordCount i32 | records...
// Thread-safe: pure functions.
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "base/strong_types.h"

namespace el::storage {

struct BatchHeader {
  int64_t base_offset;
  int32_t batch_length;
  int32_t partition_leader_epoch;
  int8_t magic;
  uint32_t crc;
  int16_t attributes;
  int32_t last_offset_delta;
  int64_t base_timestamp;
  int64_t max_timestamp;
  int64_t producer_id;
  int16_t producer_epoch;
  int32_t base_sequence;
  int32_t record_count;
  size_t total_size() const { return 12 + static_cast<size_t>(batch_length); }
};

inline constexpr size_t kBatchHeaderSize = 61;
inline constexpr int32_t kMinBatchLength = static_cast<int32_t>(kBatchHeaderSize) - 12;  // 49
inline constexpr size_t kBatchCrcStart = 21;  // first byte covered by the CRC (attributes)
inline constexpr size_t kBatchCrcField = 17;  // position of the crc field

// Parses and validates the batch at the start of `bytes`: length sane (>= 49, whole batch present),
// magic == 2, CRC matches, lastOffsetDelta >= 0, recordCount >= 0. Errors: OutOfRange if `bytes`
// holds less than the whole batch (a torn tail), DataLoss for a bad CRC or impossible lengths,
// InvalidArgument for magic != 2 (magic sits at byte 16 in the v0/v1 formats too).
Result<BatchHeader> ParseBatch(std::span<const uint8_t> bytes);

// Decodes the 61 header bytes without any validation (no CRC, no length check). Requires
// bytes.size() >= kBatchHeaderSize (checked: OutOfRange otherwise). For data already validated.
Result<BatchHeader> ReadBatchHeader(std::span<const uint8_t> bytes);

// Overwrites the baseOffset field (bytes 0..7; not covered by the CRC) in place.
void SetBaseOffset(std::span<uint8_t> batch, Offset base);

// Big-endian helpers shared by the storage files.
uint64_t LoadBe64(const uint8_t* p);
uint32_t LoadBe32(const uint8_t* p);
uint16_t LoadBe16(const uint8_t* p);
void StoreBe64(uint8_t* p, uint64_t v);
void StoreBe32(uint8_t* p, uint32_t v);
void StoreBe16(uint8_t* p, uint16_t v);

}  // namespace el::storage
