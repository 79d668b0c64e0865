#pragma once
// DescribeGroups (key 15), versions 0-4 (DescribeGroupsRequest.json / DescribeGroupsResponse.json).
// v3 adds authorized operations (answered as INT32_MIN, "not provided"); v4 the group instance id.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

struct DescribeGroupsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeGroups;
  std::vector<std::string> groups;
  bool include_authorized_operations = false;  // v3+
  bool operator==(const DescribeGroupsRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    io.Array(m.groups, [&](auto& g) { io.String(g); });
    if (v >= 3) io.Bool(m.include_authorized_operations);
  }
};

struct DescribedGroupMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v4+
  std::string client_id;
  std::string client_host;
  std::vector<uint8_t> member_metadata;
  std::vector<uint8_t> member_assignment;
  bool operator==(const DescribedGroupMember&) const = default;
};

struct DescribedGroup {
  int16_t error_code = 0;
  std::string group_id;
  std::string group_state;
  std::string protocol_type;
  std::string protocol_data;  // the chosen protocol's name
  std::vector<DescribedGroupMember> members;
  int32_t authorized_operations = INT32_MIN;  // v3+
  bool operator==(const DescribedGroup&) const = default;
};

struct DescribeGroupsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeGroups;
  int32_t throttle_time_ms = 0;  // v1+
  std::vector<DescribedGroup> groups;
  bool operator==(const DescribeGroupsResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    if (v >= 1) io.Int32(m.throttle_time_ms);
    io.Array(m.groups, [&](auto& g) {
      io.Int16(g.error_code);
      io.String(g.group_id);
      io.String(g.group_state);
      io.String(g.protocol_type);
      io.String(g.protocol_data);
      io.Array(g.members, [&](auto& e) {
        io.String(e.member_id);
        if (v >= 4) io.NullableString(e.group_instance_id);
        io.String(e.client_id);
        io.String(e.client_host);
        io.Bytes(e.member_metadata);
        io.Bytes(e.member_assignment);
      });
      if (v >= 3) io.Int32(g.authorized_operations);
    });
  }
};

}  // namespace el::kafka
