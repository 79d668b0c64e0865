#include "io/dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "io/fault.h"
#include "io/file.h"

namespace el::io {

Status CreateDirs(const std::string& path) {
  EL_RETURN_IF_ERROR(CheckFault(FileOp::kMkdir, path));
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return IOError("mkdir " + path + ": " + ec.message());
  return Status::Ok();
}

Result<std::vector<DirEntry>> ListDir(const std::string& path) {
  EL_RETURN_IF_ERROR(CheckFault(FileOp::kList, path));
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr && errno == ENOENT) return NotFound("opendir " + path + ": no such directory");
  if (dir == nullptr) return ErrnoError("opendir " + path, errno);
  errno = 0;
  std::vector<DirEntry> out;
  while (struct dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st;
      is_dir = ::stat((path + "/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }
    out.push_back({std::move(name), is_dir});
    errno = 0;
  }
  int err = errno;  // readdir returns null at the end, and on an error with errno set
  ::closedir(dir);
  if (err != 0) return ErrnoError("readdir " + path, err);
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

Status SyncDir(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open dir " + path, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoError("fsync dir " + path, err);
  return Status::Ok();
}

Status RemoveAll(const std::string& path) {
  EL_RETURN_IF_ERROR(CheckFault(FileOp::kRemove, path));
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return IOError("remove " + path + ": " + ec.message());
  return Status::Ok();
}

Status RemoveFile(const std::string& path) {
  EL_RETURN_IF_ERROR(CheckFault(FileOp::kRemove, path));
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoError("unlink " + path, errno);
  return Status::Ok();
}

Status Rename(const std::string& from, const std::string& to) {
  EL_RETURN_IF_ERROR(CheckFault(FileOp::kRename, from));
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return ErrnoError("rename " + from + " -> " + to, errno);
  }
  return Status::Ok();
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Status WriteFileDurably(const std::string& path, std::string_view content) {
  std::string tmp = path + ".tmp";
  EL_RETURN_IF_ERROR(RemoveFile(tmp));
  {
    EL_ASSIGN_OR_RETURN(auto file, File::Open(tmp, File::Mode::kCreate));
    EL_RETURN_IF_ERROR(file->Append(
        {reinterpret_cast<const uint8_t*>(content.data()), content.size()}));
    EL_RETURN_IF_ERROR(file->Sync());
  }
  EL_RETURN_IF_ERROR(Rename(tmp, path));
  std::string parent = std::filesystem::path(path).parent_path().string();
  return SyncDir(parent.empty() ? "." : parent);
}

}  // namespace el::io
