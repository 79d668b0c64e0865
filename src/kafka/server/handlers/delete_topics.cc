// DeleteTopics 0-3 (sent to the controller: this node). Removes the topic's partition logs; fetches
// still in flight keep reading the partition objects they already hold.
#include "kafka/protocol/topics_admin.h"
#include "kafka/server/errors.h"
#include "kafka/server/handlers/handler.h"

namespace el::kafka {
namespace {

boost::asio::awaitable<Result<Response>> HandleDelete(BrokerContext& ctx, const Request& req) {
  auto parsed = DecodeMessage<DeleteTopicsRequest>(req.body, req.header.api_version);
  if (!parsed.ok()) co_return parsed.status();
  DeleteTopicsResponse resp;
  for (const std::string& name : parsed->topic_names) {
    Status st = co_await RunBlocking(ctx, [&] { return ctx.logs.DeleteTopic(name); });
    if (st.ok()) spdlog::info("deleted topic {}", name);
    resp.responses.push_back({name, ToWire(ToErrorCode(st, ApiKey::kDeleteTopics))});
  }
  co_return Reply(resp, req.header.api_version);
}

}  // namespace

HandlerSpec DeleteTopicsHandler() { return {ApiKey::kDeleteTopics, 0, 3, &HandleDelete}; }

}  // namespace el::kafka
