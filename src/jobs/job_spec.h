#pragma once
// JobSpec: a landing job as read from a TOML job file (format in README.md, "Job files"). A job
// names its source topics and offset range, event-time partitioning, and its outputs: each a SQL
// SELECT over the relation `source` (or over an earlier output of the same job) written to a
// named table with partition columns, a write mode and optional unnesting of one array.
// Threading: plain values. Lifetime: no references kept.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace el::jobs {

enum class WriteMode { kOverwrite, kAppend, kError };

// Where a range starts or ends. kTimestamp: the first offset whose Kafka timestamp is >= ms.
struct RangeSpec {
  enum class Kind { kEarliest, kLatest, kOffset, kPerPartition, kTimestamp } kind = Kind::kEarliest;
  int64_t value = 0;                      // kOffset: offset; kTimestamp: epoch ms
  std::map<int32_t, int64_t> partitions;  // kPerPartition: partition -> offset (others: earliest)
};

struct OutputSpec {
  std::string table;
  std::string sql = "SELECT * FROM source";
  std::vector<std::string> partition_by;  // column names; dt/hour come from event time
  std::optional<WriteMode> mode;          // unset: the job's mode
  std::string unnest;                     // dotted path of an array column; "" = none
  std::vector<std::string> parent_key;    // columns of `sql` copied into every unnested row
};

struct EventTimeSpec {
  std::string field;         // "" = Kafka timestamp only
  std::string time_zone = "UTC";
};

struct JobSpec {
  std::string name;
  std::vector<std::string> topics;
  RangeSpec from;
  RangeSpec to{RangeSpec::Kind::kLatest, 0, {}};
  bool follow = false;
  WriteMode mode = WriteMode::kOverwrite;
  EventTimeSpec event_time;
  int64_t max_record_bytes = 1 << 20;
  std::vector<OutputSpec> outputs;
};

// Parses "earliest" | "latest" | "<offset>" | "<epoch ms>ms" | ISO 8601 timestamp.
// Errors: InvalidArgument.
Result<RangeSpec> ParseRangeText(const std::string& text, bool allow_earliest);
// Parses "overwrite" | "append" | "error". Errors: InvalidArgument.
Result<WriteMode> ParseWriteMode(const std::string& text);
// Reads and validates a job file; `name` defaults to the file's stem. Errors: NotFound,
// InvalidArgument (syntax error with line, unknown key, bad value, no outputs).
Result<JobSpec> LoadJobFile(const std::string& path);
// Same from TOML text (`origin` names it in errors).
Result<JobSpec> ParseJob(const std::string& text, const std::string& origin);

}  // namespace el::jobs
