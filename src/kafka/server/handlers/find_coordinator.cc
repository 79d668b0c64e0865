// FindCoordinator 0-2: a single node coordinates every group and transaction, so the answer is always
// this broker. Advertised from v0 because librdkafka enables its group coordinator code and LZ4 only
// when FindCoordinator v0 is in range.
#include "kafka/protocol/find_coordinator.h"
#include "kafka/server/handlers/handler.h"

namespace el::kafka {
namespace {

boost::asio::awaitable<Result<Response>> Handle(BrokerContext& ctx, const Request& req) {
  auto parsed = DecodeMessage<FindCoordinatorRequest>(req.body, req.header.api_version);
  if (!parsed.ok()) co_return parsed.status();
  FindCoordinatorResponse resp;
  resp.node_id = kNodeId;
  resp.host = ctx.advertised_host;
  resp.port = ctx.advertised_port;
  co_return Reply(resp, req.header.api_version);
}

}  // namespace

HandlerSpec FindCoordinatorHandler() { return {ApiKey::kFindCoordinator, 0, 2, &Handle}; }

}  // namespace el::kafka
