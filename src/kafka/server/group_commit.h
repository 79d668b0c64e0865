#pragma once
// GroupCommit: finishes acks=all appends (storage::PartitionLog::Finish) without holding a thread per
// waiting request. Per partition, at most one Finish pass runs on the blocking pool at a time; tickets
// arriving meanwhile queue up and the next pass's single fdatasync covers all of them. So a partition
// sees at most one fdatasync in flight, and every request waits for at most two.
// One pass per pool task: a partition with more tickets re-queues its next pass behind other work.
// Threading: Finish may be called from any thread; `done` runs on a blocking-pool thread (post it to
// your own executor). Lifetime: owned by the Broker; outlives every connection; its pool is joined
// before the logs close, and every queued ticket is finished (and published) even if its requester is gone.
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "base/status.h"
#include "storage/partition_log.h"

namespace el::kafka {

class GroupCommit {
 public:
  using Done = std::function<void(Status)>;
  explicit GroupCommit(boost::asio::thread_pool& pool) : pool_(pool) {}

  // Makes `ticket` durable (if ticket.sync) and published, then calls done(status) exactly once.
  void Finish(std::shared_ptr<storage::PartitionLog> log, storage::AppendTicket ticket, Done done);

 private:
  struct Waiter {
    storage::AppendTicket ticket;
    Done done;
  };
  struct Entry {
    std::shared_ptr<storage::PartitionLog> log;
    std::vector<Waiter> waiters;
  };
  void Run(storage::PartitionLog* key);

  boost::asio::thread_pool& pool_;
  std::mutex mu_;
  // Partitions with a pass running (its entry exists exactly while a pass is scheduled or running).
  std::unordered_map<storage::PartitionLog*, Entry> entries_;  // GUARDED_BY(mu_)
};

}  // namespace el::kafka
