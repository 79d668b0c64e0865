#pragma once
// SqlRunner: the console's read-only SQL over the lake. Each request is one statement that DuckDB
// itself classifies as a query (duckdb_prepared_statement_type SELECT, or EXPLAIN of one): COPY,
// ATTACH, INSTALL, LOAD, SET, PRAGMA, CALL, EXPORT and every write are refused before they run. A
// query is interrupted (duckdb_interrupt) after `timeout` and returns at most `max_rows` rows.
// Threading: Run and Tables may be called from any thread; they run one at a time (one DuckDB
// connection behind a mutex). Lifetime: owns its query session, opened on first use so that a
// lake without tables yet is no error at start.
#include <duckdb.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace el::query {
class Session;
}

namespace el::console {

struct SqlLimits {
  std::chrono::milliseconds timeout{10000};
  size_t max_rows = 10000;
};

struct SqlResult {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;  // cells as text; nullopt is NULL
  bool truncated = false;                                     // more rows than max_rows
  double elapsed_ms = 0;
};

struct TableInfo {
  std::string name;
  int64_t rows = 0;
  int64_t files = 0;
  int64_t bytes = 0;
  int64_t partitions = 0;                 // Hive partition folders holding data files
  std::optional<int64_t> last_landed_ms;  // newest _timestamp landed, when the table has one
};

// One row of a dead-letter table (jobs/batch_writer.cc writes them: the Kafka metadata, the raw
// value and the error).
struct DeadLetterRow {
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<int64_t> timestamp_ms;
  std::string error;
  std::string raw;  // cut at kDeadLetterRawMax bytes
};

// A `<table>_dead_letter` table of the lake.
struct DeadLetterTable {
  std::string table;   // e.g. events_dead_letter
  std::string source;  // the landed table whose dead letters these are, e.g. events
  int64_t rows = 0;
  int64_t replayed = 0;               // rows in its replay ledger (jobs/replay.h)
  std::vector<DeadLetterRow> newest;  // newest first (by offset within the newest timestamps)
};

inline constexpr size_t kDeadLetterRawMax = 2048;

// Checks that `sql` is exactly one statement that only reads, by preparing it on `con`.
// Errors: InvalidArgument (no statement, several, a syntax error, or one that is not a query;
// the message names the statement's kind).
Status CheckReadOnly(duckdb_connection con, std::string_view sql);

class SqlRunner {
 public:
  SqlRunner(std::string lake_dir, SqlLimits limits);
  ~SqlRunner();
  SqlRunner(const SqlRunner&) = delete;
  SqlRunner& operator=(const SqlRunner&) = delete;

  // Errors: InvalidArgument (refused or failed statement, DuckDB's message), DeadlineExceeded
  // (interrupted after the timeout), FailedPrecondition (the lake cannot be opened).
  Result<SqlResult> Run(std::string_view sql);
  // The lake's tables. Errors: as Run.
  Result<std::vector<TableInfo>> Tables();
  // The lake's dead-letter tables, each with its newest `newest` rows. Errors: as Run.
  Result<std::vector<DeadLetterTable>> DeadLetters(size_t newest);

 private:
  Status OpenLocked();
  Result<SqlResult> RunLocked(std::string_view sql);

  const std::string lake_dir_;
  const SqlLimits limits_;
  std::mutex mu_;
  std::unique_ptr<query::Session> session_;  // GUARDED_BY(mu_)
};

}  // namespace el::console
