// ApiVersions 0-3. v3 is flexible (librdkafka sends it first on every connection); the response
// header is always v0. The advertised set is the handler registry, so it never lists an API that is
// not served.
#include "kafka/protocol/api_versions.h"
#include "kafka/server/handlers/handler.h"

namespace el::kafka {
namespace {

constexpr int16_t kMin = 0;
constexpr int16_t kMax = 3;

std::vector<ApiVersionRange> Advertised() {
  std::vector<ApiVersionRange> out;
  for (const HandlerSpec& h : AllHandlers()) {
    out.push_back({static_cast<int16_t>(h.api), h.min_version, h.max_version});
  }
  return out;
}

boost::asio::awaitable<Result<Response>> Handle(BrokerContext& ctx, const Request& req) {
  auto parsed = DecodeMessage<ApiVersionsRequest>(req.body, req.header.api_version);
  if (!parsed.ok()) co_return parsed.status();
  ApiVersionsResponse resp;
  resp.api_keys = Advertised();
  co_return Reply(resp, req.header.api_version);
}

}  // namespace

HandlerSpec ApiVersionsHandler() { return {ApiKey::kApiVersions, kMin, kMax, &Handle}; }

std::vector<uint8_t> ApiVersionsUnsupportedReply() {
  ApiVersionsResponse resp;
  resp.error_code = ToWire(ErrorCode::kUnsupportedVersion);
  resp.api_keys = {{static_cast<int16_t>(ApiKey::kApiVersions), kMin, kMax}};
  return EncodeMessage(resp, 0);
}

}  // namespace el::kafka
