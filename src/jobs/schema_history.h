#pragma once
// Table schemas across runs. Every table keeps its history in LAKE/<table>/_schema/v<N>.json
// ({"version","created","columns":[{"name","type"}],"changes":[...]}), hidden from readers.
// Before a batch writes a table, Conform() merges the batch's column types into the latest
// version: new fields add columns, integers widen to BIGINT then DOUBLE, DATE to TIMESTAMP, text
// types (DATE, TIMESTAMP, TIME, UUID) meeting VARCHAR become VARCHAR, nested types merge when
// DuckDB finds a common type, anything else falls back to JSON text. The batch is then cast to
// the merged types so files of one version agree; older files stay readable through DuckDB's
// union_by_name. A schema change never fails the job.
// Threading: one thread per table folder. Lifetime: no state kept between calls.
#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"
#include "clients/duck/duck.h"

namespace el::jobs {

struct SchemaColumn {
  std::string name;
  std::string type;  // DuckDB type text, e.g. BIGINT, STRUCT(x BIGINT), VARCHAR[], JSON
};

struct SchemaVersion {
  int version = 0;
  std::string created;  // ISO 8601 UTC
  std::vector<SchemaColumn> columns;
  std::vector<std::string> changes;
};

// The table's versions, oldest first; empty when it has none. Unreadable files are skipped.
std::vector<SchemaVersion> ReadSchemaHistory(const std::filesystem::path& table_dir);

// The type both `a` and `b` values fit in (rules above); `con` resolves nested types.
std::string MergeTypes(duck::Connection& con, const std::string& a, const std::string& b);

// Merges `batch` (the columns of the relation about to be written) into the table's latest
// schema, writes a new version file when something changed, and returns a SELECT list that
// casts the batch's columns to the merged types. Errors: IOError (schema file not writable).
Result<std::string> ConformToSchema(duck::Connection& con, const std::filesystem::path& table_dir,
                                    const std::vector<SchemaColumn>& batch);

// The columns (name, type) of `select` without running it. Errors: InvalidArgument.
Result<std::vector<SchemaColumn>> DescribeSelect(duck::Connection& con, const std::string& select);

}  // namespace el::jobs
