#include "collector/http_session.h"

#include <atomic>

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "collector/body.h"
#include "collector/event.h"
#include "collector/http_names.h"
#include "collector/json_text.h"
#include "collector/pending_batch.h"
#include "collector/route.h"

namespace el::collector {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::as_tuple;
using asio::use_awaitable;

namespace {

constexpr size_t kHeaderLimit = 16 * 1024;
constexpr size_t kLingerBytes = 4 * 1024 * 1024;

RequestContext MakeContext(const http::request<http::string_body>& request) {
  RequestContext context;
  context.headers.reserve(16);
  for (const auto& field : request) {
    std::string name = CanonicalHeaderName(field.name_string());
    bool merged = false;
    for (Header& header : context.headers) {
      if (header.name == name) {
        header.value.append(", ").append(field.value());
        merged = true;
        break;
      }
    }
    if (!merged) context.headers.push_back(Header{std::move(name), std::string(field.value())});
  }
  context.received_at = FormatReceivedAt(std::chrono::system_clock::now());
  return context;
}

Method ToMethod(http::verb verb) {
  if (verb == http::verb::get) return Method::kGet;
  if (verb == http::verb::post) return Method::kPost;
  return Method::kOther;
}

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

// Failed deliveries come in bursts (a broker outage fails every request): log one line a second.
void WarnAtMostEverySecond(const Status& status) {
  static std::atomic<int64_t> last_ms{0};
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  int64_t last = last_ms.load(std::memory_order_relaxed);
  if (now - last < 1000 || !last_ms.compare_exchange_strong(last, now)) return;
  spdlog::warn("collector: answering 503: {}", status.ToString());
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
    : stream_(std::move(socket)), env_(env) {}

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
    parser.header_limit(kHeaderLimit);
    parser.body_limit(env_.max_body_bytes);
    stream_.expires_after(env_.read_timeout);
    reading_ = true;
    beast::error_code ec = co_await ReadRequest(parser);
    reading_ = false;
    if (IsBadRequest(ec)) {
      co_await Write(ReadErrorResponse(ec, env_.max_body_bytes), false);
      co_await LingeringClose();
      co_return;
    }
    if (ec) co_return;  // closed, timed out or cancelled
    http::request<http::string_body> request = parser.release();
    Response response = co_await Handle(request);
    bool keep_alive = request.keep_alive() && !stop_;
    if (!co_await Write(std::move(response), keep_alive) || !keep_alive) co_return;
  }
}

asio::awaitable<beast::error_code> HttpSession::ReadRequest(
    http::request_parser<http::string_body>& parser) {
  auto [ec, bytes] =
      co_await http::async_read_header(stream_, buffer_, parser, as_tuple(use_awaitable));
  if (ec || parser.is_done()) co_return ec;
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

asio::awaitable<Status> HttpSession::Publish(std::vector<std::string> events) {
  auto batch = std::make_shared<PendingBatch>(stream_.get_executor(), std::move(events));
  batch->Start(*env_.producer, env_.topic);
  Status status = co_await batch->Wait(env_.delivery_deadline);
  if (!status.ok()) WarnAtMostEverySecond(status);
  co_return status;
}

asio::awaitable<Response> HttpSession::Handle(const Request& request) {
  std::string_view target(request.target().data(), request.target().size());
  Route route = MatchRoute(ToMethod(request.method()), target);
  switch (route.kind) {
    case RouteKind::kNotFound:
      co_return ErrorResponse(http::status::not_found,
                              "no such route: " + std::string(target.substr(0, target.find('?'))));
    case RouteKind::kMethodNotAllowed: {
      Response response = ErrorResponse(http::status::method_not_allowed, "method not allowed");
      response.set(http::field::allow, route.allow);
      co_return response;
    }
    case RouteKind::kEvents: {
      auto events = BuildBodyEvents(request.body(), MakeContext(request));
      if (!events.ok()) co_return ErrorResponse(events.status());
      size_t count = events->size();
      Status status = co_await Publish(std::move(events).value());
      if (!status.ok()) co_return ErrorResponse(status);
      co_return JsonResponse(http::status::ok, "{\"accepted\":" + std::to_string(count) + "}");
    }
    default:
      break;
  }
  std::string_view event_type = route.kind == RouteKind::kDefault         ? "default"
                                : route.kind == RouteKind::kPurchaseSword ? "purchase_sword"
                                                                          : route.action;
  EventBuilder builder;
  builder.SetString("event_type", event_type);
  for (auto& [key, value] : ParseQuery(route.query)) {
    if (key != "event_type") builder.SetString(key, value);
  }
  std::string event_id = NewEventId();
  std::vector<std::string> events;
  events.push_back(builder.Finish(MakeContext(request), event_id));
  Status status = co_await Publish(std::move(events));
  if (!status.ok()) co_return ErrorResponse(status);
  if (route.kind == RouteKind::kDefault) {
    co_return TextResponse(http::status::ok, "This is the default response!\n");
  }
  if (route.kind == RouteKind::kPurchaseSword) {
    co_return TextResponse(http::status::ok, "Sword Purchased!\n");
  }
  std::string body = "{\"status\":\"ok\",\"event_type\":";
  AppendJsonString(body, event_type);
  body.append(",\"event_id\":\"").append(event_id).append("\"}");
  co_return JsonResponse(http::status::ok, std::move(body));
}

}  // namespace el::collector
