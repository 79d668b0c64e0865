// LeaveGroup 0-3: the member is removed and the group rebalances at once. v3 names a batch of
// members and answers an error per member (the top-level error stays NONE).
#include "kafka/protocol/leave_group.h"
#include "kafka/server/group/coordinator.h"
#include "kafka/server/handlers/handler.h"

namespace el::kafka {
namespace {

boost::asio::awaitable<Result<Response>> Handle(BrokerContext& ctx, const Request& req) {
  int16_t v = req.header.api_version;
  auto parsed = DecodeMessage<LeaveGroupRequest>(req.body, v);
  if (!parsed.ok()) co_return parsed.status();
  LeaveGroupResponse resp;
  if (v <= 2) {
    resp.error_code = ToWire(ctx.groups->Leave(parsed->group_id, parsed->member_id));
  } else {
    for (LeaveGroupMember m : parsed->members) {
      m.error_code = ToWire(ctx.groups->Leave(parsed->group_id, m.member_id));
      resp.members.push_back(std::move(m));
    }
  }
  co_return Reply(resp, v);
}

}  // namespace

HandlerSpec LeaveGroupHandler() { return {ApiKey::kLeaveGroup, 0, 3, &Handle}; }

}  // namespace el::kafka
