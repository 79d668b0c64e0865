#include "jobs/lake_files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <set>

#include "base/log.h"
#include "io/dir.h"

namespace el::jobs {
namespace fs = std::filesystem;

namespace {

bool Hidden(const std::string& name) { return name.empty() || name[0] == '_' || name[0] == '.'; }

bool ParseInt(std::string_view text, int64_t& out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && out >= 0;
}

Status FsError(std::string_view what, const fs::path& path, const std::error_code& ec) {
  return IOError(std::string(what) + " " + path.string() + ": " + ec.message());
}

}  // namespace

std::string SanitizeName(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    out += keep ? static_cast<char>(c) : '_';
  }
  if (out.empty()) return "empty";
  if (out.size() <= kMaxSanitizedName) return out;
  uint32_t hash = 2166136261u;
  for (unsigned char c : value) hash = (hash ^ c) * 16777619u;
  out.resize(kMaxSanitizedName - 9);
  return out + fmt::format("_{:08x}", hash);
}

std::string DataFileName(std::string_view topic, int32_t partition, int64_t first, int64_t last) {
  return std::string(topic) + "+" + std::to_string(partition) + "+" + std::to_string(first) + "-" +
         std::to_string(last) + ".parquet";
}

std::optional<DataFileRange> ParseDataFileName(std::string_view topic, std::string_view name) {
  constexpr std::string_view kExt = ".parquet";
  if (name.size() <= topic.size() + 1 + kExt.size()) return std::nullopt;
  if (name.substr(0, topic.size()) != topic || name[topic.size()] != '+') return std::nullopt;
  if (name.substr(name.size() - kExt.size()) != kExt) return std::nullopt;
  std::string_view rest = name.substr(topic.size() + 1, name.size() - topic.size() - 1 - kExt.size());
  size_t plus = rest.find('+');
  if (plus == std::string_view::npos) return std::nullopt;
  std::string_view range = rest.substr(plus + 1);
  size_t dash = range.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  int64_t partition = 0;
  DataFileRange out;
  if (!ParseInt(rest.substr(0, plus), partition) || partition > INT32_MAX ||
      !ParseInt(range.substr(0, dash), out.first) || !ParseInt(range.substr(dash + 1), out.last) ||
      out.first > out.last) {
    return std::nullopt;
  }
  out.partition = static_cast<int32_t>(partition);
  return out;
}

std::vector<fs::path> ListDataFiles(const fs::path& table_dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(table_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (Hidden(name) || !it->is_regular_file() || it->path().extension() != ".parquet") continue;
    out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> ListTables(const fs::path& lake_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(lake_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!Hidden(name) && it->is_directory()) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status MakeDirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return FsError("cannot create", dir, ec);
  return Status::Ok();
}

Status SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open " + dir.string(), errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoError("fsync " + dir.string(), err);
  return Status::Ok();
}

std::vector<fs::path> ListDataFilesRecursive(const fs::path& table_dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(table_dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (Hidden(name)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && it->path().extension() == ".parquet") out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

Status TouchSuccess(const fs::path& dir) {
  fs::path success = dir / "_SUCCESS";
  int fd = ::open(success.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("create " + success.string(), errno);
  ::close(fd);
  return Status::Ok();
}

// Removes partition folders under `table_dir` that hold no visible data file any more.
void RemoveEmptyPartitions(const fs::path& table_dir) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(table_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (Hidden(it->path().filename().string())) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory()) dirs.push_back(it->path());
  }
  std::sort(dirs.rbegin(), dirs.rend());  // children before parents
  for (const fs::path& d : dirs) {
    if (ListDataFilesRecursive(d).empty()) fs::remove_all(d, ec);
  }
}

}  // namespace

Result<int64_t> PublishStaged(const fs::path& staging_dir, bool replace) {
  fs::path table_dir = staging_dir.parent_path();
  std::set<fs::path> moved;
  std::set<fs::path> dirs{table_dir};
  std::error_code ec;
  for (const fs::path& file : ListDataFilesRecursive(staging_dir)) {
    fs::path target = table_dir / file.lexically_relative(staging_dir);
    if (dirs.insert(target.parent_path()).second) EL_RETURN_IF_ERROR(MakeDirs(target.parent_path()));
    fs::rename(file, target, ec);
    if (ec) return FsError("cannot publish", file, ec);
    moved.insert(target);
  }
  if (replace) {
    for (const fs::path& old : ListDataFilesRecursive(table_dir)) {
      if (moved.count(old) != 0) continue;
      fs::remove(old, ec);
      if (ec) return FsError("cannot remove", old, ec);
    }
    RemoveEmptyPartitions(table_dir);
  }
  for (const fs::path& dir : dirs) EL_RETURN_IF_ERROR(TouchSuccess(dir));
  fs::remove_all(staging_dir, ec);
  if (ec) return FsError("cannot remove", staging_dir, ec);
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) EL_RETURN_IF_ERROR(SyncDir(*it));
  return static_cast<int64_t>(moved.size());
}

}  // namespace el::jobs

namespace el::jobs {

Result<std::map<int32_t, int64_t>> RecoverTopic(const fs::path& lake_dir, const std::string& topic,
                                                 const std::set<int32_t>* partitions) {
  std::vector<std::string> tables;
  for (const std::string& t : ListTables(lake_dir)) {
    if (t == topic || t.rfind(topic + "_", 0) == 0) tables.push_back(t);
  }
  return RecoverRange(lake_dir, topic, lake_dir / topic, topic, tables, partitions);
}

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

fs::path PublishLockPath(const fs::path& lake_dir, const std::string& staging_key) {
  return lake_dir / "_staging" / (staging_key + ".lock");
}

fs::path OwnerLockPath(const fs::path& lake_dir, const std::string& staging_key) {
  return lake_dir / "_staging" / staging_key / (std::to_string(::getpid()) + ".owner");
}

std::map<int32_t, int64_t> CommittedOffsets(const fs::path& commit_dir, const std::string& topic) {
  std::map<int32_t, int64_t> next;
  for (const fs::path& file : ListDataFilesRecursive(commit_dir)) {
    auto range = ParseDataFileName(topic, file.filename().string());
    if (!range) continue;
    int64_t& n = next[range->partition];
    n = std::max(n, range->last + 1);
  }
  return next;
}

namespace {

fs::path ProgressRecords(const fs::path& lake_dir, const std::string& topic) {
  return lake_dir / "_progress" / topic;
}

std::map<int32_t, int64_t> ReadTopicProgress(const fs::path& lake_dir, const std::string& topic) {
  std::map<int32_t, int64_t> out;
  std::error_code ec;
  for (fs::directory_iterator f(ProgressRecords(lake_dir, topic), ec), end; !ec && f != end; f.increment(ec)) {
    if (f->path().extension() != ".next") continue;
    int64_t partition = 0;
    int64_t next = 0;
    if (!ParseInt(f->path().stem().string(), partition) || partition > INT32_MAX) continue;
    FILE* in = std::fopen(f->path().c_str(), "r");
    if (in == nullptr) continue;
    char buf[32] = {};
    size_t n = std::fread(buf, 1, sizeof(buf) - 1, in);
    std::fclose(in);
    std::string_view text(buf, n);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    if (ParseInt(text, next)) out[static_cast<int32_t>(partition)] = next;
  }
  return out;
}

}  // namespace

std::map<int32_t, int64_t> TopicCommitted(const fs::path& lake_dir, const std::string& topic) {
  std::map<int32_t, int64_t> next = CommittedOffsets(lake_dir / topic, topic);
  for (const auto& [p, n] : ReadTopicProgress(lake_dir, topic)) next[p] = std::max(next[p], n);
  return next;
}

Status WriteTopicProgress(const fs::path& lake_dir, const std::string& topic, const std::map<int32_t, int64_t>& next,
                          bool exact) {
  fs::path dir = ProgressRecords(lake_dir, topic);
  EL_RETURN_IF_ERROR(MakeDirs(dir));
  std::map<int32_t, int64_t> old = ReadTopicProgress(lake_dir, topic);
  for (const auto& [p, n] : next) {
    auto it = old.find(p);
    if (!exact && it != old.end() && it->second >= n) continue;
    EL_RETURN_IF_ERROR(io::WriteFileDurably((dir / (std::to_string(p) + ".next")).string(), std::to_string(n) + "\n"));
  }
  if (exact) {
    for (const auto& [p, n] : old) {
      std::error_code ec;
      if (next.count(p) == 0) fs::remove(dir / (std::to_string(p) + ".next"), ec);
    }
  }
  return SyncDir(dir);
}

namespace {

// Whether staging item `name` (`<prefix><pid>-...`) belongs to a lander that is still running:
// another process that holds its owner lock in `owners`.
// Names whose pid does not parse belong to another staging key that shares the prefix: kept.
bool OwnerRunning(const fs::path& owners, std::string_view name, std::string_view prefix, bool own_running) {
  std::string_view rest = name.substr(prefix.size());
  int64_t pid = 0;
  if (!ParseInt(rest.substr(0, rest.find_first_of("-.")), pid)) return true;
  if (pid == ::getpid()) return own_running;
  fs::path lock = owners / (std::to_string(pid) + ".owner");
  std::error_code ec;
  if (!fs::exists(lock, ec)) return false;
  auto held = FileLock::Acquire(lock, false);
  return !held.ok() && held.status().code() == StatusCode::kUnavailable;
}

// Removes the entries of `dir` named `<prefix>...` whose lander is gone.
Status RemoveLeftovers(const fs::path& dir, const fs::path& owners, const std::string& prefix, bool own_running) {
  std::error_code ec;
  for (fs::directory_iterator f(dir, ec), end; !ec && f != end; f.increment(ec)) {
    std::string name = f->path().filename().string();
    if (name.rfind(prefix, 0) != 0 || OwnerRunning(owners, name, prefix, own_running)) continue;
    std::error_code rm;
    fs::remove_all(f->path(), rm);
    if (rm) return FsError("cannot clean", f->path(), rm);
  }
  return Status::Ok();
}

// The owner files in `owners` of other landers that no longer hold them (running ones, and
// unreadable files, are left out).
std::vector<fs::path> GoneOwners(const fs::path& owners) {
  std::vector<fs::path> gone;
  std::error_code ec;
  for (fs::directory_iterator f(owners, ec), end; !ec && f != end; f.increment(ec)) {
    std::string name = f->path().filename().string();
    if (f->path().extension() != ".owner" || name == std::to_string(::getpid()) + ".owner") continue;
    if (FileLock::Acquire(f->path(), false).ok()) gone.push_back(f->path());
  }
  return gone;
}

}  // namespace

bool LanderGone(const fs::path& lake_dir, const std::string& staging_key) {
  return !GoneOwners(lake_dir / "_staging" / staging_key).empty();
}

Result<std::map<int32_t, int64_t>> RecoverRange(const fs::path& lake_dir, const std::string& topic,
                                                const fs::path& commit_dir,
                                                const std::string& staging_key,
                                                const std::vector<std::string>& tables,
                                                const std::set<int32_t>* partitions) {
  fs::path owners = lake_dir / "_staging" / staging_key;
  std::string item_prefix = staging_key + "-";
  bool own_running = partitions != nullptr;  // a group assignment: this process is running
  EL_RETURN_IF_ERROR(RemoveLeftovers(owners, owners, item_prefix, own_running));
  for (const fs::path& gone : GoneOwners(owners)) {
    std::error_code rm;
    fs::remove(gone, rm);
  }
  std::map<int32_t, int64_t> next =
      commit_dir == lake_dir / topic ? TopicCommitted(lake_dir, topic) : CommittedOffsets(commit_dir, topic);
  auto mine = [&](int32_t p) { return partitions == nullptr || partitions->count(p) != 0; };
  std::string staging_prefix = "_staging-" + item_prefix;
  std::vector<fs::path> dirs{commit_dir};
  for (const std::string& table : tables) dirs.push_back(lake_dir / table);
  for (const fs::path& dir : dirs) {
    EL_RETURN_IF_ERROR(RemoveLeftovers(dir, owners, staging_prefix, own_running));
    if (dir == commit_dir) continue;
    for (const fs::path& file : ListDataFilesRecursive(dir)) {
      auto range = ParseDataFileName(topic, file.filename().string());
      if (!range || !mine(range->partition)) continue;
      auto it = next.find(range->partition);
      if (it == next.end() || range->first >= it->second) {
        spdlog::warn("removing {}: its batch was never committed", file.string());
        std::error_code ec;
        fs::remove(file, ec);
        if (ec) return FsError("cannot remove", file, ec);
      }
    }
  }
  if (partitions != nullptr) std::erase_if(next, [&](const auto& kv) { return !mine(kv.first); });
  return next;
}

}  // namespace el::jobs
