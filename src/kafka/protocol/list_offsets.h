#pragma once
// ListOffsets (key 2), versions 0-3 (ListOffsetsRequest.json / ListOffsetsResponse.json).
// Timestamp -1 = latest (the high watermark), -2 = earliest (log start); v0 answers an offset array.
#include <cstdint>
#include <string>
#include <vector>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

inline constexpr int64_t kLatestTimestamp = -1;
inline constexpr int64_t kEarliestTimestamp = -2;

struct ListOffsetsPartition {
  int32_t partition_index = 0;
  int64_t timestamp = 0;
  int32_t max_num_offsets = 1;  // v0 only
  bool operator==(const ListOffsetsPartition&) const = default;
};

struct ListOffsetsTopic {
  std::string name;
  std::vector<ListOffsetsPartition> partitions;
  bool operator==(const ListOffsetsTopic&) const = default;
};

struct ListOffsetsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kListOffsets;
  int32_t replica_id = -1;
  int8_t isolation_level = 0;  // v2+
  std::vector<ListOffsetsTopic> topics;
  bool operator==(const ListOffsetsRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    io.Int32(m.replica_id);
    if (v >= 2) io.Int8(m.isolation_level);
    io.Array(m.topics, [&](auto& t) {
      io.String(t.name);
      io.Array(t.partitions, [&](auto& p) {
        io.Int32(p.partition_index);
        io.Int64(p.timestamp);
        if (v == 0) io.Int32(p.max_num_offsets);
      });
    });
  }
};

struct ListOffsetsPartitionResponse {
  int32_t partition_index = 0;
  int16_t error_code = 0;
  std::vector<int64_t> old_style_offsets;  // v0 only
  int64_t timestamp = -1;                  // v1+
  int64_t offset = -1;                     // v1+
  bool operator==(const ListOffsetsPartitionResponse&) const = default;
};

struct ListOffsetsTopicResponse {
  std::string name;
  std::vector<ListOffsetsPartitionResponse> partitions;
  bool operator==(const ListOffsetsTopicResponse&) const = default;
};

struct ListOffsetsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kListOffsets;
  int32_t throttle_time_ms = 0;  // v2+
  std::vector<ListOffsetsTopicResponse> topics;
  bool operator==(const ListOffsetsResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    if (v >= 2) io.Int32(m.throttle_time_ms);
    io.Array(m.topics, [&](auto& t) {
      io.String(t.name);
      io.Array(t.partitions, [&](auto& p) {
        io.Int32(p.partition_index);
        io.Int16(p.error_code);
        if (v == 0) {
          io.Array(p.old_style_offsets, [&](auto& o) { io.Int64(o); });
        } else {
          io.Int64(p.timestamp);
          io.Int64(p.offset);
        }
      });
    });
  }
};

}  // namespace el::kafka
