// JoinGroup 0-5. The reply is deferred until the group's rebalance completes (every member rejoined,
// the join deadline passed, or the initial delay of a new group ran out); the connection's coroutine
// sleeps meanwhile, never its io thread. v4+ first joins get MEMBER_ID_REQUIRED with a new id.
#include "kafka/protocol/join_group.h"
#include "kafka/server/group/coordinator.h"
#include "kafka/server/handlers/handler.h"

namespace el::kafka {
namespace {

boost::asio::awaitable<Result<Response>> Handle(BrokerContext& ctx, const Request& req) {
  int16_t v = req.header.api_version;
  auto parsed = DecodeMessage<JoinGroupRequest>(req.body, v);
  if (!parsed.ok()) co_return parsed.status();
  JoinGroupRequest& jr = *parsed;
  group::JoinParams p;
  p.member_id = std::move(jr.member_id);
  p.group_instance_id = std::move(jr.group_instance_id);
  p.client_id = req.header.client_id.value_or("");
  p.client_host = "/" + req.peer_host;
  p.session_timeout_ms = jr.session_timeout_ms;
  // v0 has no rebalance timeout: the session timeout stands in for it.
  p.rebalance_timeout_ms = v >= 1 ? jr.rebalance_timeout_ms : jr.session_timeout_ms;
  p.protocol_type = std::move(jr.protocol_type);
  p.protocols = std::move(jr.protocols);
  p.version = v;
  JoinGroupResponse resp = co_await ctx.groups->Join(jr.group_id, p);
  co_return Reply(resp, v);
}

}  // namespace

HandlerSpec JoinGroupHandler() { return {ApiKey::kJoinGroup, 0, 5, &Handle}; }

}  // namespace el::kafka
