#include "kafka/server/broker_metrics.h"

#include <algorithm>

#include <fmt/format.h>

#include "kafka/server/group/coordinator.h"
#include "storage/partition_log.h"

namespace el::kafka {

void BrokerMetrics::RecordRequest(ApiKey api, double seconds, bool failed) {
  auto key = static_cast<size_t>(static_cast<int16_t>(api));
  if (key >= kApis) return;
  ApiCounters& c = apis_[key];
  c.requests.fetch_add(1, std::memory_order_relaxed);
  if (failed) {
    c.failed.fetch_add(1, std::memory_order_relaxed);
  } else {
    c.latency.Observe(seconds);
  }
}

void BrokerMetrics::RecordProduced(const std::string& topic, int64_t bytes, int64_t records) {
  std::lock_guard lock(mu_);
  TopicCounters& t = topics_[topic];
  t.bytes_in += bytes;
  t.records_in += records;
}

void BrokerMetrics::RecordFetched(const std::string& topic, int64_t bytes) {
  if (bytes == 0) return;
  std::lock_guard lock(mu_);
  topics_[topic].bytes_out += bytes;
}

void BrokerMetrics::RecordWriteError(const std::string& error) {
  write_errors_.fetch_add(1, std::memory_order_relaxed);
  write_failing_.store(true, std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  write_error_ = error;
}

std::string BrokerMetrics::Problem() const {
  if (!write_failing_.load(std::memory_order_relaxed)) return "";
  std::lock_guard lock(mu_);
  return "the log refuses writes: " + write_error_;
}

void BrokerMetrics::RenderRequests(std::string& out) const {
  std::string requests, failed, latency;
  for (size_t k = 0; k < kApis; ++k) {
    uint64_t n = apis_[k].requests.load(std::memory_order_relaxed);
    if (n == 0) continue;
    std::string api(ApiName(static_cast<ApiKey>(k)));
    requests += fmt::format("eventlake_broker_requests_total{{api=\"{}\"}} {}\n", api, n);
    failed += fmt::format("eventlake_broker_request_failures_total{{api=\"{}\"}} {}\n", api,
                          apis_[k].failed.load(std::memory_order_relaxed));
    apis_[k].latency.Render("eventlake_broker_request_duration_seconds",
                            fmt::format("api=\"{}\"", api), latency);
  }
  out +=
      "# HELP eventlake_broker_requests_total Kafka requests handled, by API.\n"
      "# TYPE eventlake_broker_requests_total counter\n";
  out += requests;
  out +=
      "# HELP eventlake_broker_request_failures_total Malformed requests (the connection was "
      "closed), by API.\n# TYPE eventlake_broker_request_failures_total counter\n";
  out += failed;
  out +=
      "# HELP eventlake_broker_request_duration_seconds Time from a request read to its answer "
      "ready, by API.\n# TYPE eventlake_broker_request_duration_seconds histogram\n";
  out += latency;
}

void BrokerMetrics::RenderLogs(std::string& out) const {
  std::string size, high, start;
  for (const storage::TopicInfo& t : logs_.ListTopics()) {
    for (int32_t p = 0; p < t.partitions; ++p) {
      auto log = logs_.Get(t.name, p);
      if (!log) continue;
      std::string labels = fmt::format("topic=\"{}\",partition=\"{}\"", PromLabel(t.name), p);
      size += fmt::format("eventlake_broker_log_size_bytes{{{}}} {}\n", labels, log->size_bytes());
      high += fmt::format("eventlake_broker_high_watermark{{{}}} {}\n", labels,
                          log->high_watermark().value());
      start += fmt::format("eventlake_broker_log_start_offset{{{}}} {}\n", labels,
                           log->log_start().value());
    }
  }
  out +=
      "# HELP eventlake_broker_log_size_bytes Bytes of the partition's log segments.\n"
      "# TYPE eventlake_broker_log_size_bytes gauge\n";
  out += size;
  out +=
      "# HELP eventlake_broker_high_watermark The partition's next offset.\n"
      "# TYPE eventlake_broker_high_watermark gauge\n";
  out += high;
  out +=
      "# HELP eventlake_broker_log_start_offset The partition's first offset kept.\n"
      "# TYPE eventlake_broker_log_start_offset gauge\n";
  out += start;
  const LatencyHistogram& fsync = logs_.fsync_latency();
  out += fmt::format(
      "# HELP eventlake_broker_log_flushes_total fdatasyncs of partition logs (acks=all appends, "
      "flush.ms and flush.bytes; one covers every append waiting for it).\n"
      "# TYPE eventlake_broker_log_flushes_total counter\neventlake_broker_log_flushes_total {}\n"
      "# HELP eventlake_broker_fsync_duration_seconds Time of one fdatasync of a partition log.\n"
      "# TYPE eventlake_broker_fsync_duration_seconds histogram\n",
      fsync.count());
  fsync.Render("eventlake_broker_fsync_duration_seconds", "", out);
}

void BrokerMetrics::RenderGroups(std::string& out) const {
  const group::Coordinator* groups = groups_.load();
  if (groups == nullptr) return;
  std::map<std::string, int> by_state;
  std::string members, committed, lag;
  for (const ListedGroup& listed : groups->List()) {
    DescribedGroup g = groups->Describe(listed.group_id);
    ++by_state[g.group_state];
    std::string group = PromLabel(listed.group_id);
    members +=
        fmt::format("eventlake_broker_group_members{{group=\"{}\"}} {}\n", group, g.members.size());
    for (const auto& [key, offset] : groups->offsets().GetAll(listed.group_id)) {
      if (offset.offset < 0) continue;
      std::string labels = fmt::format("group=\"{}\",topic=\"{}\",partition=\"{}\"", group,
                                       PromLabel(key.topic), key.partition);
      committed +=
          fmt::format("eventlake_broker_group_committed_offset{{{}}} {}\n", labels, offset.offset);
      auto log = logs_.Get(key.topic, key.partition);
      if (!log) continue;  // the topic was deleted: no lag to speak of
      int64_t behind = std::max<int64_t>(0, log->high_watermark().value() - offset.offset);
      lag += fmt::format("eventlake_broker_group_lag_records{{{}}} {}\n", labels, behind);
    }
  }
  out +=
      "# HELP eventlake_broker_groups Consumer groups, by state (Empty, PreparingRebalance, "
      "CompletingRebalance, Stable; Dead: offsets only).\n# TYPE eventlake_broker_groups gauge\n";
  for (const auto& [state, n] : by_state) {
    out += fmt::format("eventlake_broker_groups{{state=\"{}\"}} {}\n", PromLabel(state), n);
  }
  out +=
      "# HELP eventlake_broker_group_members Members of each consumer group.\n"
      "# TYPE eventlake_broker_group_members gauge\n";
  out += members;
  out +=
      "# HELP eventlake_broker_group_committed_offset The offset a group committed, by partition.\n"
      "# TYPE eventlake_broker_group_committed_offset gauge\n";
  out += committed;
  out +=
      "# HELP eventlake_broker_group_lag_records Records in the partition past the group's "
      "committed offset.\n# TYPE eventlake_broker_group_lag_records gauge\n";
  out += lag;
}

std::string BrokerMetrics::Metrics() const {
  std::string out;
  RenderRequests(out);
  {
    std::lock_guard lock(mu_);
    auto per_topic = [&](const char* name, const char* help, int64_t TopicCounters::*field) {
      out += fmt::format("# HELP {0} {1}\n# TYPE {0} counter\n", name, help);
      for (const auto& [topic, t] : topics_) {
        out += fmt::format("{}{{topic=\"{}\"}} {}\n", name, PromLabel(topic), t.*field);
      }
    };
    per_topic("eventlake_broker_bytes_in_total", "Record batch bytes appended, by topic.",
              &TopicCounters::bytes_in);
    per_topic("eventlake_broker_records_in_total", "Records appended, by topic.",
              &TopicCounters::records_in);
    per_topic("eventlake_broker_bytes_out_total", "Record bytes sent to fetchers, by topic.",
              &TopicCounters::bytes_out);
  }
  RenderLogs(out);
  RenderGroups(out);
  out += fmt::format(
      "# HELP eventlake_broker_write_errors_total Appends the log refused (full or failing disk).\n"
      "# TYPE eventlake_broker_write_errors_total counter\neventlake_broker_write_errors_total {}\n"
      "# HELP eventlake_broker_writable 1 while the log takes writes.\n"
      "# TYPE eventlake_broker_writable gauge\neventlake_broker_writable {}\n",
      write_errors_.load(std::memory_order_relaxed),
      write_failing_.load(std::memory_order_relaxed) ? 0 : 1);
  return out;
}

}  // namespace el::kafka
