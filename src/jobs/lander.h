#pragma once
// Land: the landing job. Reads a range of a Kafka topic through librdkafka (explicit offsets, no
// consumer-group commits), validates every record as a JSON object (others become dead letters),
// infers one schema over the whole batch in DuckDB, and publishes Parquet files into the lake
// (see jobs/batch_writer.h, jobs/lake_files.h). The lake is the source of truth for progress:
// follow mode resumes from the offsets named by the topic table's file names.
// Threading: Land blocks the calling thread (one librdkafka consumer and one DuckDB database and
// connection, all owned by the call); run it on its own std::jthread to stop it via `stop`.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <stop_token>
#include <string>
#include <vector>

#include "base/result.h"

namespace el::jobs {

enum class WriteMode { kOverwrite, kAppend, kError };

struct LandOptions {
  std::string brokers = "127.0.0.1:9092";
  std::string lake_dir;
  std::string topic;
  std::string from = "earliest";  // earliest | latest | <offset> (applied to every partition)
  std::string to = "latest";      // latest (high watermark when the run starts) | <offset> (exclusive)
  bool follow = false;            // keep landing new events until stop is requested
  WriteMode mode = WriteMode::kOverwrite;  // batch default; follow mode always appends
  std::chrono::milliseconds flush_interval{300};  // follow: max time an event waits before it is landed
  std::string event_type_field = "event_type";
  // Batch runs: offsets read so far of the range's total, called on the landing thread after
  // each record and once with done == total when reading is complete (jobs/progress.h).
  std::function<void(int64_t done, int64_t total)> on_progress;
};

// The offsets landed from one partition, inclusive.
struct LandedRange {
  int64_t first = -1;
  int64_t last = -1;
};

struct LandSummary {
  int64_t events = 0;
  int64_t dead_letters = 0;
  int64_t files = 0;
  std::vector<std::string> tables;
  double seconds = 0;
  std::map<int32_t, LandedRange> ranges;  // partition -> landed offsets (only partitions with data)
};

// Runs one landing job. Errors: Unavailable (broker unreachable), NotFound (unknown topic),
// InvalidArgument (bad options), AlreadyExists (mode error and table exists), IOError.
// Returns when done (batch) or when `stop` is requested (follow; pending events are landed
// first). A batch run stopped early returns Cancelled and publishes nothing.
Result<LandSummary> Land(const LandOptions& options, std::stop_token stop);

// Parses "overwrite" | "append" | "error". Errors: InvalidArgument.
Result<WriteMode> ParseWriteMode(const std::string& text);

// The one-line summary the CLI prints, e.g. "landed 42 events from events[0..41] into 3 tables
// (events, events_default, events_purchase_sword): 3 files, 0 dead letters, 0.4 s", or
// "nothing to land: topic events has no events in the range".
std::string FormatSummary(const std::string& topic, const LandSummary& summary);

}  // namespace el::jobs
