#pragma once
// LeaveGroup (key 13), versions 0-3 (LeaveGroupRequest.json / LeaveGroupResponse.json).
// v0-2 name one member; v3 carries a batch `members` array and answers an error per member.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

struct LeaveGroupMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  int16_t error_code = 0;  // response only
  bool operator==(const LeaveGroupMember&) const = default;
};

struct LeaveGroupRequest {
  static constexpr ApiKey kApiKey = ApiKey::kLeaveGroup;
  std::string group_id;
  std::string member_id;                  // v0-2
  std::vector<LeaveGroupMember> members;  // v3+
  bool operator==(const LeaveGroupRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    io.String(m.group_id);
    if (v <= 2) {
      io.String(m.member_id);
    } else {
      io.Array(m.members, [&](auto& e) {
        io.String(e.member_id);
        io.NullableString(e.group_instance_id);
      });
    }
  }
};

struct LeaveGroupResponse {
  static constexpr ApiKey kApiKey = ApiKey::kLeaveGroup;
  int32_t throttle_time_ms = 0;  // v1+
  int16_t error_code = 0;
  std::vector<LeaveGroupMember> members;  // v3+
  bool operator==(const LeaveGroupResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    if (v >= 1) io.Int32(m.throttle_time_ms);
    io.Int16(m.error_code);
    if (v >= 3) {
      io.Array(m.members, [&](auto& e) {
        io.String(e.member_id);
        io.NullableString(e.group_instance_id);
        io.Int16(e.error_code);
      });
    }
  }
};

}  // namespace el::kafka
