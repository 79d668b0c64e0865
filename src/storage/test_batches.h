#pragma once
// Test-only builders of valid Kafka RecordBatch v2 bytes (real records, CRC-32C filled in), for the
// storage tests and for any other module's tests. Header-only; needs el::base (Crc32c) and
// storage/batch_header.h.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/crc32c.h"
#include "storage/batch_header.h"

namespace el::storage::testing {

struct TestRecord {
  std::optional<std::string> key;  // nullopt = null key
  std::string value;
};

inline void PutVarint(std::vector<uint8_t>& out, int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);  // zigzag
  while (z >= 0x80) {
    out.push_back(static_cast<uint8_t>(z | 0x80));
    z >>= 7;
  }
  out.push_back(static_cast<uint8_t>(z));
}

// A v2 batch holding `records`, record i stamped base_timestamp + i ms. No compression, no producer
// id (-1), baseOffset as given (the log rewrites it on append).
inline std::vector<uint8_t> MakeBatch(const std::vector<TestRecord>& records,
                                      int64_t base_timestamp = 1000, int64_t base_offset = 0) {
  std::vector<uint8_t> recs;
  for (size_t i = 0; i < records.size(); ++i) {
    std::vector<uint8_t> body;
    body.push_back(0);                                // attributes
    PutVarint(body, static_cast<int64_t>(i));         // timestampDelta
    PutVarint(body, static_cast<int64_t>(i));         // offsetDelta
    const auto& r = records[i];
    PutVarint(body, r.key ? static_cast<int64_t>(r.key->size()) : -1);
    if (r.key) body.insert(body.end(), r.key->begin(), r.key->end());
    PutVarint(body, static_cast<int64_t>(r.value.size()));
    body.insert(body.end(), r.value.begin(), r.value.end());
    PutVarint(body, 0);                               // headers count
    PutVarint(recs, static_cast<int64_t>(body.size()));
    recs.insert(recs.end(), body.begin(), body.end());
  }
  std::vector<uint8_t> b(kBatchHeaderSize + recs.size(), 0);
  uint8_t* p = b.data();
  int64_t n = static_cast<int64_t>(records.size());
  StoreBe64(p, static_cast<uint64_t>(base_offset));
  StoreBe32(p + 8, static_cast<uint32_t>(b.size() - 12));
  StoreBe32(p + 12, 0);                                            // partitionLeaderEpoch
  p[16] = 2;                                                       // magic
  StoreBe16(p + 21, 0);                                            // attributes
  StoreBe32(p + 23, static_cast<uint32_t>(n > 0 ? n - 1 : 0));     // lastOffsetDelta
  StoreBe64(p + 27, static_cast<uint64_t>(base_timestamp));
  StoreBe64(p + 35, static_cast<uint64_t>(base_timestamp + (n > 0 ? n - 1 : 0)));
  StoreBe64(p + 43, static_cast<uint64_t>(int64_t{-1}));           // producerId
  StoreBe16(p + 51, static_cast<uint16_t>(int16_t{-1}));           // producerEpoch
  StoreBe32(p + 53, static_cast<uint32_t>(int32_t{-1}));           // baseSequence
  StoreBe32(p + 57, static_cast<uint32_t>(n));
  std::copy(recs.begin(), recs.end(), b.begin() + kBatchHeaderSize);
  uint32_t crc = Crc32c(std::span<const uint8_t>(b).subspan(kBatchCrcStart));
  StoreBe32(p + kBatchCrcField, crc);
  return b;
}

// `count` records with values "<prefix>0", "<prefix>1", ... and null keys.
inline std::vector<uint8_t> MakeValueBatch(int count, const std::string& prefix = "v",
                                           int64_t base_timestamp = 1000) {
  std::vector<TestRecord> records;
  for (int i = 0; i < count; ++i) records.push_back({std::nullopt, prefix + std::to_string(i)});
  return MakeBatch(records, base_timestamp);
}

// Sets the idempotent-producer fields of a batch built above and recomputes its CRC.
inline void SetProducer(std::vector<uint8_t>& b, int64_t producer_id, int16_t epoch,
                        int32_t base_sequence) {
  StoreBe64(b.data() + 43, static_cast<uint64_t>(producer_id));
  StoreBe16(b.data() + 51, static_cast<uint16_t>(epoch));
  StoreBe32(b.data() + 53, static_cast<uint32_t>(base_sequence));
  StoreBe32(b.data() + kBatchCrcField, Crc32c(std::span<const uint8_t>(b).subspan(kBatchCrcStart)));
}

// `count` records from producer (`producer_id`, `epoch`) with sequences base_sequence.. .
inline std::vector<uint8_t> MakeProducerBatch(int count, int64_t producer_id, int16_t epoch,
                                              int32_t base_sequence, int64_t base_timestamp = 1000) {
  std::vector<uint8_t> b = MakeValueBatch(count, "p" + std::to_string(base_sequence) + "-",
                                          base_timestamp);
  SetProducer(b, producer_id, epoch, base_sequence);
  return b;
}

}  // namespace el::storage::testing
