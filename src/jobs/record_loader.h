#pragma once
// LoadRecords: the stager's records (jobs/record_buffer.h) into a DuckDB table as typed vectors.
// Each value is parsed with simdjson and written straight into DuckDB data chunks of the types
// the stager inferred over every record (jobs/json_schema.h): STRUCT, LIST, DATE and TIMESTAMP
// included, JSON-typed fields as their minified text, missing fields as NULL. DuckDB parses no
// JSON and reads no staging file.
// Threading: one thread; `con` is used only by this call.
#include <string>
#include <string_view>

#include "base/result.h"
#include "clients/duck/duck.h"
#include "jobs/json_schema.h"
#include "jobs/record_buffer.h"

namespace el::jobs {

// The metadata columns every landed row starts with.
inline constexpr char kMetaSchema[] =
    "_topic VARCHAR, _partition INTEGER, _offset BIGINT, _timestamp TIMESTAMP, _key VARCHAR";

// Creates view `name` over the records: the metadata columns, then one column per field of
// `schema` (the records' STRUCT type) named and typed as the stager has them, rows in the order
// of `records`. The rows are appended by up to `threads` threads, each into a table of its own
// (`<name>_part_<i>`, on connections of `db`); the view is their UNION ALL. Replaces what an
// earlier load under `name` left.
// Errors: InvalidArgument (DuckDB refused the table or a chunk), Internal (a value that does not
// fit the inferred type), IOError (the buffer's spill file).
Status LoadRecords(const duck::Database& db, duck::Connection& con, const std::string& name,
                   std::string_view topic, const JsonType& schema, const RecordBuffer& records,
                   size_t threads);
// Drops view `name` and its part tables, when there are any.
Status DropRecords(duck::Connection& con, const std::string& name);

}  // namespace el::jobs
