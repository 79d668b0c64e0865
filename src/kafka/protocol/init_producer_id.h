#pragma once
// InitProducerId (key 22), versions 0-1 (InitProducerIdRequest.json / InitProducerIdResponse.json).
// v1 only changed broker-side semantics; both versions share one non-flexible layout.
#include <cstdint>
#include <optional>
#include <string>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

struct InitProducerIdRequest {
  static constexpr ApiKey kApiKey = ApiKey::kInitProducerId;
  std::optional<std::string> transactional_id;  // null for an idempotent (non-transactional) producer
  int32_t transaction_timeout_ms = 0;
  bool operator==(const InitProducerIdRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t /*v*/) {
    io.NullableString(m.transactional_id);
    io.Int32(m.transaction_timeout_ms);
  }
};

struct InitProducerIdResponse {
  static constexpr ApiKey kApiKey = ApiKey::kInitProducerId;
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  bool operator==(const InitProducerIdResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t /*v*/) {
    io.Int32(m.throttle_time_ms);
    io.Int16(m.error_code);
    io.Int64(m.producer_id);
    io.Int16(m.producer_epoch);
  }
};

}  // namespace el::kafka
