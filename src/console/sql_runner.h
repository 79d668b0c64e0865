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
  std::optional<int64_t> last_landed_ms;  // newest _timestamp landed, when the table has one
};

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

 private:
  Status OpenLocked();
  Result<SqlResult> RunLocked(std::string_view sql);

  const std::string lake_dir_;
  const SqlLimits limits_;
  std::mutex mu_;
  std::unique_ptr<query::Session> session_;  // GUARDED_BY(mu_)
};

}  // namespace el::console
