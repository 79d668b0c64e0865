#pragma once
// Group: one consumer group's membership state machine (Kafka's GroupCoordinator semantics on a
// single node): Empty -> PreparingRebalance -> CompletingRebalance -> Stable, and back to
// PreparingRebalance when a member joins, changes its protocols, leaves or stops heartbeating.
//
// JoinGroup and SyncGroup answers may be deferred: the caller passes a callback that the group calls
// exactly once, either at once (errors, nothing to wait for) or later from another call (the last
// member rejoining, the leader's SyncGroup, Tick() passing a deadline, Shutdown()). Callbacks run while
// the caller's lock is held, so they must only hand the result off (e.g. post to an executor).
//
// Time is passed in (`now`), so the machine is deterministic and tests need no sleeps.
// Threading: not thread-safe; the Coordinator serializes calls with a mutex per group.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/protocol/api.h"
#include "kafka/protocol/describe_groups.h"
#include "kafka/protocol/join_group.h"
#include "kafka/protocol/sync_group.h"

namespace el::kafka::group {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

enum class GroupState { kEmpty, kPreparingRebalance, kCompletingRebalance, kStable, kDead };
std::string_view StateName(GroupState s);

struct GroupConfig {
  // How long the first rebalance of an empty group waits for more members (Kafka's
  // group.initial.rebalance.delay.ms); each new member extends it, up to the rebalance timeout.
  std::chrono::milliseconds initial_rebalance_delay{300};
  int32_t min_session_timeout_ms = 6000;
  int32_t max_session_timeout_ms = 1800000;
};

struct JoinParams {
  std::string member_id;  // "" on a first join
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<JoinGroupProtocol> protocols;
  int16_t version = 0;  // MEMBER_ID_REQUIRED only from v4
};

using JoinCallback = std::function<void(JoinGroupResponse)>;
using SyncCallback = std::function<void(SyncGroupResponse)>;

struct Member {
  std::string id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  std::chrono::milliseconds session_timeout{0};
  std::chrono::milliseconds rebalance_timeout{0};
  std::vector<JoinGroupProtocol> protocols;
  std::vector<uint8_t> assignment;
  TimePoint last_heartbeat;
  uint64_t join_order = 0;
  JoinCallback join_cb;  // set while a JoinGroup is parked
  SyncCallback sync_cb;  // set while a SyncGroup is parked
};

class Group {
 public:
  Group(std::string id, const GroupConfig& config);

  void Join(JoinParams p, TimePoint now, JoinCallback cb);
  void Sync(int32_t generation, const std::string& member_id,
            std::vector<SyncGroupAssignment> assignments, TimePoint now, SyncCallback cb);
  ErrorCode Heartbeat(int32_t generation, const std::string& member_id, TimePoint now);
  ErrorCode Leave(const std::string& member_id, TimePoint now);
  // Whether an OffsetCommit from (generation, member) is accepted now (also counts as a heartbeat).
  ErrorCode CheckCommit(int32_t generation, const std::string& member_id, TimePoint now);
  // Expires silent members and completes a rebalance whose deadline passed.
  void Tick(TimePoint now);
  // Answers every parked request with COORDINATOR_NOT_AVAILABLE; the group becomes Dead.
  void Shutdown();

  const std::string& id() const { return id_; }
  GroupState state() const { return state_; }
  int32_t generation() const { return generation_; }
  const std::string& protocol_type() const { return protocol_type_; }
  const std::string& protocol_name() const { return protocol_name_; }
  const std::string& leader() const { return leader_; }
  const std::map<std::string, Member>& members() const { return members_; }
  DescribedGroup Describe() const;

 private:
  ErrorCode ValidateJoin(const JoinParams& p) const;
  bool SupportsProtocols(const JoinParams& p) const;
  void AddMember(JoinParams p, std::string id, TimePoint now, JoinCallback cb);
  void UpdateMember(Member& m, JoinParams p, TimePoint now, JoinCallback cb);
  void PrepareRebalance(TimePoint now);
  void TryCompleteJoin(TimePoint now);
  void CompleteJoin(TimePoint now);
  std::string SelectProtocol() const;
  JoinGroupResponse JoinReply(const Member& m) const;
  void RemoveMember(const std::string& id, TimePoint now);
  std::string NewMemberId(const std::string& client_id);

  std::string id_;
  GroupConfig config_;
  GroupState state_ = GroupState::kEmpty;
  int32_t generation_ = 0;
  std::string protocol_type_;
  std::string protocol_name_;
  std::string leader_;
  std::map<std::string, Member> members_;
  std::map<std::string, TimePoint> pending_ids_;  // handed out with MEMBER_ID_REQUIRED, until expiry
  uint64_t next_join_order_ = 0;
  TimePoint join_deadline_;
  bool initial_delay_ = false;
  TimePoint initial_cap_;
};

}  // namespace el::kafka::group
