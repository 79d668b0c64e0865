// Encode/decode round trips for every implemented request and response, at several versions.
#include <gtest/gtest.h>

#include <algorithm>

#include "kafka/protocol/api_versions.h"
#include "kafka/protocol/codec.h"
#include "kafka/protocol/describe_configs.h"
#include "kafka/protocol/fetch.h"
#include "kafka/protocol/find_coordinator.h"
#include "kafka/protocol/header.h"
#include "kafka/protocol/list_offsets.h"
#include "kafka/protocol/metadata.h"
#include "kafka/protocol/produce.h"
#include "kafka/protocol/topics_admin.h"
#include "kafka/protocol/test_round_trip.h"

namespace el::kafka {
namespace {

using testing::ExpectRoundTrip;

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(ApiVersionsTest, V3RequestAsLibrdkafkaSendsIt) {
  // Header v2 (client id "rdkafka", empty tags), then compact "librdkafka", compact "2.0.2", tags.
  std::vector<uint8_t> frame = {0, 18, 0, 3, 0, 0, 0, 1, 0, 7};
  for (char c : std::string("rdkafka")) frame.push_back(static_cast<uint8_t>(c));
  frame.push_back(0);
  frame.push_back(11);
  for (char c : std::string("librdkafka")) frame.push_back(static_cast<uint8_t>(c));
  frame.push_back(6);
  for (char c : std::string("2.0.2")) frame.push_back(static_cast<uint8_t>(c));
  frame.push_back(0);
  auto header = DecodeRequestHeader(frame);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->header.client_id, "rdkafka");
  auto req = DecodeMessage<ApiVersionsRequest>(header->body, 3);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->client_software_name, "librdkafka");
  EXPECT_EQ(req->client_software_version, "2.0.2");
  ExpectRoundTrip(*req, 3);
}

TEST(ApiVersionsTest, ResponseRoundTrips) {
  ApiVersionsResponse resp;
  resp.api_keys = {{0, 3, 7}, {1, 4, 11}, {18, 0, 3}};
  for (int16_t v : {0, 1, 2, 3}) ExpectRoundTrip(resp, v);
  ExpectRoundTrip(ApiVersionsRequest{}, 0);
}

TEST(ApiVersionsTest, V3ResponseLayout) {
  ApiVersionsResponse resp;
  resp.api_keys = {{18, 0, 3}};
  std::vector<uint8_t> want = {0, 0, 2, 0, 18, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(EncodeMessage(resp, 3), want);
}

TEST(ApiVersionsTest, UnsupportedVersionReplyUsesV0Layout) {
  ApiVersionsResponse resp;
  resp.error_code = ToWire(ErrorCode::kUnsupportedVersion);
  resp.api_keys = {{18, 0, 3}};
  std::vector<uint8_t> want = {0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 3};
  EXPECT_EQ(EncodeMessage(resp, 0), want);
}

TEST(ProduceTest, RequestRoundTrip) {
  std::vector<uint8_t> records = Bytes("batch-bytes");
  ProduceRequest req;
  req.acks = -1;
  req.timeout_ms = 30000;
  req.topics = {{"events", {{0, BytesView(records)}, {1, std::nullopt}}}};
  for (int16_t v : {0, 2, 3, 5, 7}) {
    auto bytes = EncodeMessage(req, v);
    auto got = DecodeMessage<ProduceRequest>(bytes, v);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->acks, -1);
    EXPECT_EQ(got->timeout_ms, 30000);
    ASSERT_EQ(got->topics.size(), 1u);
    EXPECT_EQ(got->topics[0].name, "events");
    ASSERT_EQ(got->topics[0].partitions.size(), 2u);
    ASSERT_TRUE(got->topics[0].partitions[0].records.has_value());
    auto view = *got->topics[0].partitions[0].records;
    EXPECT_EQ(std::vector<uint8_t>(view.begin(), view.end()), records);
    EXPECT_FALSE(got->topics[0].partitions[1].records.has_value());
    EXPECT_EQ(EncodeMessage(*got, v), bytes);
    bytes.pop_back();
    EXPECT_FALSE(DecodeMessage<ProduceRequest>(bytes, v).ok());
  }
}

TEST(ProduceTest, ResponseRoundTrip) {
  ProduceResponse resp;
  resp.topics = {{"events", {{0, 0, 42, -1, 0}, {1, 3, -1, -1, 0}}}};
  for (int16_t v : {5, 6, 7}) ExpectRoundTrip(resp, v);
  for (auto& p : resp.topics[0].partitions) p.log_start_offset = -1;  // not sent before v5
  for (int16_t v : {2, 3, 4}) ExpectRoundTrip(resp, v);
  for (auto& p : resp.topics[0].partitions) p.log_append_time_ms = -1;  // not sent before v2
  for (int16_t v : {0, 1}) ExpectRoundTrip(resp, v);
}

TEST(FetchTest, RequestRoundTrip) {
  FetchRequest req;
  req.max_wait_ms = 500;
  req.min_bytes = 1;
  req.max_bytes = 52428800;
  req.isolation_level = 1;
  req.topics = {{"events", {{0, -1, 10, -1, 1048576}, {3, -1, 0, -1, 100}}}};
  for (int16_t v : {4, 5, 6}) ExpectRoundTrip(req, v);
  req.forgotten_topics = {{"old", {1, 2}}};
  for (int16_t v : {7, 8, 9, 10}) ExpectRoundTrip(req, v);
  req.rack_id = "rack";
  ExpectRoundTrip(req, 11);
}

TEST(FetchTest, ResponseRoundTrip) {
  FetchResponse resp;
  FetchPartitionResponse p;
  p.partition_index = 0;
  p.high_watermark = 5;
  p.last_stable_offset = 5;
  p.log_start_offset = 0;
  p.records = Bytes("some-batches");
  FetchPartitionResponse empty;
  empty.partition_index = 1;
  empty.error_code = ToWire(ErrorCode::kOffsetOutOfRange);
  empty.log_start_offset = 0;
  resp.topics = {{"events", {p, empty}}};
  for (int16_t v : {5, 7, 11}) ExpectRoundTrip(resp, v);
  resp.topics[0].partitions[0].log_start_offset = -1;
  resp.topics[0].partitions[1].log_start_offset = -1;
  ExpectRoundTrip(resp, 4);
}

TEST(FetchTest, EmptyRecordsAreZeroLengthNotNull) {
  FetchResponse resp;
  resp.topics = {{"t", {FetchPartitionResponse{}}}};
  auto bytes = EncodeMessage(resp, 4);
  // Last four bytes: records length 0; just before: aborted_transactions count 0 (not -1).
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(std::vector<uint8_t>(bytes.end() - 8, bytes.end()),
            (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(MetadataTest, RequestRoundTrip) {
  MetadataRequest all;
  all.topics.reset();
  for (int16_t v : {1, 4, 6}) ExpectRoundTrip(all, v);
  MetadataRequest some;
  some.topics = std::vector<std::string>{"a", "b-c"};
  some.allow_auto_topic_creation = false;
  for (int16_t v : {4, 5, 6}) ExpectRoundTrip(some, v);
  some.allow_auto_topic_creation = true;
  for (int16_t v : {0, 1, 3}) ExpectRoundTrip(some, v);
  MetadataRequest v0_all;
  v0_all.topics = std::vector<std::string>{};
  ExpectRoundTrip(v0_all, 0);
}

TEST(MetadataTest, ResponseRoundTrip) {
  MetadataResponse resp;
  resp.brokers = {{0, "127.0.0.1", 9092, std::nullopt}};
  resp.controller_id = 0;
  resp.cluster_id = "eventlake";
  MetadataPartition p{0, 0, 0, {0}, {0}, {}};
  resp.topics = {{0, "events", false, {p, p}}};
  resp.topics[0].partitions[1].partition_index = 1;
  for (int16_t v : {2, 3, 4, 5, 6}) ExpectRoundTrip(resp, v);
  resp.cluster_id.reset();
  ExpectRoundTrip(resp, 1);
  resp.controller_id = -1;
  ExpectRoundTrip(resp, 0);
}

TEST(ListOffsetsTest, RoundTrips) {
  ListOffsetsRequest req;
  req.topics = {{"events", {{0, kLatestTimestamp, 1}, {1, kEarliestTimestamp, 1}}}};
  for (int16_t v : {0, 1}) ExpectRoundTrip(req, v);
  req.isolation_level = 1;
  for (int16_t v : {2, 3}) ExpectRoundTrip(req, v);

  ListOffsetsResponse v0;
  v0.topics = {{"events", {{0, 0, {17}, -1, -1}}}};
  ExpectRoundTrip(v0, 0);
  ListOffsetsResponse v1;
  v1.topics = {{"events", {{0, 0, {}, -1, 17}, {1, 3, {}, -1, -1}}}};
  for (int16_t v : {1, 2, 3}) ExpectRoundTrip(v1, v);
}

TEST(FindCoordinatorTest, RoundTrips) {
  FindCoordinatorRequest req{"group-1", 0};
  for (int16_t v : {1, 2}) ExpectRoundTrip(req, v);
  ExpectRoundTrip(FindCoordinatorRequest{"g", 0}, 0);
  FindCoordinatorResponse resp;
  resp.host = "127.0.0.1";
  resp.port = 9092;
  for (int16_t v : {1, 2}) ExpectRoundTrip(resp, v);
  ExpectRoundTrip(resp, 0);
}

TEST(TopicsAdminTest, CreateTopicsRoundTrips) {
  CreateTopicsRequest req;
  req.topics = {{"new-topic", 3, 1, {}, {{"retention.ms", "1000"}, {"x", std::nullopt}}},
                {"other", -1, -1, {{0, {0}}}, {}}};
  req.timeout_ms = 5000;
  ExpectRoundTrip(req, 0);
  req.validate_only = true;
  for (int16_t v : {1, 2, 3, 4}) ExpectRoundTrip(req, v);
  CreateTopicsResponse resp;
  resp.topics = {{"new-topic", 0, std::nullopt}, {"bad", 36, "exists"}};
  for (int16_t v : {1, 2, 4}) ExpectRoundTrip(resp, v);
  resp.topics[1].error_message.reset();
  ExpectRoundTrip(resp, 0);
}

TEST(TopicsAdminTest, DeleteTopicsRoundTrips) {
  DeleteTopicsRequest req{{"a", "b"}, 1000};
  for (int16_t v : {0, 1, 3}) ExpectRoundTrip(req, v);
  DeleteTopicsResponse resp;
  resp.responses = {{"a", 0}, {"b", 3}};
  for (int16_t v : {0, 1, 3}) ExpectRoundTrip(resp, v);
}

TEST(DescribeConfigsTest, RoundTripsEveryVersion) {
  DescribeConfigsRequest req;
  req.resources = {{kResourceTopic, "events", std::nullopt},
                   {kResourceTopic, "t", std::vector<std::string>{"a"}}};
  ExpectRoundTrip(req, 0);
  req.include_synonyms = true;
  for (int16_t v : {1, 2}) ExpectRoundTrip(req, v);

  // v1+ carry each entry's source (is_default is not on the wire), v0 is_default (no source).
  DescribeConfigsResponse resp;
  DescribeConfigsEntry set{"segment.bytes", "1048576", false, false, kConfigSourceTopic, false, {}};
  DescribeConfigsEntry fixed{"cleanup.policy",     "delete", true, false,
                             kConfigSourceDefault, false,    {}};
  resp.results = {{0, std::nullopt, kResourceTopic, "events", {set, fixed}},
                  {3, "unknown topic x", kResourceTopic, "x", {}}};
  for (int16_t v : {1, 2}) ExpectRoundTrip(resp, v);
  resp.results[0].configs[0].config_source = kConfigSourceDefault;
  resp.results[0].configs[1].is_default = true;
  ExpectRoundTrip(resp, 0);
}

TEST(DescribeConfigsTest, VersionZeroSendsIsDefaultAndVersionOneTheSource) {
  DescribeConfigsResponse resp;
  DescribeConfigsEntry e{"k", std::nullopt, true, true, kConfigSourceDefault, false, {}};
  resp.results = {{0, std::nullopt, kResourceTopic, "t", {e}}};
  std::vector<uint8_t> v0 = EncodeMessage(resp, 0);
  std::vector<uint8_t> v1 = EncodeMessage(resp, 1);
  // After the name ("k") and a null value (-1): read_only, then is_default (v0) or the source (v1),
  // then is_sensitive, then (v1) an empty synonyms array.
  std::vector<uint8_t> tail0 = {0, 1, 'k', 0xff, 0xff, 1, 1, 0};
  std::vector<uint8_t> tail1 = {0, 1, 'k', 0xff, 0xff, 1, 5, 0, 0, 0, 0, 0};
  EXPECT_TRUE(std::equal(tail0.rbegin(), tail0.rend(), v0.rbegin()));
  EXPECT_TRUE(std::equal(tail1.rbegin(), tail1.rend(), v1.rbegin()));
}

}  // namespace
}  // namespace el::kafka
