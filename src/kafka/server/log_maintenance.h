#pragma once
// LogMaintenance: the broker's background thread for the periodic storage work that no request
// triggers: the acks=0/1 flush policy by time (fdatasync partitions with unsynced appends every
// `flush_ms`) and retention plus time-based segment roll every `retention_check_ms`.
// Lifecycle: Start spawns the thread; Stop (idempotent, also run by the destructor) wakes and joins
// it. `logs` must outlive this object. All work runs on this thread, never on io threads.
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "storage/log_manager.h"

namespace el::kafka {

class LogMaintenance {
 public:
  // `flush_ms` <= 0: no timed flush (left to the OS). `retention_check_ms` <= 0: no retention.
  static std::unique_ptr<LogMaintenance> Start(storage::LogManager& logs, int64_t flush_ms,
                                               int64_t retention_check_ms);
  ~LogMaintenance();
  void Stop();

 private:
  LogMaintenance(storage::LogManager& logs, int64_t flush_ms, int64_t retention_check_ms)
      : logs_(logs), flush_ms_(flush_ms), retention_check_ms_(retention_check_ms) {}
  void Run();

  storage::LogManager& logs_;
  const int64_t flush_ms_;
  const int64_t retention_check_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace el::kafka
