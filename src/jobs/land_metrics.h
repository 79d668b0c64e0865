#pragma once
// LandMetrics: a follow lander's /metrics (events, duplicates, dead letters, files, bytes, batches and
// batch time landed; lag per partition in records and of the lake in seconds; when it last
// landed) and its health: unwell while landing fails (a full disk, an unreachable broker) or
// while the lake is further behind the log than `max_lag`.
// Threading: thread-safe (the lander records, HTTP threads read).
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "base/component_status.h"

namespace el::jobs {

struct LandedBatch {
  int64_t events = 0;
  int64_t duplicates = 0;
  int64_t dead_letters = 0;
  int64_t files = 0;
  int64_t bytes = 0;                       // of the files published
  double seconds = 0;                      // from its staging to its publish
  int64_t newest_ms = -1;                  // the newest Kafka timestamp of its records
  std::map<int32_t, int64_t> lag_records;  // partition -> records past the batch in the log
};

class LandMetrics final : public ComponentStatus {
 public:
  LandMetrics(std::string topic, std::chrono::milliseconds max_lag)
      : topic_(std::move(topic)), max_lag_(max_lag) {}

  void RecordLanded(const LandedBatch& batch);
  // Landing failed; unwell until a batch lands again.
  void RecordError(const std::string& error);

  std::string name() const override { return "lander"; }
  std::string Problem() const override { return ProblemAt(NowMs()); }
  std::string Metrics() const override;
  std::string ProblemAt(int64_t now_ms) const;

 private:
  static int64_t NowMs();
  // Seconds the lake is behind the log at `now_ms`: 0 when nothing waits in the log, else the age
  // of the newest landed event.
  double LagSecondsLocked(int64_t now_ms) const;

  const std::string topic_;
  const std::chrono::milliseconds max_lag_;
  mutable std::mutex mu_;
  int64_t events_ = 0, duplicates_ = 0, dead_letters_ = 0, files_ = 0, bytes_ = 0, batches_ = 0, errors_ = 0;
  double batch_seconds_ = 0;
  int64_t newest_ms_ = -1;
  int64_t landed_at_ms_ = -1;
  // Which came last, a landing or a failure (numbers of the calls, in order).
  uint64_t calls_ = 0, landed_call_ = 0, error_call_ = 0;
  std::string error_;
  std::map<int32_t, int64_t> lag_records_;
};

}  // namespace el::jobs
