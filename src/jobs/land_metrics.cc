#include "jobs/land_metrics.h"

#include <algorithm>

#include <fmt/format.h>

namespace el::jobs {

int64_t LandMetrics::NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void LandMetrics::RecordLanded(const LandedBatch& b) {
  std::lock_guard lock(mu_);
  events_ += b.events;
  duplicates_ += b.duplicates;
  dead_letters_ += b.dead_letters;
  files_ += b.files;
  bytes_ += b.bytes;
  ++batches_;
  batch_seconds_ += b.seconds;
  newest_ms_ = std::max(newest_ms_, b.newest_ms);
  for (const auto& [p, n] : b.lag_records) lag_records_[p] = n;
  landed_at_ms_ = NowMs();
  landed_call_ = ++calls_;
}

void LandMetrics::RecordError(const std::string& error) {
  std::lock_guard lock(mu_);
  ++errors_;
  error_ = error;
  error_call_ = ++calls_;
}

double LandMetrics::LagSecondsLocked(int64_t now_ms) const {
  int64_t waiting = 0;
  for (const auto& [p, n] : lag_records_) waiting += n;
  if (waiting == 0 || newest_ms_ < 0) return 0;
  return std::max<int64_t>(0, now_ms - newest_ms_) / 1000.0;
}

std::string LandMetrics::ProblemAt(int64_t now_ms) const {
  std::lock_guard lock(mu_);
  if (error_call_ > landed_call_) return "not landing: " + error_;
  double lag = LagSecondsLocked(now_ms);
  if (lag * 1000 > static_cast<double>(max_lag_.count())) {
    return fmt::format("the lake is {:.1f} s behind the log (limit {:.1f} s)", lag,
                       max_lag_.count() / 1000.0);
  }
  return "";
}

std::string LandMetrics::Metrics() const {
  int64_t now = NowMs();
  std::lock_guard lock(mu_);
  std::string t = fmt::format("topic=\"{}\"", topic_);
  std::string out;
  auto counter = [&](const char* name, const char* help, auto value) {
    out +=
        fmt::format("# HELP {0} {1}\n# TYPE {0} counter\n{0}{{{2}}} {3}\n", name, help, t, value);
  };
  auto gauge = [&](const char* name, const char* help, auto value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} gauge\n{0}{{{2}}} {3}\n", name, help, t, value);
  };
  counter("eventlake_lander_events_total", "Events landed.", events_);
  counter("eventlake_lander_duplicates_total",
          "Records dropped as already landed (event_id window).", duplicates_);
  counter("eventlake_lander_dead_letters_total", "Records landed in the dead-letter table.",
          dead_letters_);
  counter("eventlake_lander_files_total", "Parquet files published.", files_);
  counter("eventlake_lander_bytes_total", "Bytes of the Parquet files published.", bytes_);
  counter("eventlake_lander_batches_total", "Batches published.", batches_);
  counter("eventlake_lander_batch_seconds_total", "Time from staging to publish, over every batch.",
          fmt::format("{:.6f}", batch_seconds_));
  counter("eventlake_lander_errors_total", "Landing attempts that failed (retried).", errors_);
  out +=
      "# HELP eventlake_lander_lag_records Records in the log past what is landed, by partition.\n"
      "# TYPE eventlake_lander_lag_records gauge\n";
  for (const auto& [p, n] : lag_records_) {
    out += fmt::format("eventlake_lander_lag_records{{{},partition=\"{}\"}} {}\n", t, p, n);
  }
  gauge("eventlake_lander_lag_seconds",
        "How far the lake is behind the log (age of the newest landed event "
        "while more waits; 0 when caught up).",
        fmt::format("{:.3f}", LagSecondsLocked(now)));
  gauge("eventlake_lander_last_landed_timestamp_seconds",
        "When a batch was last published (0: never).",
        fmt::format("{:.3f}", landed_at_ms_ < 0 ? 0.0 : landed_at_ms_ / 1000.0));
  gauge("eventlake_lander_landing", "1 unless the last landing attempt failed.",
        error_call_ > landed_call_ ? 0 : 1);
  return out;
}

}  // namespace el::jobs
