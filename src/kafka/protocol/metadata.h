#pragma once
// Metadata (key 3), versions 0-6 (MetadataRequest.json / MetadataResponse.json).
// Topics: v0 an empty array means all topics; v1+ null means all and empty means none.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

struct MetadataRequest {
  static constexpr ApiKey kApiKey = ApiKey::kMetadata;
  std::optional<std::vector<std::string>> topics;  // null (v1+) = all topics
  bool allow_auto_topic_creation = true;           // v4+
  bool operator==(const MetadataRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    auto name = [&](auto& t) {
      io.String(t);
      io.TaggedFields();
    };
    if (v >= 1) {
      io.NullableArray(m.topics, name);
    } else if constexpr (Io::kIsReader) {
      m.topics.emplace();
      io.Array(*m.topics, name);
    } else {
      // v0 cannot say "all" with null: an empty array means all topics.
      static const std::vector<std::string> kAll;
      io.Array(m.topics ? *m.topics : kAll, name);
    }
    if (v >= 4) io.Bool(m.allow_auto_topic_creation);
    io.TaggedFields();
  }
};

struct MetadataBroker {
  int32_t node_id = 0;
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;  // v1+
  bool operator==(const MetadataBroker&) const = default;
};

struct MetadataPartition {
  int16_t error_code = 0;
  int32_t partition_index = 0;
  int32_t leader_id = 0;
  std::vector<int32_t> replica_nodes;
  std::vector<int32_t> isr_nodes;
  std::vector<int32_t> offline_replicas;  // v5+
  bool operator==(const MetadataPartition&) const = default;
};

struct MetadataTopic {
  int16_t error_code = 0;
  std::string name;
  bool is_internal = false;  // v1+
  std::vector<MetadataPartition> partitions;
  bool operator==(const MetadataTopic&) const = default;
};

struct MetadataResponse {
  static constexpr ApiKey kApiKey = ApiKey::kMetadata;
  int32_t throttle_time_ms = 0;  // v3+
  std::vector<MetadataBroker> brokers;
  std::optional<std::string> cluster_id;  // v2+
  int32_t controller_id = -1;             // v1+
  std::vector<MetadataTopic> topics;
  bool operator==(const MetadataResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    auto i32 = [&](auto& x) { io.Int32(x); };
    if (v >= 3) io.Int32(m.throttle_time_ms);
    io.Array(m.brokers, [&](auto& b) {
      io.Int32(b.node_id);
      io.String(b.host);
      io.Int32(b.port);
      if (v >= 1) io.NullableString(b.rack);
      io.TaggedFields();
    });
    if (v >= 2) io.NullableString(m.cluster_id);
    if (v >= 1) io.Int32(m.controller_id);
    io.Array(m.topics, [&](auto& t) {
      io.Int16(t.error_code);
      io.String(t.name);
      if (v >= 1) io.Bool(t.is_internal);
      io.Array(t.partitions, [&](auto& p) {
        io.Int16(p.error_code);
        io.Int32(p.partition_index);
        io.Int32(p.leader_id);
        io.Array(p.replica_nodes, i32);
        io.Array(p.isr_nodes, i32);
        if (v >= 5) io.Array(p.offline_replicas, i32);
        io.TaggedFields();
      });
      io.TaggedFields();
    });
    io.TaggedFields();
  }
};

}  // namespace el::kafka
