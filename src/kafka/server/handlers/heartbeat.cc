// Heartbeat 0-3: NONE while Stable or CompletingRebalance, REBALANCE_IN_PROGRESS while preparing a
// rebalance (the only way members learn of one), UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION otherwise.
#include "kafka/protocol/heartbeat.h"
#include "kafka/server/group/coordinator.h"
#include "kafka/server/handlers/handler.h"

namespace el::kafka {
namespace {

boost::asio::awaitable<Result<Response>> Handle(BrokerContext& ctx, const Request& req) {
  int16_t v = req.header.api_version;
  auto parsed = DecodeMessage<HeartbeatRequest>(req.body, v);
  if (!parsed.ok()) co_return parsed.status();
  HeartbeatResponse resp;
  resp.error_code = ToWire(ctx.groups->Heartbeat(parsed->group_id, parsed->generation_id, parsed->member_id));
  co_return Reply(resp, v);
}

}  // namespace

HandlerSpec HeartbeatHandler() { return {ApiKey::kHeartbeat, 0, 3, &Handle}; }

}  // namespace el::kafka
