#include "kafka/server/group_commit.h"

#include <boost/asio/post.hpp>

namespace el::kafka {

void GroupCommit::Finish(std::shared_ptr<storage::PartitionLog> log, storage::AppendTicket ticket, Done done) {
  storage::PartitionLog* key = log.get();
  {
    std::lock_guard lock(mu_);
    auto [it, inserted] = entries_.try_emplace(key);
    it->second.waiters.push_back({ticket, std::move(done)});
    if (!inserted) return;  // the running pass picks it up
    it->second.log = std::move(log);
  }
  boost::asio::post(pool_, [this, key] { Run(key); });
}

void GroupCommit::Run(storage::PartitionLog* key) {
  std::shared_ptr<storage::PartitionLog> log;
  std::vector<Waiter> batch;
  {
    std::lock_guard lock(mu_);
    Entry& entry = entries_.at(key);
    log = entry.log;
    batch.swap(entry.waiters);
  }
  // Every ticket here was written before this pass began, so the first Finish's fdatasync covers
  // them all and the later ones only publish.
  for (Waiter& w : batch) {
    Status st = log->Finish(w.ticket);
    w.done(std::move(st));
  }
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it->second.waiters.empty()) {
      entries_.erase(it);
      return;
    }
  }
  // Tickets arrived during this pass: the next pass goes to the back of the pool's queue, so busy
  // partitions share the pool with each other and with other blocking work.
  boost::asio::post(pool_, [this, key] { Run(key); });
}

}  // namespace el::kafka
