#pragma once
// RateRing: per-second rates of two counters (events in, events landed) over the last N seconds,
// for the console's overview chart. Fed once a second with the counters' totals; a total that
// goes down (a restarted lander) counts as a fresh start. Thread-safe (one mutex).
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace el::console {

class RateRing {
 public:
  explicit RateRing(size_t capacity) : capacity_(capacity) {}

  // Records the totals seen at `unix_s`. The first call only sets the baseline.
  void Add(int64_t unix_s, double in_total, double landed_total);
  // {"t":[...],"in":[...],"landed":[...]}: seconds since the epoch and events per second.
  std::string ToJson() const;
  size_t size() const;

 private:
  struct Point {
    int64_t t;
    double in;
    double landed;
  };
  const size_t capacity_;
  mutable std::mutex mu_;
  std::deque<Point> points_;   // GUARDED_BY(mu_)
  std::optional<Point> last_;  // GUARDED_BY(mu_): the previous totals
};

}  // namespace el::console
