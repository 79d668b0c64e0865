// DescribeGroups 0-4: state, protocol and members (client id, host, metadata and assignment bytes).
// An unknown group answers error NONE with state "Dead", as Kafka does.
#include "kafka/protocol/describe_groups.h"
#include "kafka/server/group/coordinator.h"
#include "kafka/server/handlers/handler.h"

namespace el::kafka {
namespace {

boost::asio::awaitable<Result<Response>> Handle(BrokerContext& ctx, const Request& req) {
  int16_t v = req.header.api_version;
  auto parsed = DecodeMessage<DescribeGroupsRequest>(req.body, v);
  if (!parsed.ok()) co_return parsed.status();
  DescribeGroupsResponse resp;
  for (const std::string& g : parsed->groups) {
    DescribedGroup d = ctx.groups->Describe(g);
    if (g.empty()) d.error_code = ToWire(ErrorCode::kInvalidGroupId);
    resp.groups.push_back(std::move(d));
  }
  co_return Reply(resp, v);
}

}  // namespace

HandlerSpec DescribeGroupsHandler() { return {ApiKey::kDescribeGroups, 0, 4, &Handle}; }

}  // namespace el::kafka
