#pragma once
// Maps a request header's api key to the request message type that decodes its body, for the fuzz
// targets and the golden tests. Pure compile-time dispatch; no state.
#include <cstdint>

#include "kafka/protocol/api.h"
#include "kafka/protocol/api_versions.h"
#include "kafka/protocol/fetch.h"
#include "kafka/protocol/find_coordinator.h"
#include "kafka/protocol/init_producer_id.h"
#include "kafka/protocol/list_offsets.h"
#include "kafka/protocol/metadata.h"
#include "kafka/protocol/produce.h"
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
    default: return false;
  }
}

}  // namespace el::fuzz
