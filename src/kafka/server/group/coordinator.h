#pragma once
// Coordinator: every consumer group of this node plus the committed-offsets store. Handlers call it;
// it owns the Group state machines (one mutex per group) and a ticker thread that expires silent
// members and completes rebalances whose deadline passed (every `tick`).
//
// Join and Sync are coroutines that park until their group answers: the answer is handed over and
// the waiting coroutine woken by cancelling its timer on its own executor, which must be a strand
// (every broker connection runs on one), so the connection's io thread is never blocked.
// Threading: every method is thread-safe. Lifetime: owned by the Broker; Shutdown() (also run by the
// destructor) answers parked requests with COORDINATOR_NOT_AVAILABLE and stops the ticker.
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "base/result.h"
#include "kafka/protocol/describe_groups.h"
#include "kafka/protocol/list_groups.h"
#include "kafka/server/group/group.h"
#include "kafka/server/group/offset_store.h"

namespace el::kafka::group {

class Coordinator {
 public:
  // Opens (and compacts) the offsets file under `data_dir`. Errors: IOError.
  static Result<std::unique_ptr<Coordinator>> Open(const std::string& data_dir, GroupConfig config,
                                                   std::chrono::milliseconds tick = std::chrono::milliseconds(50));
  ~Coordinator();
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  boost::asio::awaitable<JoinGroupResponse> Join(const std::string& group_id, JoinParams& p);
  boost::asio::awaitable<SyncGroupResponse> Sync(const std::string& group_id, int32_t generation,
                                                 const std::string& member_id,
                                                 std::vector<SyncGroupAssignment>& assignments);
  ErrorCode Heartbeat(const std::string& group_id, int32_t generation, const std::string& member_id);
  ErrorCode Leave(const std::string& group_id, const std::string& member_id);
  // Whether a commit from (generation, member) may be stored now.
  ErrorCode CheckCommit(const std::string& group_id, int32_t generation, const std::string& member_id);

  std::vector<ListedGroup> List() const;
  DescribedGroup Describe(const std::string& group_id) const;
  OffsetStore& offsets() { return *offsets_; }
  const OffsetStore& offsets() const { return *offsets_; }
  const GroupConfig& config() const { return config_; }

  void Tick(TimePoint now);  // what the ticker runs; public for tests
  void Shutdown();

 private:
  struct Entry {
    explicit Entry(std::string id, const GroupConfig& c) : group(std::move(id), c) {}
    std::mutex mu;
    Group group;  // GUARDED_BY(mu)
  };
  Coordinator(GroupConfig config, std::unique_ptr<OffsetStore> offsets);
  std::shared_ptr<Entry> Find(const std::string& id, bool create);
  std::vector<std::shared_ptr<Entry>> Snapshot() const;
  void TickLoop(std::chrono::milliseconds tick);

  const GroupConfig config_;
  std::unique_ptr<OffsetStore> offsets_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Entry>> groups_;  // GUARDED_BY(mu_)
  bool shut_down_ = false;                                // GUARDED_BY(mu_)
  std::condition_variable cv_;
  std::thread ticker_;
};

}  // namespace el::kafka::group
