#pragma once
// Maps a request header's api key to the request message type that decodes its body, for the fuzz
// targets and the golden tests. Pure compile-time dispatch; no state.
#include <cstdint>

#include "kafka/protocol/api.h"
#include "kafka/protocol/api_versions.h"
#include "kafka/protocol/describe_configs.h"
#include "kafka/protocol/describe_groups.h"
#include "kafka/protocol/fetch.h"
#include "kafka/protocol/find_coordinator.h"
#include "kafka/protocol/heartbeat.h"
#include "kafka/protocol/init_producer_id.h"
#include "kafka/protocol/join_group.h"
#include "kafka/protocol/leave_group.h"
#include "kafka/protocol/list_groups.h"
#include "kafka/protocol/list_offsets.h"
#include "kafka/protocol/metadata.h"
#include "kafka/protocol/offset_commit.h"
#include "kafka/protocol/offset_fetch.h"
#include "kafka/protocol/produce.h"
#include "kafka/protocol/sync_group.h"
#include "kafka/protocol/topics_admin.h"

namespace el::fuzz {

// Calls `f.template operator()<RequestType>()` for the request type of `api_key` and returns true,
// or returns false when the protocol module has no request type for that key.
template <typename F>
bool VisitRequestType(int16_t api_key, F&& f) {
  using kafka::ApiKey;
  switch (static_cast<ApiKey>(api_key)) {
    case ApiKey::kProduce: f.template operator()<kafka::ProduceRequest>(); return true;
    case ApiKey::kFetch: f.template operator()<kafka::FetchRequest>(); return true;
    case ApiKey::kListOffsets: f.template operator()<kafka::ListOffsetsRequest>(); return true;
    case ApiKey::kMetadata: f.template operator()<kafka::MetadataRequest>(); return true;
    case ApiKey::kFindCoordinator: f.template operator()<kafka::FindCoordinatorRequest>(); return true;
    case ApiKey::kApiVersions: f.template operator()<kafka::ApiVersionsRequest>(); return true;
    case ApiKey::kCreateTopics: f.template operator()<kafka::CreateTopicsRequest>(); return true;
    case ApiKey::kDeleteTopics: f.template operator()<kafka::DeleteTopicsRequest>(); return true;
    case ApiKey::kInitProducerId: f.template operator()<kafka::InitProducerIdRequest>(); return true;
    case ApiKey::kOffsetCommit: f.template operator()<kafka::OffsetCommitRequest>(); return true;
    case ApiKey::kOffsetFetch: f.template operator()<kafka::OffsetFetchRequest>(); return true;
    case ApiKey::kJoinGroup: f.template operator()<kafka::JoinGroupRequest>(); return true;
    case ApiKey::kHeartbeat: f.template operator()<kafka::HeartbeatRequest>(); return true;
    case ApiKey::kLeaveGroup: f.template operator()<kafka::LeaveGroupRequest>(); return true;
    case ApiKey::kSyncGroup: f.template operator()<kafka::SyncGroupRequest>(); return true;
    case ApiKey::kDescribeGroups: f.template operator()<kafka::DescribeGroupsRequest>(); return true;
    case ApiKey::kListGroups: f.template operator()<kafka::ListGroupsRequest>(); return true;
    case ApiKey::kDescribeConfigs:
      f.template operator()<kafka::DescribeConfigsRequest>();
      return true;
    default: return false;
  }
}

}  // namespace el::fuzz
