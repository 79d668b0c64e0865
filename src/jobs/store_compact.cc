#include "jobs/store_compact.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <simdjson.h>

#include "base/json_text.h"
#include "base/log.h"
#include "jobs/compact_plan.h"
#include "lake/layout.h"
#include "lake/superseded.h"
#include "lake/listing.h"
#include "lake/publish.h"
#include "lake/store_lake.h"

namespace el::jobs {
namespace {

namespace fs = std::filesystem;
constexpr char kCompactStaging[] = "_staging/_compact/";

std::string HostName() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "host";
  return host;
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The lock object `_staging/_compact/<table>.lock`: who holds it, since when.
struct LockHolder {
  std::string host;
  int64_t pid = 0;
  int64_t started = 0;
};

std::string LockJson(const LockHolder& h) {
  std::string out = "{\"host\":";
  AppendJsonString(out, h.host);
  return out + fmt::format(",\"pid\":{},\"started\":{}}}\n", h.pid, h.started);
}

// A lock that cannot be read counts as held since 0 (stale).
LockHolder ParseLock(const std::string& text) {
  LockHolder h;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(simdjson::padded_string(text)).get(doc)) return h;
  std::string_view host;
  int64_t pid = 0, started = 0;
  if (!doc["host"].get(host)) h.host = std::string(host);
  if (!doc["pid"].get(pid)) h.pid = pid;
  if (!doc["started"].get(started)) h.started = started;
  return h;
}

bool Stale(const LockHolder& h, int64_t stale_seconds) {
  if (NowSeconds() - h.started > stale_seconds) return true;
  return h.host == HostName() && h.pid > 0 && ::kill(static_cast<pid_t>(h.pid), 0) != 0 &&
         errno == ESRCH;
}

// Holds the table's compaction lock from Acquire to destruction.
class StoreLock {
 public:
  StoreLock(objstore::ObjectStore& store, std::string key) : store_(store), key_(std::move(key)) {}
  ~StoreLock() {
    if (!held_) return;
    if (Status s = store_.Delete(key_); !s.ok())
      spdlog::warn("cannot remove {}: {}", key_, s.message());
  }
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

  Status Acquire(int64_t stale_seconds) {
    std::string body = LockJson({HostName(), ::getpid(), NowSeconds()});
    objstore::Precondition absent;
    absent.if_absent = true;
    auto put = store_.PutConditional(key_, body, absent);
    if (put.ok() || put.status().code() != StatusCode::kFailedPrecondition) {
      held_ = put.ok();
      return put.status();
    }
    EL_ASSIGN_OR_RETURN(objstore::ObjectInfo head, store_.Head(key_));
    EL_ASSIGN_OR_RETURN(std::string text, store_.Get(key_));
    LockHolder holder = ParseLock(text);
    if (!Stale(holder, stale_seconds)) {
      return FailedPrecondition(fmt::format(
          "the table is being compacted by process {} on {} since {} s ago (lock {}/{}); wait for "
          "it to end (a lock is taken over once its process is gone or after {} s)",
          holder.pid, holder.host, NowSeconds() - holder.started, store_.Describe(), key_,
          stale_seconds));
    }
    objstore::Precondition match;
    match.if_match = head.etag;
    auto take = store_.PutConditional(key_, body, match);
    if (!take.ok() && take.status().code() == StatusCode::kFailedPrecondition)
      return FailedPrecondition("another compaction took the stale lock " + key_ + " first");
    EL_RETURN_IF_ERROR(take.status());
    spdlog::warn("took over the lock {} of process {} on {} (gone or stale)", key_, holder.pid,
                 holder.host);
    held_ = true;
    return Status::Ok();
  }

 private:
  objstore::ObjectStore& store_;
  std::string key_;
  bool held_ = false;
};

std::string KeyOf(const fs::path& mirror, const fs::path& local) {
  return local.lexically_relative(mirror).generic_string();
}

class StoreCompactor {
 public:
  StoreCompactor(const StoreCompactOptions& o, StoreCompactLake& lake, CompactSummary& s)
      : o_(o), lake_(lake), store_(*lake.store), s_(s) {}

  Status Run() {
    EL_RETURN_IF_ERROR(lake_.fetch("").status());  // the lake's folders and metadata only
    EL_RETURN_IF_ERROR(lake::CheckLakeFormat(lake_.mirror, false));
    EL_ASSIGN_OR_RETURN(CompactScope scope,
                        ResolveCompactTable(lake_.mirror, o_.table, store_.Describe()));
    table_ = scope.table_dir.filename().string();
    StoreLock lock(store_, kCompactStaging + table_ + ".lock");
    if (Status st = lock.Acquire(o_.stale_lock_seconds); !st.ok())
      return Status(st.code(), "compact " + o_.table + ": " + st.message());
    EL_RETURN_IF_ERROR(Recover());
    EL_ASSIGN_OR_RETURN(etags_, lake_.fetch(table_));
    EL_ASSIGN_OR_RETURN(schema_keys_, SchemaKeys());
    EL_ASSIGN_OR_RETURN(duck::Database db, duck::Database::OpenInMemory());
    EL_ASSIGN_OR_RETURN(duck::Connection con, duck::Connection::Open(db));
    EL_RETURN_IF_ERROR(CheckOnlyLakeFiles(con, table_, scope.table_dir));
    EL_RETURN_IF_ERROR(Conform(con, scope.table_dir));
    EL_ASSIGN_OR_RETURN(auto leaves, ClosedLeaves(scope.table_dir));
    work_ = lake_.mirror / "_staging" / ("_compact-" + table_);
    for (const fs::path& leaf : leaves) {
      if (scope.Wants(leaf)) EL_RETURN_IF_ERROR(MergeLeaf(con, leaf));
    }
    return lake::Remove(work_);
  }

 private:
  std::string ManifestPrefix() const { return kCompactStaging + table_ + "/"; }

  // Aborts the uploads of compactions that died (their manifests), then deletes the files a
  // merged file supersedes.
  Status Recover() {
    EL_ASSIGN_OR_RETURN(auto manifests, store_.ListAll(ManifestPrefix()));
    std::set<std::string> keys;
    for (const objstore::ObjectInfo& o : manifests) {
      EL_ASSIGN_OR_RETURN(std::string text, store_.Get(o.key));
      auto m = lake::ParseManifest(text);
      if (!m.ok()) spdlog::warn("{}: {}; removed", o.key, m.status().message());
      for (const objstore::Upload& up : m.ok() ? m->uploads : std::vector<objstore::Upload>{})
        keys.insert(up.key);
    }
    if (!manifests.empty()) {
      EL_ASSIGN_OR_RETURN(auto uploads, store_.ListUploads());
      for (const auto& [key, id] : uploads) {
        if (keys.count(key) > 0) EL_RETURN_IF_ERROR(store_.AbortUpload(key, id));
      }
      std::vector<std::string> doomed;
      for (const objstore::ObjectInfo& o : manifests) doomed.push_back(o.key);
      EL_RETURN_IF_ERROR(store_.DeleteMany(doomed));
      spdlog::info("compact {}: aborted what {} unfinished compaction(s) left", table_,
                   manifests.size());
    }
    lake::StoreLake reader(store_, lake::StoreLakeSpec{});
    EL_ASSIGN_OR_RETURN(auto data, reader.TableDataKeys(table_));
    std::vector<std::string> superseded = lake::SupersededKeys(data);
    for (const std::string& k : superseded)
      spdlog::info("removing {}: superseded by a merged file", k);
    EL_RETURN_IF_ERROR(store_.DeleteMany(superseded));
    s_.superseded = static_cast<int64_t>(superseded.size());
    return Status::Ok();
  }

  Result<std::set<std::string>> SchemaKeys() {
    EL_ASSIGN_OR_RETURN(auto objects, store_.ListAll(table_ + "/_schema/"));
    std::set<std::string> keys;
    for (const objstore::ObjectInfo& o : objects) keys.insert(o.key + "@" + o.etag);
    return keys;
  }

  // Brings the fetched files to the latest schema's types (lake::ConformTable) and puts what it
  // rewrote back under its key, with the conformed record.
  Status Conform(duck::Connection& con, const fs::path& table_dir) {
    auto inode = [](const fs::path& p) {
      struct stat st {};
      return ::stat(p.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_ino) : int64_t{-1};
    };
    EL_ASSIGN_OR_RETURN(auto files, lake::ListDataFilesRecursive(table_dir));
    std::map<fs::path, int64_t> before;
    for (const fs::path& f : files) before[f] = inode(f);
    fs::path conformed = table_dir / "_schema" / "conformed";
    std::string was = ReadText(conformed);
    EL_ASSIGN_OR_RETURN(
        s_.rewritten,
        lake::ConformTable(con, table_dir, lake_.mirror / "_staging" / ("_conform-" + table_)));
    for (const auto& [f, ino] : before) {
      if (inode(f) == ino) continue;
      EL_RETURN_IF_ERROR(store_.PutFile(KeyOf(lake_.mirror, f), f));
      etags_.erase(KeyOf(lake_.mirror, f));  // its own new object: never merged in this run
    }
    std::string now = ReadText(conformed);
    if (now != was && !now.empty())
      EL_RETURN_IF_ERROR(store_.Put(KeyOf(lake_.mirror, conformed), now));
    return Status::Ok();
  }

  static std::string ReadText(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // Whether the table is as this run fetched it: the same schema history, and each input key
  // with the ETag it had. Errors: FailedPrecondition when not.
  Status CheckUnchanged(const fs::path& leaf, const std::vector<std::string>& inputs) {
    EL_ASSIGN_OR_RETURN(auto schema, SchemaKeys());
    EL_ASSIGN_OR_RETURN(auto listed, store_.ListAll(KeyOf(lake_.mirror, leaf) + "/"));
    std::map<std::string, std::string> now;
    for (const objstore::ObjectInfo& o : listed) now[o.key] = o.etag;
    bool same = schema == schema_keys_;
    for (const std::string& k : inputs) same = same && now.count(k) > 0 && now[k] == etags_[k];
    if (same) return Status::Ok();
    return FailedPrecondition(fmt::format(
        "compact {}: a lander changed table {} while it was compacted (a new schema version, or "
        "files rewritten in new types); nothing of {} was published; run compact again",
        o_.table, table_, KeyOf(lake_.mirror, leaf)));
  }

  Status Complete(const objstore::Upload& up, const fs::path& local) {
    Status s = store_.CompleteUpload(up);
    if (s.ok() || s.code() != StatusCode::kNotFound) return s;
    // A retried Complete whose first answer was lost: the object is there when it was completed.
    auto head = store_.Head(up.key);
    std::error_code ec;
    auto size = fs::file_size(local, ec);
    return head.ok() && !ec && static_cast<uintmax_t>(head->size) == size ? Status::Ok() : s;
  }

  Status MergeLeaf(duck::Connection& con, const fs::path& leaf_dir) {
    EL_ASSIGN_OR_RETURN(CompactLeaf leaf, ReadCompactLeaf(leaf_dir));
    auto groups = SmallGroups(leaf, o_.small_file_bytes);
    for (auto& [key, files] : groups) {
      std::erase_if(files,
                    [&](const fs::path& f) { return etags_.count(KeyOf(lake_.mirror, f)) == 0; });
    }
    std::erase_if(groups, [](const auto& g) { return g.second.size() < 2; });
    if (groups.empty()) return Status::Ok();
    EL_RETURN_IF_ERROR(lake::Remove(work_));
    EL_RETURN_IF_ERROR(lake::MakeDirs(work_));
    lake::Manifest manifest{HostName() + "-" + std::to_string(::getpid()), {}, {}};
    std::vector<fs::path> merged;
    std::vector<std::string> inputs;
    for (const auto& [key, files] : groups) {
      std::string name = MergedName(key, files);
      EL_ASSIGN_OR_RETURN(int64_t rows, MergeFiles(con, files, work_ / name));
      s_.rows += rows;
      merged.push_back(work_ / name);
      manifest.uploads.push_back({KeyOf(lake_.mirror, leaf_dir / name), "", {}});
      for (const fs::path& f : files) inputs.push_back(KeyOf(lake_.mirror, f));
    }
    // The manifest first: a run that dies after it leaves nothing the next one cannot abort.
    std::string manifest_key = ManifestPrefix() + manifest.lander + ".json";
    EL_RETURN_IF_ERROR(store_.Put(manifest_key, lake::ManifestJson(manifest)));
    std::vector<objstore::Upload> uploads;
    Status st = Status::Ok();
    for (size_t i = 0; i < merged.size() && st.ok(); ++i) {
      auto up = store_.StartUpload(manifest.uploads[i].key, merged[i]);
      if (up.ok()) uploads.push_back(std::move(*up));
      st = up.status();
    }
    if (st.ok()) st = CheckUnchanged(leaf_dir, inputs);
    if (!st.ok()) {
      for (const objstore::Upload& up : uploads) (void)store_.AbortUpload(up.key, up.upload_id);
      (void)store_.Delete(manifest_key);
      return st;
    }
    // Publish, then delete what the merged files supersede.
    for (size_t i = 0; i < uploads.size(); ++i) EL_RETURN_IF_ERROR(Complete(uploads[i], merged[i]));
    EL_RETURN_IF_ERROR(store_.DeleteMany(inputs));
    EL_RETURN_IF_ERROR(store_.Delete(manifest_key));
    int64_t files_before = 0;
    for (const auto& [key, files] : leaf.groups) files_before += static_cast<int64_t>(files.size());
    s_.folders += 1;
    s_.files_before += files_before;
    s_.files_after += files_before - static_cast<int64_t>(inputs.size() - merged.size());
    return Status::Ok();
  }

  const StoreCompactOptions& o_;
  StoreCompactLake& lake_;
  objstore::ObjectStore& store_;
  CompactSummary& s_;
  std::string table_;  // the lake folder compacted (the topic's table for an event type's)
  std::map<std::string, std::string> etags_;  // fetched data files: key -> ETag
  std::set<std::string> schema_keys_;         // the table's `_schema/` objects when fetched
  fs::path work_;                             // merged files before their upload
};

}  // namespace

Result<CompactSummary> CompactStore(const StoreCompactOptions& o, StoreCompactLake& lake) {
  auto started = std::chrono::steady_clock::now();
  CompactSummary s;
  StoreCompactor compactor(o, lake, s);
  EL_RETURN_IF_ERROR(compactor.Run());
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return s;
}

}  // namespace el::jobs
