#pragma once
// Listing the lake through the io seam (io/dir.h), so that faults can be injected. A folder that
// does not exist lists as empty; any other failure (EACCES, EMFILE, EIO) is an IOError, never a
// short list: callers decide from listings what is committed, and a listing that silently came
// back empty would read as "nothing landed".
// Threading: free functions, no shared state.
#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"

namespace el::lake {

// Visible Parquet files directly in `dir`, sorted.
Result<std::vector<std::filesystem::path>> ListDataFiles(const std::filesystem::path& dir);

// Visible Parquet files at any depth under `table_dir` (Hive partition folders included, hidden
// folders skipped), sorted.
Result<std::vector<std::filesystem::path>> ListDataFilesRecursive(
    const std::filesystem::path& table_dir);

// Visible folders below `table_dir` at any depth (partition folders), sorted.
Result<std::vector<std::filesystem::path>> ListPartitionDirs(
    const std::filesystem::path& table_dir);

// Visible table folders of the lake, sorted.
Result<std::vector<std::string>> ListTables(const std::filesystem::path& lake_dir);

// Names of the entries of `dir` (files and folders, hidden ones too), sorted; empty when absent.
Result<std::vector<std::string>> ListNames(const std::filesystem::path& dir);

// Makes `dir` and its parents exist. Errors: IOError.
Status MakeDirs(const std::filesystem::path& dir);

// fsyncs a directory so that renames inside it are durable. Errors: IOError.
Status SyncDir(const std::filesystem::path& dir);

// Removes a file or a folder with its content; OK when absent. Errors: IOError.
Status Remove(const std::filesystem::path& path);

}  // namespace el::lake
