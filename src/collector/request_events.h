#pragma once
// The events of one request to an event route, built without the network: the pieces of request
// handling that read what the client sent (headers, query string, body). Used by HttpSession and by
// the collector's fuzz target. Pure code (thread-local builders and parsers); thread-safe.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "collector/body.h"
#include "collector/event.h"
#include "collector/route.h"

namespace el::collector {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

// The request line and headers may take this many bytes (431 beyond).
inline constexpr size_t kMaxHeaderBytes = 16 * 1024;

// The request headers events carry: those named in `allow` (case-insensitive), or every one with
// `all`, never Authorization or Cookie. Canonical names; a repeated header's values are joined with
// ", " in order.
std::vector<Header> EventHeaders(const Request& request, const std::vector<std::string>& allow,
                                 bool all);

// The one event of a GET route (kDefault, kPurchaseSword, kAction): `event_type` from the route,
// the query string's fields, `event_id`.
EventBatch BuildGetEvent(const Route& route, const RequestContext& context,
                         std::string_view event_id);

// Events of a request whose route is an event route (kDefault, kPurchaseSword, kAction, kEvents,
// kSegment). `body` is the request body with its Content-Encoding undone; GET routes take their
// fields from the query string instead. Errors: those of BuildSegmentEvents and BuildBodyEvents
// (InvalidArgument, OutOfRange); InvalidArgument for a route that carries no events.
Result<EventBatch> BuildRequestEvents(const Route& route, std::string_view body,
                                      const RequestContext& context, const BodyLimits& limits);

}  // namespace el::collector
