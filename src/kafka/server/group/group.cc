#include "kafka/server/group/group.h"

#include <algorithm>
#include <random>

#include "base/log.h"

namespace el::kafka::group {
namespace {

using std::chrono::milliseconds;

JoinGroupResponse JoinError(ErrorCode e, std::string member_id = "") {
  JoinGroupResponse r;
  r.error_code = ToWire(e);
  r.member_id = std::move(member_id);
  return r;
}

SyncGroupResponse SyncError(ErrorCode e) {
  SyncGroupResponse r;
  r.error_code = ToWire(e);
  return r;
}

bool SameProtocols(const std::vector<JoinGroupProtocol>& a, const std::vector<JoinGroupProtocol>& b) {
  return a == b;
}

const std::vector<uint8_t>* MetadataFor(const Member& m, const std::string& protocol) {
  for (const auto& p : m.protocols) {
    if (p.name == protocol) return &p.metadata;
  }
  return nullptr;
}

}  // namespace

std::string_view StateName(GroupState s) {
  switch (s) {
    case GroupState::kEmpty: return "Empty";
    case GroupState::kPreparingRebalance: return "PreparingRebalance";
    case GroupState::kCompletingRebalance: return "CompletingRebalance";
    case GroupState::kStable: return "Stable";
    case GroupState::kDead: return "Dead";
  }
  return "Unknown";
}

Group::Group(std::string id, const GroupConfig& config) : id_(std::move(id)), config_(config) {}

std::string Group::NewMemberId(const std::string& client_id) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[40];
  snprintf(buf, sizeof buf, "-%016llx%08llx", static_cast<unsigned long long>(rng()),
           static_cast<unsigned long long>(rng() & 0xffffffffULL));
  return (client_id.empty() ? std::string("member") : client_id) + buf;
}

ErrorCode Group::ValidateJoin(const JoinParams& p) const {
  if (id_.empty()) return ErrorCode::kInvalidGroupId;
  if (p.session_timeout_ms < config_.min_session_timeout_ms ||
      p.session_timeout_ms > config_.max_session_timeout_ms) {
    return ErrorCode::kInvalidSessionTimeout;
  }
  if (state_ == GroupState::kDead) return ErrorCode::kCoordinatorNotAvailable;
  if (!SupportsProtocols(p)) return ErrorCode::kInconsistentGroupProtocol;
  return ErrorCode::kNone;
}

// A joining member must share the group's protocol type and at least one protocol with every other
// current member (Kafka's rule; mixed assignor sets fail with INCONSISTENT_GROUP_PROTOCOL).
bool Group::SupportsProtocols(const JoinParams& p) const {
  if (p.protocol_type.empty() || p.protocols.empty()) return false;
  bool others = false;
  for (const auto& [id, m] : members_) {
    if (id != p.member_id) others = true;
  }
  if (!others) return true;
  if (p.protocol_type != protocol_type_) return false;
  for (const auto& proto : p.protocols) {
    bool everyone = std::all_of(members_.begin(), members_.end(), [&](const auto& kv) {
      return kv.first == p.member_id || MetadataFor(kv.second, proto.name) != nullptr;
    });
    if (everyone) return true;
  }
  return false;
}

void Group::Join(JoinParams p, TimePoint now, JoinCallback cb) {
  if (ErrorCode e = ValidateJoin(p); e != ErrorCode::kNone) return cb(JoinError(e, p.member_id));
  if (p.rebalance_timeout_ms <= 0) p.rebalance_timeout_ms = p.session_timeout_ms;
  if (p.member_id.empty()) {
    std::string id = NewMemberId(p.client_id);
    if (p.version >= 4) {
      // KIP-394: the client must come back with this id, so a retried join does not add a ghost.
      pending_ids_[id] = now + milliseconds(p.session_timeout_ms);
      return cb(JoinError(ErrorCode::kMemberIdRequired, id));
    }
    return AddMember(std::move(p), std::move(id), now, std::move(cb));
  }
  auto it = members_.find(p.member_id);
  if (it == members_.end()) {
    auto pending = pending_ids_.find(p.member_id);
    if (pending == pending_ids_.end()) return cb(JoinError(ErrorCode::kUnknownMemberId, p.member_id));
    pending_ids_.erase(pending);
    std::string id = p.member_id;
    return AddMember(std::move(p), std::move(id), now, std::move(cb));
  }
  UpdateMember(it->second, std::move(p), now, std::move(cb));
}

void Group::AddMember(JoinParams p, std::string id, TimePoint now, JoinCallback cb) {
  Member m;
  m.id = id;
  m.group_instance_id = std::move(p.group_instance_id);
  m.client_id = std::move(p.client_id);
  m.client_host = std::move(p.client_host);
  m.session_timeout = milliseconds(p.session_timeout_ms);
  m.rebalance_timeout = milliseconds(p.rebalance_timeout_ms);
  m.protocols = std::move(p.protocols);
  m.last_heartbeat = now;
  m.join_order = next_join_order_++;
  m.join_cb = std::move(cb);
  if (members_.empty()) protocol_type_ = p.protocol_type;
  members_.emplace(id, std::move(m));
  spdlog::info("group {}: member {} joined ({} members)", id_, id, members_.size());
  if (state_ == GroupState::kPreparingRebalance && initial_delay_) {
    join_deadline_ = std::min(now + config_.initial_rebalance_delay, initial_cap_);
  }
  if (state_ != GroupState::kPreparingRebalance) PrepareRebalance(now);
  TryCompleteJoin(now);
}

void Group::UpdateMember(Member& m, JoinParams p, TimePoint now, JoinCallback cb) {
  bool same = SameProtocols(m.protocols, p.protocols);
  m.session_timeout = milliseconds(p.session_timeout_ms);
  m.rebalance_timeout = milliseconds(p.rebalance_timeout_ms);
  m.protocols = std::move(p.protocols);
  m.last_heartbeat = now;
  if (m.join_cb) m.join_cb(JoinError(ErrorCode::kRebalanceInProgress, m.id));
  m.join_cb = nullptr;
  // An unchanged member of a settled generation (not the leader, who may want to reassign) gets the
  // current generation back without a rebalance.
  if (same && (state_ == GroupState::kCompletingRebalance ||
               (state_ == GroupState::kStable && m.id != leader_))) {
    return cb(JoinReply(m));
  }
  m.join_cb = std::move(cb);
  if (state_ != GroupState::kPreparingRebalance) PrepareRebalance(now);
  TryCompleteJoin(now);
}

void Group::PrepareRebalance(TimePoint now) {
  if (state_ == GroupState::kCompletingRebalance) {
    for (auto& [id, m] : members_) {
      m.assignment.clear();
      if (m.sync_cb) std::exchange(m.sync_cb, nullptr)(SyncError(ErrorCode::kRebalanceInProgress));
    }
  }
  milliseconds longest{0};
  for (const auto& [id, m] : members_) longest = std::max(longest, m.rebalance_timeout);
  initial_delay_ = state_ == GroupState::kEmpty;
  if (initial_delay_) {
    initial_cap_ = now + longest;
    join_deadline_ = std::min(now + config_.initial_rebalance_delay, initial_cap_);
  } else {
    join_deadline_ = now + longest;
  }
  state_ = GroupState::kPreparingRebalance;
  spdlog::info("group {}: preparing rebalance (generation {})", id_, generation_);
}

void Group::TryCompleteJoin(TimePoint now) {
  if (state_ != GroupState::kPreparingRebalance) return;
  if (initial_delay_ && now < join_deadline_) return;
  bool all = std::all_of(members_.begin(), members_.end(),
                         [](const auto& kv) { return static_cast<bool>(kv.second.join_cb); });
  if (all || now >= join_deadline_) CompleteJoin(now);
}

void Group::CompleteJoin(TimePoint now) {
  for (auto it = members_.begin(); it != members_.end();) {
    if (it->second.join_cb) {
      ++it;
      continue;
    }
    spdlog::info("group {}: member {} did not rejoin in time; removed", id_, it->first);
    it = members_.erase(it);
  }
  ++generation_;
  initial_delay_ = false;
  if (members_.empty()) {
    state_ = GroupState::kEmpty;
    protocol_name_.clear();
    leader_.clear();
    return;
  }
  protocol_name_ = SelectProtocol();
  if (!members_.contains(leader_)) {
    auto first = std::min_element(members_.begin(), members_.end(), [](const auto& a, const auto& b) {
      return a.second.join_order < b.second.join_order;
    });
    leader_ = first->first;
  }
  state_ = GroupState::kCompletingRebalance;
  spdlog::info("group {}: generation {} with {} members, protocol {}, leader {}", id_, generation_,
               members_.size(), protocol_name_, leader_);
  for (auto& [id, m] : members_) {
    m.last_heartbeat = now;
    std::exchange(m.join_cb, nullptr)(JoinReply(m));
  }
}

// Among the protocols every member supports, each member votes for its first preference; the most
// votes win (ties go to the earlier preference of the longest-standing member).
std::string Group::SelectProtocol() const {
  const Member* oldest = nullptr;
  for (const auto& [id, m] : members_) {
    if (oldest == nullptr || m.join_order < oldest->join_order) oldest = &m;
  }
  std::vector<std::string> candidates;
  for (const auto& p : oldest->protocols) {
    bool everyone = std::all_of(members_.begin(), members_.end(),
                                [&](const auto& kv) { return MetadataFor(kv.second, p.name) != nullptr; });
    if (everyone) candidates.push_back(p.name);
  }
  if (candidates.empty()) return oldest->protocols.empty() ? "" : oldest->protocols[0].name;
  std::map<std::string, int> votes;
  for (const auto& [id, m] : members_) {
    for (const auto& p : m.protocols) {
      if (std::find(candidates.begin(), candidates.end(), p.name) != candidates.end()) {
        ++votes[p.name];
        break;
      }
    }
  }
  std::string best = candidates[0];
  for (const auto& c : candidates) {
    if (votes[c] > votes[best]) best = c;
  }
  return best;
}

JoinGroupResponse Group::JoinReply(const Member& m) const {
  JoinGroupResponse r;
  r.generation_id = generation_;
  r.protocol_name = protocol_name_;
  r.leader = leader_;
  r.member_id = m.id;
  if (m.id == leader_) {
    for (const auto& [id, other] : members_) {
      const std::vector<uint8_t>* md = MetadataFor(other, protocol_name_);
      r.members.push_back({id, other.group_instance_id, md ? *md : std::vector<uint8_t>{}});
    }
  }
  return r;
}

void Group::Sync(int32_t generation, const std::string& member_id,
                 std::vector<SyncGroupAssignment> assignments, TimePoint now, SyncCallback cb) {
  auto it = members_.find(member_id);
  if (state_ == GroupState::kDead) return cb(SyncError(ErrorCode::kCoordinatorNotAvailable));
  if (it == members_.end()) return cb(SyncError(ErrorCode::kUnknownMemberId));
  if (generation != generation_) return cb(SyncError(ErrorCode::kIllegalGeneration));
  Member& m = it->second;
  m.last_heartbeat = now;
  switch (state_) {
    case GroupState::kPreparingRebalance: return cb(SyncError(ErrorCode::kRebalanceInProgress));
    case GroupState::kStable: {
      SyncGroupResponse r;
      r.assignment = m.assignment;
      return cb(std::move(r));
    }
    case GroupState::kCompletingRebalance: break;
    default: return cb(SyncError(ErrorCode::kUnknownMemberId));
  }
  if (m.sync_cb) std::exchange(m.sync_cb, nullptr)(SyncError(ErrorCode::kRebalanceInProgress));
  m.sync_cb = std::move(cb);
  if (member_id != leader_) return;
  for (auto& [id, member] : members_) member.assignment.clear();
  for (auto& a : assignments) {
    auto target = members_.find(a.member_id);
    if (target != members_.end()) target->second.assignment = std::move(a.assignment);
  }
  state_ = GroupState::kStable;
  spdlog::info("group {}: generation {} is stable", id_, generation_);
  for (auto& [id, member] : members_) {
    if (!member.sync_cb) continue;
    SyncGroupResponse r;
    r.assignment = member.assignment;
    std::exchange(member.sync_cb, nullptr)(std::move(r));
  }
}

ErrorCode Group::Heartbeat(int32_t generation, const std::string& member_id, TimePoint now) {
  if (state_ == GroupState::kDead) return ErrorCode::kCoordinatorNotAvailable;
  auto it = members_.find(member_id);
  if (it == members_.end()) return ErrorCode::kUnknownMemberId;
  if (generation != generation_) return ErrorCode::kIllegalGeneration;
  it->second.last_heartbeat = now;
  if (state_ == GroupState::kPreparingRebalance) return ErrorCode::kRebalanceInProgress;
  return ErrorCode::kNone;
}

ErrorCode Group::Leave(const std::string& member_id, TimePoint now) {
  if (state_ == GroupState::kDead) return ErrorCode::kCoordinatorNotAvailable;
  if (!members_.contains(member_id)) return ErrorCode::kUnknownMemberId;
  spdlog::info("group {}: member {} left", id_, member_id);
  RemoveMember(member_id, now);
  return ErrorCode::kNone;
}

void Group::RemoveMember(const std::string& id, TimePoint now) {
  auto it = members_.find(id);
  if (it == members_.end()) return;
  Member& m = it->second;
  if (m.join_cb) std::exchange(m.join_cb, nullptr)(JoinError(ErrorCode::kUnknownMemberId, id));
  if (m.sync_cb) std::exchange(m.sync_cb, nullptr)(SyncError(ErrorCode::kUnknownMemberId));
  members_.erase(it);
  if (id == leader_) leader_.clear();
  switch (state_) {
    case GroupState::kStable:
    case GroupState::kCompletingRebalance:
      PrepareRebalance(now);
      [[fallthrough]];
    case GroupState::kPreparingRebalance:
      TryCompleteJoin(now);
      break;
    default:
      break;
  }
}

ErrorCode Group::CheckCommit(int32_t generation, const std::string& member_id, TimePoint now) {
  if (state_ == GroupState::kDead) return ErrorCode::kCoordinatorNotAvailable;
  if (generation < 0 && member_id.empty() && state_ == GroupState::kEmpty) return ErrorCode::kNone;
  if (state_ == GroupState::kCompletingRebalance) return ErrorCode::kRebalanceInProgress;
  auto it = members_.find(member_id);
  if (it == members_.end()) return ErrorCode::kUnknownMemberId;
  if (generation != generation_) return ErrorCode::kIllegalGeneration;
  it->second.last_heartbeat = now;
  return ErrorCode::kNone;
}

void Group::Tick(TimePoint now) {
  for (auto it = pending_ids_.begin(); it != pending_ids_.end();) {
    it = it->second <= now ? pending_ids_.erase(it) : std::next(it);
  }
  std::vector<std::string> expired;
  for (const auto& [id, m] : members_) {
    bool parked = m.join_cb || m.sync_cb;
    if (!parked && now >= m.last_heartbeat + m.session_timeout) expired.push_back(id);
  }
  for (const auto& id : expired) {
    spdlog::info("group {}: member {} missed its session timeout; removed", id_, id);
    RemoveMember(id, now);
  }
  TryCompleteJoin(now);
}

void Group::Shutdown() {
  for (auto& [id, m] : members_) {
    if (m.join_cb) std::exchange(m.join_cb, nullptr)(JoinError(ErrorCode::kCoordinatorNotAvailable, id));
    if (m.sync_cb) std::exchange(m.sync_cb, nullptr)(SyncError(ErrorCode::kCoordinatorNotAvailable));
  }
  state_ = GroupState::kDead;
}

DescribedGroup Group::Describe() const {
  DescribedGroup g;
  g.group_id = id_;
  g.group_state = std::string(StateName(state_));
  g.protocol_type = protocol_type_;
  g.protocol_data = protocol_name_;
  for (const auto& [id, m] : members_) {
    DescribedGroupMember d;
    d.member_id = id;
    d.group_instance_id = m.group_instance_id;
    d.client_id = m.client_id;
    d.client_host = m.client_host;
    if (const auto* md = MetadataFor(m, protocol_name_)) d.member_metadata = *md;
    d.member_assignment = m.assignment;
    g.members.push_back(std::move(d));
  }
  return g;
}

}  // namespace el::kafka::group
