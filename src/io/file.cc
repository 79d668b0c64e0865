#include "io/file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "io/fault.h"

namespace el::io {

Result<std::unique_ptr<File>> File::Open(std::string path, Mode mode) {
  EL_RETURN_IF_ERROR(CheckFault(FileOp::kOpen, path));
  int flags = O_CLOEXEC;
  switch (mode) {
    case Mode::kReadOnly: flags |= O_RDONLY; break;
    case Mode::kReadWrite: flags |= O_RDWR | O_APPEND; break;
    case Mode::kCreate: flags |= O_RDWR | O_APPEND | O_CREAT; break;
  }
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return NotFound("no such file: " + path);
    return ErrnoError("open " + path, err);
  }
  return std::unique_ptr<File>(new File(std::move(path), fd));
}

File::~File() { ::close(fd_); }

Status File::Append(std::span<const uint8_t> data) {
  if (Status fault = CheckFault(FileOp::kAppend, path_); !fault.ok()) {
    [[maybe_unused]] ssize_t n = ::write(fd_, data.data(), data.size() / 2);  // torn write
    return fault;
  }
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write " + path_, errno);
    }
    data = data.subspan(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Result<size_t> File::ReadAt(FilePos pos, std::span<uint8_t> out) const {
  EL_RETURN_IF_ERROR(CheckFault(FileOp::kReadAt, path_));
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd_, out.data() + done, out.size() - done,
                        static_cast<off_t>(pos.value() + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("pread " + path_, errno);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Status File::Truncate(uint64_t size) {
  EL_RETURN_IF_ERROR(CheckFault(FileOp::kTruncate, path_));
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return ErrnoError("ftruncate " + path_, errno);
  return Status::Ok();
}

Status File::Sync() {
  EL_RETURN_IF_ERROR(CheckFault(FileOp::kSync, path_));
  if (::fdatasync(fd_) != 0) return ErrnoError("fdatasync " + path_, errno);
  return Status::Ok();
}

Result<uint64_t> File::Size() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return ErrnoError("fstat " + path_, errno);
  return static_cast<uint64_t>(st.st_size);
}

Result<std::unique_ptr<FileLock>> FileLock::Acquire(std::string path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("open lock file " + path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return FailedPrecondition("data directory is in use by another broker (lock held on " + path +
                                ")");
    }
    return ErrnoError("flock " + path, err);
  }
  // Informational only: the pid of the holder, for people looking at the directory.
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] ssize_t n = ::pwrite(fd, pid.data(), pid.size(), 0);
  }
  return std::unique_ptr<FileLock>(new FileLock(fd));
}

FileLock::~FileLock() {
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

}  // namespace el::io
