#include "query/shell/runner.h"

#include <sys/resource.h>

#include <chrono>

#include "clients/duck/duck.h"
#include "query/shell/column_types.h"

namespace el::query::shell {
namespace {

using Extracted = duck::ExtractedStatements;
using Prepared = duck::PreparedStatement;
using Pending = duck::PendingResult;
using Materialized = duck::ResultHandle;

// DuckDB's error message as it is (the C API may give none).
Status Failed(const char* message) {
  return InvalidArgument(message != nullptr ? message : "DuckDB gave no error message");
}

double Seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

bool ReturnsRows(duckdb_statement_type type) {
  switch (type) {
    case DUCKDB_STATEMENT_TYPE_SELECT:
    case DUCKDB_STATEMENT_TYPE_EXPLAIN:
    case DUCKDB_STATEMENT_TYPE_PRAGMA:
    case DUCKDB_STATEMENT_TYPE_CALL:
    case DUCKDB_STATEMENT_TYPE_EXECUTE:
    case DUCKDB_STATEMENT_TYPE_RELATION:
      return true;
    default:
      return false;
  }
}

// The columns of a prepared statement, and whether any is nested (needs a VARCHAR cast to print).
std::vector<Column> Columns(duckdb_prepared_statement ps, bool* nested) {
  std::vector<Column> out;
  *nested = false;
  for (idx_t c = 0; c < duckdb_prepared_statement_column_count(ps); ++c) {
    duckdb_logical_type type = duckdb_prepared_statement_column_logical_type(ps, c);
    duckdb_type id = duckdb_get_type_id(type);
    const char* name = duckdb_prepared_statement_column_name(ps, c);  // ours to free
    out.push_back(Column{name != nullptr ? name : "", TypeName(type), IsNumeric(id),
                         id == DUCKDB_TYPE_BOOLEAN});
    duckdb_free(const_cast<char*>(name));
    *nested = *nested || IsNested(id);
    duckdb_destroy_logical_type(&type);
  }
  return out;
}

}  // namespace

Status Runner::Run(std::string_view sql,
                   const std::function<void(const StatementOutcome&)>& on_statement) {
  EL_RETURN_IF_ERROR(session_.Refresh(sql));
  for (const std::string& text : SplitStatements(sql)) {
    EL_RETURN_IF_ERROR(RunText(text, on_statement));
  }
  return Status::Ok();
}

Status Runner::RunText(const std::string& text,
                       const std::function<void(const StatementOutcome&)>& on) {
  duckdb_connection con = session_.connection().get();
  Extracted extracted;
  idx_t count = duckdb_extract_statements(con, text.c_str(), &extracted.h);
  if (count == 0) {
    const char* error = duckdb_extract_statements_error(extracted.h);
    return Failed(error);
  }
  for (idx_t i = 0; i < count; ++i) {
    auto start = std::chrono::steady_clock::now();
    rusage before{};
    ::getrusage(RUSAGE_SELF, &before);
    Prepared prepared;
    if (duckdb_prepare_extracted_statement(con, extracted.h, i, &prepared.h) == DuckDBError) {
      return Failed(duckdb_prepare_error(prepared.h));
    }
    bool nested = false;
    std::vector<Column> columns = Columns(prepared.h, &nested);
    duckdb_statement_type type = duckdb_prepared_statement_type(prepared.h);
    Prepared as_text;  // the statement with every column cast to VARCHAR
    if (nested && count == 1 && type == DUCKDB_STATEMENT_TYPE_SELECT) {
      std::string wrapped = "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (\n" + text + "\n) AS el_q";
      if (duckdb_prepare(con, wrapped.c_str(), &as_text.h) == DuckDBError) {
        duckdb_destroy_prepare(&as_text.h);
      }
    }
    Pending pending;
    if (duckdb_pending_prepared(as_text.h != nullptr ? as_text.h : prepared.h, &pending.h) ==
        DuckDBError) {
      return Failed(duckdb_pending_error(pending.h));
    }
    // One task at a time, so that Ctrl-C is seen while the statement runs (a task is a small
    // piece of work; DuckDB's worker threads run others meanwhile).
    bool interrupted = false;
    for (;;) {
      if (interrupt_ != 0 && !interrupted) {
        duckdb_interrupt(con);
        interrupted = true;
      }
      duckdb_pending_state state = duckdb_pending_execute_task(pending.h);
      if (state == DUCKDB_PENDING_RESULT_READY || state == DUCKDB_PENDING_ERROR) break;
    }
    Materialized result;
    if (duckdb_execute_pending(pending.h, &result.h) == DuckDBError) {
      if (interrupted) return Cancelled("Interrupted");
      return Failed(duckdb_result_error(&result.h));
    }
    StatementOutcome outcome;
    if (ReturnsRows(type)) {
      Table table{std::move(columns), {}};
      idx_t cols = duckdb_column_count(&result.h);
      for (idx_t r = 0; r < duckdb_row_count(&result.h); ++r) {
        std::vector<std::optional<std::string>> row;
        for (idx_t c = 0; c < cols; ++c) {
          char* v = duckdb_value_is_null(&result.h, c, r) ? nullptr
                                                          : duckdb_value_varchar(&result.h, c, r);
          row.push_back(v != nullptr ? std::optional<std::string>(v) : std::nullopt);
          duckdb_free(v);
        }
        table.rows.push_back(std::move(row));
      }
      outcome.table = std::move(table);
      outcome.explain = type == DUCKDB_STATEMENT_TYPE_EXPLAIN;
    }
    rusage after{};
    ::getrusage(RUSAGE_SELF, &after);
    outcome.real_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    outcome.user_seconds = Seconds(after.ru_utime) - Seconds(before.ru_utime);
    outcome.sys_seconds = Seconds(after.ru_stime) - Seconds(before.ru_stime);
    on(outcome);
  }
  return Status::Ok();
}

}  // namespace el::query::shell
