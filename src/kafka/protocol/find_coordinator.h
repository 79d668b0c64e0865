#pragma once
// FindCoordinator (key 10), versions 0-2 (FindCoordinatorRequest.json / FindCoordinatorResponse.json).
#include <cstdint>
#include <optional>
#include <string>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

struct FindCoordinatorRequest {
  static constexpr ApiKey kApiKey = ApiKey::kFindCoordinator;
  std::string key;
  int8_t key_type = 0;  // v1+: 0 group, 1 transaction
  bool operator==(const FindCoordinatorRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    io.String(m.key);
    if (v >= 1) io.Int8(m.key_type);
  }
};

struct FindCoordinatorResponse {
  static constexpr ApiKey kApiKey = ApiKey::kFindCoordinator;
  int32_t throttle_time_ms = 0;  // v1+
  int16_t error_code = 0;
  std::optional<std::string> error_message;  // v1+
  int32_t node_id = 0;
  std::string host;
  int32_t port = 0;
  bool operator==(const FindCoordinatorResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    if (v >= 1) io.Int32(m.throttle_time_ms);
    io.Int16(m.error_code);
    if (v >= 1) io.NullableString(m.error_message);
    io.Int32(m.node_id);
    io.String(m.host);
    io.Int32(m.port);
  }
};

}  // namespace el::kafka
