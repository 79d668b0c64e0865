#pragma once
// Heartbeat (key 12), versions 0-3 (HeartbeatRequest.json / HeartbeatResponse.json).
#include <cstdint>
#include <optional>
#include <string>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

struct HeartbeatRequest {
  static constexpr ApiKey kApiKey = ApiKey::kHeartbeat;
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v3+
  bool operator==(const HeartbeatRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    io.String(m.group_id);
    io.Int32(m.generation_id);
    io.String(m.member_id);
    if (v >= 3) io.NullableString(m.group_instance_id);
  }
};

struct HeartbeatResponse {
  static constexpr ApiKey kApiKey = ApiKey::kHeartbeat;
  int32_t throttle_time_ms = 0;  // v1+
  int16_t error_code = 0;
  bool operator==(const HeartbeatResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    if (v >= 1) io.Int32(m.throttle_time_ms);
    io.Int16(m.error_code);
  }
};

}  // namespace el::kafka
