#include "collector/route.h"

#include <array>
#include <utility>

namespace el::collector {
namespace {

struct SegmentPath {
  std::string_view path;
  SegmentType type;
  std::string_view label;
};

constexpr std::array<SegmentPath, 14> kSegmentPaths{{
    {"/v1/track", SegmentType::kTrack, "/v1/track"},
    {"/v1/identify", SegmentType::kIdentify, "/v1/identify"},
    {"/v1/page", SegmentType::kPage, "/v1/page"},
    {"/v1/screen", SegmentType::kScreen, "/v1/screen"},
    {"/v1/group", SegmentType::kGroup, "/v1/group"},
    {"/v1/alias", SegmentType::kAlias, "/v1/alias"},
    {"/v1/batch", SegmentType::kBatch, "/v1/batch"},
    {"/v1/t", SegmentType::kTrack, "/v1/track"},
    {"/v1/i", SegmentType::kIdentify, "/v1/identify"},
    {"/v1/p", SegmentType::kPage, "/v1/page"},
    {"/v1/s", SegmentType::kScreen, "/v1/screen"},
    {"/v1/g", SegmentType::kGroup, "/v1/group"},
    {"/v1/a", SegmentType::kAlias, "/v1/alias"},
    {"/v1/b", SegmentType::kBatch, "/v1/batch"},
}};

// Applies the method to a path that accepts only `allowed` (besides OPTIONS).
Route ForMethod(Method method, Method allowed, Route route, std::string_view allow) {
  route.allow = allow;
  if (method == Method::kOptions) {
    route.kind = RouteKind::kPreflight;
  } else if (method != allowed) {
    route.kind = RouteKind::kMethodNotAllowed;
  }
  return route;
}

}  // namespace

std::string_view SegmentTypeName(SegmentType type) {
  switch (type) {
    case SegmentType::kTrack:
      return "track";
    case SegmentType::kIdentify:
      return "identify";
    case SegmentType::kPage:
      return "page";
    case SegmentType::kScreen:
      return "screen";
    case SegmentType::kGroup:
      return "group";
    case SegmentType::kAlias:
      return "alias";
    case SegmentType::kBatch:
      return "batch";
  }
  return "track";
}

bool IsValidAction(std::string_view action) {
  if (action.empty()) return false;
  for (char c : action) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Route MatchRoute(Method method, std::string_view target, const IgnoredPaths& ignored) {
  Route route;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  if (q != std::string_view::npos) route.query = target.substr(q + 1);
  if (path == "/events") {
    route.kind = RouteKind::kEvents;
    route.label = "/events";
    return ForMethod(method, Method::kPost, route, "POST, OPTIONS");
  }
  for (const SegmentPath& s : kSegmentPaths) {
    if (path == s.path) {
      route.kind = RouteKind::kSegment;
      route.segment = s.type;
      route.label = s.label;
      return ForMethod(method, Method::kPost, route, "POST, OPTIONS");
    }
  }
  if (path == "/healthz" || path == "/metrics") {
    route.kind = path == "/healthz" ? RouteKind::kHealth : RouteKind::kMetrics;
    route.label = path == "/healthz" ? "/healthz" : "/metrics";
    return ForMethod(method, Method::kGet, route, "GET, OPTIONS");
  }
  route.ignored = ignored.Matches(path);
  bool known = path == "/" || (path.size() > 1 && path[0] == '/' && IsValidAction(path.substr(1)));
  if (!known || route.ignored) {
    route.kind = RouteKind::kNotFound;
    return route;
  }
  if (path == "/") {
    route.kind = RouteKind::kDefault;
    route.label = "/";
  } else if (path == "/purchase_a_sword") {
    route.kind = RouteKind::kPurchaseSword;
    route.label = "/purchase_a_sword";
  } else {
    route.kind = RouteKind::kAction;
    route.action = path.substr(1);
    route.label = "/<action>";
  }
  return ForMethod(method, Method::kGet, route, "GET, OPTIONS");
}

}  // namespace el::collector
