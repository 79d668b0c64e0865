#pragma once
// Lake naming and publishing. A table is a folder LAKE/<table>/ of Parquet files; names starting
// with '_' or '.' are invisible to readers (staging folders, _SUCCESS). A data file is named after
// the source range it holds, `<topic>+<partition>+<first>-<last>.parquet`, so a replay of the same
// range replaces the file instead of duplicating it.
// Threading: free functions, no shared state. All errors are IOError with the path and errno text.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace el::jobs {

// Lower-cases and maps every character outside [a-z0-9_] to '_'; "" becomes "empty".
std::string SanitizeName(std::string_view value);

// `<topic>+<partition>+<first>-<last>.parquet`.
std::string DataFileName(std::string_view topic, int32_t partition, int64_t first, int64_t last);

struct DataFileRange {
  int32_t partition = 0;
  int64_t first = 0;
  int64_t last = 0;
};
// Parses a DataFileName of `topic`; nullopt for any other name.
std::optional<DataFileRange> ParseDataFileName(std::string_view topic, std::string_view name);

// Visible Parquet files directly in `table_dir` (sorted), empty when the folder is absent.
std::vector<std::filesystem::path> ListDataFiles(const std::filesystem::path& table_dir);

// Visible Parquet files at any depth under `table_dir` (Hive partition folders included; hidden
// folders skipped), sorted.
std::vector<std::filesystem::path> ListDataFilesRecursive(const std::filesystem::path& table_dir);

// Visible table folders of the lake (names not starting with '_' or '.'), sorted.
std::vector<std::string> ListTables(const std::filesystem::path& lake_dir);

// Makes `dir` and its parents exist. Errors: IOError.
Status MakeDirs(const std::filesystem::path& dir);

// fsyncs a directory so that renames inside it are durable. Errors: IOError.
Status SyncDir(const std::filesystem::path& dir);

// Moves every file of `staging_dir` (at any depth: Hive partition folders keep their relative
// path) into its parent table folder (rename, atomic per file), then, when `replace` is set,
// deletes the table's other data files at any depth (and partition folders left empty); writes
// `_SUCCESS` in the table folder and in every partition folder that received files, fsyncs the
// folders and removes the staging folder. Returns the number of files moved.
Result<int64_t> PublishStaged(const std::filesystem::path& staging_dir, bool replace);

}  // namespace el::jobs

namespace el::jobs {

// Recovery for `topic` before a run: removes leftover staging folders of the topic
// (`LAKE/_staging/<topic>/`, `LAKE/*/_staging-<topic>-*`), reads the committed progress from the
// topic's table (file names: partition -> last offset + 1), and deletes data files of the topic
// in other tables whose range starts at or after that point (a batch that was staged into some
// tables but never committed to the topic's table). Returns partition -> next offset.
Result<std::map<int32_t, int64_t>> RecoverTopic(const std::filesystem::path& lake_dir,
                                                 const std::string& topic);

// The general form: progress is read from the data files directly in `commit_dir` (a table
// folder or a job's hidden progress folder), staging leftovers named `_staging-<staging_key>-*`
// and `LAKE/_staging/<staging_key>` are removed, and uncommitted files of `topic` are removed at
// any depth of the table folders in `tables` only.
Result<std::map<int32_t, int64_t>> RecoverRange(const std::filesystem::path& lake_dir,
                                                const std::string& topic,
                                                const std::filesystem::path& commit_dir,
                                                const std::string& staging_key,
                                                const std::vector<std::string>& tables);

}  // namespace el::jobs
