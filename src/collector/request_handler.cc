// HttpSession's request handling: routing, authentication, CORS, enrichment, publishing.
// Runs on the session's strand (see http_session.h).
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <unordered_set>

#include "collector/auth.h"
#include "collector/http_names.h"
#include "collector/http_session.h"
#include "base/json_text.h"
#include "net/admin_server.h"
#include "collector/pending_batch.h"
#include "collector/content_encoding.h"
#include "collector/request_events.h"

namespace el::collector {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

// Failed deliveries come in bursts (a broker outage fails every request): log one line a second.
void WarnAtMostEverySecond(std::atomic<int64_t>& last_ms, std::string_view what,
                           const std::string& detail) {
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  int64_t last = last_ms.load(std::memory_order_relaxed);
  if (now - last < 1000 || !last_ms.compare_exchange_strong(last, now)) return;
  spdlog::warn("collector: {}: {}", what, detail);
}

std::atomic<int64_t> last_503_log{0};
std::atomic<int64_t> last_duplicate_log{0};

Method ToMethod(http::verb verb) {
  if (verb == http::verb::get) return Method::kGet;
  if (verb == http::verb::post) return Method::kPost;
  if (verb == http::verb::options) return Method::kOptions;
  return Method::kOther;
}

Response Unauthorized() {
  Response response = ErrorResponse(http::status::unauthorized, "missing or invalid write key");
  response.set(http::field::www_authenticate, "Basic realm=\"eventlake\"");
  return response;
}

}  // namespace

RequestContext HttpSession::MakeContext(const Request& request) const {
  RequestContext context;
  context.headers = EventHeaders(request, env_.header_allow, env_.all_headers);
  context.received_at = FormatReceivedAt(std::chrono::system_clock::now());
  context.client_ip = client_ip_;
  if (!env_.trusted_proxies.empty()) {
    std::string forwarded_for;
    for (const auto& field : request) {  // every X-Forwarded-For line, in order
      if (!boost::beast::iequals(field.name_string(), "X-Forwarded-For")) continue;
      if (!forwarded_for.empty()) forwarded_for.push_back(',');
      forwarded_for.append(field.value());
    }
    context.client_ip = ClientIpText(ClientAddress(peer_, forwarded_for, env_.trusted_proxies), env_.truncate_ip);
  }
  PrepareJson(context);
  return context;
}

bool HttpSession::Authorized(const Request& request) const {
  if (env_.write_keys.empty()) return true;
  auto it = request.find(http::field::authorization);
  if (it == request.end()) return false;
  return IsWriteKey(env_.write_keys, BasicAuthUser(it->value()));
}

Response HttpSession::Preflight(const Request& request, const Route& route) const {
  Response response{http::status::no_content, 11};
  std::string origin = env_.cors_origin.empty() ? "*" : env_.cors_origin;
  response.set(http::field::access_control_allow_origin, origin);
  response.set(http::field::access_control_allow_methods, route.allow);
  auto requested = request.find(http::field::access_control_request_headers);
  response.set(http::field::access_control_allow_headers,
               requested != request.end() ? std::string(requested->value())
                                          : std::string("Content-Type, Authorization"));
  response.set(http::field::access_control_max_age, "86400");
  response.set(http::field::allow, route.allow);
  return response;
}

Response HttpSession::Health() const {
  bool reachable = env_.broker_reachable == nullptr || env_.broker_reachable->load();
  bool stalled = env_.delivery_watch != nullptr && env_.delivery_watch->stalled();
  bool up = reachable && !stalled;
  int64_t depth = env_.producer != nullptr ? env_.producer->QueueDepth() : 0;
  // The other components of the process: "ok" or what is wrong with each.
  std::string components;
  up = net::AppendComponentsJson(env_.components, components) && up;
  std::string body = !reachable ? "{\"status\":\"unavailable\",\"broker\":\"unreachable\""
                     : stalled  ? "{\"status\":\"unavailable\",\"broker\":\"not acknowledging\""
                     : !up      ? "{\"status\":\"unavailable\",\"broker\":\"reachable\""
                                : "{\"status\":\"ok\",\"broker\":\"reachable\"";
  body += ",\"queue_depth\":" + std::to_string(depth);
  if (!env_.components.empty()) {
    body += std::string(",\"components\":{\"collector\":") +
            (!reachable ? "\"broker unreachable\"" : stalled ? "\"broker not acknowledging\"" : "\"ok\"");
    body += "," + components + "}";
  }
  body += "}";
  Response response = JsonResponse(up ? http::status::ok : http::status::service_unavailable,
                                   std::move(body));
  if (!up) response.set(http::field::retry_after, "1");
  return response;
}

asio::awaitable<Response> HttpSession::Handle(const Request& request) {
  std::string_view target(request.target().data(), request.target().size());
  Route route = MatchRoute(ToMethod(request.method()), target, env_.ignored_paths);
  route_label_ = route.label;
  switch (route.kind) {
    case RouteKind::kNotFound:
      co_return ErrorResponse(http::status::not_found,
                              std::string(route.ignored ? "ignored path, not an event: "
                                                        : "no such route: ") +
                                  std::string(target.substr(0, target.find('?'))));
    case RouteKind::kMethodNotAllowed: {
      Response response = ErrorResponse(http::status::method_not_allowed, "method not allowed");
      response.set(http::field::allow, route.allow);
      co_return response;
    }
    case RouteKind::kPreflight:
      co_return Preflight(request, route);
    case RouteKind::kHealth:
      co_return Health();
    case RouteKind::kMetrics: {
      if (env_.metrics == nullptr) co_return TextResponse(http::status::ok, "");
      bool up = env_.broker_reachable == nullptr || env_.broker_reachable->load();
      std::string text = env_.metrics->Render(env_.producer != nullptr ? env_.producer->QueueDepth() : 0, up,
                                              env_.delivery_watch == nullptr || !env_.delivery_watch->stalled());
      for (const ComponentStatus* c : env_.components) text += c->Metrics();
      Response response = TextResponse(http::status::ok, std::move(text));
      response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      co_return response;
    }
    case RouteKind::kEvents:
    case RouteKind::kSegment:
      co_return co_await HandleEvents(request, route);
    default:
      co_return co_await HandleGetEvent(request, route);
  }
}

asio::awaitable<Response> HttpSession::HandleEvents(const Request& request, const Route& route) {
  bool authorized = Authorized(request);
  if (!authorized && route.kind != RouteKind::kSegment) co_return Unauthorized();
  std::string_view body = request.body();
  std::string inflated;
  switch (ParseContentEncoding(request[http::field::content_encoding])) {
    case BodyEncoding::kIdentity:
      break;
    case BodyEncoding::kGzip: {
      auto gunzipped = Gunzip(body, env_.max_body_bytes);
      if (!gunzipped.ok()) co_return ErrorResponse(gunzipped.status());
      inflated = std::move(gunzipped).value();
      body = inflated;
      break;
    }
    case BodyEncoding::kUnsupported:
      co_return ErrorResponse(http::status::unsupported_media_type,
                              "unsupported Content-Encoding (gzip and identity are)");
  }
  auto built = BuildRequestEvents(route, body, MakeContext(request), env_.limits);
  // analytics.js sends the write key in the body instead of a header.
  if (!authorized && !(built.ok() && IsWriteKey(env_.write_keys, built->write_key))) {
    co_return Unauthorized();
  }
  if (!built.ok()) co_return ErrorResponse(built.status());
  EventBatch events = std::move(built).value();
  size_t count = events.events.size();
  Status status = co_await Publish(std::move(events));
  if (!status.ok()) co_return ErrorResponse(status);
  if (route.kind == RouteKind::kSegment) {
    co_return JsonResponse(http::status::ok, "{\"success\":true}");
  }
  co_return JsonResponse(http::status::ok, "{\"accepted\":" + std::to_string(count) + "}");
}

asio::awaitable<Response> HttpSession::HandleGetEvent(const Request& request, const Route& route) {
  if (!Authorized(request)) co_return Unauthorized();
  std::string event_id = NewEventId();
  EventBatch events = BuildGetEvent(route, MakeContext(request), event_id);
  Status status = co_await Publish(std::move(events));
  if (!status.ok()) co_return ErrorResponse(status);
  if (route.kind == RouteKind::kDefault || route.kind == RouteKind::kPurchaseSword) {
    // Serve() writes it (pre-serialized when it can).
    fixed_body_ = route.kind == RouteKind::kDefault ? kDefaultBody : kSwordBody;
    co_return Response{};
  }
  std::string body = "{\"status\":\"ok\",\"event_type\":";
  AppendJsonString(body, route.action);  // kAction: the event type
  body.append(",\"event_id\":\"").append(event_id).append("\"}");
  co_return JsonResponse(http::status::ok, std::move(body));
}

asio::awaitable<Status> HttpSession::Publish(EventBatch batch) {
  if (env_.producer == nullptr || env_.router == nullptr) {
    co_return Unavailable("collector has no producer");
  }
  // While the broker acknowledges nothing, more events would only wait out the delivery timeout.
  if (env_.delivery_watch != nullptr && env_.delivery_watch->stalled()) {
    WarnAtMostEverySecond(last_503_log, "answering 503", env_.delivery_watch->StalledError().ToString());
    co_return env_.delivery_watch->StalledError();
  }
  std::vector<BuiltEvent>& events = batch.events;
  // De-duplication only concerns events with a messageId; without any, the window is not touched.
  bool any_id = false;
  for (const BuiltEvent& e : events) any_id = any_id || !e.message_id.empty();
  MessageIdWindow* dedup = any_id ? env_.dedup : nullptr;
  std::vector<bool> skip;
  if (dedup != nullptr) {
    std::vector<const std::string*> ids;
    ids.reserve(events.size());
    for (const BuiltEvent& e : events) ids.push_back(&e.message_id);
    skip = dedup->Seen(ids, MessageIdWindow::Clock::now());
  }
  std::unordered_set<std::string_view> in_request;
  std::vector<Outgoing> outgoing;
  outgoing.reserve(events.size());
  std::vector<const std::string*> produced_ids;
  for (size_t i = 0; i < events.size(); ++i) {
    BuiltEvent& e = events[i];
    if (any_id) {
      bool duplicate = dedup != nullptr && skip[i];
      if (!e.message_id.empty() && !duplicate && !in_request.insert(e.message_id).second) {
        duplicate = true;
      }
      if (duplicate) continue;
      produced_ids.push_back(&e.message_id);
    }
    auto topic = env_.router->For(e.event_type);
    if (!topic.ok()) co_return topic.status();
    outgoing.push_back(Outgoing{e.json, e.key, *topic});
  }
  size_t duplicates = events.size() - outgoing.size();
  if (duplicates > 0) {
    WarnAtMostEverySecond(last_duplicate_log, "duplicate messageIds accepted, not produced again",
                          std::to_string(duplicates) + " in one request");
  }
  if (!outgoing.empty()) {
    size_t n = outgoing.size();
    auto pending = std::make_shared<PendingBatch>(stream_.get_executor(), batch.text);
    pending->Start(*env_.producer, outgoing);
    Status status = co_await pending->Wait(env_.delivery_deadline, env_.delivery_watch);
    if (!status.ok()) {
      WarnAtMostEverySecond(last_503_log, "answering 503", status.ToString());
      co_return status;
    }
    if (dedup != nullptr) dedup->Remember(produced_ids, MessageIdWindow::Clock::now());
    if (env_.metrics != nullptr) env_.metrics->AddEvents(n, duplicates);
  } else if (env_.metrics != nullptr) {
    env_.metrics->AddEvents(0, duplicates);
  }
  co_return Status::Ok();
}

}  // namespace el::collector
