#include "kafka/server/fetch_waiters.h"

#include <boost/asio/post.hpp>

namespace el::kafka {

void FetchWaiters::Add(const std::shared_ptr<Waiter>& w) {
  std::lock_guard lock(mu_);
  waiters_.insert(w);
}

void FetchWaiters::Remove(const std::shared_ptr<Waiter>& w) {
  std::lock_guard lock(mu_);
  waiters_.erase(w);
}

void FetchWaiters::Wake(const std::shared_ptr<Waiter>& w) {
  // The flag covers a notification that arrives before the fetch starts its wait: the fetch checks it
  // on its strand right before waiting, and the cancel below runs on that same strand.
  w->notified = true;
  boost::asio::post(w->timer.get_executor(), [w] { w->timer.cancel(); });
}

void FetchWaiters::Notify(const std::string& topic, int32_t partition) {
  std::lock_guard lock(mu_);
  for (const auto& w : waiters_) {
    for (const auto& [t, p] : w->partitions) {
      if (p == partition && t == topic) {
        Wake(w);
        break;
      }
    }
  }
}

void FetchWaiters::WakeAll() {
  std::lock_guard lock(mu_);
  for (const auto& w : waiters_) Wake(w);
}

}  // namespace el::kafka
