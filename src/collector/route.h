#pragma once
// Route matching for the collector's HTTP API. Pure code; thread-safe.
//   GET  /                  -> kDefault          (seed route, text answer)
//   GET  /purchase_a_sword  -> kPurchaseSword    (seed route, text answer)
//   GET  /<action>          -> kAction           (action: [A-Za-z0-9_.-]+, JSON answer)
//   POST /events            -> kEvents           (JSON object or array of objects)
//   POST /v1/track|identify|page|screen|group|alias|batch (and analytics.js' /v1/t|i|p|s|g|a|b)
//                           -> kSegment          (Segment HTTP tracking API)
//   GET  /healthz, /metrics -> kHealth, kMetrics
//   OPTIONS on any known path -> kPreflight (CORS)
// A known path with another method is kMethodNotAllowed (with `allow`); anything else kNotFound.
// A path that matches the ignored paths (what browsers and crawlers ask for on their own:
// /favicon.ico, ...) is kNotFound with `ignored` for every method, so it never becomes a GET event;
// the fixed API paths (/events, /v1/*, /healthz, /metrics) are never ignored.
#include <string_view>

#include "collector/ignored_paths.h"

namespace el::collector {

enum class Method { kGet, kPost, kOptions, kOther };

enum class RouteKind {
  kDefault,
  kPurchaseSword,
  kAction,
  kEvents,
  kSegment,
  kHealth,
  kMetrics,
  kPreflight,
  kNotFound,
  kMethodNotAllowed
};

// Segment call types; kBatch carries a list of the others.
enum class SegmentType { kTrack, kIdentify, kPage, kScreen, kGroup, kAlias, kBatch };

// The Segment `type` value ("track", ...; "batch" for kBatch).
std::string_view SegmentTypeName(SegmentType type);

struct Route {
  RouteKind kind = RouteKind::kNotFound;
  SegmentType segment = SegmentType::kTrack;  // for kSegment
  std::string_view action;  // for kAction: the path without '/'; views into the target
  std::string_view query;   // the text after '?', possibly empty; views into the target
  std::string_view allow;   // kMethodNotAllowed / kPreflight: the methods the path accepts
  // A stable metrics label ("/", "/purchase_a_sword", "/<action>", "/v1/track", ...).
  std::string_view label = "other";
  bool ignored = false;  // the path is an ignored one (so kNotFound)
};

// Matches a request target ("/path?query"). The result views into `target`.
Route MatchRoute(Method method, std::string_view target, const IgnoredPaths& ignored);

// True when `action` is a non-empty [A-Za-z0-9_.-]+ name.
bool IsValidAction(std::string_view action);

}  // namespace el::collector
