#include "objstore/file_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <thread>

#include "io/dir.h"
#include "objstore/sigv4.h"

namespace el::objstore {
namespace fs = std::filesystem;

namespace {

bool IsTemp(const std::string& name) { return name.find(".tmp-") != std::string::npos; }

// Marks `path` as just used (its modification time is its place in the LRU order).
void Touch(const fs::path& path) {
  std::error_code ec;
  fs::last_write_time(path, fs::file_time_type::clock::now(), ec);
}

}  // namespace

Result<std::unique_ptr<FileCache>> FileCache::Open(fs::path dir, int64_t max_bytes) {
  if (max_bytes < 1) return InvalidArgument("the cache size must be at least 1 byte");
  EL_RETURN_IF_ERROR(io::CreateDirs((dir / "objects").string()));
  std::unique_ptr<FileCache> cache(new FileCache(std::move(dir), max_bytes));
  EL_RETURN_IF_ERROR(cache->Index());
  std::lock_guard lock(cache->mu_);
  EL_RETURN_IF_ERROR(cache->MakeRoomLocked(0));
  return cache;
}

Status FileCache::Index() {
  struct Found {
    fs::path path;
    int64_t size;
    fs::file_time_type used;
  };
  std::vector<Found> found;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir_ / "objects", ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string name = it->path().filename().string();
    if (IsTemp(name)) {  // a download that a killed process left
      fs::remove(it->path(), ec);
      ec.clear();
      continue;
    }
    found.push_back({it->path(), static_cast<int64_t>(it->file_size(ec)), it->last_write_time(ec)});
  }
  if (ec) return IOError("cannot list the cache " + dir_.string() + ": " + ec.message());
  std::sort(found.begin(), found.end(),
            [](const Found& a, const Found& b) { return a.used < b.used; });
  std::lock_guard lock(mu_);
  for (const Found& f : found) AddLocked(f.path, f.size, 0);
  return Status::Ok();
}

fs::path FileCache::EntryPath(const ObjectStore& store, const ObjectInfo& info) const {
  std::string hash = Sha256Hex(store.Describe() + "\n" + info.key + "\n" + info.etag);
  std::string ext;
  size_t dot = info.key.rfind('.');
  size_t slash = info.key.rfind('/');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) {
    ext = info.key.substr(dot);
    bool plain = ext.size() <= 16 && std::all_of(ext.begin() + 1, ext.end(), [](char c) {
                   return std::isalnum(static_cast<unsigned char>(c)) != 0;
                 });
    if (!plain) ext.clear();
  }
  return dir_ / "objects" / hash.substr(0, 2) / (hash + ext);
}

void FileCache::AddLocked(const fs::path& path, int64_t size, int pins) {
  lru_.push_back(Entry{path, size, pins});
  by_path_[path.string()] = std::prev(lru_.end());
  stats_.bytes_cached += size;
  if (pins > 0) stats_.bytes_pinned += size;
}

Status FileCache::MakeRoomLocked(int64_t incoming) {
  auto total = [&] { return stats_.bytes_cached + reserved_ + incoming; };
  for (auto it = lru_.begin(); it != lru_.end() && total() > max_bytes_;) {
    if (it->pins > 0) {
      ++it;
      continue;
    }
    std::error_code ec;
    fs::remove(it->path, ec);
    stats_.bytes_cached -= it->size;
    ++stats_.evictions;
    by_path_.erase(it->path.string());
    it = lru_.erase(it);
  }
  if (total() <= max_bytes_) return Status::Ok();
  return ResourceExhausted("the query needs more than the cache's " + std::to_string(max_bytes_) +
                           " bytes (" + std::to_string(stats_.bytes_pinned + reserved_ + incoming) +
                           " bytes of files at once); give it a larger --cache-size or name "
                           "fewer Hive partitions");
}

Result<fs::path> FileCache::Fetch(ObjectStore& store, const ObjectInfo& info) {
  fs::path path = EntryPath(store, info);
  {
    std::lock_guard lock(mu_);
    auto it = by_path_.find(path.string());
    if (it != by_path_.end()) {
      Entry& e = *it->second;
      if (e.pins++ == 0) stats_.bytes_pinned += e.size;
      lru_.splice(lru_.end(), lru_, it->second);
      ++stats_.hits;
      Touch(path);
      return path;
    }
    if (!downloading_.insert(path.string()).second)
      return Internal("the object " + info.key + " is being fetched twice at once");
    Status room = MakeRoomLocked(info.size);
    if (!room.ok()) {
      downloading_.erase(path.string());
      return room;
    }
    reserved_ += info.size;
  }
  static std::atomic<uint64_t> seq{0};
  fs::path temp = path;
  temp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(seq++);
  Status st = io::CreateDirs(path.parent_path().string());
  if (st.ok()) st = store.GetToFile(info.key, temp);
  std::error_code ec;
  int64_t size = st.ok() ? static_cast<int64_t>(fs::file_size(temp, ec)) : 0;
  if (st.ok() && ec) st = IOError("cannot read " + temp.string() + ": " + ec.message());
  if (st.ok()) {
    fs::rename(temp, path, ec);
    if (ec) st = IOError("cannot rename into " + path.string() + ": " + ec.message());
  }
  if (!st.ok()) fs::remove(temp, ec);
  std::lock_guard lock(mu_);
  downloading_.erase(path.string());
  reserved_ -= info.size;
  if (!st.ok()) return st;
  ++stats_.misses;
  stats_.bytes_fetched += size;
  AddLocked(path, size, 1);
  return path;
}

Result<std::vector<fs::path>> FileCache::FetchAll(ObjectStore& store,
                                                  const std::vector<ObjectInfo>& infos,
                                                  int parallel) {
  std::vector<Result<fs::path>> out(infos.size(), Internal("not fetched"));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < infos.size(); i = next++) out[i] = Fetch(store, infos[i]);
  };
  int threads = std::clamp<int>(static_cast<int>(infos.size()), 1, std::max(1, parallel));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  std::vector<fs::path> paths;
  Status first = Status::Ok();
  for (auto& r : out) {
    if (r.ok()) paths.push_back(*r);
    if (!r.ok() && first.ok()) first = r.status();
  }
  if (first.ok()) return paths;
  for (const fs::path& p : paths) Unpin(p);  // the caller gets no path to unpin
  return first;
}

void FileCache::Unpin(const fs::path& path) {
  std::lock_guard lock(mu_);
  auto it = by_path_.find(path.string());
  if (it == by_path_.end() || it->second->pins == 0) return;
  if (--it->second->pins == 0) stats_.bytes_pinned -= it->second->size;
}

FileCacheStats FileCache::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

fs::path DefaultCacheDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg == '/') return fs::path(xdg) / "eventlake" / "s3";
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') return fs::path(home) / ".cache" / "eventlake" / "s3";
  std::error_code ec;
  return fs::temp_directory_path(ec) / "eventlake-cache" / "s3";
}

Result<int64_t> ParseByteSize(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("'" + std::string(text) +
                           "' is not a size: a number with an optional K, M, G or T suffix");
  };
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 15) return bad();
  int64_t n = std::stoll(std::string(text.substr(0, digits)));
  std::string unit;
  for (char c : text.substr(digits))
    unit += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static const std::pair<const char*, int> kUnits[] = {
      {"", 0},     {"B", 0},  {"K", 10},  {"KB", 10},  {"KIB", 10}, {"M", 20},  {"MB", 20},
      {"MIB", 20}, {"G", 30}, {"GB", 30}, {"GIB", 30}, {"T", 40},   {"TB", 40}, {"TIB", 40}};
  for (const auto& [name, shift] : kUnits) {
    if (unit != name) continue;
    if (shift > 0 && n > (INT64_MAX >> shift)) return bad();
    return n << shift;
  }
  return bad();
}

}  // namespace el::objstore
