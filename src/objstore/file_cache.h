#pragma once
// FileCache: local copies of objects, bounded in bytes, least recently used out. An entry is keyed
// by the store, the key and the object's ETag, so that a rewritten object (new ETag) is fetched
// again and an unchanged one never is. Entries are files CACHE/objects/<xx>/<sha256>.<ext>, their
// modification time being their last use (touched on every hit), so that the order survives the
// process and several runs share one cache.
//
// Pins: every entry handed out by Fetch stays pinned (never evicted by this cache) until Unpin;
// a fetch that would need more than `max_bytes` of pinned entries fails with ResourceExhausted
// rather than overrun the bound. Another process using the same folder may evict entries this one
// has not pinned yet; entries it holds open stay readable (unlinked files live on while open).
// Downloads go to a temporary file beside the entry and are renamed in whole.
// Threading: Fetch, FetchAll, Unpin and stats are safe from several threads (one mutex; downloads
// run outside it).
#include <cstdint>
#include <filesystem>
#include <list>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "objstore/object_store.h"

namespace el::objstore {

struct FileCacheStats {
  int64_t hits = 0;
  int64_t misses = 0;         // objects downloaded
  int64_t bytes_fetched = 0;  // bytes downloaded
  int64_t evictions = 0;      // entries removed to stay within the bound
  int64_t bytes_cached = 0;   // bytes of all entries now
  int64_t bytes_pinned = 0;   // bytes of pinned entries now
};

class FileCache {
 public:
  // Opens (creating) the cache folder `dir` and indexes the entries already there; evicts down to
  // `max_bytes`. Errors: InvalidArgument (max_bytes < 1), IOError.
  static Result<std::unique_ptr<FileCache>> Open(std::filesystem::path dir, int64_t max_bytes);

  // The local copy of `info` (key, size, ETag as listed) from `store`, downloaded when absent, and
  // pinned. Errors: the store's (NotFound when the object went), IOError, ResourceExhausted.
  Result<std::filesystem::path> Fetch(ObjectStore& store, const ObjectInfo& info);
  // Fetch of every object, `parallel` downloads at once; paths in the order of `infos`. On an
  // error the first one is returned, and what was fetched stays cached but unpinned.
  Result<std::vector<std::filesystem::path>> FetchAll(ObjectStore& store,
                                                      const std::vector<ObjectInfo>& infos,
                                                      int parallel = 8);
  // Lets the entry at `path` (from Fetch) be evicted again. Unknown paths are ignored.
  void Unpin(const std::filesystem::path& path);

  FileCacheStats stats() const;
  const std::filesystem::path& dir() const { return dir_; }
  int64_t max_bytes() const { return max_bytes_; }

 private:
  struct Entry {
    std::filesystem::path path;
    int64_t size = 0;
    int pins = 0;
  };
  using Lru = std::list<Entry>;  // least recently used first

  FileCache(std::filesystem::path dir, int64_t max_bytes)
      : dir_(std::move(dir)), max_bytes_(max_bytes) {}
  Status Index();
  std::filesystem::path EntryPath(const ObjectStore& store, const ObjectInfo& info) const;
  // Removes unpinned entries, least recently used first, until `incoming` more bytes fit.
  // Requires mu_. Errors: ResourceExhausted (pinned entries leave no room).
  Status MakeRoomLocked(int64_t incoming);
  void AddLocked(const std::filesystem::path& path, int64_t size, int pins);

  std::filesystem::path dir_;
  int64_t max_bytes_;
  mutable std::mutex mu_;
  Lru lru_;                                       // GUARDED_BY(mu_)
  std::map<std::string, Lru::iterator> by_path_;  // GUARDED_BY(mu_)
  std::set<std::string> downloading_;             // GUARDED_BY(mu_): paths being fetched
  int64_t reserved_ = 0;                          // GUARDED_BY(mu_): bytes of downloads
  FileCacheStats stats_;                          // GUARDED_BY(mu_)
};

// The default cache folder: $XDG_CACHE_HOME/eventlake/s3, else ~/.cache/eventlake/s3, else
// <temp>/eventlake-cache/s3.
std::filesystem::path DefaultCacheDir();

// Parses a byte size: a whole number with an optional K, M, G or T suffix (powers of 1024; "B",
// "iB" accepted after it), e.g. "512M", "2GiB", "1048576". Errors: InvalidArgument.
Result<int64_t> ParseByteSize(std::string_view text);

}  // namespace el::objstore
