// HttpEntry: the collector's request path without the network. The input is a byte stream as a
// connection delivers it: requests are parsed one after another with the session's parser limits,
// routed, their Content-Encoding undone, and the event routes' bodies built into events exactly as
// HttpSession does (collector/request_events.h). Every event built must be one JSON object with
// one event_id (the client's messageId when it sent one) and the event_type it is routed by.
#include <simdjson.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <string>
#include <string_view>

#include "collector/auth.h"
#include "collector/content_encoding.h"
#include "collector/request_events.h"
#include "collector/response.h"
#include "collector/route.h"
#include "fuzz/entries.h"

namespace el::fuzz {
namespace {

namespace http = boost::beast::http;
using collector::RouteKind;

constexpr size_t kMaxRequestsPerInput = 16;
constexpr size_t kMaxBodyBytes = 500 * 1024;  // CollectorOptions::max_body_bytes' default

collector::Method ToMethod(http::verb verb) {
  if (verb == http::verb::get) return collector::Method::kGet;
  if (verb == http::verb::post) return collector::Method::kPost;
  if (verb == http::verb::options) return collector::Method::kOptions;
  return collector::Method::kOther;
}

Status CheckEvents(const collector::EventBatch& batch) {
  thread_local simdjson::dom::parser parser;
  for (const collector::BuiltEvent& e : batch.events) {
    simdjson::dom::object event;
    if (parser.parse(simdjson::padded_string(e.json)).get(event)) {
      return Internal("an event is not a JSON object: " + std::string(e.json.substr(0, 200)));
    }
    // The routing type is the event's event_type string, or empty when it has none.
    std::string_view event_type, event_id;
    if (event["event_type"].get(event_type)) event_type = {};
    if (event_type != e.event_type) {
      return Internal("event_type field disagrees with the event's routing type");
    }
    size_t ids = 0;
    for (simdjson::dom::key_value_pair field : event) ids += field.key == "event_id" ? 1 : 0;
    if (ids != 1) return Internal("an event holds event_id " + std::to_string(ids) + " times");
    if (event["event_id"].get(event_id) || event_id.empty()) return Internal("no event_id");
    if (!e.message_id.empty() && event_id != e.message_id) {
      return Internal("event_id is not the messageId");
    }
  }
  return Status::Ok();
}

// Handles one parsed request as far as it goes without a producer.
Status HandleRequest(const collector::Request& request, const collector::IgnoredPaths& ignored) {
  collector::Route route =
      collector::MatchRoute(ToMethod(request.method()), request.target(), ignored);
  auto authorization = request.find(http::field::authorization);
  if (authorization != request.end()) (void)collector::BasicAuthUser(authorization->value());
  switch (route.kind) {
    case RouteKind::kDefault:
    case RouteKind::kPurchaseSword:
    case RouteKind::kAction:
    case RouteKind::kEvents:
    case RouteKind::kSegment:
      break;
    default:
      return Status::Ok();
  }
  std::string_view body = request.body();
  std::string inflated;
  switch (collector::ParseContentEncoding(request[http::field::content_encoding])) {
    case collector::BodyEncoding::kIdentity:
      break;
    case collector::BodyEncoding::kGzip: {
      auto gunzipped = collector::Gunzip(body, kMaxBodyBytes);
      if (!gunzipped.ok()) return Status::Ok();
      inflated = std::move(gunzipped).value();
      body = inflated;
      break;
    }
    case collector::BodyEncoding::kUnsupported:
      return Status::Ok();
  }
  collector::RequestContext context;
  context.headers = collector::EventHeaders(request, {"Host", "User-Agent", "Referer"}, false);
  context.received_at = "2026-01-01T00:00:00.000Z";
  context.client_ip = "127.0.0.1";
  collector::PrepareJson(context);
  auto built = collector::BuildRequestEvents(route, body, context, collector::BodyLimits{});
  if (!built.ok()) {
    (void)collector::ErrorResponse(built.status());
    return Status::Ok();
  }
  return CheckEvents(*built);
}

}  // namespace

Status HttpEntry(Input data) {
  static const collector::IgnoredPaths ignored =
      collector::IgnoredPaths::Create(collector::DefaultIgnoredPaths()).value();
  // An exactly sized copy, so that a read past the input is caught by ASan.
  std::string bytes(reinterpret_cast<const char*>(data.data()), data.size());
  std::string_view rest(bytes);
  for (size_t n = 0; n < kMaxRequestsPerInput && !rest.empty(); ++n) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(collector::kMaxHeaderBytes);
    parser.body_limit(kMaxBodyBytes);
    parser.eager(true);
    boost::beast::error_code ec;
    size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    if (ec == http::error::need_more) {  // the input ends inside this request
      ec = {};
      parser.put_eof(ec);
    }
    if (ec || !parser.is_done()) return Status::Ok();  // answered 400/413/431 by the session
    if (used == 0 || used > rest.size())
      return Internal("the parser consumed no or too many bytes");
    rest.remove_prefix(used);
    EL_RETURN_IF_ERROR(HandleRequest(parser.get(), ignored));
  }
  return Status::Ok();
}

}  // namespace el::fuzz
