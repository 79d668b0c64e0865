#pragma once
// Land: the landing job. Reads a range of a Kafka topic through librdkafka (start offsets chosen
// from the lake; in a consumer group, only the partitions the group assigns), validates every
// record as a JSON object (others become dead letters), infers one schema over the whole batch
// in DuckDB, and publishes Parquet files into the lake (see jobs/batch_writer.h,
// lake/publish.h). The lake is the source of truth for progress: follow mode resumes from the
// offsets named by the commit table's file names, and publishes a batch only if no other lander
// has landed those partitions since it started reading (checked under the lake's publish lock);
// otherwise it drops the batch and reads on from what the lake holds.
// Threading: Land blocks the calling thread (one librdkafka consumer and one DuckDB database and
// connection, all owned by the call); run it on its own std::jthread to stop it via `stop`.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "base/result.h"
#include "jobs/job_spec.h"
#include "jobs/land_metrics.h"

namespace el::jobs {

struct LandOptions {
  std::string brokers = "127.0.0.1:9092";
  std::string lake_dir;
  std::string topic;
  // earliest | latest | <offset> (every partition) | ISO 8601 time | <ms>ms; see ParseRangeText.
  std::string from = "earliest";
  std::string to = "latest";      // latest (high watermark when the run starts) | <offset> (exclusive)
  std::optional<RangeSpec> from_spec;  // when set, replaces `from` (job files: per-partition offsets)
  bool follow = false;            // keep landing new events until stop is requested
  WriteMode mode = WriteMode::kOverwrite;  // batch default; follow mode always appends
  std::chrono::milliseconds flush_interval{300};  // follow: max time an event waits before it is landed
  std::string event_type_field = "event_type";
  // Batch runs: offsets read so far of the range's total, called on the landing thread after
  // each record and once with done == total when reading is complete (jobs/progress.h).
  std::function<void(int64_t done, int64_t total)> on_progress;
  // Follow: a batch is landed (files rotate) once it holds max_rows records or max_bytes staged
  // bytes, or flush_interval after its first record, whichever comes first; while the log holds
  // more than the batch (catching up), only a full batch, or one 5 s old, is landed.
  int64_t max_rows = 100'000;
  int64_t max_bytes = 64LL << 20;
  // Batch runs of the default layout: every `part_bytes` of record values read, DuckDB writes
  // that part's files while the next part is read; the parts publish as one batch at the end
  // (jobs/batch_parts.h). Each event type gets a file per part.
  int64_t part_bytes = 64LL << 20;
  EventTimeSpec event_time;               // source of the dt / hour partition columns
  std::vector<std::string> partition_by;  // default layout: partition columns (dt, hour, ...)
  int64_t max_record_bytes = 1 << 20;     // longer values become dead letters
  // Default layout: a record whose string field `dedup_field` holds an id landed within the last
  // `dedup_window` of Kafka time (at most `dedup_max_ids` ids) is dropped, not landed again: a
  // client's retry that reached the log twice lands once (jobs/dedup_window.h). Empty: off.
  std::string dedup_field = "event_id";
  std::chrono::milliseconds dedup_window{10 * 60 * 1000};
  size_t dedup_max_ids = 1'000'000;
  // Follow: after a batch failed on a passing error (a full or failing disk), the first wait
  // before landing again; each further failure doubles it, up to 30 s.
  std::chrono::milliseconds first_retry_delay{1000};
  // DuckDB's memory limit for a batch (DuckDB syntax, e.g. 512MB); beyond it, it spills to
  // LAKE/_staging/<key>/ instead of growing.
  std::string memory_limit = "512MB";
  // The consumer group landed offsets are committed to, for lag tools (the lake stays the source
  // of truth); empty: DefaultGroupName(staging key, lake_dir) (jobs/land_plan.h). With follow, a
  // named group is also joined: its landers split the topic's partitions (each lands the
  // partitions the group assigns it); otherwise this lander reads every partition.
  std::string group;
  // librdkafka properties of the consumer ([kafka_client] of eventlake.toml); group.id and the
  // commit settings stay the lander's.
  std::map<std::string, std::string> consumer_properties;
  std::string staging_key;  // default: the job name, else the topic (multi-topic jobs set it)
  // A job (non-empty outputs) writes these tables instead of the default layout and records its
  // progress in LAKE/_jobs/<job_name>/.
  std::string job_name;
  std::vector<OutputSpec> outputs;
  // Follow: what each landed batch and each failed attempt is recorded in (may be null); must
  // outlive the run.
  LandMetrics* metrics = nullptr;
};

// The offsets landed from one partition, inclusive.
struct LandedRange {
  int64_t first = -1;
  int64_t last = -1;
};

struct LandSummary {
  int64_t events = 0;
  int64_t dead_letters = 0;
  int64_t duplicates = 0;  // records dropped by the dedup window
  int64_t files = 0;
  std::vector<std::string> tables;
  double seconds = 0;
  std::map<int32_t, LandedRange> ranges;  // partition -> landed offsets (only partitions with data)
  // Batch append from earliest: partition -> the offset where the lake ended and landing resumed
  // (only partitions whose start the lake moved).
  std::map<int32_t, int64_t> resumed_at;
  std::string group;  // the consumer group landed offsets were committed to
};

// Runs one landing job. A batch run in append mode lands each offset at most once per table: from
// earliest it starts each partition where the lake ends (the commit table's file names and
// progress records, or the job's progress files); a range that starts elsewhere is refused when
// it overlaps offsets the lake holds. Errors: Unavailable (broker unreachable), NotFound (unknown
// topic), InvalidArgument (bad options), AlreadyExists (mode error and the table has data;
// append and the range overlaps what the lake holds), IOError.
// Returns when done (batch) or when `stop` is requested (follow; pending events are landed
// first). A batch run stopped early returns Cancelled and publishes nothing.
Result<LandSummary> Land(const LandOptions& options, std::stop_token stop);

// Checks, before any run, what only DuckDB can judge: `options.memory_limit` and
// `options.event_time.time_zone`. Errors: InvalidArgument naming the bad value.
Status CheckEngineOptions(const LandOptions& options);

// The one-line summary the CLI prints, e.g. "landed 42 events from events[0..41] into 3 tables
// (events, events_default, events_purchase_sword): 3 files, 0 dead letters, 0.4 s", or
// "nothing to land: topic events has no events in the range"; an append that resumed where the
// lake ended says so ("...; append resumed where the lake ended (offset 42)", or "nothing new to
// append: ...").
std::string FormatSummary(const std::string& topic, const LandSummary& summary);

// LandOptions for one topic of a job file: range, event time, record size limit and outputs come
// from `job` (which the CLI has already given its command-line values); brokers, lake, group and
// batch sizes stay `base`'s. The caller sets the mode.
LandOptions OptionsForJob(const LandOptions& base, const JobSpec& job, const std::string& topic);

}  // namespace el::jobs
