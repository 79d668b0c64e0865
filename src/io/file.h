#pragma once
// io::File: the thin file seam every storage byte goes through (POSIX implementation). Fault
// injection (dropped unsynced bytes, EIO/ENOSPC) will hook in here.
// Threading: ReadAt may run concurrently with anything; Append/Truncate must be serialized by the
// caller (the partition log's append mutex). Lifetime: the descriptor closes in the destructor.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/result.h"
#include "base/status.h"
#include "base/strong_types.h"

namespace el::io {

class File {
 public:
  enum class Mode {
    kReadOnly,      // must exist
    kReadWrite,     // must exist; writes append at the end
    kCreate,        // read/write, created if missing, writes append at the end
  };

  // Errors: NotFound when the file is missing (kReadOnly/kReadWrite), IOError otherwise.
  static Result<std::unique_ptr<File>> Open(std::string path, Mode mode);
  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  const std::string& path() const { return path_; }

  // Writes all of `data` at the end of the file: one write() normally, more only after a short write.
  // On error some prefix of `data` may have been written; the caller truncates it away.
  Status Append(std::span<const uint8_t> data);
  // Reads up to out.size() bytes at `pos`; returns the count read, smaller only at end of file.
  Result<size_t> ReadAt(FilePos pos, std::span<uint8_t> out) const;
  Status Truncate(uint64_t size);
  Status Sync();  // fdatasync
  Result<uint64_t> Size() const;

 private:
  File(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_;
};

// Holds an exclusive flock on a file for its lifetime (released in the destructor).
class FileLock {
 public:
  // Creates `path` if needed and locks it without waiting. Errors: FailedPrecondition when another
  // open file description (another process, or another Acquire in this one) holds the lock.
  static Result<std::unique_ptr<FileLock>> Acquire(std::string path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace el::io
