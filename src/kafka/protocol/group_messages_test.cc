// Encode/decode round trips of the consumer-group messages at every served version, plus byte-exact
// checks of the layouts clients depend on (LeaveGroup v3 batch form, OffsetFetch null topics).
#include <gtest/gtest.h>

#include "kafka/protocol/codec.h"
#include "kafka/protocol/describe_groups.h"
#include "kafka/protocol/heartbeat.h"
#include "kafka/protocol/join_group.h"
#include "kafka/protocol/leave_group.h"
#include "kafka/protocol/list_groups.h"
#include "kafka/protocol/offset_commit.h"
#include "kafka/protocol/offset_fetch.h"
#include "kafka/protocol/sync_group.h"
#include "kafka/protocol/test_round_trip.h"

namespace el::kafka {
namespace {

using testing::ExpectRoundTrip;

std::vector<uint8_t> B(std::string_view s) { return {s.begin(), s.end()}; }

TEST(GroupMessagesTest, JoinGroup) {
  for (int16_t v = 0; v <= 5; ++v) {
    JoinGroupRequest req{"g", 10000, v >= 1 ? 300000 : -1, "m-1", std::nullopt, "consumer",
                         {{"range", B("r")}, {"roundrobin", B("rr")}}};
    if (v >= 5) req.group_instance_id = "static-1";
    ExpectRoundTrip(req, v);
    JoinGroupResponse resp;
    resp.generation_id = 3;
    resp.protocol_name = "range";
    resp.leader = "m-1";
    resp.member_id = "m-1";
    resp.members = {{"m-1", std::nullopt, B("meta")}, {"m-2", std::nullopt, B("")}};
    ExpectRoundTrip(resp, v);
  }
  // v0 request: no rebalance timeout between session timeout and member id.
  JoinGroupRequest v0{"g", 6000, -1, "", std::nullopt, "consumer", {}};
  EXPECT_EQ(EncodeMessage(v0, 0).size(), 2 + 1 + 4 + 2 + 2 + 8 + 4u);
  EXPECT_EQ(EncodeMessage(v0, 1).size(), EncodeMessage(v0, 0).size() + 4);
}

TEST(GroupMessagesTest, SyncHeartbeat) {
  for (int16_t v = 0; v <= 3; ++v) {
    SyncGroupRequest req{"g", 2, "m", std::nullopt, {{"m", B("a")}, {"n", B("")}}};
    ExpectRoundTrip(req, v);
    ExpectRoundTrip(SyncGroupResponse{0, 27, B("assign")}, v);
    ExpectRoundTrip(HeartbeatRequest{"g", 2, "m", v >= 3 ? std::optional<std::string>("i") : std::nullopt}, v);
    ExpectRoundTrip(HeartbeatResponse{0, 22}, v);
  }
}

TEST(GroupMessagesTest, LeaveGroupV3UsesMembersArray) {
  for (int16_t v = 0; v <= 2; ++v) {
    ExpectRoundTrip(LeaveGroupRequest{"g", "m", {}}, v);
    ExpectRoundTrip(LeaveGroupResponse{0, 25, {}}, v);
  }
  LeaveGroupRequest v3{"g", "", {{"a", std::nullopt, 0}, {"b", "inst", 0}}};
  ExpectRoundTrip(v3, 3);
  auto bytes = EncodeMessage(v3, 3);
  // "g", count 2, "a", null, "b", "inst".
  EXPECT_EQ(bytes.size(), 3 + 4 + 3 + 2 + 3 + 6u);
  ExpectRoundTrip(LeaveGroupResponse{0, 0, {{"a", std::nullopt, 25}}}, 3);
}

TEST(GroupMessagesTest, OffsetCommitVersionedFields) {
  for (int16_t v = 0; v <= 7; ++v) {
    OffsetCommitRequest req;
    req.group_id = "g";
    if (v >= 1) {
      req.generation_id = 4;
      req.member_id = "m";
    }
    if (v >= 2 && v <= 4) req.retention_time_ms = 1000;
    if (v >= 7) req.group_instance_id = "i";
    OffsetCommitPartition p{0, 42, v >= 6 ? 3 : -1, v == 1 ? 999 : -1, "md"};
    req.topics = {{"t", {p, {1, 7, -1, v == 1 ? 5 : -1, std::nullopt}}}};
    ExpectRoundTrip(req, v);
    ExpectRoundTrip(OffsetCommitResponse{0, {{"t", {{0, 0}, {1, 25}}}}}, v);
  }
}

TEST(GroupMessagesTest, OffsetFetchNullTopicsFromV2) {
  for (int16_t v = 0; v <= 5; ++v) {
    ExpectRoundTrip(OffsetFetchRequest{"g", std::vector<OffsetFetchTopic>{{"t", {0, 1, 2}}}}, v);
    OffsetFetchResponse resp;
    resp.topics = {{"t", {{0, 42, v >= 5 ? 1 : -1, "", 0}, {1, -1, -1, std::nullopt, 0}}}};
    ExpectRoundTrip(resp, v);
  }
  ExpectRoundTrip(OffsetFetchRequest{"g", std::nullopt}, 2);
  auto bytes = EncodeMessage(OffsetFetchRequest{"g", std::nullopt}, 2);
  EXPECT_EQ(bytes, (std::vector<uint8_t>{0, 1, 'g', 0xff, 0xff, 0xff, 0xff}));
}

TEST(GroupMessagesTest, ListAndDescribeGroups) {
  for (int16_t v = 0; v <= 2; ++v) {
    ExpectRoundTrip(ListGroupsRequest{}, v);
    ExpectRoundTrip(ListGroupsResponse{0, 0, {{"g", "consumer"}, {"h", ""}}}, v);
  }
  for (int16_t v = 0; v <= 4; ++v) {
    ExpectRoundTrip(DescribeGroupsRequest{{"g", "h"}, v >= 3}, v);
    DescribedGroup g;
    g.group_id = "g";
    g.group_state = "Stable";
    g.protocol_type = "consumer";
    g.protocol_data = "range";
    g.members = {{"m", v >= 4 ? std::optional<std::string>("i") : std::nullopt, "rdkafka", "/127.0.0.1",
                  B("meta"), B("assign")}};
    ExpectRoundTrip(DescribeGroupsResponse{0, {g}}, v);
  }
}

}  // namespace
}  // namespace el::kafka
