#include "kafka/server/broker_metrics.h"

#include <fmt/format.h>

#include "storage/partition_log.h"

namespace el::kafka {
namespace {

std::string Label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void BrokerMetrics::RecordRequest(ApiKey api, double seconds, bool failed) {
  auto key = static_cast<size_t>(static_cast<int16_t>(api));
  if (key >= kApis) return;
  ApiCounters& c = apis_[key];
  c.requests.fetch_add(1, std::memory_order_relaxed);
  if (failed) c.failed.fetch_add(1, std::memory_order_relaxed);
  c.micros.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
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

std::string BrokerMetrics::Metrics() const {
  std::string out;
  auto add = [&out](std::string_view text) { out.append(text); };
  add("# HELP eventlake_broker_requests_total Kafka requests handled, by API.\n"
      "# TYPE eventlake_broker_requests_total counter\n");
  std::string failed, seconds;
  for (size_t k = 0; k < kApis; ++k) {
    uint64_t n = apis_[k].requests.load(std::memory_order_relaxed);
    if (n == 0) continue;
    std::string api(ApiName(static_cast<ApiKey>(k)));
    out += fmt::format("eventlake_broker_requests_total{{api=\"{}\"}} {}\n", api, n);
    failed += fmt::format("eventlake_broker_request_failures_total{{api=\"{}\"}} {}\n", api,
                          apis_[k].failed.load(std::memory_order_relaxed));
    seconds += fmt::format("eventlake_broker_request_seconds_total{{api=\"{}\"}} {:.6f}\n", api,
                           apis_[k].micros.load(std::memory_order_relaxed) / 1e6);
  }
  add("# HELP eventlake_broker_request_failures_total Malformed requests (the connection was "
      "closed), by API.\n"
      "# TYPE eventlake_broker_request_failures_total counter\n");
  add(failed);
  add("# HELP eventlake_broker_request_seconds_total Time spent answering requests, by API (divide "
      "by the "
      "request count for the mean latency).\n# TYPE eventlake_broker_request_seconds_total "
      "counter\n");
  add(seconds);
  {
    std::lock_guard lock(mu_);
    add("# HELP eventlake_broker_bytes_in_total Record batch bytes appended, by topic.\n"
        "# TYPE eventlake_broker_bytes_in_total counter\n");
    for (const auto& [topic, t] : topics_) {
      out += fmt::format("eventlake_broker_bytes_in_total{{topic=\"{}\"}} {}\n", Label(topic),
                         t.bytes_in);
    }
    add("# HELP eventlake_broker_records_in_total Records appended, by topic.\n"
        "# TYPE eventlake_broker_records_in_total counter\n");
    for (const auto& [topic, t] : topics_) {
      out += fmt::format("eventlake_broker_records_in_total{{topic=\"{}\"}} {}\n", Label(topic),
                         t.records_in);
    }
    add("# HELP eventlake_broker_bytes_out_total Record bytes sent to fetchers, by topic.\n"
        "# TYPE eventlake_broker_bytes_out_total counter\n");
    for (const auto& [topic, t] : topics_) {
      out += fmt::format("eventlake_broker_bytes_out_total{{topic=\"{}\"}} {}\n", Label(topic),
                         t.bytes_out);
    }
  }
  std::string size, high, start;
  for (const storage::TopicInfo& t : logs_.ListTopics()) {
    for (int32_t p = 0; p < t.partitions; ++p) {
      auto log = logs_.Get(t.name, p);
      if (!log) continue;
      std::string labels = fmt::format("topic=\"{}\",partition=\"{}\"", Label(t.name), p);
      size += fmt::format("eventlake_broker_log_size_bytes{{{}}} {}\n", labels, log->size_bytes());
      high += fmt::format("eventlake_broker_high_watermark{{{}}} {}\n", labels,
                          log->high_watermark().value());
      start += fmt::format("eventlake_broker_log_start_offset{{{}}} {}\n", labels,
                           log->log_start().value());
    }
  }
  add("# HELP eventlake_broker_log_size_bytes Bytes of the partition's log segments.\n"
      "# TYPE eventlake_broker_log_size_bytes gauge\n");
  add(size);
  add("# HELP eventlake_broker_high_watermark The partition's next offset.\n"
      "# TYPE eventlake_broker_high_watermark gauge\n");
  add(high);
  add("# HELP eventlake_broker_log_start_offset The partition's first offset kept.\n"
      "# TYPE eventlake_broker_log_start_offset gauge\n");
  add(start);
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
