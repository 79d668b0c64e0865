#pragma once
// DDL for other engines over a lake table: `eventlake ddl --dialect trino` prints the CREATE TABLE
// that lets Trino's (or Presto's) Hive connector read LAKE/<table> in place: an external table
// over the folder, format PARQUET, Hive partition folders (`k=v/`) as partition columns placed
// last, column types mapped from the Parquet schema DuckDB reads (union over every file).
// Threading: free functions; each call opens its own in-memory DuckDB. No shared state.
#include <string>
#include <string_view>

#include "base/result.h"

namespace el::query {

struct DdlOptions {
  std::string dialect = "trino";
  std::string lake_dir;
  std::string table;
  std::string catalog = "hive";
  std::string schema = "default";
  // external_location is <prefix>/<table> when set (e.g. "s3://bucket/lake"), else the
  // absolute file:// URI of the table folder.
  std::string location_prefix;
};

// The DDL text: CREATE TABLE ... ; and, for a partitioned table, the CALL that registers the
// partition folders. Errors: InvalidArgument (unknown dialect), NotFound (no such table or no
// visible Parquet file), Internal/IOError (DuckDB could not read the files).
Result<std::string> CreateTableDdl(const DdlOptions& options);

// Maps a DuckDB type as DuckDB prints it ("STRUCT(a BIGINT, \"b c\" VARCHAR[])", "DECIMAL(18,3)",
// "TIMESTAMP WITH TIME ZONE") to Trino's Hive-connector type ("ROW(a BIGINT, \"b c\"
// ARRAY(VARCHAR))"). JSON and types Hive cannot store become VARCHAR.
// Errors: InvalidArgument (text that is not a DuckDB type).
Result<std::string> TrinoType(std::string_view duckdb_type);

}  // namespace el::query
