#include "clients/duck/duck.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <utility>
#include <vector>

#include "base/log.h"

// DuckDB's allocator (its own jemalloc, symbols prefixed duckdb_je_) reads this string last of its
// settings, when the library loads. One arena instead of one per core: the lander's COPYs run on
// threads that come and go, and with an arena per core each arena grew to its own peak, so memory
// freed in one was faulted in fresh in another (1M events landed: ~70k page faults -> ~45k, a
// third less system time). Where DuckDB is built without jemalloc the symbol is simply unused.
extern "C" {
[[gnu::used]] const char* duckdb_je_malloc_conf_2_conf_harder = "narenas:1";
}

namespace el::duck {

Database::Database(duckdb_database db) : db_(db) {
  static std::atomic<uint64_t> next{1};
  id_ = next++;
}

Result<Database> Database::OpenInMemory() {
  duckdb_database db = nullptr;
  char* err = nullptr;
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError) return Internal("duckdb: cannot create config");
  duckdb_set_config(config, "threads", "2");
  duckdb_state state = duckdb_open_ext(nullptr, &db, config, &err);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    std::string message = err != nullptr ? err : "unknown error";
    if (err != nullptr) duckdb_free(err);
    return Internal("duckdb open: " + message);
  }
  return Database(db);
}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) duckdb_close(&db_);
    db_ = std::exchange(other.db_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

Database::~Database() {
  if (db_ != nullptr) duckdb_close(&db_);
}

QueryResult::QueryResult(QueryResult&& other) noexcept
    : res_(other.res_), valid_(std::exchange(other.valid_, false)) {}

QueryResult& QueryResult::operator=(QueryResult&& other) noexcept {
  if (this != &other) {
    if (valid_) duckdb_destroy_result(&res_);
    res_ = other.res_;
    valid_ = std::exchange(other.valid_, false);
  }
  return *this;
}

QueryResult::~QueryResult() {
  if (valid_) duckdb_destroy_result(&res_);
}

size_t QueryResult::ColumnCount() { return duckdb_column_count(&res_); }
size_t QueryResult::RowCount() { return duckdb_row_count(&res_); }

std::string QueryResult::ColumnName(size_t col) {
  const char* name = duckdb_column_name(&res_, col);
  return name != nullptr ? name : "";
}

duckdb_type QueryResult::ColumnType(size_t col) { return duckdb_column_type(&res_, col); }

std::vector<std::string> QueryResult::StructFieldNames(size_t col) {
  std::vector<std::string> names;
  duckdb_logical_type type = duckdb_column_logical_type(&res_, col);
  if (duckdb_get_type_id(type) == DUCKDB_TYPE_STRUCT) {
    idx_t n = duckdb_struct_type_child_count(type);
    for (idx_t i = 0; i < n; ++i) {
      char* name = duckdb_struct_type_child_name(type, i);
      names.emplace_back(name != nullptr ? name : "");
      duckdb_free(name);
    }
  }
  duckdb_destroy_logical_type(&type);
  return names;
}

bool QueryResult::IsNull(size_t col, size_t row) { return duckdb_value_is_null(&res_, col, row); }

std::string QueryResult::Text(size_t col, size_t row) {
  if (IsNull(col, row)) return "";
  char* text = duckdb_value_varchar(&res_, col, row);
  std::string out = text != nullptr ? text : "";
  duckdb_free(text);
  return out;
}

int64_t QueryResult::Int(size_t col, size_t row) { return duckdb_value_int64(&res_, col, row); }

Result<Connection> Connection::Open(const Database& db) {
  duckdb_connection con = nullptr;
  if (duckdb_connect(db.get(), &con) == DuckDBError) return Internal("duckdb: cannot connect");
  return Connection(con);
}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (con_ != nullptr) duckdb_disconnect(&con_);
    con_ = std::exchange(other.con_, nullptr);
  }
  return *this;
}

Connection::~Connection() {
  if (con_ != nullptr) duckdb_disconnect(&con_);
}

namespace {

// DuckDB's error messages start with their class ("IO Error: ..."); a failed prepare or pending
// execution gives only the message.
bool IsIoErrorMessage(std::string_view message) { return message.starts_with("IO Error:"); }

}  // namespace

// duckdb_query runs a statement's tasks on the calling thread and, while DuckDB's worker threads
// hold the last ones, spins on the task queue: at the end of every pipeline a whole core burns
// for nothing (a tenth of a lander's CPU, taken from the thread reading the log). A single
// statement runs through the pending API instead: this thread works on tasks while there are
// any, and sleeps a little (20 us, doubling up to 1 ms) while there are none.
duckdb_state Connection::Run(const std::string& text, duckdb_result* out, std::string* text_error) {
  ExtractedStatements extracted;
  if (duckdb_extract_statements(con_, text.c_str(), &extracted.h) != 1) {
    return duckdb_query(con_, text.c_str(), out);  // several statements, none, or a parse error
  }
  PreparedStatement prepared;
  if (duckdb_prepare_extracted_statement(con_, extracted.h, 0, &prepared.h) == DuckDBError) {
    const char* err = duckdb_prepare_error(prepared.h);
    *text_error = err != nullptr ? err : "prepare failed";
    return DuckDBError;
  }
  PendingResult pending;
  if (duckdb_pending_prepared(prepared.h, &pending.h) == DuckDBError) {
    return duckdb_execute_prepared(prepared.h, out);  // DuckDB's own error, with its type
  }
  auto wait = std::chrono::microseconds(20);
  for (;;) {
    duckdb_pending_state state = duckdb_pending_execute_task(pending.h);
    if (state == DUCKDB_PENDING_RESULT_READY) break;
    if (state == DUCKDB_PENDING_ERROR) {
      const char* err = duckdb_pending_error(pending.h);
      *text_error = err != nullptr ? err : "query failed";
      return DuckDBError;
    }
    if (state == DUCKDB_PENDING_NO_TASKS_AVAILABLE) {
      std::this_thread::sleep_for(wait);
      wait = std::min(wait * 2, std::chrono::microseconds(1000));
    } else {
      wait = std::chrono::microseconds(20);
    }
  }
  return duckdb_execute_pending(pending.h, out);
}

Result<QueryResult> Connection::Query(std::string_view sql) {
  QueryResult result;
  std::string text(sql);
  auto started = std::chrono::steady_clock::now();
  std::string text_error;
  duckdb_state state = Run(text, &result.res_, &text_error);
  if (spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug("duckdb {:.3f} s: {:.300}",
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), text);
  }
  result.valid_ = true;  // DuckDB fills the result even on failure; it must be destroyed either way
  if (!text_error.empty()) {
    if (IsIoErrorMessage(text_error)) return IOError(std::move(text_error));
    return InvalidArgument(std::move(text_error));
  }
  if (state == DuckDBError) {
    const char* err = duckdb_result_error(&result.res_);
    std::string message = err != nullptr ? err : "query failed";
    // A file DuckDB could not write or read (a full or failing disk) is an I/O failure that may
    // pass; everything else (SQL, conversions, constraints) is about the statement.
    if (duckdb_result_error_type(&result.res_) == DUCKDB_ERROR_IO) return IOError(std::move(message));
    return InvalidArgument(std::move(message));
  }
  return result;
}

bool Connection::HasTable(const std::string& name) {
  duckdb_table_description description = nullptr;
  bool found = duckdb_table_description_create(con_, nullptr, name.c_str(), &description) == DuckDBSuccess;
  duckdb_table_description_destroy(&description);
  return found;
}

Status Connection::Exec(std::string_view sql) {
  auto result = Query(sql);
  return result.ok() ? Status::Ok() : result.status();
}

Result<Appender> Appender::Create(const Connection& con, const std::string& table) {
  duckdb_appender app = nullptr;
  if (duckdb_appender_create(con.get(), nullptr, table.c_str(), &app) == DuckDBError) {
    std::string message = app != nullptr ? duckdb_appender_error(app) : "unknown error";
    if (app != nullptr) duckdb_appender_destroy(&app);
    return InvalidArgument("duckdb appender for " + table + ": " + message);
  }
  return Appender(app);
}

Appender::~Appender() {
  if (app_ != nullptr) duckdb_appender_destroy(&app_);
}

Status Appender::Check(duckdb_state state) {
  if (state == DuckDBSuccess) return Status::Ok();
  const char* err = duckdb_appender_error(app_);
  return InvalidArgument(std::string("duckdb append: ") + (err != nullptr ? err : "failed"));
}

Status Appender::AppendText(std::string_view value) {
  return Check(duckdb_append_varchar_length(app_, value.data(), value.size()));
}
Status Appender::AppendInt32(int32_t value) { return Check(duckdb_append_int32(app_, value)); }
Status Appender::AppendInt64(int64_t value) { return Check(duckdb_append_int64(app_, value)); }
Status Appender::AppendTimestampMicros(int64_t micros) {
  return Check(duckdb_append_timestamp(app_, duckdb_timestamp{micros}));
}
Status Appender::AppendNull() { return Check(duckdb_append_null(app_)); }
Status Appender::EndRow() { return Check(duckdb_appender_end_row(app_)); }

DataChunk::~DataChunk() {
  if (chunk_ != nullptr) duckdb_destroy_data_chunk(&chunk_);
}

size_t DataChunk::Capacity() { return duckdb_vector_size(); }

duckdb_vector DataChunk::Column(size_t col) const { return duckdb_data_chunk_get_vector(chunk_, col); }

DataChunk Appender::NewChunk() {
  size_t n = duckdb_appender_column_count(app_);
  std::vector<duckdb_logical_type> types(n);
  for (size_t i = 0; i < n; ++i) types[i] = duckdb_appender_column_type(app_, i);
  duckdb_data_chunk chunk = duckdb_create_data_chunk(types.data(), n);
  for (duckdb_logical_type& t : types) duckdb_destroy_logical_type(&t);
  return DataChunk(chunk);
}

Status Appender::AppendChunk(DataChunk& chunk, size_t rows) {
  duckdb_data_chunk_set_size(chunk.chunk_, rows);
  Status st = Check(duckdb_append_data_chunk(app_, chunk.chunk_));
  duckdb_data_chunk_reset(chunk.chunk_);
  return st;
}

Status Appender::Close() {
  Status status = Check(duckdb_appender_close(app_));
  duckdb_appender_destroy(&app_);
  app_ = nullptr;
  return status;
}

std::string LibraryVersion() { return duckdb_library_version(); }

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace el::duck
