#pragma once
// Directory helpers of the io seam (POSIX). All functions are thread-safe and report IOError with the
// path and strerror on failure.
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace el::io {

struct DirEntry {
  std::string name;  // file name only, never "." or ".."
  bool is_dir = false;
};

Status CreateDirs(const std::string& path);            // mkdir -p; OK if it exists
// Sorted by name. Errors: NotFound when `path` does not exist, IOError for any other failure
// (never a partial listing).
Result<std::vector<DirEntry>> ListDir(const std::string& path);
Status SyncDir(const std::string& path);               // fsync the directory (makes entries durable)
Status RemoveAll(const std::string& path);             // rm -rf; OK if missing
Status RemoveFile(const std::string& path);            // OK if missing
Status Rename(const std::string& from, const std::string& to);
bool Exists(const std::string& path);
// Creates or replaces `path` with `content`, fsynced, via a temp file and rename.
Status WriteFileDurably(const std::string& path, std::string_view content);

}  // namespace el::io
