// ListGroups 0-2: every group with members or committed offsets, with its protocol type.
#include "kafka/protocol/list_groups.h"
#include "kafka/server/group/coordinator.h"
#include "kafka/server/handlers/handler.h"

namespace el::kafka {
namespace {

boost::asio::awaitable<Result<Response>> Handle(BrokerContext& ctx, const Request& req) {
  int16_t v = req.header.api_version;
  auto parsed = DecodeMessage<ListGroupsRequest>(req.body, v);
  if (!parsed.ok()) co_return parsed.status();
  ListGroupsResponse resp;
  resp.groups = ctx.groups->List();
  co_return Reply(resp, v);
}

}  // namespace

HandlerSpec ListGroupsHandler() { return {ApiKey::kListGroups, 0, 2, &Handle}; }

}  // namespace el::kafka
