#pragma once
// Route matching for the collector's HTTP API. Pure code; thread-safe.
//   GET  /                  -> kDefault          (seed route, text answer)
//   GET  /purchase_a_sword  -> kPurchaseSword    (seed route, text answer)
//   GET  /<action>          -> kAction           (action: [A-Za-z0-9_.-]+, JSON answer)
//   POST /events            -> kEvents           (JSON object or array of objects)
// A known path with another method is kMethodNotAllowed (with `allow`); anything else kNotFound.
#include <string_view>

namespace el::collector {

enum class Method { kGet, kPost, kOther };

enum class RouteKind { kDefault, kPurchaseSword, kAction, kEvents, kNotFound, kMethodNotAllowed };

struct Route {
  RouteKind kind = RouteKind::kNotFound;
  std::string_view action;  // for kAction: the path without '/'; views into the target
  std::string_view query;   // the text after '?', possibly empty; views into the target
  std::string_view allow;   // for kMethodNotAllowed: the value of the Allow header
};

// Matches a request target ("/path?query"). The result views into `target`.
Route MatchRoute(Method method, std::string_view target);

// True when `action` is a non-empty [A-Za-z0-9_.-]+ name.
bool IsValidAction(std::string_view action);

}  // namespace el::collector
