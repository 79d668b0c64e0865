#pragma once
// Publishing a batch's staged files into a table, and keeping every file of the table in one set
// of column types (lake/schema_history.h).
//
// PublishTable, for one table of a batch, under the staging key's publish lock:
//   1. under the table's schema lock, merges the staged files' columns into the latest schema
//      version and writes the next version when something changed;
//   2. when a column's type changed (not only STRUCT fields added), rewrites the table's files
//      that hold the older type, each into the scratch folder and then renamed over itself, and
//      rewrites the staged files too when another lander changed the schema since they were cast;
//   2b. for a topic table with event-type folders: brings each folder's schema history to the
//      folder's columns in the table's types (a new version when they changed);
//   3. moves the staged files into the table folder (rename, atomic per file; Hive partition
//      folders keep their relative path), with `replace` deleting the table's other data files
//      (and partition folders left empty); writes `_SUCCESS` in every folder that received files,
//      fsyncs the folders, removes the staging folder and records the conformed version.
// A crash between renames leaves each file whole in one type or the other; the next publish
// checks the files again and finishes the rewrite.
// Threading: one thread; `con` is used only by the call.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "clients/duck/duck.h"
#include "lake/schema_history.h"

namespace el::lake {

// Parquet options of every file eventlake writes (codec zstd: see the README's lake section).
inline constexpr char kParquetOptions[] = "FORMAT parquet, COMPRESSION zstd";

struct TablePublish {
  std::filesystem::path staging_dir;  // the batch's files of this table
  std::filesystem::path table_dir;
  // The staged files' columns and types; empty for folders without a schema (a job's progress).
  std::vector<SchemaColumn> columns;
  bool replace = false;
  std::filesystem::path scratch_dir;  // hidden folder for rewritten files (removed by the caller)
  // A topic table's event-type folders in the batch (`<field>=<value>` -> their files' columns):
  // each folder keeps its own schema history (lake/layout.h) in the table's types.
  std::map<std::string, std::vector<SchemaColumn>> type_columns;
};

// The stage-time half: how a batch with columns `batch` is written into the table at
// `table_dir`, cast to the table's latest schema merged with the batch (so that the publish
// usually has nothing to rewrite). Reads the history only; writes nothing.
struct ConformedBatch {
  std::string select_list;            // one converted expression per batch column, in order
  std::vector<SchemaColumn> columns;  // the batch's columns with the types they are cast to
};
Result<ConformedBatch> ConformBatch(const std::filesystem::path& table_dir,
                                    const std::vector<SchemaColumn>& batch);

// Returns the number of files published. Errors: IOError, Internal (DuckDB could not rewrite).
Result<int64_t> PublishTable(duck::Connection& con, const TablePublish& t);

// Whether PublishTable(t) would look at the files already in the table (step 2: a column's type
// changes, or the table's files were never conformed), so that a lake whose files are elsewhere
// (an object store, lake/store_lake.h) can fetch them first. Reads the history only.
// Errors: IOError.
Result<bool> PublishChecksTableFiles(const TablePublish& t);

// Brings every file of the table to the latest schema version's types, unless the table's
// conformed record says they hold them; takes the table's schema lock. For tables landed before
// files were conformed, and for `eventlake compact`. Returns how many files were rewritten.
// Errors: IOError, Internal.
Result<int64_t> ConformTable(duck::Connection& con, const std::filesystem::path& table_dir,
                             const std::filesystem::path& scratch_dir);

// Rewrites each of `files` that holds a column in a type `want` cannot read as is (a rewrite,
// not a widening), through `scratch` and renamed over itself. Returns how many were rewritten.
// Errors: IOError, Internal (DuckDB could not rewrite).
Result<int> ConformFiles(duck::Connection& con, const std::vector<std::filesystem::path>& files,
                         const std::vector<SchemaColumn>& want, const std::filesystem::path& scratch);

// The columns (name, type) of `select` without running it. Errors: InvalidArgument.
Result<std::vector<SchemaColumn>> DescribeSelect(duck::Connection& con, const std::string& select);

// A SELECT list that converts columns typed `from` to the types of the same-named columns of
// `to` (lake/schema_type.h's ConvertExpr); columns missing from `to` are kept as they are.
std::string ConvertList(const std::vector<SchemaColumn>& from, const std::vector<SchemaColumn>& to);

}  // namespace el::lake
