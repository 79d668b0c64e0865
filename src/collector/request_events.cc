#include "collector/request_events.h"

#include <boost/beast/core/string.hpp>

#include "collector/http_names.h"
#include "collector/segment.h"

namespace el::collector {

namespace {

bool Allowed(const std::vector<std::string>& allow, bool all, std::string_view name) {
  // Credentials are never stored, even with "*".
  if (boost::beast::iequals(name, "Authorization") || boost::beast::iequals(name, "Cookie")) {
    return false;
  }
  if (all) return true;
  for (const std::string& a : allow) {
    if (boost::beast::iequals(a, name)) return true;
  }
  return false;
}

}  // namespace

EventBatch BuildGetEvent(const Route& route, const RequestContext& context,
                         std::string_view event_id) {
  std::string_view event_type = route.kind == RouteKind::kDefault         ? "default"
                                : route.kind == RouteKind::kPurchaseSword ? "purchase_sword"
                                                                          : route.action;
  thread_local EventBuilder builder;  // used without suspending, so one per thread suffices
  builder.Clear();
  builder.SetString("event_type", event_type);
  for (auto& [key, value] : ParseQuery(route.query)) {
    if (key != "event_type") builder.SetString(key, value);
  }
  EventBatch events;
  BuiltEvent& event = events.events.emplace_back();
  builder.AppendTo(*events.text, context, event_id);
  event.json_size = events.text->size();
  event.event_type = std::string(event_type);
  events.Seal();
  return events;
}

std::vector<Header> EventHeaders(const Request& request, const std::vector<std::string>& allow,
                                 bool all) {
  std::vector<Header> headers;
  headers.reserve(8);
  for (const auto& field : request) {
    if (!Allowed(allow, all, field.name_string())) continue;
    std::string name = CanonicalHeaderName(field.name_string());
    bool merged = false;
    for (Header& header : headers) {
      if (header.name == name) {
        header.value.append(", ").append(field.value());
        merged = true;
        break;
      }
    }
    if (!merged) headers.push_back(Header{std::move(name), std::string(field.value())});
  }
  return headers;
}

Result<EventBatch> BuildRequestEvents(const Route& route, std::string_view body,
                                      const RequestContext& context, const BodyLimits& limits) {
  switch (route.kind) {
    case RouteKind::kSegment:
      return BuildSegmentEvents(route.segment, body, context, limits);
    case RouteKind::kEvents:
      return BuildBodyEvents(body, context, limits);
    case RouteKind::kDefault:
    case RouteKind::kPurchaseSword:
    case RouteKind::kAction: {
      char id[kEventIdSize];
      return BuildGetEvent(route, context, WriteEventId(id));
    }
    default:
      return InvalidArgument("the route carries no events");
  }
}

}  // namespace el::collector
