#pragma once
// MessageIdWindow: the messageIds acknowledged within the last `window`, so that a retried call
// (same messageId) is answered 2xx but logged to the topic once. An id is remembered only after
// the broker acknowledged its event, so a failed attempt can be retried. Bounded: beyond
// `max_ids` the oldest ids are forgotten early. Thread-safe (one mutex, taken once per request).
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace el::collector {

class MessageIdWindow {
 public:
  using Clock = std::chrono::steady_clock;
  MessageIdWindow(Clock::duration window, size_t max_ids) : window_(window), max_ids_(max_ids) {}

  // For each id (empty ids never match): true when it was acknowledged within the window.
  std::vector<bool> Seen(const std::vector<const std::string*>& ids, Clock::time_point now);
  // Remembers acknowledged ids (empty ones are skipped).
  void Remember(const std::vector<const std::string*>& ids, Clock::time_point now);
  size_t size();

 private:
  void ExpireLocked(Clock::time_point now);

  const Clock::duration window_;
  const size_t max_ids_;
  std::mutex mu_;
  std::unordered_map<std::string, Clock::time_point> last_seen_;       // guarded by mu_
  std::deque<std::pair<Clock::time_point, std::string>> by_time_;      // guarded by mu_
};

}  // namespace el::collector
