// SyncGroup 0-3. Event-driven: followers park until the leader's SyncGroup carries the assignments,
// then every parked member is answered with its own (never with a timer-made empty answer).
#include "kafka/protocol/sync_group.h"
#include "kafka/server/group/coordinator.h"
#include "kafka/server/handlers/handler.h"

namespace el::kafka {
namespace {

boost::asio::awaitable<Result<Response>> Handle(BrokerContext& ctx, const Request& req) {
  int16_t v = req.header.api_version;
  auto parsed = DecodeMessage<SyncGroupRequest>(req.body, v);
  if (!parsed.ok()) co_return parsed.status();
  SyncGroupRequest& sr = *parsed;
  SyncGroupResponse resp =
      co_await ctx.groups->Sync(sr.group_id, sr.generation_id, sr.member_id, sr.assignments);
  co_return Reply(resp, v);
}

}  // namespace

HandlerSpec SyncGroupHandler() { return {ApiKey::kSyncGroup, 0, 3, &Handle}; }

}  // namespace el::kafka
