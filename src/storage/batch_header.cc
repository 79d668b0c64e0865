#include "storage/batch_header.h"

#include <string>

#include "base/check.h"
#include "base/crc32c.h"

namespace el::storage {

uint64_t LoadBe64(const uint8_t* p) {
  return uint64_t{LoadBe32(p)} << 32 | LoadBe32(p + 4);
}
uint32_t LoadBe32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}
uint16_t LoadBe16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
void StoreBe64(uint8_t* p, uint64_t v) {
  StoreBe32(p, static_cast<uint32_t>(v >> 32));
  StoreBe32(p + 4, static_cast<uint32_t>(v));
}
void StoreBe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
void StoreBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

Result<BatchHeader> ReadBatchHeader(std::span<const uint8_t> bytes) {
  if (bytes.size() < kBatchHeaderSize) return OutOfRange("record batch header truncated");
  const uint8_t* p = bytes.data();
  BatchHeader h;
  h.base_offset = static_cast<int64_t>(LoadBe64(p));
  h.batch_length = static_cast<int32_t>(LoadBe32(p + 8));
  h.partition_leader_epoch = static_cast<int32_t>(LoadBe32(p + 12));
  h.magic = static_cast<int8_t>(p[16]);
  h.crc = LoadBe32(p + 17);
  h.attributes = static_cast<int16_t>(LoadBe16(p + 21));
  h.last_offset_delta = static_cast<int32_t>(LoadBe32(p + 23));
  h.base_timestamp = static_cast<int64_t>(LoadBe64(p + 27));
  h.max_timestamp = static_cast<int64_t>(LoadBe64(p + 35));
  h.producer_id = static_cast<int64_t>(LoadBe64(p + 43));
  h.producer_epoch = static_cast<int16_t>(LoadBe16(p + 51));
  h.base_sequence = static_cast<int32_t>(LoadBe32(p + 53));
  h.record_count = static_cast<int32_t>(LoadBe32(p + 57));
  return h;
}

Result<BatchHeader> ParseBatch(std::span<const uint8_t> bytes) {
  if (bytes.size() < 17) return OutOfRange("record batch truncated before its magic byte");
  int8_t magic = static_cast<int8_t>(bytes[16]);
  if (magic != 2) {
    return InvalidArgument("unsupported record batch magic " + std::to_string(magic) +
                           " (only v2 batches are accepted)");
  }
  int32_t length = static_cast<int32_t>(LoadBe32(bytes.data() + 8));
  if (length < kMinBatchLength) {
    return DataLoss("record batch length " + std::to_string(length) + " is below the minimum 49");
  }
  size_t total = 12 + static_cast<size_t>(length);
  if (bytes.size() < total) {
    return OutOfRange("record batch truncated: have " + std::to_string(bytes.size()) + " of " +
                      std::to_string(total) + " bytes");
  }
  EL_ASSIGN_OR_RETURN(BatchHeader h, ReadBatchHeader(bytes));
  uint32_t crc = Crc32c(bytes.subspan(kBatchCrcStart, total - kBatchCrcStart));
  if (crc != h.crc) return DataLoss("record batch CRC mismatch");
  if (h.last_offset_delta < 0) return DataLoss("record batch lastOffsetDelta is negative");
  if (h.record_count < 0) return DataLoss("record batch recordCount is negative");
  return h;
}

void SetBaseOffset(std::span<uint8_t> batch, Offset base) {
  EL_CHECK(batch.size() >= 8);
  StoreBe64(batch.data(), static_cast<uint64_t>(base.value()));
}

}  // namespace el::storage
