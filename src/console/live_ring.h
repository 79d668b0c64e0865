#pragma once
// LiveRing: the newest events read from the log for the console's Live events page, numbered in
// the order read so that each page asks only for what it has not seen. Bounded: the oldest are
// dropped. Thread-safe (one mutex): the tail reader adds, the listener's threads read.
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

namespace el::console {

struct LiveEvent {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::string value;  // the record's value, cut at kMaxValueBytes
};

class LiveRing {
 public:
  static constexpr size_t kMaxValueBytes = 4096;

  explicit LiveRing(size_t capacity) : capacity_(capacity) {}
  void Add(LiveEvent event);
  // What the reader is doing, shown by the page: "idle", "starting", "reading", or an error.
  void SetState(std::string state);
  // {"state":..,"next":N,"events":[{"seq":..,"partition":..,"offset":..,"timestamp_ms":..,
  // "value":".."},...]}: the events numbered above `after` still held (at most `max`, the newest).
  std::string JsonSince(uint64_t after, size_t max) const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::deque<std::pair<uint64_t, LiveEvent>> events_;  // GUARDED_BY(mu_)
  uint64_t next_seq_ = 1;                              // GUARDED_BY(mu_)
  std::string state_ = "idle";                         // GUARDED_BY(mu_)
};

}  // namespace el::console
