#include "collector/route.h"

#include <gtest/gtest.h>

namespace el::collector {
namespace {

const IgnoredPaths kNothing;

TEST(RouteTest, SeedRoutes) {
  EXPECT_EQ(MatchRoute(Method::kGet, "/", kNothing).kind, RouteKind::kDefault);
  EXPECT_EQ(MatchRoute(Method::kGet, "/?x=1", kNothing).kind, RouteKind::kDefault);
  Route sword = MatchRoute(Method::kGet, "/purchase_a_sword?color=red", kNothing);
  EXPECT_EQ(sword.kind, RouteKind::kPurchaseSword);
  EXPECT_EQ(sword.query, "color=red");
}

TEST(RouteTest, Actions) {
  Route r = MatchRoute(Method::kGet, "/join_guild.v2-x?name=a", kNothing);
  EXPECT_EQ(r.kind, RouteKind::kAction);
  EXPECT_EQ(r.action, "join_guild.v2-x");
  EXPECT_EQ(r.query, "name=a");
  EXPECT_EQ(MatchRoute(Method::kGet, "/a/b", kNothing).kind, RouteKind::kNotFound);
  EXPECT_EQ(MatchRoute(Method::kGet, "/a%20b", kNothing).kind, RouteKind::kNotFound);
  EXPECT_EQ(MatchRoute(Method::kGet, "relative", kNothing).kind, RouteKind::kNotFound);
  EXPECT_FALSE(IsValidAction(""));
  EXPECT_FALSE(IsValidAction("a b"));
}

TEST(RouteTest, EventsAndMethods) {
  EXPECT_EQ(MatchRoute(Method::kPost, "/events", kNothing).kind, RouteKind::kEvents);
  Route get_events = MatchRoute(Method::kGet, "/events", kNothing);
  EXPECT_EQ(get_events.kind, RouteKind::kMethodNotAllowed);
  EXPECT_EQ(get_events.allow, "POST, OPTIONS");
  Route post_root = MatchRoute(Method::kPost, "/", kNothing);
  EXPECT_EQ(post_root.kind, RouteKind::kMethodNotAllowed);
  EXPECT_EQ(post_root.allow, "GET, OPTIONS");
  EXPECT_EQ(MatchRoute(Method::kOther, "/purchase_a_sword", kNothing).kind,
            RouteKind::kMethodNotAllowed);
  EXPECT_EQ(MatchRoute(Method::kPost, "/no/such", kNothing).kind, RouteKind::kNotFound);
}

TEST(RouteTest, SegmentOperationsAndPreflight) {
  Route track = MatchRoute(Method::kPost, "/v1/track", kNothing);
  EXPECT_EQ(track.kind, RouteKind::kSegment);
  EXPECT_EQ(track.segment, SegmentType::kTrack);
  EXPECT_EQ(track.label, "/v1/track");
  EXPECT_EQ(MatchRoute(Method::kPost, "/v1/b", kNothing).segment, SegmentType::kBatch);
  EXPECT_EQ(MatchRoute(Method::kPost, "/v1/batch", kNothing).label, "/v1/batch");
  EXPECT_EQ(MatchRoute(Method::kGet, "/v1/track", kNothing).kind, RouteKind::kMethodNotAllowed);
  EXPECT_EQ(MatchRoute(Method::kPost, "/v1/nope", kNothing).kind, RouteKind::kNotFound);
  EXPECT_EQ(MatchRoute(Method::kGet, "/healthz", kNothing).kind, RouteKind::kHealth);
  EXPECT_EQ(MatchRoute(Method::kGet, "/metrics", kNothing).kind, RouteKind::kMetrics);
  Route pre = MatchRoute(Method::kOptions, "/v1/page", kNothing);
  EXPECT_EQ(pre.kind, RouteKind::kPreflight);
  EXPECT_EQ(pre.allow, "POST, OPTIONS");
  EXPECT_EQ(MatchRoute(Method::kOptions, "/no/such", kNothing).kind, RouteKind::kNotFound);
}

TEST(RouteTest, IgnoredPathsAreNotFoundForEveryMethod) {
  auto ignored = IgnoredPaths::Create(DefaultIgnoredPaths());
  ASSERT_TRUE(ignored.ok());
  for (const char* target :
       {"/favicon.ico", "/robots.txt?x=1", "/apple-touch-icon-precomposed.png"}) {
    Route r = MatchRoute(Method::kGet, target, *ignored);
    EXPECT_EQ(r.kind, RouteKind::kNotFound) << target;
    EXPECT_TRUE(r.ignored) << target;
    EXPECT_EQ(r.label, "other") << target;  // counted with the other 404s
    EXPECT_EQ(MatchRoute(Method::kOptions, target, *ignored).kind, RouteKind::kNotFound);
    EXPECT_EQ(MatchRoute(Method::kPost, target, *ignored).kind, RouteKind::kNotFound);
  }
  EXPECT_TRUE(MatchRoute(Method::kGet, "/.well-known/security.txt", *ignored).ignored);
  EXPECT_FALSE(MatchRoute(Method::kGet, "/no/such", *ignored).ignored);
  Route action = MatchRoute(Method::kGet, "/favicon_click", *ignored);
  EXPECT_EQ(action.kind, RouteKind::kAction);
  EXPECT_FALSE(action.ignored);
  EXPECT_EQ(MatchRoute(Method::kGet, "/favicon.ico", kNothing).kind, RouteKind::kAction);
}

TEST(RouteTest, FixedApiPathsAreNeverIgnored) {
  auto everything = IgnoredPaths::Create({"/*"});
  ASSERT_TRUE(everything.ok());
  EXPECT_EQ(MatchRoute(Method::kGet, "/", *everything).kind, RouteKind::kNotFound);
  EXPECT_EQ(MatchRoute(Method::kGet, "/purchase_a_sword", *everything).kind, RouteKind::kNotFound);
  EXPECT_EQ(MatchRoute(Method::kPost, "/events", *everything).kind, RouteKind::kEvents);
  EXPECT_FALSE(MatchRoute(Method::kPost, "/events", *everything).ignored);
  EXPECT_EQ(MatchRoute(Method::kPost, "/v1/track", *everything).kind, RouteKind::kSegment);
  EXPECT_EQ(MatchRoute(Method::kGet, "/healthz", *everything).kind, RouteKind::kHealth);
  EXPECT_EQ(MatchRoute(Method::kGet, "/metrics", *everything).kind, RouteKind::kMetrics);
}

}  // namespace
}  // namespace el::collector
