#include "collector/event.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "base/json_text.h"


namespace el::collector {
namespace {

RequestContext Context() {
  RequestContext c;
  c.headers = {
      {"Host", "moe:5000"}, {"User-Agent", "curl/8"}, {"Color", "header-color"}, {"Event-Id", "x"}};
  c.received_at = "2026-11-21T13:42:00.123Z";
  return c;
}

TEST(EventTest, OwnFieldsThenHeadersThenCollectorFields) {
  EventBuilder b;
  b.SetString("event_type", "purchase_sword");
  b.SetString("Color", "red");
  std::string event = b.Finish(Context(), "id-1");
  EXPECT_EQ(event,
            "{\"event_type\":\"purchase_sword\",\"Color\":\"red\",\"Host\":\"moe:5000\","
            "\"User-Agent\":\"curl/8\",\"Event-Id\":\"x\","
            "\"received_at\":\"2026-11-21T13:42:00.123Z\",\"event_id\":\"id-1\"}");
}

TEST(EventTest, PreparedContextGivesTheSameEvents) {
  for (const std::string& ip : {std::string(), std::string("10.0.0.0")}) {
    RequestContext plain = Context();
    plain.client_ip = ip;
    plain.headers.push_back({"Referer", "a \"quoted\"\n\xff value"});
    RequestContext prepared = plain;
    PrepareJson(prepared);
    for (bool own_fields : {false, true}) {
      EventBuilder b;
      if (own_fields) {
        b.SetString("event_type", "purchase_sword");
        b.SetString("Color", "red");
      }
      EXPECT_EQ(b.Finish(prepared, "id-1"), b.Finish(plain, "id-1"));
    }
  }
  EXPECT_EQ(JsonString("plain text"), "\"plain text\"");
  EXPECT_EQ(JsonString("tab\there \x7f"), "\"tab\\there \x7f\"");
}

TEST(EventTest, RepeatedKeyKeepsPositionTakesLastValueAndCollectorFieldsWin) {
  EventBuilder b;
  b.Set("a", "1");
  b.Set("event_id", "\"client\"");
  b.Set("b", "[1,2]");
  b.Set("a", "{\"x\":true}");
  EXPECT_EQ(b.size(), 3u);
  RequestContext empty;
  empty.received_at = "T";
  EXPECT_EQ(b.Finish(empty, "id"),
            "{\"a\":{\"x\":true},\"b\":[1,2],\"received_at\":\"T\",\"event_id\":\"id\"}");
}

TEST(EventTest, ClearedBuilderAppendsTheSameEvent) {
  EventBuilder b;
  std::string text = "prefix";
  for (int round = 0; round < 3; ++round) {
    b.Clear();
    b.SetString("event_type", "purchase_sword");
    b.Set("Color", "\"blue\"");
    b.SetString("Color", "red");
    b.AppendTo(text, Context(), "id-1");
  }
  std::string event =
      "{\"event_type\":\"purchase_sword\",\"Color\":\"red\",\"Host\":\"moe:5000\","
      "\"User-Agent\":\"curl/8\",\"Event-Id\":\"x\","
      "\"received_at\":\"2026-11-21T13:42:00.123Z\",\"event_id\":\"id-1\"}";
  EXPECT_EQ(text, "prefix" + event + event + event);
}

TEST(EventTest, ManyFieldsUseTheIndex) {
  EventBuilder b;
  for (int i = 0; i < 100; ++i) b.Set("k" + std::to_string(i % 50), std::to_string(i));
  EXPECT_EQ(b.size(), 50u);
  EXPECT_TRUE(b.Has("k49"));
  EXPECT_FALSE(b.Has("k50"));
  std::string event = b.Finish(RequestContext{}, "id");
  EXPECT_NE(event.find("\"k0\":50,"), std::string::npos);
}

TEST(EventTest, ReceivedAtFormat) {
  using namespace std::chrono;
  system_clock::time_point t{milliseconds(1795268520123)};  // 2026-11-21T13:42:00.123Z
  EXPECT_EQ(FormatReceivedAt(t), "2026-11-21T13:42:00.123Z");
  EXPECT_EQ(FormatReceivedAt(system_clock::time_point{milliseconds(5)}),
            "1970-01-01T00:00:00.005Z");
}

TEST(EventTest, EventIdsAreRandomV4) {
  std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewEventId();
    ASSERT_TRUE(std::regex_match(id, v4)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace el::collector
