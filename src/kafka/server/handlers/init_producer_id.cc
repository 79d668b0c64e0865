// InitProducerId 0-1: gives an idempotent producer (transactional id null) a fresh producer id with
// epoch 0, unique across broker restarts (storage::ProducerIdAllocator). Transactions are not
// supported: a non-null transactional id is answered with TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
// which clients report as a fatal, non-retriable error instead of retrying forever.
#include "kafka/protocol/init_producer_id.h"
#include "kafka/server/errors.h"
#include "kafka/server/handlers/handler.h"

namespace el::kafka {
namespace {

constexpr int16_t kTransactionalIdAuthorizationFailed = 53;

boost::asio::awaitable<Result<Response>> Handle(BrokerContext& ctx, const Request& req) {
  int16_t v = req.header.api_version;
  auto parsed = DecodeMessage<InitProducerIdRequest>(req.body, v);
  if (!parsed.ok()) co_return parsed.status();
  InitProducerIdResponse resp;
  if (parsed->transactional_id) {
    spdlog::info("InitProducerId: transactional id '{}' refused (transactions are not supported)",
                 *parsed->transactional_id);
    resp.error_code = kTransactionalIdAuthorizationFailed;
    co_return Reply(resp, v);
  }
  // May fsync (once per block of ids): off the io threads.
  Result<int64_t> id = co_await RunBlocking(ctx, [&] { return ctx.logs.AllocateProducerId(); });
  if (!id.ok()) {
    resp.error_code = ToWire(ToErrorCode(id.status(), ApiKey::kInitProducerId));
    co_return Reply(resp, v);
  }
  resp.producer_id = *id;
  resp.producer_epoch = 0;
  spdlog::debug("InitProducerId: producer id {}", *id);
  co_return Reply(resp, v);
}

}  // namespace

HandlerSpec InitProducerIdHandler() { return {ApiKey::kInitProducerId, 0, 1, &Handle}; }

}  // namespace el::kafka
