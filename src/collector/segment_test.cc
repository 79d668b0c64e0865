#include "collector/segment.h"

#include <gtest/gtest.h>

namespace el::collector {
namespace {

RequestContext Context() {
  RequestContext c;
  c.headers = {{"User-Agent", "sdk/1"}};
  c.received_at = "T";
  c.client_ip = "10.0.0.0";
  return c;
}

TEST(SegmentTest, TrackKeepsFieldsAndNamesItsEventType) {
  auto out = BuildSegmentEvents(SegmentType::kTrack,
                                R"({"userId":"u1","event":"Sword Bought","properties":{"p":9},)"
                                R"("messageId":"m-1","writeKey":"secret"})",
                                Context());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->write_key, "secret");
  ASSERT_EQ(out->events.size(), 1u);
  const BuiltEvent& e = out->events[0];
  EXPECT_EQ(e.key, "u1");
  EXPECT_EQ(e.message_id, "m-1");
  EXPECT_EQ(e.event_type, "Sword Bought");
  EXPECT_EQ(e.json,
            R"({"userId":"u1","event":"Sword Bought","properties":{"p":9},"messageId":"m-1",)"
            R"("type":"track","event_type":"Sword Bought","User-Agent":"sdk/1",)"
            R"("client_ip":"10.0.0.0","received_at":"T","event_id":"m-1"})");
}

TEST(SegmentTest, FieldRules) {
  struct Case {
    SegmentType type;
    const char* body;
    const char* message_part;
  } cases[] = {
      {SegmentType::kTrack, R"({"userId":"u"})", "track: missing required field \"event\""},
      {SegmentType::kTrack, R"({"event":"x"})", "\"userId\" or \"anonymousId\""},
      {SegmentType::kIdentify, R"({"userId":""})", "\"userId\" must be a non-empty"},
      {SegmentType::kIdentify, R"({"userId":"u","traits":[1]})", "\"traits\" must be an object"},
      {SegmentType::kPage, R"({"anonymousId":"a","timestamp":5})", "\"timestamp\" must be a string"},
      {SegmentType::kGroup, R"({"userId":"u"})", "group: missing required field \"groupId\""},
      {SegmentType::kAlias, R"({"userId":"u"})", "alias: missing required field \"previousId\""},
      {SegmentType::kAlias, R"({"anonymousId":"a","previousId":"p"})", "\"userId\""},
      {SegmentType::kTrack, R"([1])", "JSON object"},
      {SegmentType::kTrack, R"({"userId":)", "malformed JSON"},
      {SegmentType::kBatch, R"({"batch":[]})", "empty"},
      {SegmentType::kBatch, R"({})", "\"batch\""},
      {SegmentType::kBatch, R"({"batch":[{"userId":"u"}]})", "batch[0]: missing required field \"type\""},
      {SegmentType::kBatch, R"({"batch":[{"type":"bogus","userId":"u"}]})", "unknown type"},
      {SegmentType::kBatch, R"({"batch":[{"type":"identify","userId":"u"},{"type":"track","userId":"u"}]})",
       "batch[1]: missing required field \"event\""},
  };
  for (const Case& c : cases) {
    auto out = BuildSegmentEvents(c.type, c.body, Context());
    ASSERT_FALSE(out.ok()) << c.body;
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument) << c.body;
    EXPECT_NE(out.status().message().find(c.message_part), std::string::npos)
        << c.body << " -> " << out.status().message();
  }
}

TEST(SegmentTest, BatchSharesContextAndChecksLimits) {
  auto out = BuildSegmentEvents(
      SegmentType::kBatch,
      R"({"batch":[{"type":"identify","userId":7,"traits":{"a":1}},)"
      R"({"type":"screen","anonymousId":"an","name":"Home","context":{"own":true}}],)"
      R"("context":{"library":{"name":"x"}}})",
      Context());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->events.size(), 2u);
  EXPECT_EQ(out->events[0].key, "7");
  EXPECT_EQ(out->events[0].event_type, "identify");
  EXPECT_NE(out->events[0].json.find(R"("context":{"library":{"name":"x"}})"), std::string::npos);
  EXPECT_EQ(out->events[1].key, "an");
  EXPECT_NE(out->events[1].json.find(R"("context":{"own":true})"), std::string::npos);
  EXPECT_EQ(out->events[1].json.find("library"), std::string::npos);

  BodyLimits limits;
  limits.max_events = 1;
  auto many = BuildSegmentEvents(SegmentType::kBatch,
                                 R"({"batch":[{"type":"page","userId":"u"},{"type":"page","userId":"u"}]})",
                                 Context(), limits);
  EXPECT_EQ(many.status().code(), StatusCode::kInvalidArgument);
  limits.max_events = 10;
  limits.max_event_bytes = 64;
  std::string big = R"({"userId":"u","event":"e","properties":{"pad":")" + std::string(100, 'x') + "\"}}";
  auto large = BuildSegmentEvents(SegmentType::kTrack, big, Context(), limits);
  EXPECT_EQ(large.status().code(), StatusCode::kOutOfRange);
}

TEST(SegmentTest, BatchEventsShareOneTextAndMatchSingleCalls) {
  // Each call of a batch gives the same bytes as the same call sent alone (one reused builder,
  // one text for the request), a repeated key keeps its first position, and the events lie back to
  // back in the batch text.
  std::string call1 = R"({"type":"track","userId":"u1","event":"e1","properties":{"n":1.5,"s":"\u00e9"},)"
                      R"("messageId":"m1","event_type":"own","event":"e2"})";
  std::string call2 = R"({"type":"track","anonymousId":"a2","event":"x","messageId":"m2",)"
                      R"("properties":{"list":[1,null,true]}})";
  auto batch = BuildSegmentEvents(SegmentType::kBatch,
                                  R"({"batch":[)" + call1 + "," + call2 + "]}", Context());
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->events.size(), 2u);
  auto one = BuildSegmentEvents(SegmentType::kTrack, call1, Context());
  auto two = BuildSegmentEvents(SegmentType::kTrack, call2, Context());
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_EQ(batch->events[0].json, one->events[0].json);
  EXPECT_EQ(batch->events[1].json, two->events[0].json);
  EXPECT_EQ(one->events[0].json,
            R"({"type":"track","userId":"u1","event":"e2","properties":{"n":1.5,"s":")"
            "\xc3\xa9"
            R"("},"messageId":"m1","event_type":"e1","User-Agent":"sdk/1","client_ip":"10.0.0.0",)"
            R"("received_at":"T","event_id":"m1"})");
  EXPECT_EQ(batch->events[1].event_type, "x");
  EXPECT_EQ(batch->events[1].key, "a2");
  EXPECT_EQ(*batch->text, std::string(batch->events[0].json) + std::string(batch->events[1].json));
}

}  // namespace
}  // namespace el::collector
