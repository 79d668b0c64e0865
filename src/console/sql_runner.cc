#include "console/sql_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "clients/duck/duck.h"
#include "lake/layout.h"
#include "lake/listing.h"
#include "query/session.h"

namespace el::console {
namespace {

using Extracted = duck::ExtractedStatements;
using Prepared = duck::PreparedStatement;

const char* TypeName(duckdb_statement_type t) {
  switch (t) {
    case DUCKDB_STATEMENT_TYPE_INSERT:
      return "INSERT";
    case DUCKDB_STATEMENT_TYPE_UPDATE:
      return "UPDATE";
    case DUCKDB_STATEMENT_TYPE_DELETE:
      return "DELETE";
    case DUCKDB_STATEMENT_TYPE_CREATE:
      return "CREATE";
    case DUCKDB_STATEMENT_TYPE_DROP:
      return "DROP";
    case DUCKDB_STATEMENT_TYPE_ALTER:
      return "ALTER";
    case DUCKDB_STATEMENT_TYPE_COPY:
      return "COPY";
    case DUCKDB_STATEMENT_TYPE_ATTACH:
      return "ATTACH";
    case DUCKDB_STATEMENT_TYPE_DETACH:
      return "DETACH";
    case DUCKDB_STATEMENT_TYPE_LOAD:
      return "LOAD or INSTALL";
    case DUCKDB_STATEMENT_TYPE_SET:
      return "SET";
    case DUCKDB_STATEMENT_TYPE_VARIABLE_SET:
      return "SET VARIABLE";
    case DUCKDB_STATEMENT_TYPE_PRAGMA:
      return "PRAGMA";
    case DUCKDB_STATEMENT_TYPE_CALL:
      return "CALL";
    case DUCKDB_STATEMENT_TYPE_EXPORT:
      return "EXPORT";
    case DUCKDB_STATEMENT_TYPE_TRANSACTION:
      return "a transaction statement";
    default:
      return "this kind of statement";
  }
}

// One statement of `sql`, prepared. Errors: InvalidArgument.
Status PrepareOne(duckdb_connection con, const std::string& sql, Prepared& out) {
  Extracted ex;
  idx_t n = duckdb_extract_statements(con, sql.c_str(), &ex.h);
  if (n == 0) {
    const char* error = ex.h != nullptr ? duckdb_extract_statements_error(ex.h) : nullptr;
    return InvalidArgument(error != nullptr && *error != 0 ? error : "no SQL statement given");
  }
  if (n > 1)
    return InvalidArgument("one statement at a time, please (found " + std::to_string(n) + ")");
  if (duckdb_prepare_extracted_statement(con, ex.h, 0, &out.h) == DuckDBError) {
    const char* error = duckdb_prepare_error(out.h);
    return InvalidArgument(error != nullptr ? error : "cannot prepare the statement");
  }
  return Status::Ok();
}

// `sql` after a leading EXPLAIN [ANALYZE] keyword, or nullopt when it does not start with one.
std::optional<std::string> AfterExplain(std::string_view sql) {
  auto word = [&sql]() {
    while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.front())))
      sql.remove_prefix(1);
    std::string w;
    while (!sql.empty() && std::isalpha(static_cast<unsigned char>(sql.front()))) {
      w += static_cast<char>(std::toupper(static_cast<unsigned char>(sql.front())));
      sql.remove_prefix(1);
    }
    return w;
  };
  if (word() != "EXPLAIN") return std::nullopt;
  std::string_view rest = sql;
  if (word() != "ANALYZE") sql = rest;
  return std::string(sql);
}

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

Status CheckReadOnly(duckdb_connection con, std::string_view sql) {
  Prepared p;
  EL_RETURN_IF_ERROR(PrepareOne(con, std::string(sql), p));
  duckdb_statement_type type = duckdb_prepared_statement_type(p.h);
  if (type == DUCKDB_STATEMENT_TYPE_SELECT) return Status::Ok();
  if (type == DUCKDB_STATEMENT_TYPE_EXPLAIN) {
    // EXPLAIN ANALYZE runs its statement: what is explained must be a query too.
    auto inner = AfterExplain(sql);
    if (!inner) return InvalidArgument("only queries may be explained here");
    Prepared q;
    EL_RETURN_IF_ERROR(PrepareOne(con, *inner, q));
    if (duckdb_prepared_statement_type(q.h) == DUCKDB_STATEMENT_TYPE_SELECT) return Status::Ok();
    return InvalidArgument("only queries may be explained here");
  }
  return InvalidArgument(fmt::format(
      "the console runs read-only queries (SELECT, EXPLAIN); {} is refused", TypeName(type)));
}

SqlRunner::SqlRunner(std::string lake_dir, SqlLimits limits)
    : lake_dir_(std::move(lake_dir)), limits_(limits) {}

SqlRunner::~SqlRunner() = default;

Status SqlRunner::OpenLocked() {
  if (session_) return session_->Refresh();
  auto session = query::Session::Open(lake_dir_);
  if (!session.ok())
    return FailedPrecondition("cannot open the lake " + lake_dir_ + ": " +
                              session.status().message());
  session_ = std::make_unique<query::Session>(std::move(*session));
  return Status::Ok();
}

Result<SqlResult> SqlRunner::Run(std::string_view sql) {
  std::lock_guard lock(mu_);
  EL_RETURN_IF_ERROR(OpenLocked());
  return RunLocked(sql);
}

Result<SqlResult> SqlRunner::RunLocked(std::string_view sql) {
  auto start = std::chrono::steady_clock::now();
  duckdb_connection con = session_->connection().get();
  EL_RETURN_IF_ERROR(CheckReadOnly(con, sql));
  Prepared p;
  EL_RETURN_IF_ERROR(PrepareOne(con, std::string(sql), p));
  bool is_select = duckdb_prepared_statement_type(p.h) == DUCKDB_STATEMENT_TYPE_SELECT;
  if (is_select) {
    // Cells as DuckDB renders them, at most one row past the cap (to tell that there were more).
    std::string wrapped =
        fmt::format("SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (\n{}\n) AS el_q LIMIT {}", sql,
                    limits_.max_rows + 1);
    Prepared w;
    EL_RETURN_IF_ERROR(PrepareOne(con, wrapped, w));
    if (duckdb_prepared_statement_type(w.h) != DUCKDB_STATEMENT_TYPE_SELECT)
      return InvalidArgument("the statement is not a query");
    std::swap(p.h, w.h);
  }
  // The watchdog interrupts the statement once the timeout has passed.
  std::mutex wmu;
  std::condition_variable wcv;
  bool done = false;
  bool interrupted = false;
  std::thread watchdog([&] {
    std::unique_lock wl(wmu);
    if (!wcv.wait_for(wl, limits_.timeout, [&] { return done; })) {
      interrupted = true;
      duckdb_interrupt(con);
    }
  });
  duck::ResultHandle res;
  duckdb_state state = duckdb_execute_prepared(p.h, &res.h);
  {
    std::lock_guard wl(wmu);
    done = true;
  }
  wcv.notify_one();
  watchdog.join();
  if (state == DuckDBError) {
    if (interrupted)
      return DeadlineExceeded(
          fmt::format("the query was stopped after {} ms", limits_.timeout.count()));
    const char* error = duckdb_result_error(&res.h);
    return InvalidArgument(error != nullptr ? error : "the query failed");
  }
  SqlResult out;
  idx_t cols = duckdb_column_count(&res.h);
  idx_t rows = duckdb_row_count(&res.h);
  for (idx_t c = 0; c < cols; ++c) out.columns.push_back(duckdb_column_name(&res.h, c));
  out.truncated = rows > limits_.max_rows;
  rows = std::min<idx_t>(rows, limits_.max_rows);
  for (idx_t r = 0; r < rows; ++r) {
    std::vector<std::optional<std::string>> row;
    for (idx_t c = 0; c < cols; ++c) {
      if (duckdb_value_is_null(&res.h, c, r)) {
        row.emplace_back(std::nullopt);
        continue;
      }
      char* text = duckdb_value_varchar(&res.h, c, r);
      row.emplace_back(text != nullptr ? text : "");
      duckdb_free(text);
    }
    out.rows.push_back(std::move(row));
  }
  out.elapsed_ms = MillisSince(start);
  return out;
}

Result<std::vector<TableInfo>> SqlRunner::Tables() {
  std::lock_guard lock(mu_);
  EL_RETURN_IF_ERROR(OpenLocked());
  EL_ASSIGN_OR_RETURN(auto refs, lake::ListReaderTables(lake_dir_));
  std::vector<TableInfo> out;
  for (const lake::TableRef& ref : refs) {
    TableInfo info;
    info.name = ref.name;
    std::set<std::filesystem::path> partition_dirs;
    for (const std::filesystem::path& dir : ref.dirs) {
      EL_ASSIGN_OR_RETURN(auto files, lake::ListDataFilesRecursive(dir));
      for (const auto& f : files) {
        std::error_code ec;
        auto size = std::filesystem::file_size(f, ec);
        ++info.files;
        if (!ec) info.bytes += static_cast<int64_t>(size);
        if (f.parent_path() != dir) partition_dirs.insert(f.parent_path());
      }
    }
    info.partitions = static_cast<int64_t>(partition_dirs.size());
    if (info.files == 0) continue;
    auto counted = session_->connection().Query("SELECT count(*), epoch_ms(max(_timestamp)) FROM " +
                                                duck::QuoteIdent(ref.name));
    if (counted.ok() && counted->RowCount() == 1) {
      info.rows = counted->Int(0, 0);
      if (!counted->IsNull(1, 0)) info.last_landed_ms = counted->Int(1, 0);
    } else {
      auto plain =
          session_->connection().Query("SELECT count(*) FROM " + duck::QuoteIdent(ref.name));
      if (plain.ok() && plain->RowCount() == 1) info.rows = plain->Int(0, 0);
    }
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::vector<DeadLetterTable>> SqlRunner::DeadLetters(size_t newest) {
  static constexpr std::string_view kSuffix = "_dead_letter";
  std::lock_guard lock(mu_);
  EL_RETURN_IF_ERROR(OpenLocked());
  EL_ASSIGN_OR_RETURN(auto refs, lake::ListReaderTables(lake_dir_));
  std::vector<DeadLetterTable> out;
  for (const lake::TableRef& ref : refs) {
    if (ref.is_type || ref.dirs.size() != 1 || ref.name.size() <= kSuffix.size() ||
        !ref.name.ends_with(kSuffix))
      continue;
    EL_ASSIGN_OR_RETURN(auto files, lake::ListDataFilesRecursive(ref.dirs[0]));
    if (files.empty()) continue;
    DeadLetterTable t;
    t.table = ref.name;
    t.source = ref.name.substr(0, ref.name.size() - kSuffix.size());
    std::ifstream ledger(ref.dirs[0] / "_replayed.tsv");
    for (std::string line; std::getline(ledger, line);) t.replayed += line.empty() ? 0 : 1;
    std::string name = duck::QuoteIdent(ref.name);
    auto count = session_->connection().Query("SELECT count(*) FROM " + name);
    if (!count.ok()) return Internal(ref.name + ": " + count.status().message());
    t.rows = count->Int(0, 0);
    auto rows = session_->connection().Query(fmt::format(
        "SELECT _partition, _offset, epoch_ms(_timestamp), error, left(raw, {}) FROM {} "
        "ORDER BY _timestamp DESC NULLS LAST, _offset DESC LIMIT {}",
        kDeadLetterRawMax, name, newest));
    if (!rows.ok()) return Internal(ref.name + ": " + rows.status().message());
    for (size_t r = 0; r < rows->RowCount(); ++r) {
      DeadLetterRow row;
      row.partition = static_cast<int32_t>(rows->Int(0, r));
      row.offset = rows->Int(1, r);
      if (!rows->IsNull(2, r)) row.timestamp_ms = rows->Int(2, r);
      row.error = rows->Text(3, r);
      row.raw = rows->Text(4, r);
      t.newest.push_back(std::move(row));
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace el::console
