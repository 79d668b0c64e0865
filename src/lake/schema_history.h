#pragma once
// Table schemas across runs. Every table keeps its history in LAKE/<table>/_schema/v<N>.json
// ({"version","created","columns":[{"name","type"}],"changes":[...]}), hidden from readers, and
// LAKE/<table>/_schema/conformed (decimal text): the version whose types every data file of the
// table holds. A file may lack columns and STRUCT fields added after it was written (readers
// fill them with NULL by name), but never holds a column in another type: a change of a type
// (lake/schema_type.h: widening, or a fallback to JSON text) rewrites the table's older files
// when it is published (lake/publish.h), so that DuckDB, Spark and Trino read every file of the
// table with the latest version's types.
// Threading: writers of one table hold its schema lock (SchemaLockPath). Lifetime: no state.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace el::lake {

struct SchemaColumn {
  std::string name;
  std::string type;  // DuckDB type text, e.g. BIGINT, STRUCT("x" BIGINT), VARCHAR[], JSON
  bool operator==(const SchemaColumn&) const = default;
};

struct SchemaVersion {
  int version = 0;
  std::string created;  // ISO 8601 UTC
  std::vector<SchemaColumn> columns;
  std::vector<std::string> changes;
};

// The table's versions, oldest first; empty when it has none. A version file that does not parse
// is skipped with a warning. Errors: IOError (the folder could not be listed).
Result<std::vector<SchemaVersion>> ReadSchemaHistory(const std::filesystem::path& table_dir);

// The latest version (the highest N whose file parses), or one version; nullopt when there is none.
// Reads one file, for the hot paths (every batch and publish). Errors: IOError.
Result<std::optional<SchemaVersion>> ReadLatestSchema(const std::filesystem::path& table_dir);
Result<std::optional<SchemaVersion>> ReadSchemaVersion(const std::filesystem::path& table_dir,
                                                       int version);

// `known` with `batch` merged in (lake/schema_type.h's MergeTypes, column by column; new columns
// at the end). `changes` receives "added c T" and "c A -> B" lines.
std::vector<SchemaColumn> MergeColumns(const std::vector<SchemaColumn>& known,
                                       const std::vector<SchemaColumn>& batch,
                                       std::vector<std::string>* changes = nullptr);

// The merged type of one column (MergeTypes on parsed types; JSON for text that does not parse).
std::string MergeTypeText(const std::string& a, const std::string& b);

// A version file's text, and back. ParseSchemaVersion errors: InvalidArgument (not JSON, a
// missing or mistyped field, a version outside [1, INT_MAX], a column without name or type).
std::string SchemaVersionJson(const SchemaVersion& v);
Result<SchemaVersion> ParseSchemaVersion(std::string_view text);

// Writes `v` as the table's version file v<N>.json, durably. Errors: IOError.
Status WriteSchemaVersion(const std::filesystem::path& table_dir, const SchemaVersion& v);

// The version the table's files conform to; 0 when unknown (a table without the record, written
// before it existed: its files must be checked one by one). Errors: IOError.
Result<int> ReadConformedVersion(const std::filesystem::path& table_dir);
Status WriteConformedVersion(const std::filesystem::path& table_dir, int version);

std::filesystem::path SchemaLockPath(const std::filesystem::path& table_dir);

// Now as ISO 8601 UTC with seconds, e.g. 2024-01-01T10:00:00Z.
std::string NowIso();

}  // namespace el::lake
