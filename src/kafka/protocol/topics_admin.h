#pragma once
// CreateTopics (key 19) versions 0-4 and DeleteTopics (key 20) versions 0-3
// (CreateTopics*.json, DeleteTopics*.json). CreateTopics v4 allows -1 partitions / replication
// factor, meaning the broker defaults.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

struct CreatableAssignment {
  int32_t partition_index = 0;
  std::vector<int32_t> broker_ids;
  bool operator==(const CreatableAssignment&) const = default;
};

struct CreatableConfig {
  std::string name;
  std::optional<std::string> value;
  bool operator==(const CreatableConfig&) const = default;
};

struct CreatableTopic {
  std::string name;
  int32_t num_partitions = -1;
  int16_t replication_factor = -1;
  std::vector<CreatableAssignment> assignments;
  std::vector<CreatableConfig> configs;
  bool operator==(const CreatableTopic&) const = default;
};

struct CreateTopicsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kCreateTopics;
  std::vector<CreatableTopic> topics;
  int32_t timeout_ms = 0;
  bool validate_only = false;  // v1+
  bool operator==(const CreateTopicsRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    io.Array(m.topics, [&](auto& t) {
      io.String(t.name);
      io.Int32(t.num_partitions);
      io.Int16(t.replication_factor);
      io.Array(t.assignments, [&](auto& a) {
        io.Int32(a.partition_index);
        io.Array(a.broker_ids, [&](auto& b) { io.Int32(b); });
      });
      io.Array(t.configs, [&](auto& c) {
        io.String(c.name);
        io.NullableString(c.value);
      });
    });
    io.Int32(m.timeout_ms);
    if (v >= 1) io.Bool(m.validate_only);
  }
};

struct CreatableTopicResult {
  std::string name;
  int16_t error_code = 0;
  std::optional<std::string> error_message;  // v1+
  bool operator==(const CreatableTopicResult&) const = default;
};

struct CreateTopicsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kCreateTopics;
  int32_t throttle_time_ms = 0;  // v2+
  std::vector<CreatableTopicResult> topics;
  bool operator==(const CreateTopicsResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    if (v >= 2) io.Int32(m.throttle_time_ms);
    io.Array(m.topics, [&](auto& t) {
      io.String(t.name);
      io.Int16(t.error_code);
      if (v >= 1) io.NullableString(t.error_message);
    });
  }
};

struct DeleteTopicsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteTopics;
  std::vector<std::string> topic_names;
  int32_t timeout_ms = 0;
  bool operator==(const DeleteTopicsRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    io.Array(m.topic_names, [&](auto& n) { io.String(n); });
    io.Int32(m.timeout_ms);
  }
};

struct DeletableTopicResult {
  std::string name;
  int16_t error_code = 0;
  bool operator==(const DeletableTopicResult&) const = default;
};

struct DeleteTopicsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteTopics;
  int32_t throttle_time_ms = 0;  // v1+
  std::vector<DeletableTopicResult> responses;
  bool operator==(const DeleteTopicsResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    if (v >= 1) io.Int32(m.throttle_time_ms);
    io.Array(m.responses, [&](auto& r) {
      io.String(r.name);
      io.Int16(r.error_code);
    });
  }
};

}  // namespace el::kafka
