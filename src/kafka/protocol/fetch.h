#pragma once
// Fetch (key 1), versions 4-11 (FetchRequest.json / FetchResponse.json). Sessions (v7+) are not
// kept: the broker always answers session id 0.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

struct FetchPartition {
  int32_t partition = 0;
  int32_t current_leader_epoch = -1;  // v9+
  int64_t fetch_offset = 0;
  int64_t log_start_offset = -1;  // v5+
  int32_t partition_max_bytes = 0;
  bool operator==(const FetchPartition&) const = default;
};

struct FetchTopic {
  std::string topic;
  std::vector<FetchPartition> partitions;
  bool operator==(const FetchTopic&) const = default;
};

struct ForgottenTopic {
  std::string topic;
  std::vector<int32_t> partitions;
  bool operator==(const ForgottenTopic&) const = default;
};

struct FetchRequest {
  static constexpr ApiKey kApiKey = ApiKey::kFetch;
  int32_t replica_id = -1;
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 0;
  int32_t max_bytes = INT32_MAX;  // v3+
  int8_t isolation_level = 0;     // v4+
  int32_t session_id = 0;         // v7+
  int32_t session_epoch = -1;     // v7+
  std::vector<FetchTopic> topics;
  std::vector<ForgottenTopic> forgotten_topics;  // v7+
  std::string rack_id;                           // v11+
  bool operator==(const FetchRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    io.Int32(m.replica_id);
    io.Int32(m.max_wait_ms);
    io.Int32(m.min_bytes);
    if (v >= 3) io.Int32(m.max_bytes);
    if (v >= 4) io.Int8(m.isolation_level);
    if (v >= 7) {
      io.Int32(m.session_id);
      io.Int32(m.session_epoch);
    }
    io.Array(m.topics, [&](auto& t) {
      io.String(t.topic);
      io.Array(t.partitions, [&](auto& p) {
        io.Int32(p.partition);
        if (v >= 9) io.Int32(p.current_leader_epoch);
        io.Int64(p.fetch_offset);
        if (v >= 5) io.Int64(p.log_start_offset);
        io.Int32(p.partition_max_bytes);
        io.TaggedFields();
      });
      io.TaggedFields();
    });
    if (v >= 7) {
      io.Array(m.forgotten_topics, [&](auto& t) {
        io.String(t.topic);
        io.Array(t.partitions, [&](auto& p) { io.Int32(p); });
        io.TaggedFields();
      });
    }
    if (v >= 11) io.String(m.rack_id);
    io.TaggedFields();
  }
};

struct AbortedTransaction {
  int64_t producer_id = 0;
  int64_t first_offset = 0;
  bool operator==(const AbortedTransaction&) const = default;
};

struct FetchPartitionResponse {
  int32_t partition_index = 0;
  int16_t error_code = 0;
  int64_t high_watermark = -1;
  int64_t last_stable_offset = -1;  // v4+
  int64_t log_start_offset = -1;    // v5+
  // v4+. Always sent as an empty (never null) array; null decodes as absent.
  std::optional<std::vector<AbortedTransaction>> aborted_transactions = std::vector<AbortedTransaction>{};
  int32_t preferred_read_replica = -1;  // v11+
  std::vector<uint8_t> records;         // whole batches; empty means zero-length bytes, never null
  bool operator==(const FetchPartitionResponse&) const = default;
};

struct FetchTopicResponse {
  std::string topic;
  std::vector<FetchPartitionResponse> partitions;
  bool operator==(const FetchTopicResponse&) const = default;
};

struct FetchResponse {
  static constexpr ApiKey kApiKey = ApiKey::kFetch;
  int32_t throttle_time_ms = 0;  // v1+
  int16_t error_code = 0;        // v7+
  int32_t session_id = 0;        // v7+
  std::vector<FetchTopicResponse> topics;
  bool operator==(const FetchResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    if (v >= 1) io.Int32(m.throttle_time_ms);
    if (v >= 7) {
      io.Int16(m.error_code);
      io.Int32(m.session_id);
    }
    io.Array(m.topics, [&](auto& t) {
      io.String(t.topic);
      io.Array(t.partitions, [&](auto& p) {
        io.Int32(p.partition_index);
        io.Int16(p.error_code);
        io.Int64(p.high_watermark);
        if (v >= 4) io.Int64(p.last_stable_offset);
        if (v >= 5) io.Int64(p.log_start_offset);
        if (v >= 4) {
          io.NullableArray(p.aborted_transactions, [&](auto& a) {
            io.Int64(a.producer_id);
            io.Int64(a.first_offset);
            io.TaggedFields();
          });
        }
        if (v >= 11) io.Int32(p.preferred_read_replica);
        io.Bytes(p.records);
        io.TaggedFields();
      });
      io.TaggedFields();
    });
    io.TaggedFields();
  }
};

}  // namespace el::kafka
