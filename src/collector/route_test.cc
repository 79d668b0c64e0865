#include "collector/route.h"

#include <gtest/gtest.h>

namespace el::collector {
namespace {

TEST(RouteTest, SeedRoutes) {
  EXPECT_EQ(MatchRoute(Method::kGet, "/").kind, RouteKind::kDefault);
  EXPECT_EQ(MatchRoute(Method::kGet, "/?x=1").kind, RouteKind::kDefault);
  Route sword = MatchRoute(Method::kGet, "/purchase_a_sword?color=red");
  EXPECT_EQ(sword.kind, RouteKind::kPurchaseSword);
  EXPECT_EQ(sword.query, "color=red");
}

TEST(RouteTest, Actions) {
  Route r = MatchRoute(Method::kGet, "/join_guild.v2-x?name=a");
  EXPECT_EQ(r.kind, RouteKind::kAction);
  EXPECT_EQ(r.action, "join_guild.v2-x");
  EXPECT_EQ(r.query, "name=a");
  EXPECT_EQ(MatchRoute(Method::kGet, "/a/b").kind, RouteKind::kNotFound);
  EXPECT_EQ(MatchRoute(Method::kGet, "/a%20b").kind, RouteKind::kNotFound);
  EXPECT_EQ(MatchRoute(Method::kGet, "relative").kind, RouteKind::kNotFound);
  EXPECT_FALSE(IsValidAction(""));
  EXPECT_FALSE(IsValidAction("a b"));
}

TEST(RouteTest, EventsAndMethods) {
  EXPECT_EQ(MatchRoute(Method::kPost, "/events").kind, RouteKind::kEvents);
  Route get_events = MatchRoute(Method::kGet, "/events");
  EXPECT_EQ(get_events.kind, RouteKind::kMethodNotAllowed);
  EXPECT_EQ(get_events.allow, "POST, OPTIONS");
  Route post_root = MatchRoute(Method::kPost, "/");
  EXPECT_EQ(post_root.kind, RouteKind::kMethodNotAllowed);
  EXPECT_EQ(post_root.allow, "GET, OPTIONS");
  EXPECT_EQ(MatchRoute(Method::kOther, "/purchase_a_sword").kind, RouteKind::kMethodNotAllowed);
  EXPECT_EQ(MatchRoute(Method::kPost, "/no/such").kind, RouteKind::kNotFound);
}

TEST(RouteTest, SegmentOperationsAndPreflight) {
  Route track = MatchRoute(Method::kPost, "/v1/track");
  EXPECT_EQ(track.kind, RouteKind::kSegment);
  EXPECT_EQ(track.segment, SegmentType::kTrack);
  EXPECT_EQ(track.label, "/v1/track");
  EXPECT_EQ(MatchRoute(Method::kPost, "/v1/b").segment, SegmentType::kBatch);
  EXPECT_EQ(MatchRoute(Method::kPost, "/v1/batch").label, "/v1/batch");
  EXPECT_EQ(MatchRoute(Method::kGet, "/v1/track").kind, RouteKind::kMethodNotAllowed);
  EXPECT_EQ(MatchRoute(Method::kPost, "/v1/nope").kind, RouteKind::kNotFound);
  EXPECT_EQ(MatchRoute(Method::kGet, "/healthz").kind, RouteKind::kHealth);
  EXPECT_EQ(MatchRoute(Method::kGet, "/metrics").kind, RouteKind::kMetrics);
  Route pre = MatchRoute(Method::kOptions, "/v1/page");
  EXPECT_EQ(pre.kind, RouteKind::kPreflight);
  EXPECT_EQ(pre.allow, "POST, OPTIONS");
  EXPECT_EQ(MatchRoute(Method::kOptions, "/no/such").kind, RouteKind::kNotFound);
}

}  // namespace
}  // namespace el::collector
