#pragma once
// The lake's format version and the default layout's event-type folders.
//
// Format 2 (this eventlake): a topic's table holds every event once, partitioned by event type:
//   LAKE/<topic>/<field>=<value>/[dt=.../hour=.../]<files>, each type's files with that type's own
//   columns; LAKE/<topic>/<field>=<value>/_schema/ is the type's schema history,
//   LAKE/<topic>/_schema/ the whole table's. Readers name a type's table
//   `<topic>_<SanitizeName(value)>`: a view over its folder. A batch is committed by the topic's
//   progress records (lake/progress.h).
// Format 1 (no marker, a lake with progress records): the topic's table beside one table folder per
//   event type, each event written twice; `eventlake convert` turns it into format 2.
// The format is recorded in LAKE/_format (decimal text) when a lake is first landed into.
// Threading: free functions, no shared state.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace el::lake {

inline constexpr int kLakeFormat = 2;
// The folder value of a null (or empty) partition value, as Hive, Spark and Trino write and read
// it.
inline constexpr char kHiveNull[] = "__HIVE_DEFAULT_PARTITION__";

// A partition folder value: `raw` with every byte outside [A-Za-z0-9_.~-] percent-encoded (as
// DuckDB writes them; DuckDB, Spark and Trino decode them), kHiveNull for a null or empty value.
// A value whose encoding would exceed kMaxHiveValue bytes keeps its first bytes plus '~' and 8 hex
// digits of a hash of `raw`, so that folder names stay valid file names.
inline constexpr size_t kMaxHiveValue = 200;
std::string HiveValue(std::optional<std::string_view> raw);
// The value a folder value stands for: percent-decoded; nullopt for kHiveNull.
std::optional<std::string> ParseHiveValue(std::string_view folder_value);

// The lake's format: the recorded one; 1 for an unmarked lake that holds a topic's progress records
// (landed by an eventlake before formats were recorded); 0 for a new or job-only lake.
// Errors: IOError, DataLoss (a marker that is not a number).
Result<int> ReadLakeFormat(const std::filesystem::path& lake_dir);

// Checks that this eventlake can read the lake: FailedPrecondition for a newer format. With
// `default_layout` (a lander about to write topic tables) it also refuses format 1, naming the
// command that converts it, and records kLakeFormat in a lake that has no format yet.
// Errors: FailedPrecondition, IOError.
Status CheckLakeFormat(const std::filesystem::path& lake_dir, bool default_layout);
Status WriteLakeFormat(const std::filesystem::path& lake_dir, int format);

// One event type's folder of a topic table.
struct TypeFolder {
  std::string key;                   // the event-type field: the folder's partition column
  std::optional<std::string> value;  // the raw event type; nullopt: events without one
  std::filesystem::path dir;         // LAKE/<topic>/<key>=<HiveValue>
  std::string table;                 // the name readers use: TypeTableName(topic, value)
};

// Whether `dir`, a first-level folder of a topic's table, is an event type's folder (a `k=v` folder
// with its own `_schema` history; time folders have none).
bool IsTypeFolder(const std::filesystem::path& dir);

// `<topic>_<SanitizeName(value)>`; "" for events without a type (they are only in the topic's
// table) and for a type that would take the dead-letter table's name.
std::string TypeTableName(std::string_view topic, const std::optional<std::string>& value);

// The event-type folders of LAKE/<topic> (first-level `k=v` folders with a `_schema` history),
// sorted. Errors: IOError.
Result<std::vector<TypeFolder>> ListTypeFolders(const std::filesystem::path& lake_dir,
                                                const std::string& topic);

// A table as readers name it: a folder of the lake, or an event type's folders inside its topic's
// table (several raw values can share one sanitized name).
struct TableRef {
  std::string name;
  std::vector<std::filesystem::path> dirs;
  std::string type_key;  // the event-type partition column when `dirs` are type folders, or of a
                         // topic table that has type folders; "" otherwise
  bool is_type = false;  // an event type's table (dirs are type folders)
};

// Every table readers see: the visible table folders, then the event types' tables. Sorted by name.
// Errors: IOError.
Result<std::vector<TableRef>> ListReaderTables(const std::filesystem::path& lake_dir);
// One of them by name; nullopt when there is none. Errors: IOError.
Result<std::optional<TableRef>> FindReaderTable(const std::filesystem::path& lake_dir,
                                                const std::string& name);

}  // namespace el::lake
