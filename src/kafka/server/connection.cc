#include "kafka/server/connection.h"

#include <array>
#include <chrono>
#include <deque>
#include <optional>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "base/log.h"
#include "kafka/protocol/header.h"
#include "kafka/server/handlers/handler.h"
#include "kafka/server/broker_metrics.h"

namespace el::kafka {
namespace asio = boost::asio;
namespace {

constexpr size_t kKeepFrameCapacity = 1u << 20;
// Pipelined requests (Produce) a connection may have unanswered before it stops reading. librdkafka
// sends up to max.in.flight (5 for idempotent producers) per connection.
constexpr size_t kMaxInFlight = 16;

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

// The connection's state shared by its reader loop and the completions of pipelined requests.
// Every field is used only on the connection's strand (the socket's executor).
struct Conn {
  struct Slot {
    RequestHeader header;
    std::optional<Response> response;  // set when the pipelined handler answers
  };
  Conn(std::shared_ptr<asio::ip::tcp::socket> s, std::string p)
      : socket(std::move(s)), peer(std::move(p)), changed(socket->get_executor()) {}
  std::shared_ptr<asio::ip::tcp::socket> socket;
  std::string peer;
  std::deque<Slot> slots;  // pipelined requests not yet answered on the wire, oldest first
  uint64_t first_id = 0;   // request id of slots.front()
  bool writing = false;    // a WriteReady coroutine is running
  bool broken = false;     // a write failed: nothing more goes out
  asio::steady_timer changed;  // cancelled whenever a slot leaves or the connection breaks
};

void Changed(Conn& c) { c.changed.cancel(); }

// Waits until fewer than `n` pipelined requests are unanswered (n = 1: all answered) or writes failed.
asio::awaitable<void> WaitBelow(Conn& c, size_t n) {
  while (c.slots.size() >= n && !c.broken) {
    c.changed.expires_at(asio::steady_timer::time_point::max());
    co_await c.changed.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

// Writes the answered slots at the front, in request order. One runs at a time per connection.
asio::awaitable<void> WriteReady(std::shared_ptr<Conn> c) {
  c->writing = true;
  while (!c->broken && !c->slots.empty() && c->slots.front().response) {
    Conn::Slot& slot = c->slots.front();
    if (slot.response->send && !co_await WriteResponse(*c->socket, slot.header, slot.response->body)) {
      c->broken = true;
    }
    c->slots.pop_front();
    ++c->first_id;
    Changed(*c);
  }
  c->writing = false;
}

// The Respond given to a pipelined handler for request `id`: hops to the strand, stores the answer
// and starts a writer unless one is running (it will pick this answer up).
Respond MakeRespond(const std::shared_ptr<Conn>& conn, uint64_t id) {
  return [conn, id](Response r) {
    asio::post(conn->socket->get_executor(), [conn, id, r = std::move(r)]() mutable {
      if (id < conn->first_id || id - conn->first_id >= conn->slots.size()) return;  // broken and dropped
      conn->slots[id - conn->first_id].response = std::move(r);
      if (conn->writing || conn->broken) return;
      std::shared_ptr<Conn> keep = conn;
      asio::co_spawn(conn->socket->get_executor(), WriteReady(keep), asio::detached);
    });
  };
}

// Starts a pipelined request once fewer than kMaxInFlight are unanswered (back-pressure: the
// connection reads nothing meanwhile). Returns false when the connection must close.
asio::awaitable<bool> ServePipelined(BrokerContext& ctx, const std::shared_ptr<Conn>& conn, const HandlerSpec& spec,
                                     const Request& request) {
  co_await WaitBelow(*conn, kMaxInFlight);
  if (conn->broken) co_return false;
  uint64_t id = conn->first_id + conn->slots.size();
  conn->slots.push_back({request.header, std::nullopt});
  Respond respond = MakeRespond(conn, id);
  if (ctx.metrics != nullptr) {
    respond = [respond = std::move(respond), metrics = ctx.metrics, api = spec.api,
               started = std::chrono::steady_clock::now()](Response r) {
      metrics->RecordRequest(api, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
                             false);
      respond(std::move(r));
    };
  }
  Status st = co_await spec.pipelined(ctx, request, respond);
  if (!st.ok()) {
    if (ctx.metrics != nullptr) ctx.metrics->RecordRequest(spec.api, 0, true);
    spdlog::warn("closing connection from {}: malformed {} v{} request: {}", conn->peer, ApiName(spec.api),
                 request.header.api_version, st.ToString());
    co_return false;
  }
  co_return true;
}

// Handles one frame. Returns false when the connection must close.
asio::awaitable<bool> ServeFrame(BrokerContext& ctx, const std::shared_ptr<Conn>& conn,
                                 const std::vector<uint8_t>& frame) {
  const std::string& peer = conn->peer;
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
  Request request{h, decoded->body, peer.substr(0, peer.rfind(':'))};
  bool supported = h.api_version >= spec->min_version && h.api_version <= spec->max_version;
  if (supported && spec->pipelined != nullptr) co_return co_await ServePipelined(ctx, conn, *spec, request);
  co_await WaitBelow(*conn, 1);  // every earlier answer goes out first
  if (conn->broken) co_return false;
  if (!supported) {
    if (spec->api == ApiKey::kApiVersions && h.api_version > spec->max_version) {
      co_return co_await WriteResponse(*conn->socket, h, ApiVersionsUnsupportedReply());
    }
    spdlog::warn("closing connection from {}: {} v{} is not supported", peer, ApiName(spec->api),
                 h.api_version);
    co_return false;
  }
  auto started = std::chrono::steady_clock::now();
  Result<Response> resp = co_await spec->fn(ctx, request);
  if (ctx.metrics != nullptr) {
    ctx.metrics->RecordRequest(spec->api, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
                               !resp.ok());
  }
  if (!resp.ok()) {
    spdlog::warn("closing connection from {}: malformed {} v{} request: {}", peer, ApiName(spec->api),
                 h.api_version, resp.status().ToString());
    co_return false;
  }
  if (!resp->send) co_return true;
  co_return co_await WriteResponse(*conn->socket, h, resp->body);
}

asio::awaitable<void> Loop(BrokerContext& ctx, const std::shared_ptr<Conn>& conn, size_t max_request_bytes) {
  asio::ip::tcp::socket& socket = *conn->socket;
  std::array<uint8_t, 4> size_buf{};
  std::vector<uint8_t> frame;
  while (!ctx.stopping) {
    auto [ec, n] = co_await asio::async_read(socket, asio::buffer(size_buf), asio::as_tuple(asio::use_awaitable));
    if (ec) {  // EOF, reset or closed by shutdown: still answer what was pipelined
      co_await WaitBelow(*conn, 1);
      co_return;
    }
    int32_t size = DecodeFrameSize(size_buf);
    if (size < 8 || static_cast<uint64_t>(size) > max_request_bytes) {
      spdlog::warn("closing connection from {}: frame size {} outside [8, {}]", conn->peer, size, max_request_bytes);
      co_return;
    }
    frame.resize(static_cast<size_t>(size));
    auto [ec2, n2] = co_await asio::async_read(socket, asio::buffer(frame), asio::as_tuple(asio::use_awaitable));
    if (ec2) co_return;
    if (!co_await ServeFrame(ctx, conn, frame)) co_return;
    // Do not keep a large produce frame's buffer alive for an idle connection.
    if (frame.capacity() > kKeepFrameCapacity) std::vector<uint8_t>().swap(frame);
  }
}

}  // namespace

asio::awaitable<void> RunConnection(BrokerContext& ctx, std::shared_ptr<asio::ip::tcp::socket> socket,
                                    size_t max_request_bytes) {
  auto conn = std::make_shared<Conn>(socket, Peer(*socket));
  try {
    co_await Loop(ctx, conn, max_request_bytes);
  } catch (const std::exception& e) {
    spdlog::error("connection from {} failed: {}", conn->peer, e.what());
  }
  conn->broken = true;  // late answers of pipelined requests are dropped
  boost::system::error_code ignored;
  socket->shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket->close(ignored);
}

}  // namespace el::kafka
