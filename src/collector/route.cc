#include "collector/route.h"

namespace el::collector {

bool IsValidAction(std::string_view action) {
  if (action.empty()) return false;
  for (char c : action) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Route MatchRoute(Method method, std::string_view target) {
  Route route;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  if (q != std::string_view::npos) route.query = target.substr(q + 1);
  if (path == "/events") {
    route.kind = method == Method::kPost ? RouteKind::kEvents : RouteKind::kMethodNotAllowed;
    route.allow = "POST";
    return route;
  }
  bool known = path == "/" || (path.size() > 1 && path[0] == '/' && IsValidAction(path.substr(1)));
  if (!known) {
    route.kind = RouteKind::kNotFound;
    return route;
  }
  if (method != Method::kGet) {
    route.kind = RouteKind::kMethodNotAllowed;
    route.allow = "GET";
    return route;
  }
  if (path == "/") {
    route.kind = RouteKind::kDefault;
  } else if (path == "/purchase_a_sword") {
    route.kind = RouteKind::kPurchaseSword;
  } else {
    route.kind = RouteKind::kAction;
    route.action = path.substr(1);
  }
  return route;
}

}  // namespace el::collector
