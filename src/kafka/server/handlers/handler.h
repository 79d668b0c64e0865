#pragma once
// Request handlers: one file per Kafka API, each declaring its supported version range in a
// HandlerSpec. The registry (registry.cc) lists them; the connection dispatches through it and
// ApiVersions advertises exactly these ranges.
//
// A handler runs on its connection's strand. A plain handler (`fn`) runs alone: the connection first
// writes every earlier response, then awaits it and writes its answer. It returns the encoded
// response body (without the response header). An error Status means the request was malformed:
// the connection is closed.
// A pipelined handler (`pipelined`, Produce) lets the connection keep reading: it does the part that
// must follow request order (the appends) before its awaitable completes, and calls `respond` then
// or later (once the appends are durable); the connection writes the answers in request order.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "base/log.h"
#include "base/result.h"
#include "kafka/protocol/header.h"
#include "kafka/server/context.h"

namespace el::kafka {

struct Request {
  RequestHeader header;
  BytesView body;  // view into the connection's frame buffer, valid until the handler returns
  std::string peer_host;  // client address (DescribeGroups shows it)
};

struct Response {
  bool send = true;  // false: Produce with acks=0, no answer at all
  std::vector<uint8_t> body;
};

// `req` is taken by reference (it lives in the caller's frame until the handler completes) rather than
// by value: GCC 12 destroys a by-value coroutine argument built from a temporary twice.
using HandlerFn = boost::asio::awaitable<Result<Response>> (*)(BrokerContext& ctx, const Request& req);
// Called exactly once, from any thread, with the request's response (send = false: no answer).
using Respond = std::function<void(Response)>;
// Returns an error Status (malformed request: the connection closes) without calling `respond`, or
// Ok once its order-sensitive part is done; `respond` may be called before or after it returns.
// `req.body` must not be used after the awaitable completes.
using PipelinedFn = boost::asio::awaitable<Status> (*)(BrokerContext& ctx, const Request& req,
                                                        const Respond& respond);

struct HandlerSpec {
  ApiKey api;
  int16_t min_version;
  int16_t max_version;
  HandlerFn fn;                     // exactly one of fn and pipelined is set
  PipelinedFn pipelined = nullptr;
};

// Every handler, in api key order. Static storage.
std::span<const HandlerSpec> AllHandlers();
// nullptr when the api key is not served.
const HandlerSpec* FindHandler(int16_t api_key);

// Per-API specs, defined in handlers/<api>.cc.
HandlerSpec ProduceHandler();
HandlerSpec FetchHandler();
HandlerSpec ListOffsetsHandler();
HandlerSpec MetadataHandler();
HandlerSpec FindCoordinatorHandler();
HandlerSpec ApiVersionsHandler();
HandlerSpec CreateTopicsHandler();
HandlerSpec DeleteTopicsHandler();
HandlerSpec InitProducerIdHandler();
HandlerSpec OffsetCommitHandler();
HandlerSpec OffsetFetchHandler();
HandlerSpec JoinGroupHandler();
HandlerSpec HeartbeatHandler();
HandlerSpec LeaveGroupHandler();
HandlerSpec SyncGroupHandler();
HandlerSpec DescribeGroupsHandler();
HandlerSpec ListGroupsHandler();
HandlerSpec DescribeConfigsHandler();

// The reply to an ApiVersions request above our max version: error UNSUPPORTED_VERSION with our
// ApiVersions range, in the v0 layout (which every client version can parse).
std::vector<uint8_t> ApiVersionsUnsupportedReply();

// Helper: a handler's successful response with an encoded message.
template <typename M>
Result<Response> Reply(const M& m, int16_t version);

}  // namespace el::kafka

#include "kafka/protocol/codec.h"

namespace el::kafka {
template <typename M>
Result<Response> Reply(const M& m, int16_t version) {
  Response r;
  r.body = EncodeMessage(m, version);
  return r;
}
}  // namespace el::kafka
