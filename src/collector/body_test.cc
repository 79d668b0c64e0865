#include "collector/body.h"

#include <gtest/gtest.h>

namespace el::collector {
namespace {

RequestContext Context() {
  RequestContext c;
  c.headers = {{"Host", "h"}, {"Kind", "from-header"}};
  c.received_at = "T";
  return c;
}

// Strips the trailing ,"event_id":"<uuid>"} so that results can be compared exactly.
std::string WithoutId(std::string_view event) {
  size_t pos = event.rfind(",\"event_id\":\"");
  return pos == std::string::npos ? std::string(event) : std::string(event.substr(0, pos)) + "}";
}

TEST(BodyTest, SingleObjectIsCompactedAndMerged) {
  auto events = BuildBodyEvents(R"( { "event_type" : "login", "Kind": "own",
      "nested": { "a" : [1, 2.5, null, "x"] } } )",
                                Context());
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->events.size(), 1u);
  EXPECT_EQ(WithoutId(events->events[0].json),
            R"({"event_type":"login","Kind":"own","nested":{"a":[1,2.5,null,"x"]},)"
            R"("Host":"h","received_at":"T"})");
}

TEST(BodyTest, ArrayOfObjectsGivesOneEventEach) {
  auto events = BuildBodyEvents(R"([{"a":1},{"b":"\u00e9\n"},{}])", Context());
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->events.size(), 3u);
  EXPECT_EQ(
      WithoutId(events->events[1].json),
      "{\"b\":\"\xc3\xa9\\n\",\"Host\":\"h\",\"Kind\":\"from-header\",\"received_at\":\"T\"}");
  EXPECT_NE(events->events[0].json, events->events[2].json);
}

TEST(BodyTest, RejectsBadBodiesWithClearMessages) {
  struct Case {
    const char* body;
    const char* message_part;
  } cases[] = {
      {"{\"a\":", "malformed JSON"},
      {"", "malformed JSON"},
      {"[]", "empty array"},
      {"[{\"a\":1}, 2]", "element 1 is not a JSON object"},
      {"\"text\"", "object or an array"},
      {"{\"a\":1} {", "malformed JSON"},
  };
  for (const Case& c : cases) {
    auto events = BuildBodyEvents(c.body, Context());
    ASSERT_FALSE(events.ok()) << c.body;
    EXPECT_EQ(events.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(events.status().message().find(c.message_part), std::string::npos)
        << c.body << " -> " << events.status().message();
  }
}

TEST(BodyTest, KeyMessageIdAndLimits) {
  auto events = BuildBodyEvents(
      R"([{"event_type":"a","userId":"u","messageId":"m1"},{"anonymousId":"an","writeKey":"k"}])",
      Context());
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->events[0].key, "u");
  EXPECT_EQ(events->events[0].event_type, "a");
  EXPECT_EQ(events->events[0].message_id, "m1");
  EXPECT_NE(events->events[0].json.find(R"("event_id":"m1")"), std::string::npos);
  EXPECT_EQ(events->events[1].key, "an");
  EXPECT_EQ(events->events[1].json.find("writeKey"), std::string::npos);
  BodyLimits limits;
  limits.max_events = 2;
  EXPECT_EQ(BuildBodyEvents("[{},{},{}]", Context(), limits).status().code(),
            StatusCode::kInvalidArgument);
  limits.max_event_bytes = 20;
  EXPECT_EQ(BuildBodyEvents(R"({"pad":"xxxxxxxxxxxxxxxxxxxxxxxxx"})", Context(), limits)
                .status()
                .code(),
            StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace el::collector
