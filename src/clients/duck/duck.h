#pragma once
// RAII wrappers for the DuckDB C API. Errors come back as el::Status (IOError for failures reported
// by DuckDB, InvalidArgument for SQL errors) and every handle is released on every path.
// Threading: a Database may be shared by threads; a Connection, QueryResult or Appender belongs to
// one thread at a time. Lifetime: a Connection must not outlive its Database, an Appender must not
// outlive its Connection.
#include <duckdb.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace el::duck {

// An owned DuckDB instance (in memory unless a path is given).
class Database {
 public:
  // Opens an in-memory database. Errors: Internal with DuckDB's message.
  static Result<Database> OpenInMemory();
  Database(Database&& other) noexcept : db_(other.db_), id_(other.id_) { other.db_ = nullptr; }
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();
  duckdb_database get() const { return db_; }
  // Unique among the databases this process opened (never reused, unlike the handle).
  uint64_t id() const { return id_; }

 private:
  explicit Database(duckdb_database db);
  duckdb_database db_ = nullptr;
  uint64_t id_ = 0;
};

// A fully materialized query result, read cell by cell as text.
class QueryResult {
 public:
  QueryResult(QueryResult&& other) noexcept;
  QueryResult& operator=(QueryResult&& other) noexcept;
  QueryResult(const QueryResult&) = delete;
  QueryResult& operator=(const QueryResult&) = delete;
  ~QueryResult();

  size_t ColumnCount();
  size_t RowCount();
  std::string ColumnName(size_t col);
  duckdb_type ColumnType(size_t col);
  // Field names when column `col` is a STRUCT, else empty.
  std::vector<std::string> StructFieldNames(size_t col);
  bool IsNull(size_t col, size_t row);
  // The cell rendered as text by DuckDB ("" for NULL).
  std::string Text(size_t col, size_t row);
  // The cell as an integer (0 for NULL).
  int64_t Int(size_t col, size_t row);

 private:
  friend class Connection;
  QueryResult() = default;
  duckdb_result res_{};
  bool valid_ = false;
};

// Owners of raw C API handles, for code that drives DuckDB statement by statement (extract,
// prepare, pending execution): each releases its handle on every path. Not copyable.
template <typename Handle, void (*Destroy)(Handle*)>
struct OwnedHandle {
  OwnedHandle() = default;
  OwnedHandle(const OwnedHandle&) = delete;
  OwnedHandle& operator=(const OwnedHandle&) = delete;
  ~OwnedHandle() { Destroy(&h); }
  Handle h{};
};
using ExtractedStatements = OwnedHandle<duckdb_extracted_statements, duckdb_destroy_extracted>;
using PreparedStatement = OwnedHandle<duckdb_prepared_statement, duckdb_destroy_prepare>;
using PendingResult = OwnedHandle<duckdb_pending_result, duckdb_destroy_pending>;
using ResultHandle = OwnedHandle<duckdb_result, duckdb_destroy_result>;  // a zeroed result is safe

// One connection; use from one thread at a time.
class Connection {
 public:
  // Errors: Internal when DuckDB refuses the connection.
  static Result<Connection> Open(const Database& db);
  Connection(Connection&& other) noexcept : con_(other.con_) { other.con_ = nullptr; }
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one or more statements; returns the last statement's result.
  // Errors: IOError for DuckDB's I/O errors (a file it could not write or read), else
  // InvalidArgument; both carry DuckDB's error message.
  Result<QueryResult> Query(std::string_view sql);
  // Like Query, discarding the result.
  Status Exec(std::string_view sql);
  // Whether table `name` exists in the default schema (a catalog lookup, not a query).
  bool HasTable(const std::string& name);
  duckdb_connection get() const { return con_; }

 private:
  explicit Connection(duckdb_connection con) : con_(con) {}
  // Runs `text` into `out`; an error DuckDB gives as a message only (a statement it could not
  // prepare, or one that failed while running) is set in `text_error` instead.
  duckdb_state Run(const std::string& text, duckdb_result* out, std::string* text_error);
  duckdb_connection con_ = nullptr;
};

class Appender;

// A data chunk shaped like an appender's table (the C API's duckdb_data_chunk): filled column by
// column through the C API's vector functions, then appended whole (Appender::AppendChunk).
class DataChunk {
 public:
  DataChunk(DataChunk&& other) noexcept : chunk_(other.chunk_) { other.chunk_ = nullptr; }
  DataChunk& operator=(DataChunk&&) = delete;
  DataChunk(const DataChunk&) = delete;
  DataChunk& operator=(const DataChunk&) = delete;
  ~DataChunk();

  // The most rows a chunk holds (DuckDB's vector size).
  static size_t Capacity();
  duckdb_vector Column(size_t col) const;

 private:
  friend class Appender;
  explicit DataChunk(duckdb_data_chunk chunk) : chunk_(chunk) {}
  duckdb_data_chunk chunk_ = nullptr;
};

// Appends rows to an existing table; Close() (or the destructor) flushes them.
class Appender {
 public:
  // Errors: InvalidArgument (unknown table).
  static Result<Appender> Create(const Connection& con, const std::string& table);
  Appender(Appender&& other) noexcept : app_(other.app_) { other.app_ = nullptr; }
  Appender& operator=(Appender&&) = delete;
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;
  ~Appender();

  Status AppendText(std::string_view value);
  Status AppendInt32(int32_t value);
  Status AppendInt64(int64_t value);
  Status AppendTimestampMicros(int64_t micros);
  Status AppendNull();
  Status EndRow();
  // An empty chunk with the table's column types.
  DataChunk NewChunk();
  // Appends the first `rows` rows of `chunk` and empties it for reuse.
  Status AppendChunk(DataChunk& chunk, size_t rows);
  // Flushes and closes; the appender is unusable afterwards.
  Status Close();

 private:
  explicit Appender(duckdb_appender app) : app_(app) {}
  Status Check(duckdb_state state);
  duckdb_appender app_ = nullptr;
};

// "name" with embedded quotes doubled: a safe SQL identifier.
// The DuckDB library's version, e.g. "v1.4.4".
std::string LibraryVersion();

std::string QuoteIdent(std::string_view name);
// 'text' with embedded quotes doubled: a safe SQL string literal.
std::string QuoteLiteral(std::string_view text);

}  // namespace el::duck
