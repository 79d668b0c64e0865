#include "collector/http_session.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <sstream>

#include "collector/auth.h"
#include "collector/request_events.h"

namespace el::collector {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::as_tuple;
using asio::use_awaitable;

namespace {

constexpr size_t kLingerBytes = 4 * 1024 * 1024;

// True when the client sent something that is not acceptable HTTP (as opposed to closing, timing
// out or being cancelled).
bool IsBadRequest(const beast::error_code& ec) {
  return ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

// The answer to a request that could not be read as HTTP.
Response ReadErrorResponse(const beast::error_code& ec, size_t max_body_bytes) {
  if (ec == http::error::body_limit) {
    return ErrorResponse(http::status::payload_too_large,
                         "body larger than " + std::to_string(max_body_bytes) + " bytes");
  }
  if (ec == http::error::header_limit) {
    return ErrorResponse(http::status::request_header_fields_too_large,
                         "request headers too large");
  }
  return ErrorResponse(http::status::bad_request, "bad HTTP request: " + ec.message());
}

}  // namespace

bool SessionRegistry::Add(const std::shared_ptr<HttpSession>& session) {
  std::lock_guard lock(mu_);
  if (stopping_) return false;
  sessions_.emplace(session.get(), session);
  return true;
}

void SessionRegistry::Remove(HttpSession* session) {
  std::lock_guard lock(mu_);
  sessions_.erase(session);
  if (sessions_.empty()) empty_.notify_all();
}

void SessionRegistry::StopAll() {
  std::vector<std::shared_ptr<HttpSession>> live;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& [ptr, weak] : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) session->RequestStop();
}

bool SessionRegistry::WaitEmpty(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return empty_.wait_for(lock, timeout, [this] { return sessions_.empty(); });
}

HttpSession::HttpSession(asio::ip::tcp::socket socket, const SessionEnv& env)
    : stream_(std::move(socket)), env_(env) {
  beast::error_code ec;
  auto remote = stream_.socket().remote_endpoint(ec);
  if (ec) return;
  peer_ = remote.address();
  client_ip_ = ClientIpText(peer_, env_.truncate_ip);
}

void HttpSession::RequestStop() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->stop_ = true;
    if (self->reading_) self->stream_.cancel();
  });
}

asio::awaitable<void> HttpSession::Run(std::shared_ptr<HttpSession> self) {
  try {
    co_await self->Serve();
  } catch (const std::exception& e) {
    spdlog::warn("collector: session ended by error: {}", e.what());
  }
  beast::error_code ignored;
  self->stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  self->stream_.socket().close(ignored);
  self->env_.registry->Remove(self.get());
}

asio::awaitable<void> HttpSession::Serve() {
  while (!stop_) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(env_.max_body_bytes);
    stream_.expires_after(env_.read_timeout);
    reading_ = true;
    beast::error_code ec = co_await ReadRequest(parser);
    reading_ = false;
    auto start = std::chrono::steady_clock::now();
    if (IsBadRequest(ec)) {
      Response response = ReadErrorResponse(ec, env_.max_body_bytes);
      Record("other", response.result_int(), start, 0);
      co_await Write(std::move(response), false);
      co_await LingeringClose();
      co_return;
    }
    if (ec) co_return;  // closed, timed out or cancelled
    http::request<http::string_body> request = parser.release();
    route_label_ = "other";
    fixed_body_ = {};
    Response response = co_await Handle(request);
    bool cors = !env_.cors_origin.empty() && request.count(http::field::origin) != 0;
    bool keep_alive = request.keep_alive() && !stop_;
    if (!fixed_body_.empty()) {
      if (keep_alive && !cors) {  // the common case: bytes serialized once per process
        Record(route_label_, 200, start, request.body().size());
        if (!co_await WriteFixed()) co_return;
        continue;
      }
      response = TextResponse(http::status::ok, fixed_body_);
    }
    if (cors) response.set(http::field::access_control_allow_origin, env_.cors_origin);
    // Counted before the answer goes out, so a client that reads /metrics next sees it.
    Record(route_label_, response.result_int(), start, request.body().size());
    if (!co_await Write(std::move(response), keep_alive) || !keep_alive) co_return;
  }
}

asio::awaitable<beast::error_code> HttpSession::ReadRequest(
    http::request_parser<http::string_body>& parser) {
  auto [ec, bytes] =
      co_await http::async_read_header(stream_, buffer_, parser, as_tuple(use_awaitable));
  if (ec || parser.is_done()) co_return ec;
  stream_.expires_after(env_.body_timeout);
  if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
    // curl and others wait for this before sending a body (RFC 9110 section 10.1.1).
    http::response<http::empty_body> go_on{http::status::continue_, 11};
    auto [wec, wbytes] = co_await http::async_write(stream_, go_on, as_tuple(use_awaitable));
    if (wec) co_return wec;
  }
  auto [bec, bbytes] = co_await http::async_read(stream_, buffer_, parser, as_tuple(use_awaitable));
  co_return bec;
}

asio::awaitable<void> HttpSession::LingeringClose() {
  // After an error answer the client may still be sending its request: read and drop that for a
  // moment, so that it reads the answer instead of a connection reset.
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(std::chrono::seconds(2));
  char sink[16384];
  size_t drained = 0;
  while (drained < kLingerBytes) {
    auto [ec, n] = co_await stream_.async_read_some(asio::buffer(sink), as_tuple(use_awaitable));
    if (ec) break;
    drained += n;
  }
}

asio::awaitable<bool> HttpSession::Write(Response response, bool keep_alive) {
  response.keep_alive(keep_alive);
  response.prepare_payload();
  stream_.expires_after(env_.read_timeout);
  auto [ec, bytes] = co_await http::async_write(stream_, response, as_tuple(use_awaitable));
  co_return !ec;
}

asio::awaitable<bool> HttpSession::WriteFixed() {
  // Serialized exactly as Write() would (HTTP/1.1 keep-alive needs no Connection header).
  static const auto serialize = [](std::string_view body) {
    Response response = TextResponse(http::status::ok, body);
    response.prepare_payload();
    std::ostringstream out;
    out << response;
    return out.str();
  };
  static const std::string kSword = serialize(kSwordBody);
  static const std::string kDefault = serialize(kDefaultBody);
  const std::string& bytes = fixed_body_ == kSwordBody ? kSword : kDefault;  // the only two
  stream_.expires_after(env_.read_timeout);
  auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(bytes), as_tuple(use_awaitable));
  co_return !ec;
}

void HttpSession::Record(std::string_view label, int status,
                         std::chrono::steady_clock::time_point start, size_t body_bytes) {
  if (env_.metrics == nullptr) return;
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  env_.metrics->RecordRequest(label, status, elapsed.count(), body_bytes);
}

}  // namespace el::collector
