#include <array>

#include "kafka/server/handlers/handler.h"

namespace el::kafka {

std::span<const HandlerSpec> AllHandlers() {
  static const std::array kHandlers = {
      ProduceHandler(),         FetchHandler(),          ListOffsetsHandler(),
      MetadataHandler(),        OffsetCommitHandler(),   OffsetFetchHandler(),
      FindCoordinatorHandler(), JoinGroupHandler(),      HeartbeatHandler(),
      LeaveGroupHandler(),      SyncGroupHandler(),      DescribeGroupsHandler(),
      ListGroupsHandler(),      ApiVersionsHandler(),    CreateTopicsHandler(),
      DeleteTopicsHandler(),    InitProducerIdHandler(), DescribeConfigsHandler(),
  };
  return kHandlers;
}

const HandlerSpec* FindHandler(int16_t api_key) {
  for (const HandlerSpec& h : AllHandlers()) {
    if (static_cast<int16_t>(h.api) == api_key) return &h;
  }
  return nullptr;
}

}  // namespace el::kafka
