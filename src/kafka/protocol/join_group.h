#pragma once
// JoinGroup (key 11), versions 0-5 (JoinGroupRequest.json / JoinGroupResponse.json).
// v0 has no rebalance timeout (the session timeout stands in for it); v5 adds group_instance_id.
// Protocol metadata is opaque to the broker (ConsumerProtocolSubscription for "consumer" groups).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

struct JoinGroupProtocol {
  std::string name;
  std::vector<uint8_t> metadata;
  bool operator==(const JoinGroupProtocol&) const = default;
};

struct JoinGroupRequest {
  static constexpr ApiKey kApiKey = ApiKey::kJoinGroup;
  std::string group_id;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = -1;  // v1+
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v5+
  std::string protocol_type;
  std::vector<JoinGroupProtocol> protocols;
  bool operator==(const JoinGroupRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    io.String(m.group_id);
    io.Int32(m.session_timeout_ms);
    if (v >= 1) io.Int32(m.rebalance_timeout_ms);
    io.String(m.member_id);
    if (v >= 5) io.NullableString(m.group_instance_id);
    io.String(m.protocol_type);
    io.Array(m.protocols, [&](auto& p) {
      io.String(p.name);
      io.Bytes(p.metadata);
    });
  }
};

struct JoinGroupMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v5+
  std::vector<uint8_t> metadata;
  bool operator==(const JoinGroupMember&) const = default;
};

struct JoinGroupResponse {
  static constexpr ApiKey kApiKey = ApiKey::kJoinGroup;
  int32_t throttle_time_ms = 0;  // v2+
  int16_t error_code = 0;
  int32_t generation_id = -1;
  std::string protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<JoinGroupMember> members;  // only the leader gets them
  bool operator==(const JoinGroupResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    if (v >= 2) io.Int32(m.throttle_time_ms);
    io.Int16(m.error_code);
    io.Int32(m.generation_id);
    io.String(m.protocol_name);
    io.String(m.leader);
    io.String(m.member_id);
    io.Array(m.members, [&](auto& e) {
      io.String(e.member_id);
      if (v >= 5) io.NullableString(e.group_instance_id);
      io.Bytes(e.metadata);
    });
  }
};

}  // namespace el::kafka
