#pragma once
// LiveTail: the console's one reader of the live log. It starts when a page asks for live events
// (Want) and stops once none has asked for kIdle, so an open console costs the pipeline one
// consumer at most, whatever the number of pages; it reads `topic` from the end of each partition
// into a LiveRing. Its cost is bounded whatever the topic's rate: at most 1000 events a second
// (more than the pages show), skipping to the newest events when the topic outruns it, with a
// small prefetch. Threading: Want from any thread; the reader is its own thread. Lifetime: the
// destructor stops and joins the reader.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "console/live_ring.h"

namespace el::app {

class LiveTail {
 public:
  static constexpr auto kIdle = std::chrono::seconds(30);

  LiveTail(std::string brokers, std::string topic, std::shared_ptr<console::LiveRing> ring);
  ~LiveTail();
  LiveTail(const LiveTail&) = delete;
  LiveTail& operator=(const LiveTail&) = delete;

  // A page wants live events: starts the reader unless it runs.
  void Want();

 private:
  void Read(std::stop_token stop);

  const std::string brokers_;
  const std::string topic_;
  std::shared_ptr<console::LiveRing> ring_;
  std::atomic<int64_t> wanted_at_ms_{0};  // steady clock
  std::atomic<bool> running_{false};
  std::mutex mu_;
  std::jthread reader_;  // GUARDED_BY(mu_); declared last: joined first
};

}  // namespace el::app
