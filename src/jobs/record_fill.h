#pragma once
// Writing the stager's records (jobs/record_stager.h) into DuckDB vectors of the types it inferred
// over every record (jobs/json_schema.h): STRUCT, LIST, DATE and TIMESTAMP included, JSON-typed
// fields as their minified text, missing fields as NULL. Used by the typed load
// (jobs/record_loader.h) and the record scan (jobs/record_scan.h).
// Threading: a FillColumn tree is used by one thread at a time.
#include <duckdb.h>
#include <simdjson.h>

#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "jobs/json_schema.h"
#include "jobs/record_buffer.h"

namespace el::jobs {

// How a value of one field is written: its type, and for a STRUCT or LIST the columns below.
struct FillColumn {
  explicit FillColumn(const JsonType& t);

  // The position of field `name`, the object's key number key_seq (objects of one event type
  // mostly repeat their keys in one order: the n-th key is first compared with the previous
  // object's n-th, then with the field after the last one found, then looked up).
  std::optional<size_t> Find(std::string_view name);
  static constexpr size_t kRecentKeys = 64;

  const JsonType* type;
  JsonType::Kind kind;
  std::vector<FillColumn> children;  // struct fields in order, or the list element
  std::unordered_map<std::string_view, size_t> index;  // struct field name -> position
  std::vector<char> seen;                              // scratch: fields present in the object
  size_t hint = 0;                                     // the field after the last one found
  size_t key_seq = 0;                                  // keys of the object found so far
  std::vector<uint32_t> recent;                        // the previous object's n-th key's field
};

// Writes the metadata columns of row `row`; a null vector is a column not wanted.
void FillMeta(duckdb_vector const (&meta)[kMetaColumns], idx_t row, std::string_view topic,
              const RecordMeta& record);

// Parses `value` (a staged record, with RecordBuffer::kPadding readable bytes past it) and writes
// its fields into row `row` of `fields` (one vector per field of `top`, the record's STRUCT type;
// null: the field is not wanted). Errors: Internal (a record or value that does not fit the
// inferred type).
Status FillRecord(simdjson::dom::parser& parser, FillColumn& top,
                  const std::vector<duckdb_vector>& fields, idx_t row, std::string_view value);

}  // namespace el::jobs
