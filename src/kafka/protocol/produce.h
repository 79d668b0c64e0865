#pragma once
// Produce (key 0), versions 0-7 (v0-2 carry legacy message sets; clients send v3+) (ProduceRequest.json / ProduceResponse.json). Records are opaque
// RecordBatch v2 bytes; after decoding they are views into the request frame.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

struct ProducePartitionData {
  int32_t index = 0;
  std::optional<BytesView> records;  // view into the request frame
};

struct ProduceTopicData {
  std::string name;
  std::vector<ProducePartitionData> partitions;
};

struct ProduceRequest {
  static constexpr ApiKey kApiKey = ApiKey::kProduce;
  std::optional<std::string> transactional_id;  // v3+
  int16_t acks = -1;
  int32_t timeout_ms = 0;
  std::vector<ProduceTopicData> topics;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    if (v >= 3) io.NullableString(m.transactional_id);
    io.Int16(m.acks);
    io.Int32(m.timeout_ms);
    io.Array(m.topics, [&](auto& t) {
      io.String(t.name);
      io.Array(t.partitions, [&](auto& p) {
        io.Int32(p.index);
        io.NullableBytes(p.records);
        io.TaggedFields();
      });
      io.TaggedFields();
    });
    io.TaggedFields();
  }
};

struct ProducePartitionResponse {
  int32_t index = 0;
  int16_t error_code = 0;
  int64_t base_offset = -1;
  int64_t log_append_time_ms = -1;  // v2+
  int64_t log_start_offset = -1;    // v5+
  bool operator==(const ProducePartitionResponse&) const = default;
};

struct ProduceTopicResponse {
  std::string name;
  std::vector<ProducePartitionResponse> partitions;
  bool operator==(const ProduceTopicResponse&) const = default;
};

struct ProduceResponse {
  static constexpr ApiKey kApiKey = ApiKey::kProduce;
  std::vector<ProduceTopicResponse> topics;
  int32_t throttle_time_ms = 0;  // v1+
  bool operator==(const ProduceResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    io.Array(m.topics, [&](auto& t) {
      io.String(t.name);
      io.Array(t.partitions, [&](auto& p) {
        io.Int32(p.index);
        io.Int16(p.error_code);
        io.Int64(p.base_offset);
        if (v >= 2) io.Int64(p.log_append_time_ms);
        if (v >= 5) io.Int64(p.log_start_offset);
        io.TaggedFields();
      });
      io.TaggedFields();
    });
    if (v >= 1) io.Int32(m.throttle_time_ms);
    io.TaggedFields();
  }
};

}  // namespace el::kafka
