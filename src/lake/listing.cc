#include "lake/listing.h"

#include <algorithm>

#include "io/dir.h"
#include "lake/names.h"

namespace el::lake {
namespace fs = std::filesystem;

namespace {

// io::ListDir, with a missing folder as empty.
Result<std::vector<io::DirEntry>> Entries(const fs::path& dir) {
  auto entries = io::ListDir(dir.string());
  if (!entries.ok() && entries.status().code() == StatusCode::kNotFound)
    return std::vector<io::DirEntry>{};
  return entries;
}

bool IsParquet(const io::DirEntry& e) {
  return !e.is_dir && e.name.size() > 8 && e.name.compare(e.name.size() - 8, 8, ".parquet") == 0;
}

Status Walk(const fs::path& dir, std::vector<fs::path>* files, std::vector<fs::path>* dirs) {
  EL_ASSIGN_OR_RETURN(auto entries, Entries(dir));
  for (const io::DirEntry& e : entries) {
    if (IsHidden(e.name)) continue;
    if (e.is_dir) {
      if (dirs != nullptr) dirs->push_back(dir / e.name);
      EL_RETURN_IF_ERROR(Walk(dir / e.name, files, dirs));
    } else if (files != nullptr && IsParquet(e)) {
      files->push_back(dir / e.name);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<fs::path>> ListDataFiles(const fs::path& dir) {
  EL_ASSIGN_OR_RETURN(auto entries, Entries(dir));
  std::vector<fs::path> out;
  for (const io::DirEntry& e : entries) {
    if (!IsHidden(e.name) && IsParquet(e)) out.push_back(dir / e.name);
  }
  return out;
}

Result<std::vector<fs::path>> ListDataFilesRecursive(const fs::path& table_dir) {
  std::vector<fs::path> out;
  EL_RETURN_IF_ERROR(Walk(table_dir, &out, nullptr));
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<fs::path>> ListPartitionDirs(const fs::path& table_dir) {
  std::vector<fs::path> out;
  EL_RETURN_IF_ERROR(Walk(table_dir, nullptr, &out));
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<std::string>> ListTables(const fs::path& lake_dir) {
  EL_ASSIGN_OR_RETURN(auto entries, Entries(lake_dir));
  std::vector<std::string> out;
  for (const io::DirEntry& e : entries) {
    if (!IsHidden(e.name) && e.is_dir) out.push_back(e.name);
  }
  return out;
}

Result<std::vector<std::string>> ListNames(const fs::path& dir) {
  EL_ASSIGN_OR_RETURN(auto entries, Entries(dir));
  std::vector<std::string> out;
  for (io::DirEntry& e : entries) out.push_back(std::move(e.name));
  return out;
}

Status MakeDirs(const fs::path& dir) { return io::CreateDirs(dir.string()); }

Status SyncDir(const fs::path& dir) { return io::SyncDir(dir.string()); }

Status Remove(const fs::path& path) { return io::RemoveAll(path.string()); }

}  // namespace el::lake
