#pragma once
// OffsetCommit (key 8), versions 0-7 (OffsetCommitRequest.json / OffsetCommitResponse.json).
// v1 adds generation/member and a per-partition commit timestamp (v1 only); v2-4 carry a retention
// time; v6 adds the leader epoch; v7 the group instance id.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

struct OffsetCommitPartition {
  int32_t partition_index = 0;
  int64_t committed_offset = 0;
  int32_t committed_leader_epoch = -1;  // v6+
  int64_t commit_timestamp = -1;        // v1 only
  std::optional<std::string> committed_metadata;
  bool operator==(const OffsetCommitPartition&) const = default;
};

struct OffsetCommitTopic {
  std::string name;
  std::vector<OffsetCommitPartition> partitions;
  bool operator==(const OffsetCommitTopic&) const = default;
};

struct OffsetCommitRequest {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetCommit;
  std::string group_id;
  int32_t generation_id = -1;                    // v1+
  std::string member_id;                         // v1+
  std::optional<std::string> group_instance_id;  // v7+
  int64_t retention_time_ms = -1;                // v2-4
  std::vector<OffsetCommitTopic> topics;
  bool operator==(const OffsetCommitRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    io.String(m.group_id);
    if (v >= 1) {
      io.Int32(m.generation_id);
      io.String(m.member_id);
    }
    if (v >= 7) io.NullableString(m.group_instance_id);
    if (v >= 2 && v <= 4) io.Int64(m.retention_time_ms);
    io.Array(m.topics, [&](auto& t) {
      io.String(t.name);
      io.Array(t.partitions, [&](auto& p) {
        io.Int32(p.partition_index);
        io.Int64(p.committed_offset);
        if (v >= 6) io.Int32(p.committed_leader_epoch);
        if (v == 1) io.Int64(p.commit_timestamp);
        io.NullableString(p.committed_metadata);
      });
    });
  }
};

struct OffsetCommitPartitionResult {
  int32_t partition_index = 0;
  int16_t error_code = 0;
  bool operator==(const OffsetCommitPartitionResult&) const = default;
};

struct OffsetCommitTopicResult {
  std::string name;
  std::vector<OffsetCommitPartitionResult> partitions;
  bool operator==(const OffsetCommitTopicResult&) const = default;
};

struct OffsetCommitResponse {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetCommit;
  int32_t throttle_time_ms = 0;  // v3+
  std::vector<OffsetCommitTopicResult> topics;
  bool operator==(const OffsetCommitResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    if (v >= 3) io.Int32(m.throttle_time_ms);
    io.Array(m.topics, [&](auto& t) {
      io.String(t.name);
      io.Array(t.partitions, [&](auto& p) {
        io.Int32(p.partition_index);
        io.Int16(p.error_code);
      });
    });
  }
};

}  // namespace el::kafka
