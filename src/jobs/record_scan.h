#pragma once
// RecordScan: the stager's records (jobs/record_buffer.h) as a DuckDB table function, so that a
// COPY reads them straight from the buffer: `SELECT ... FROM el_records(<scan>, <tag>)` yields
// the records whose RecordMeta::tag is `tag`, as the metadata columns (kMetaSchema) then one
// column per field of the stager's schema, typed as jobs/record_fill.h writes them. Each JSON
// value is parsed as the chunk is filled, only the columns the query uses are filled, and the
// buffer's segments are shared among DuckDB's threads. Nothing is materialized in DuckDB.
// Threading: Open and the destructor on the thread that owns `con`; DuckDB calls the function on
// its own threads while a query runs. Lifetime: `records` and `schema` outlive the scan, and no
// query over it runs after it is destroyed.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "clients/duck/duck.h"
#include "jobs/json_schema.h"
#include "jobs/record_buffer.h"

namespace el::jobs {

class RecordScan {
 public:
  // Registers el_records in `con`'s database `db` (once per database; null: looked up in the
  // catalog) and makes `records` scannable.
  // Errors: InvalidArgument (DuckDB refused a type or the function).
  static Result<std::unique_ptr<RecordScan>> Open(duck::Connection& con, const duck::Database* db,
                                                  std::string topic,
                                                  const JsonType& schema,
                                                  const RecordBuffer& records);
  RecordScan(const RecordScan&) = delete;
  RecordScan& operator=(const RecordScan&) = delete;
  ~RecordScan();

  // The table function call over the records tagged `tag`, for a FROM clause.
  std::string Relation(uint32_t tag) const;

  struct Source;

 private:
  explicit RecordScan(int64_t id) : id_(id) {}
  int64_t id_;
};

}  // namespace el::jobs
