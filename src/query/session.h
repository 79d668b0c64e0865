#pragma once
// Session: an in-memory DuckDB over a lake directory. Every visible table folder of the lake
// (name not starting with '_' or '.') becomes a view over its visible Parquet files (Hive
// partition folders included, union by name). Views are refreshed before every Run, so files
// landed meanwhile show up. Threading: one thread. Lifetime: owns its database and connection.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "clients/duck/duck.h"
#include "query/format.h"
#include "query/sql_text.h"

namespace el::query {

class Session {
 public:
  // Errors: Internal (DuckDB could not start).
  static Result<Session> Open(std::string lake_dir);

  // Runs every statement of `sql`; returns the last statement's rows, shaped for `format`.
  // Errors: InvalidArgument with DuckDB's message (the first failing statement stops the run),
  // or when `sql` holds no statement.
  Result<ResultTable> Run(std::string_view sql, Format format);
  // The lake's table names (views), sorted.
  std::vector<std::string> Tables() const { return views_; }
  // Re-reads the lake's table folders into views (Run does this before every run).
  Status Refresh() { return RefreshViews(); }
  // The connection, for callers that run statements themselves (the shell); valid while this
  // session lives, on the session's thread (duckdb_interrupt excepted).
  duck::Connection& connection() { return con_; }

 private:
  Session(std::string lake_dir, duck::Database db, duck::Connection con)
      : lake_dir_(std::move(lake_dir)), db_(std::move(db)), con_(std::move(con)) {}
  Status RefreshViews();
  Result<ResultTable> RunLast(const std::string& statement, Format format);

  std::string lake_dir_;
  duck::Database db_;
  duck::Connection con_;  // declared after db_: destroyed first
  std::vector<std::string> views_;
};

}  // namespace el::query
