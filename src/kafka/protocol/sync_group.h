#pragma once
// SyncGroup (key 14), versions 0-3 (SyncGroupRequest.json / SyncGroupResponse.json). The leader sends
// every member's assignment; followers send none. Assignment bytes are opaque to the broker.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

struct SyncGroupAssignment {
  std::string member_id;
  std::vector<uint8_t> assignment;
  bool operator==(const SyncGroupAssignment&) const = default;
};

struct SyncGroupRequest {
  static constexpr ApiKey kApiKey = ApiKey::kSyncGroup;
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v3+
  std::vector<SyncGroupAssignment> assignments;
  bool operator==(const SyncGroupRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    io.String(m.group_id);
    io.Int32(m.generation_id);
    io.String(m.member_id);
    if (v >= 3) io.NullableString(m.group_instance_id);
    io.Array(m.assignments, [&](auto& a) {
      io.String(a.member_id);
      io.Bytes(a.assignment);
    });
  }
};

struct SyncGroupResponse {
  static constexpr ApiKey kApiKey = ApiKey::kSyncGroup;
  int32_t throttle_time_ms = 0;  // v1+
  int16_t error_code = 0;
  std::vector<uint8_t> assignment;
  bool operator==(const SyncGroupResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    if (v >= 1) io.Int32(m.throttle_time_ms);
    io.Int16(m.error_code);
    io.Bytes(m.assignment);
  }
};

}  // namespace el::kafka
