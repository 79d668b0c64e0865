#pragma once
// The lake's locks. Every lander of one staging key (a topic, or a job) holds the publish lock
// while it recovers or publishes, so that recovery never removes files another lander is
// publishing; each running lander also holds an owner lock for its whole life, so that its
// staging is never taken for a crashed lander's leftovers.
//   LAKE/_staging/<key>.lock          publish lock
//   LAKE/_staging/<key>/<pid>.owner   owner lock of the lander with that pid
//   LAKE/_staging/<key>/<key>-<pid>-<seq>/   a batch's staging folder (NDJSON, Parquet by table)
// Threading: free functions; a FileLock is used by one thread.
#include <filesystem>
#include <string>
#include <utility>

#include "base/result.h"

namespace el::lake {

// An exclusive flock(2) on a file, held until destruction; the kernel drops it when the process
// dies, so a lock left by a killed lander never blocks the next one. Move-only.
class FileLock {
 public:
  // Creates `path` when missing and locks it, waiting when `wait`, else failing at once with
  // Unavailable when another process holds it. Errors: IOError, Unavailable.
  static Result<FileLock> Acquire(const std::filesystem::path& path, bool wait);
  FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileLock& operator=(FileLock&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

std::filesystem::path StagingRoot(const std::filesystem::path& lake_dir,
                                  const std::string& staging_key);
std::filesystem::path PublishLockPath(const std::filesystem::path& lake_dir,
                                      const std::string& staging_key);
std::filesystem::path OwnerLockPath(const std::filesystem::path& lake_dir,
                                    const std::string& staging_key);

// Whether some lander of `staging_key` ended without cleaning up after itself (its owner file is
// no longer locked): a batch it was publishing may have left files behind. Call it holding the
// publish lock, then recover. Errors: IOError (the owners could not be listed).
Result<bool> LanderGone(const std::filesystem::path& lake_dir, const std::string& staging_key);

}  // namespace el::lake
