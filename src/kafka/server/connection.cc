#include "kafka/server/connection.h"

#include <array>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "base/log.h"
#include "kafka/protocol/header.h"
#include "kafka/server/handlers/handler.h"

namespace el::kafka {
namespace asio = boost::asio;
namespace {

constexpr size_t kKeepFrameCapacity = 1u << 20;

std::string Peer(const asio::ip::tcp::socket& s) {
  boost::system::error_code ec;
  auto ep = s.remote_endpoint(ec);
  return ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
}

// Writes size + response header (v0, or v1 with an empty tag section) + body.
asio::awaitable<bool> WriteResponse(asio::ip::tcp::socket& socket, const RequestHeader& h,
                                    const std::vector<uint8_t>& body) {
  Writer head(false);
  EncodeResponseFrameHead(head, h, body.size());
  std::array<asio::const_buffer, 2> bufs = {asio::buffer(head.buffer()), asio::buffer(body)};
  auto [ec, n] = co_await asio::async_write(socket, bufs, asio::as_tuple(asio::use_awaitable));
  co_return !ec;
}

// Handles one frame. Returns false when the connection must close.
asio::awaitable<bool> ServeFrame(BrokerContext& ctx, asio::ip::tcp::socket& socket,
                                 const std::vector<uint8_t>& frame, const std::string& peer) {
  auto decoded = DecodeRequestHeader(frame);
  if (!decoded.ok()) {
    spdlog::warn("closing connection from {}: bad request header: {}", peer, decoded.status().ToString());
    co_return false;
  }
  const RequestHeader& h = decoded->header;
  const HandlerSpec* spec = FindHandler(h.api_key);
  if (spec == nullptr) {
    spdlog::warn("closing connection from {}: unsupported api key {}", peer, h.api_key);
    co_return false;
  }
  if (h.api_version < spec->min_version || h.api_version > spec->max_version) {
    if (spec->api == ApiKey::kApiVersions && h.api_version > spec->max_version) {
      co_return co_await WriteResponse(socket, h, ApiVersionsUnsupportedReply());
    }
    spdlog::warn("closing connection from {}: {} v{} is not supported", peer, ApiName(spec->api),
                 h.api_version);
    co_return false;
  }
  Request request{h, decoded->body, peer.substr(0, peer.rfind(':'))};
  Result<Response> resp = co_await spec->fn(ctx, request);
  if (!resp.ok()) {
    spdlog::warn("closing connection from {}: malformed {} v{} request: {}", peer, ApiName(spec->api),
                 h.api_version, resp.status().ToString());
    co_return false;
  }
  if (!resp->send) co_return true;
  co_return co_await WriteResponse(socket, h, resp->body);
}

asio::awaitable<void> Loop(BrokerContext& ctx, asio::ip::tcp::socket& socket, size_t max_request_bytes,
                           const std::string& peer) {
  std::array<uint8_t, 4> size_buf{};
  std::vector<uint8_t> frame;
  while (!ctx.stopping) {
    auto [ec, n] = co_await asio::async_read(socket, asio::buffer(size_buf), asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;  // EOF, reset or closed by shutdown
    int32_t size = DecodeFrameSize(size_buf);
    if (size < 8 || static_cast<uint64_t>(size) > max_request_bytes) {
      spdlog::warn("closing connection from {}: frame size {} outside [8, {}]", peer, size, max_request_bytes);
      co_return;
    }
    frame.resize(static_cast<size_t>(size));
    auto [ec2, n2] = co_await asio::async_read(socket, asio::buffer(frame), asio::as_tuple(asio::use_awaitable));
    if (ec2) co_return;
    if (!co_await ServeFrame(ctx, socket, frame, peer)) co_return;
    // Do not keep a large produce frame's buffer alive for an idle connection.
    if (frame.capacity() > kKeepFrameCapacity) std::vector<uint8_t>().swap(frame);
  }
}

}  // namespace

asio::awaitable<void> RunConnection(BrokerContext& ctx, std::shared_ptr<asio::ip::tcp::socket> socket,
                                    size_t max_request_bytes) {
  std::string peer = Peer(*socket);
  try {
    co_await Loop(ctx, *socket, max_request_bytes, peer);
  } catch (const std::exception& e) {
    spdlog::error("connection from {} failed: {}", peer, e.what());
  }
  boost::system::error_code ignored;
  socket->shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket->close(ignored);
}

}  // namespace el::kafka
