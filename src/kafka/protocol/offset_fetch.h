#pragma once
// OffsetFetch (key 9), versions 0-5 (OffsetFetchRequest.json / OffsetFetchResponse.json).
// From v2 the topic list may be null, meaning every partition the group has committed; v2 adds a
// top-level error code, v3 the throttle time, v5 the committed leader epoch.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

struct OffsetFetchTopic {
  std::string name;
  std::vector<int32_t> partition_indexes;
  bool operator==(const OffsetFetchTopic&) const = default;
};

struct OffsetFetchRequest {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetFetch;
  std::string group_id;
  std::optional<std::vector<OffsetFetchTopic>> topics;  // null (v2+) = all committed
  bool operator==(const OffsetFetchRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    io.String(m.group_id);
    auto topic = [&](auto& t) {
      io.String(t.name);
      io.Array(t.partition_indexes, [&](auto& p) { io.Int32(p); });
    };
    if (v >= 2) {
      io.NullableArray(m.topics, topic);
    } else if constexpr (Io::kIsReader) {
      m.topics.emplace();
      io.Array(*m.topics, topic);
    } else {
      static const std::vector<OffsetFetchTopic> kNone;
      io.Array(m.topics ? *m.topics : kNone, topic);
    }
  }
};

struct OffsetFetchPartitionResult {
  int32_t partition_index = 0;
  int64_t committed_offset = -1;
  int32_t committed_leader_epoch = -1;  // v5+
  std::optional<std::string> metadata;
  int16_t error_code = 0;
  bool operator==(const OffsetFetchPartitionResult&) const = default;
};

struct OffsetFetchTopicResult {
  std::string name;
  std::vector<OffsetFetchPartitionResult> partitions;
  bool operator==(const OffsetFetchTopicResult&) const = default;
};

struct OffsetFetchResponse {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetFetch;
  int32_t throttle_time_ms = 0;  // v3+
  std::vector<OffsetFetchTopicResult> topics;
  int16_t error_code = 0;  // v2+
  bool operator==(const OffsetFetchResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    if (v >= 3) io.Int32(m.throttle_time_ms);
    io.Array(m.topics, [&](auto& t) {
      io.String(t.name);
      io.Array(t.partitions, [&](auto& p) {
        io.Int32(p.partition_index);
        io.Int64(p.committed_offset);
        if (v >= 5) io.Int32(p.committed_leader_epoch);
        io.NullableString(p.metadata);
        io.Int16(p.error_code);
      });
    });
    if (v >= 2) io.Int16(m.error_code);
  }
};

}  // namespace el::kafka
