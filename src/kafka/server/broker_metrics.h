#pragma once
// BrokerMetrics: the broker's /metrics (requests, failures and a latency histogram per API; bytes
// and records in and bytes out per topic; log size and offsets per partition; fdatasync latency;
// consumer groups: state, members, committed offsets and lag) and its health (a log that refuses
// writes, say a full disk, until an append succeeds again).
// Threading: thread-safe; per-API counters are relaxed atomics, per-topic ones under a mutex.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "base/component_status.h"
#include "base/histogram.h"
#include "kafka/protocol/api.h"
#include "storage/log_manager.h"

namespace el::kafka {

namespace group {
class Coordinator;
}  // namespace group

class BrokerMetrics final : public ComponentStatus {
 public:
  explicit BrokerMetrics(const storage::LogManager& logs) : logs_(logs) {}
  // The groups to report; set once before the broker accepts connections, and it must outlive
  // this (or be reset to null first).
  void SetGroups(const group::Coordinator* groups) { groups_.store(groups); }

  // One request answered (or, `failed`, refused as malformed: the connection closed).
  void RecordRequest(ApiKey api, double seconds, bool failed);
  // A batch appended to `topic` (after its fdatasync for acks=all).
  void RecordProduced(const std::string& topic, int64_t bytes, int64_t records);
  void RecordFetched(const std::string& topic, int64_t bytes);
  // An append the log refused (ENOSPC, EIO); the next successful one ends the problem.
  void RecordWriteError(const std::string& error);
  void RecordWriteOk() { write_failing_.store(false, std::memory_order_relaxed); }

  std::string name() const override { return "broker"; }
  std::string Problem() const override;
  std::string Metrics() const override;

 private:
  static constexpr size_t kApis = 128;
  struct ApiCounters {
    std::atomic<uint64_t> requests{0};
    std::atomic<uint64_t> failed{0};
    LatencyHistogram latency;  // answered requests only
  };
  struct TopicCounters {
    int64_t bytes_in = 0;
    int64_t records_in = 0;
    int64_t bytes_out = 0;
  };

  void RenderRequests(std::string& out) const;
  void RenderLogs(std::string& out) const;
  void RenderGroups(std::string& out) const;

  const storage::LogManager& logs_;
  std::atomic<const group::Coordinator*> groups_{nullptr};
  std::array<ApiCounters, kApis> apis_{};
  mutable std::mutex mu_;
  std::map<std::string, TopicCounters> topics_;  // GUARDED_BY(mu_)
  std::string write_error_;                      // GUARDED_BY(mu_)
  std::atomic<uint64_t> write_errors_{0};
  std::atomic<bool> write_failing_{false};
};

}  // namespace el::kafka
