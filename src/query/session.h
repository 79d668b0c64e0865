#pragma once
// Session: an in-memory DuckDB over a lake directory. Every visible table folder of the lake
// (name not starting with '_' or '.') becomes a view over its visible Parquet files (Hive
// partition folders included, union by name). Views are refreshed before every Run, so files
// landed meanwhile show up. A lake elsewhere (S3) comes through a LakeSource (lake_source.h), which
// before every refresh makes its local folder hold what the SQL reads; the views are the same.
// Threading: one thread. Lifetime: owns its database, connection and source.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "clients/duck/duck.h"
#include "query/format.h"
#include "query/lake_source.h"
#include "query/sql_text.h"

namespace el::query {

class Session {
 public:
  // Errors: Internal (DuckDB could not start).
  static Result<Session> Open(std::string lake_dir);
  // A session over `source`'s folder. Errors: Internal, and the source's (listing the lake).
  static Result<Session> Open(std::unique_ptr<LakeSource> source);

  // Runs every statement of `sql`; returns the last statement's rows, shaped for `format`.
  // Errors: InvalidArgument with DuckDB's message (the first failing statement stops the run),
  // or when `sql` holds no statement.
  Result<ResultTable> Run(std::string_view sql, Format format);
  // The lake's table names, sorted: the views (with a source, every table of the lake, also those
  // no statement has read yet).
  std::vector<std::string> Tables() const { return source_ ? source_->TableNames() : views_; }
  // Re-reads the lake's table folders into views (Run does this before every run); `sql` is what
  // will run next, for a source to fetch what it reads.
  Status Refresh(std::string_view sql = {}) { return RefreshViews(sql); }
  // The connection, for callers that run statements themselves (the shell); valid while this
  // session lives, on the session's thread (duckdb_interrupt excepted).
  duck::Connection& connection() { return con_; }

 private:
  Session(std::string lake_dir, duck::Database db, duck::Connection con,
          std::unique_ptr<LakeSource> source)
      : lake_dir_(std::move(lake_dir)), db_(std::move(db)), con_(std::move(con)),
        source_(std::move(source)) {}
  Status RefreshViews(std::string_view sql = {});
  Result<ResultTable> RunLast(const std::string& statement, Format format);

  std::string lake_dir_;
  duck::Database db_;
  duck::Connection con_;  // declared after db_: destroyed first
  std::unique_ptr<LakeSource> source_;  // null for a local lake
  std::vector<std::string> views_;
  // view name -> what it was made from (its statement and its files' sizes and times): a view is
  // made again only when that changed.
  std::map<std::string, std::string> view_sources_;
};

}  // namespace el::query
