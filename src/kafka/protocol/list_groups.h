#pragma once
// ListGroups (key 16), versions 0-2 (ListGroupsRequest.json / ListGroupsResponse.json). The request
// body is empty below v4.
#include <cstdint>
#include <string>
#include <vector>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

struct ListGroupsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kListGroups;
  bool operator==(const ListGroupsRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {}
};

struct ListedGroup {
  std::string group_id;
  std::string protocol_type;
  bool operator==(const ListedGroup&) const = default;
};

struct ListGroupsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kListGroups;
  int32_t throttle_time_ms = 0;  // v1+
  int16_t error_code = 0;
  std::vector<ListedGroup> groups;
  bool operator==(const ListGroupsResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    if (v >= 1) io.Int32(m.throttle_time_ms);
    io.Int16(m.error_code);
    io.Array(m.groups, [&](auto& g) {
      io.String(g.group_id);
      io.String(g.protocol_type);
    });
  }
};

}  // namespace el::kafka
