#pragma once
// BatchWriter: the DuckDB half of landing one batch. It loads the stager's records as typed
// vectors (jobs/record_loader.h; types inferred over every record: nested objects -> STRUCT,
// arrays -> LIST, conflicting types -> JSON, missing fields -> NULL) with the Kafka metadata
// columns, and writes Parquet files into the batch's staging folder, `<staging>/<table>/`: in the
// default layout the topic's table, one folder per event type value (lake/layout.h) with one file
// per Kafka partition (and partition-column folder), and the dead-letter table; in job mode one
// file per (output table, partition). Nothing is visible to readers
// (and no table folder is created) until the caller publishes the staged folders
// (lake/publish.h).
// Threading: one thread; `con` is used only by this call. Lifetime: `con` outlives the call.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "clients/duck/duck.h"
#include "jobs/job_spec.h"
#include "jobs/record_stager.h"
#include "lake/schema_history.h"

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
  // The batch's own folder (LAKE/_staging/<key>/<key>-<pid>-<seq>/); everything staged goes below.
  std::filesystem::path staging_dir;
  std::string event_type_field;
  // The stager's good records and their type; released once loaded into DuckDB.
  RecordBuffer* records = nullptr;
  const JsonType* schema = nullptr;
  // The stager's groups of the records by (partition, event type), when it grouped them
  // (RecordStager::grouped): the default layout then reads each type's records from the buffer.
  const std::vector<RecordStager::Group>* groups = nullptr;
  const duck::Database* db = nullptr;  // `con`'s database: the records load on several connections
  // How many of the default layout's COPYs from the record scan run at once (each on a connection
  // of its own, for a batch run that has the machine to itself; a follow run keeps one).
  size_t copy_streams = 1;
  // Connections of `db` for the streams after the first, kept from batch to batch (TimeZone UTC,
  // insertion order not preserved); streams beyond them open their own.
  std::vector<duck::Connection*> stream_connections;
  const std::vector<DeadLetter>* dead_letters = nullptr;
  std::vector<PartitionRange> ranges;  // every partition the batch read from
  WriteMode mode = WriteMode::kOverwrite;  // for tables without their own mode
  // Event time: with partition columns `dt` / `hour` wanted, the source gains them, computed
  // from this field (UTC unless a zone is given), or from the Kafka timestamp when it is absent.
  EventTimeSpec event_time;
  std::vector<std::string> partition_by;  // default layout: partition columns of every table
  // Job mode (outputs non-empty): each output is written instead of the default layout, and
  // the batch commits through a progress file in `commit_dir` (LAKE/_jobs/<job>).
  const std::vector<OutputSpec>* outputs = nullptr;
  std::filesystem::path commit_dir;
};

struct StagedTable {
  std::string name;
  std::filesystem::path staging_dir;
  std::filesystem::path table_dir;  // where it is published
  WriteMode mode = WriteMode::kOverwrite;
  std::vector<lake::SchemaColumn> columns;  // the staged files' columns (empty: no schema)
  // Default layout, topic table: each event type folder's columns (`<field>=<value>` -> columns).
  std::map<std::string, std::vector<lake::SchemaColumn>> type_columns;
};

// Stages the batch's Parquet files. Returns the staged tables in publish order: the job's outputs
// or nothing, then the dead-letter table, then the job's progress folder (its files mark the batch
// as committed, so they must appear last; it gets a file for every partition of `ranges`, even an
// empty one) or the topic's table (when the batch has good records; the default layout commits
// through progress records, lake/progress.h). Every table's files are cast to its latest schema
// merged with the batch
// (lake/publish.h's ConformBatch); the schema version itself is written when it is published.
// Errors: IOError, InvalidArgument (DuckDB refused the data or an output's SQL).
Result<std::vector<StagedTable>> StageBatch(duck::Connection& con, const BatchInput& in);

// A connection of `db` set up for BatchInput::stream_connections. Errors: as Connection::Open's.
Result<duck::Connection> OpenStreamConnection(const duck::Database& db);

// The default layout's topic table alone, staged from the rows of view or table `el_src` that the
// caller made (metadata columns, event fields, and the columns of `in.partition_by`); `in.records`
// is not used. nullopt when el_src has no rows. For `eventlake convert` (jobs/convert.h).
Result<std::optional<StagedTable>> StageTopicTable(duck::Connection& con, const BatchInput& in);

}  // namespace el::jobs
