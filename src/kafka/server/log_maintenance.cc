#include "kafka/server/log_maintenance.h"

#include <algorithm>
#include <chrono>

#include "base/log.h"

namespace el::kafka {

std::unique_ptr<LogMaintenance> LogMaintenance::Start(storage::LogManager& logs, int64_t flush_ms,
                                                      int64_t retention_check_ms) {
  std::unique_ptr<LogMaintenance> m(new LogMaintenance(logs, flush_ms, retention_check_ms));
  if (flush_ms > 0 || retention_check_ms > 0)
    m->thread_ = std::thread([p = m.get()] {
      SetLogComponent("broker");
      p->Run();
    });
  return m;
}

LogMaintenance::~LogMaintenance() { Stop(); }

void LogMaintenance::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LogMaintenance::Run() {
  using Clock = std::chrono::steady_clock;
  using std::chrono::milliseconds;
  auto next_flush = Clock::now() + milliseconds(std::max<int64_t>(flush_ms_, 0));
  auto next_retention = Clock::now() + milliseconds(std::max<int64_t>(retention_check_ms_, 0));
  std::unique_lock lock(mu_);
  while (!stop_) {
    auto wake = Clock::time_point::max();
    if (flush_ms_ > 0) wake = std::min(wake, next_flush);
    if (retention_check_ms_ > 0) wake = std::min(wake, next_retention);
    if (cv_.wait_until(lock, wake, [this] { return stop_; })) break;
    lock.unlock();
    auto now = Clock::now();
    if (flush_ms_ > 0 && now >= next_flush) {
      Status st = logs_.FlushDirty();
      if (!st.ok()) spdlog::error("timed flush: {}", st.ToString());
      next_flush = now + milliseconds(flush_ms_);
    }
    if (retention_check_ms_ > 0 && now >= next_retention) {
      auto wall = std::chrono::duration_cast<milliseconds>(
          std::chrono::system_clock::now().time_since_epoch());
      storage::RetentionStats stats = logs_.EnforceRetention(TimestampMs(wall.count()));
      if (stats.errors > 0) spdlog::warn("retention: {} partition(s) failed", stats.errors);
      next_retention = now + milliseconds(retention_check_ms_);
    }
    lock.lock();
  }
}

}  // namespace el::kafka
