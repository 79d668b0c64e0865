#pragma once
// FetchWaiters: parked Fetch requests (long-poll) and the wake-ups that appends send them.
// A parked fetch registers a Waiter naming the partitions it reads and a steady_timer set to its
// deadline; Notify(topic, partition) after an append cancels the timers of the waiters on that
// partition, so they re-read at once. Thread-safe: Add/Remove/Notify/WakeAll may run on any thread;
// each timer is only touched on its own executor (the connection's strand).
// Lifetime: waiters are shared_ptr so a posted cancel never outlives its timer.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <boost/asio/steady_timer.hpp>

namespace el::kafka {

class FetchWaiters {
 public:
  struct Waiter {
    explicit Waiter(boost::asio::any_io_executor ex) : timer(std::move(ex)) {}
    std::vector<std::pair<std::string, int32_t>> partitions;
    boost::asio::steady_timer timer;
    std::atomic<bool> notified{false};
  };

  void Add(const std::shared_ptr<Waiter>& w);
  void Remove(const std::shared_ptr<Waiter>& w);
  void Notify(const std::string& topic, int32_t partition);
  void WakeAll();

 private:
  void Wake(const std::shared_ptr<Waiter>& w);
  std::mutex mu_;
  std::unordered_set<std::shared_ptr<Waiter>> waiters_;  // GUARDED_BY(mu_)
};

}  // namespace el::kafka
