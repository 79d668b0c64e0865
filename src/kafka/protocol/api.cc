#include "kafka/protocol/api.h"

#include <cstdint>

namespace el::kafka {

int16_t FirstFlexibleVersion(ApiKey api) {
  switch (api) {
    case ApiKey::kProduce: return 9;
    case ApiKey::kFetch: return 12;
    case ApiKey::kListOffsets: return 6;
    case ApiKey::kMetadata: return 9;
    case ApiKey::kOffsetCommit: return 8;
    case ApiKey::kOffsetFetch: return 6;
    case ApiKey::kFindCoordinator: return 3;
    case ApiKey::kJoinGroup: return 6;
    case ApiKey::kHeartbeat: return 4;
    case ApiKey::kLeaveGroup: return 4;
    case ApiKey::kSyncGroup: return 4;
    case ApiKey::kDescribeGroups: return 5;
    case ApiKey::kListGroups: return 3;
    case ApiKey::kApiVersions: return 3;
    case ApiKey::kCreateTopics: return 5;
    case ApiKey::kDeleteTopics: return 4;
    case ApiKey::kInitProducerId: return 2;
    case ApiKey::kDescribeConfigs:
      return 4;
  }
  return INT16_MAX;
}

std::string_view ApiName(ApiKey api) {
  switch (api) {
    case ApiKey::kProduce: return "Produce";
    case ApiKey::kFetch: return "Fetch";
    case ApiKey::kListOffsets: return "ListOffsets";
    case ApiKey::kMetadata: return "Metadata";
    case ApiKey::kOffsetCommit: return "OffsetCommit";
    case ApiKey::kOffsetFetch: return "OffsetFetch";
    case ApiKey::kFindCoordinator: return "FindCoordinator";
    case ApiKey::kJoinGroup: return "JoinGroup";
    case ApiKey::kHeartbeat: return "Heartbeat";
    case ApiKey::kLeaveGroup: return "LeaveGroup";
    case ApiKey::kSyncGroup: return "SyncGroup";
    case ApiKey::kDescribeGroups: return "DescribeGroups";
    case ApiKey::kListGroups: return "ListGroups";
    case ApiKey::kApiVersions: return "ApiVersions";
    case ApiKey::kCreateTopics: return "CreateTopics";
    case ApiKey::kDeleteTopics: return "DeleteTopics";
    case ApiKey::kInitProducerId: return "InitProducerId";
    case ApiKey::kDescribeConfigs:
      return "DescribeConfigs";
  }
  return "Unknown";
}

}  // namespace el::kafka
