#include "lake/locks.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "lake/listing.h"

namespace el::lake {
namespace fs = std::filesystem;

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

Result<FileLock> FileLock::Acquire(const fs::path& path, bool wait) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("open " + path.string(), errno);
  while (::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
    int err = errno;
    if (err == EINTR) continue;
    ::close(fd);
    if (err == EWOULDBLOCK) return Unavailable(path.string() + " is locked by another process");
    return ErrnoError("flock " + path.string(), err);
  }
  return FileLock(fd);
}

fs::path StagingRoot(const fs::path& lake_dir, const std::string& staging_key) {
  return lake_dir / "_staging" / staging_key;
}

fs::path PublishLockPath(const fs::path& lake_dir, const std::string& staging_key) {
  return lake_dir / "_staging" / (staging_key + ".lock");
}

fs::path OwnerLockPath(const fs::path& lake_dir, const std::string& staging_key) {
  return StagingRoot(lake_dir, staging_key) / (std::to_string(::getpid()) + ".owner");
}

Result<bool> LanderGone(const fs::path& lake_dir, const std::string& staging_key) {
  fs::path owners = StagingRoot(lake_dir, staging_key);
  EL_ASSIGN_OR_RETURN(auto names, ListNames(owners));
  std::string mine = std::to_string(::getpid()) + ".owner";
  for (const std::string& name : names) {
    if (name.size() < 6 || name.substr(name.size() - 6) != ".owner" || name == mine) continue;
    if (FileLock::Acquire(owners / name, false).ok()) return true;
  }
  return false;
}

}  // namespace el::lake
