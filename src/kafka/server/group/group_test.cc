// Group state machine: joins, deferred answers, protocol votes, heartbeats, leave, session expiry and
// commit rules, all with a fake clock (no sleeps).
#include "kafka/server/group/group.h"

#include <gtest/gtest.h>

namespace el::kafka::group {
namespace {

using std::chrono::milliseconds;

std::vector<uint8_t> B(std::string_view s) { return {s.begin(), s.end()}; }

class GroupTest : public ::testing::Test {
 protected:
  GroupTest() : group_("g", Config()) {}
  static GroupConfig Config() {
    GroupConfig c;
    c.initial_rebalance_delay = milliseconds(100);
    return c;
  }
  JoinParams Params(std::string member, std::vector<std::string> protocols, int16_t version = 5) {
    JoinParams p;
    p.member_id = std::move(member);
    p.client_id = "client";
    p.client_host = "/127.0.0.1";
    p.session_timeout_ms = 10000;
    p.rebalance_timeout_ms = 30000;
    p.protocol_type = "consumer";
    for (auto& name : protocols) p.protocols.push_back({name, B("md-" + name)});
    p.version = version;
    return p;
  }
  // Joins and returns a slot that receives the answer when the group gives it.
  std::shared_ptr<std::optional<JoinGroupResponse>> Join(JoinParams p) {
    auto slot = std::make_shared<std::optional<JoinGroupResponse>>();
    group_.Join(std::move(p), now_, [slot](JoinGroupResponse r) { *slot = std::move(r); });
    return slot;
  }
  std::shared_ptr<std::optional<SyncGroupResponse>> Sync(int32_t gen, std::string member,
                                                         std::vector<SyncGroupAssignment> a = {}) {
    auto slot = std::make_shared<std::optional<SyncGroupResponse>>();
    group_.Sync(gen, member, std::move(a), now_, [slot](SyncGroupResponse r) { *slot = std::move(r); });
    return slot;
  }
  // v4+ two-step first join; returns the slot of the second (real) join.
  std::shared_ptr<std::optional<JoinGroupResponse>> JoinNew(std::vector<std::string> protocols) {
    auto first = Join(Params("", protocols));
    EXPECT_TRUE(first->has_value());
    EXPECT_EQ((*first)->error_code, ToWire(ErrorCode::kMemberIdRequired));
    return Join(Params((*first)->member_id, protocols));
  }
  void Advance(milliseconds d) {
    now_ += d;
    group_.Tick(now_);
  }

  Group group_;
  TimePoint now_ = TimePoint() + std::chrono::hours(1);
};

TEST_F(GroupTest, FirstJoinWaitsForTheInitialDelayThenStabilizes) {
  auto a = JoinNew({"range"});
  EXPECT_FALSE(a->has_value());
  EXPECT_EQ(group_.state(), GroupState::kPreparingRebalance);
  Advance(milliseconds(60));
  auto b = JoinNew({"range"});
  Advance(milliseconds(60));
  EXPECT_FALSE(a->has_value()) << "a new member extends the initial delay";
  Advance(milliseconds(60));
  ASSERT_TRUE(a->has_value() && b->has_value());
  EXPECT_EQ((*a)->generation_id, 1);
  EXPECT_EQ((*a)->leader, (*a)->member_id) << "the first member leads";
  EXPECT_EQ((*a)->members.size(), 2u);
  EXPECT_TRUE((*b)->members.empty()) << "followers get no member list";
  EXPECT_EQ((*b)->protocol_name, "range");
  EXPECT_EQ(group_.state(), GroupState::kCompletingRebalance);

  auto follower = Sync(1, (*b)->member_id);
  EXPECT_FALSE(follower->has_value()) << "followers park until the leader syncs";
  auto leader = Sync(1, (*a)->member_id, {{(*a)->member_id, B("A")}, {(*b)->member_id, B("B")}});
  ASSERT_TRUE(follower->has_value() && leader->has_value());
  EXPECT_EQ((*follower)->assignment, B("B"));
  EXPECT_EQ((*leader)->assignment, B("A"));
  EXPECT_EQ(group_.state(), GroupState::kStable);
  EXPECT_EQ(group_.Heartbeat(1, (*b)->member_id, now_), ErrorCode::kNone);
}

TEST_F(GroupTest, MemberIdRequiredOnlyFromV4) {
  auto old = Join(Params("", {"range"}, 2));
  EXPECT_FALSE(old->has_value()) << "v2 joins at once with a generated id";
  Advance(milliseconds(150));
  ASSERT_TRUE(old->has_value());
  EXPECT_EQ((*old)->error_code, 0);
  EXPECT_FALSE((*old)->member_id.empty());
  auto unknown = Join(Params("made-up", {"range"}));
  ASSERT_TRUE(unknown->has_value());
  EXPECT_EQ((*unknown)->error_code, ToWire(ErrorCode::kUnknownMemberId));
}

TEST_F(GroupTest, RejectsBadSessionTimeoutAndForeignProtocols) {
  auto p = Params("", {"range"});
  p.session_timeout_ms = 1000;
  auto bad = Join(p);
  ASSERT_TRUE(bad->has_value());
  EXPECT_EQ((*bad)->error_code, ToWire(ErrorCode::kInvalidSessionTimeout));
  JoinNew({"range", "roundrobin"});
  auto other = Join(Params("", {"RoundRobinAssigner"}));
  ASSERT_TRUE(other->has_value());
  EXPECT_EQ((*other)->error_code, ToWire(ErrorCode::kInconsistentGroupProtocol));
}

TEST_F(GroupTest, ProtocolChosenByVotes) {
  auto a = JoinNew({"range", "roundrobin"});
  auto b = JoinNew({"roundrobin", "range"});
  auto c = JoinNew({"roundrobin"});
  Advance(milliseconds(150));
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->protocol_name, "roundrobin");
  EXPECT_EQ((*a)->members[0].metadata, B("md-roundrobin"));
}

struct Stable {
  std::string a, b;
};

class RebalanceTest : public GroupTest {
 protected:
  Stable MakeStable() {
    auto a = JoinNew({"range"});
    auto b = JoinNew({"range"});
    Advance(milliseconds(150));
    Sync(1, (*b)->member_id);
    Sync(1, (*a)->member_id, {{(*a)->member_id, B("A")}, {(*b)->member_id, B("B")}});
    EXPECT_EQ(group_.state(), GroupState::kStable);
    return {(*a)->member_id, (*b)->member_id};
  }
};

TEST_F(RebalanceTest, NewMemberTriggersRebalanceSignalledByHeartbeat) {
  Stable s = MakeStable();
  auto c = JoinNew({"range"});
  EXPECT_EQ(group_.state(), GroupState::kPreparingRebalance);
  EXPECT_EQ(group_.Heartbeat(1, s.a, now_), ErrorCode::kRebalanceInProgress);
  EXPECT_EQ(group_.Heartbeat(1, "nobody", now_), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(group_.Heartbeat(7, s.a, now_), ErrorCode::kIllegalGeneration);
  EXPECT_EQ(group_.CheckCommit(1, s.a, now_), ErrorCode::kNone) << "commits pass while preparing";
  auto ra = Join(Params(s.a, {"range"}));
  EXPECT_FALSE(c->has_value());
  auto rb = Join(Params(s.b, {"range"}));
  ASSERT_TRUE(c->has_value() && ra->has_value() && rb->has_value()) << "completes once all rejoined";
  EXPECT_EQ((*c)->generation_id, 2);
  EXPECT_EQ((*ra)->leader, s.a) << "the previous leader keeps leading";
  EXPECT_EQ(group_.CheckCommit(2, s.a, now_), ErrorCode::kRebalanceInProgress);
}

TEST_F(RebalanceTest, LeaveRebalancesAtOnce) {
  Stable s = MakeStable();
  EXPECT_EQ(group_.Leave(s.a, now_), ErrorCode::kNone);
  EXPECT_EQ(group_.state(), GroupState::kPreparingRebalance);
  auto rb = Join(Params(s.b, {"range"}));
  ASSERT_TRUE(rb->has_value());
  EXPECT_EQ((*rb)->leader, s.b);
  EXPECT_EQ((*rb)->generation_id, 2);
  EXPECT_EQ(group_.Leave(s.b, now_), ErrorCode::kNone);
  EXPECT_EQ(group_.state(), GroupState::kEmpty) << "the last member leaving empties the group";
  EXPECT_EQ(group_.generation(), 3);
  EXPECT_EQ(group_.CheckCommit(-1, "", now_), ErrorCode::kNone) << "simple commits into an empty group";
}

TEST_F(RebalanceTest, SilentMemberExpiresAndOthersRebalance) {
  Stable s = MakeStable();
  for (int i = 0; i < 3; ++i) {
    Advance(milliseconds(3000));
    EXPECT_EQ(group_.Heartbeat(1, s.b, now_), ErrorCode::kNone);
  }
  EXPECT_TRUE(group_.members().contains(s.a));
  Advance(milliseconds(3000));
  EXPECT_FALSE(group_.members().contains(s.a)) << "a missed 10 s of heartbeats";
  EXPECT_EQ(group_.Heartbeat(1, s.b, now_), ErrorCode::kRebalanceInProgress);
  auto rb = Join(Params(s.b, {"range"}));
  ASSERT_TRUE(rb->has_value());
  EXPECT_EQ((*rb)->members.size(), 1u);
}

TEST_F(RebalanceTest, MemberThatDoesNotRejoinIsDroppedAtTheDeadline) {
  Stable s = MakeStable();
  auto c = JoinNew({"range"});
  auto ra = Join(Params(s.a, {"range"}));
  for (int i = 0; i < 11; ++i) {
    Advance(milliseconds(3000));
    group_.Heartbeat(1, s.b, now_);  // alive but never rejoins
  }
  ASSERT_TRUE(c->has_value() && ra->has_value());
  EXPECT_EQ((*ra)->members.size(), 2u);
  EXPECT_FALSE(group_.members().contains(s.b));
}

TEST_F(RebalanceTest, CommitRules) {
  Stable s = MakeStable();
  EXPECT_EQ(group_.CheckCommit(-1, "", now_), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(group_.CheckCommit(0, s.a, now_), ErrorCode::kIllegalGeneration);
  EXPECT_EQ(group_.CheckCommit(1, s.a, now_), ErrorCode::kNone);
  DescribedGroup d = group_.Describe();
  EXPECT_EQ(d.group_state, "Stable");
  EXPECT_EQ(d.protocol_data, "range");
  ASSERT_EQ(d.members.size(), 2u);
  EXPECT_EQ(d.members[0].client_host, "/127.0.0.1");
}

TEST_F(RebalanceTest, ShutdownAnswersParkedRequests) {
  Stable s = MakeStable();
  auto c = JoinNew({"range"});
  group_.Shutdown();
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->error_code, ToWire(ErrorCode::kCoordinatorNotAvailable));
  EXPECT_EQ(group_.Heartbeat(1, s.a, now_), ErrorCode::kCoordinatorNotAvailable);
}

}  // namespace
}  // namespace el::kafka::group
