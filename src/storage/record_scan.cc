#include "storage/record_scan.h"

#include "storage/batch_header.h"

namespace el::storage {
namespace {

constexpr int16_t kCompressionMask = 0x7;
constexpr int16_t kLogAppendTimeFlag = 0x8;

// Reads a zigzag varint (Kafka record encoding) at `pos`; nullopt on truncation or overlong input.
std::optional<int64_t> ReadVarlong(std::span<const uint8_t> in, size_t& pos) {
  uint64_t raw = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= in.size()) return std::nullopt;
    uint8_t b = in[pos++];
    raw |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
  }
  return std::nullopt;
}

}  // namespace

std::optional<Offset> FirstRecordAtOrAfter(std::span<const uint8_t> batch, Offset base,
                                           TimestampMs ts) {
  auto header = ParseBatch(batch);
  if (!header.ok()) return std::nullopt;
  if ((header->attributes & kLogAppendTimeFlag) != 0) {
    if (header->max_timestamp >= ts.value()) return base;
    return std::nullopt;
  }
  if ((header->attributes & kCompressionMask) != 0) return std::nullopt;
  std::span<const uint8_t> records = batch.subspan(kBatchHeaderSize, header->total_size() - kBatchHeaderSize);
  size_t pos = 0;
  for (int32_t i = 0; i < header->record_count; ++i) {
    auto length = ReadVarlong(records, pos);
    if (!length || *length < 1 || static_cast<uint64_t>(*length) > records.size() - pos) {
      return std::nullopt;
    }
    size_t next = pos + static_cast<size_t>(*length);
    size_t field = pos + 1;  // skip the record's attributes byte
    auto timestamp_delta = ReadVarlong(records, field);
    auto offset_delta = ReadVarlong(records, field);
    if (!timestamp_delta || !offset_delta || field > next) return std::nullopt;
    if (header->base_timestamp + *timestamp_delta >= ts.value()) {
      return Offset(base.value() + *offset_delta);
    }
    pos = next;
  }
  return std::nullopt;
}

}  // namespace el::storage
