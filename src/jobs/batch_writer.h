#pragma once
// BatchWriter: the DuckDB half of landing one batch. It reads the stager's NDJSON file with
// types inferred over every record (nested objects -> STRUCT, arrays -> LIST, conflicting types
// -> JSON, missing fields -> NULL), adds the Kafka metadata columns, and writes one Parquet file
// per (output table, partition) into `LAKE/<table>/_staging-<id>/`: the topic's table, one table
// per event type value, and the dead-letter table. Nothing is visible to readers until the
// caller publishes the staged folders (jobs/lake_files.h).
// Threading: one thread; `con` is used only by this call. Lifetime: `con` outlives the call.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"
#include "clients/duck/duck.h"
#include "jobs/record_stager.h"

namespace el::jobs {

// The offsets a batch consumed from one partition (good and dead-letter records alike).
struct PartitionRange {
  int32_t partition = 0;
  int64_t first = 0;
  int64_t last = 0;
  int64_t count = 0;
};

struct BatchInput {
  std::string topic;
  std::filesystem::path lake_dir;
  std::string staging_id;  // unique per batch
  std::string event_type_field;
  std::filesystem::path ndjson;  // stager output; read only when good_records > 0
  int64_t good_records = 0;
  const std::vector<DeadLetter>* dead_letters = nullptr;
  std::vector<PartitionRange> ranges;  // every partition the batch read from
};

struct StagedTable {
  std::string name;
  std::filesystem::path staging_dir;
};

// Stages the batch's Parquet files. Returns the staged tables in publish order: event-type
// tables, then the dead-letter table, then the topic's table last (its files mark the batch as
// committed, so they must appear last). The topic's table gets a file for every partition of
// `ranges`, even an empty one. Errors: IOError, InvalidArgument (DuckDB refused the data).
Result<std::vector<StagedTable>> StageBatch(duck::Connection& con, const BatchInput& in);

}  // namespace el::jobs
