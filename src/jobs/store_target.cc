#include "jobs/store_target.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <utility>

#include <fmt/format.h>

#include "base/log.h"
#include "lake/listing.h"
#include "objstore/location.h"
#include "objstore/s3_store.h"

namespace el::jobs {
namespace fs = std::filesystem;

namespace {

// FNV-1a of `text`: the mirror folder's name for one lake.
uint64_t Fnv1a(std::string_view text) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// This process's name in the lake's manifests: host, pid and start time.
std::string LanderName() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::string name = host[0] != '\0' ? host : "host";
  for (char& c : name) {
    if (c == '/' || c == '\\') c = '_';
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return fmt::format("{}-{}-{}", name, ::getpid(), ms);
}

// Removes `path` (a file or folder of the mirror); a failure costs disk space only: logged.
void RemoveLogged(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) spdlog::warn("cleanup: cannot remove {}: {}", path.string(), ec.message());
}

// Removes the mirrors of landers that no longer run (named `<hash>-<pid>`).
void RemoveDeadMirrors(const fs::path& root) {
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    size_t dash = name.rfind('-');
    if (dash == std::string::npos) continue;
    int64_t pid = 0;
    if (!lake::ParseNonNegative(std::string_view(name).substr(dash + 1), pid) || pid <= 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    RemoveLogged(it->path());
  }
  if (ec) spdlog::warn("cleanup: cannot list {}: {}", root.string(), ec.message());
}

Result<std::string> ReadWhole(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return IOError("cannot read " + file.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

StoreTarget::StoreTarget(std::unique_ptr<objstore::ObjectStore> store, fs::path mirror_root,
                         const std::string& lake_id, lake::StoreLakeSpec spec)
    : store_(std::move(store)),
      mirror_root_(std::move(mirror_root)),
      mirror_(mirror_root_ /
              fmt::format("{:016x}-{}", Fnv1a(lake_id + "\n" + spec.staging_key), ::getpid())),
      lake_(*store_, std::move(spec)) {}

StoreTarget::~StoreTarget() {
  (void)CleanedUp();
  (void)TakePreuploads({});  // a run that ends before its commit: its uploads go (recovery's job too)
  RemoveLogged(mirror_);
}

Result<std::unique_ptr<StoreTarget>> StoreTarget::ForLake(const std::string& lake,
                                                          lake::StoreLakeSpec spec) {
  EL_ASSIGN_OR_RETURN(objstore::Location loc, objstore::ParseLocation(lake));
  if (!loc.is_s3()) return std::unique_ptr<StoreTarget>();
  auto config = objstore::S3ConfigFromEnvironment(objstore::ProcessEnvLookup());
  if (!config.ok())
    return Status(config.status().code(), "lake " + loc.ToString() + ": " + config.status().message());
  std::unique_ptr<objstore::S3Store> s3 = objstore::S3Store::Open(*config, loc);
  if (Status st = s3->CheckBucket(); !st.ok())
    return Status(st.code(), "lake " + loc.ToString() + ": " + st.message());
  std::error_code ec;
  fs::path root = fs::temp_directory_path(ec);
  if (ec) root = "/tmp";
  if (spec.lander.empty()) spec.lander = LanderName();
  return std::make_unique<StoreTarget>(std::move(s3), root / "eventlake-s3-mirror", loc.ToString(),
                                       std::move(spec));
}

Status StoreTarget::Open() {
  EL_RETURN_IF_ERROR(lake::MakeDirs(mirror_root_));
  RemoveDeadMirrors(mirror_root_);
  EL_RETURN_IF_ERROR(lake::Remove(mirror_));
  EL_RETURN_IF_ERROR(lake::MakeDirs(mirror_));
  EL_RETURN_IF_ERROR(Pull());
  opened_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

Result<lake::NextOffsets> StoreTarget::Recover(const std::set<int32_t>* partitions,
                                               bool take_over) {
  (void)CleanedUp();  // (an earlier recovery's failure: this one removes the same)
  cleanup_status_ = Status::Ok();
  auto opened = std::exchange(opened_, std::nullopt);
  if (!opened || std::chrono::steady_clock::now() - *opened > std::chrono::seconds(1)) EL_RETURN_IF_ERROR(Pull());
  EL_ASSIGN_OR_RETURN(lake::StoreLake::Claimed claimed, lake_.ClaimForRecovery(partitions, take_over));
  cleanup_ = std::async(std::launch::async, [this, claimed, component = LogComponent()] {
    SetLogComponent(component);
    return lake_.CleanUp(claimed);
  });
  return claimed.Progress();
}

Status StoreTarget::CleanedUp() {
  if (cleanup_.valid()) cleanup_status_ = cleanup_.get();
  return cleanup_status_;
}

Status StoreTarget::Pull() {
  EL_RETURN_IF_ERROR(CleanedUp());
  // Everything but the staging (batches, owner locks) goes: the bucket's metadata replaces it.
  EL_ASSIGN_OR_RETURN(auto names, lake::ListNames(mirror_));
  for (const std::string& n : names) {
    if (n != "_staging") EL_RETURN_IF_ERROR(lake::Remove(mirror_ / n));
  }
  metadata_.clear();
  EL_ASSIGN_OR_RETURN(auto keys, lake_.PullMetadata(mirror_));
  for (const std::string& k : keys) {
    EL_ASSIGN_OR_RETURN(metadata_[k], ReadWhole(mirror_ / fs::path(k)));
  }
  spdlog::info("lake {}: {} metadata object(s) read into {}", store_->Describe(), keys.size(),
               mirror_.string());
  return Status::Ok();
}

Result<bool> StoreTarget::HasData(const std::string& table) {
  EL_RETURN_IF_ERROR(CleanedUp());
  EL_ASSIGN_OR_RETURN(auto keys, lake_.TableDataKeys(table));
  return !keys.empty();
}

std::string StoreTarget::KeyOf(const fs::path& local) const {
  return local.lexically_relative(mirror_).generic_string();
}

Result<std::vector<lake::StoreFile>> StoreTarget::PendingFiles(
    const std::vector<StagedTable>& staged) const {
  std::vector<lake::StoreFile> out;
  for (const StagedTable& t : staged) {
    EL_ASSIGN_OR_RETURN(auto files, lake::ListDataFilesRecursive(t.staging_dir));
    for (const fs::path& f : files) {
      fs::path published = t.table_dir / f.lexically_relative(t.staging_dir);
      out.push_back({published, KeyOf(published)});
    }
  }
  return out;
}

Result<std::vector<lake::StoreFile>> StoreTarget::ChangedMetadata(
    const std::vector<StagedTable>& staged, std::map<std::string, std::string>& sent) {
  std::vector<fs::path> candidates = {mirror_ / "_format"};
  auto schema_files = [&](const fs::path& dir) -> Status {
    EL_ASSIGN_OR_RETURN(auto names, lake::ListNames(dir / "_schema"));
    for (const std::string& n : names) {
      if (n.empty() || n[0] == '.' || fs::is_directory(dir / "_schema" / n)) continue;
      candidates.push_back(dir / "_schema" / n);
    }
    return Status::Ok();
  };
  for (const StagedTable& t : staged) {
    EL_RETURN_IF_ERROR(schema_files(t.table_dir));
    for (const auto& [folder, columns] : t.type_columns) {
      EL_RETURN_IF_ERROR(schema_files(t.table_dir / folder));
    }
  }
  std::vector<lake::StoreFile> out;
  for (const fs::path& c : candidates) {
    std::error_code ec;
    if (!fs::is_regular_file(c, ec)) continue;
    std::string key = KeyOf(c);
    if (std::any_of(out.begin(), out.end(), [&](const lake::StoreFile& f) { return f.key == key; }))
      continue;
    EL_ASSIGN_OR_RETURN(std::string text, ReadWhole(c));
    auto it = metadata_.find(key);
    if (it != metadata_.end() && it->second == text) continue;
    out.push_back({c, key});
    sent[key] = std::move(text);
  }
  return out;
}

Status StoreTarget::FetchForPublish(const lake::TablePublish& t) {
  EL_RETURN_IF_ERROR(CleanedUp());
  EL_ASSIGN_OR_RETURN(bool checks, lake::PublishChecksTableFiles(t));
  if (!checks) return Status::Ok();
  std::string table = KeyOf(t.table_dir);
  EL_ASSIGN_OR_RETURN(auto keys, lake_.TableDataKeys(table));
  spdlog::info("lake {}: table {} changes a column's type; fetching its {} file(s) to conform them",
               store_->Describe(), table, keys.size());
  for (const std::string& key : keys) {
    fs::path local = mirror_ / fs::path(key);
    EL_RETURN_IF_ERROR(lake::MakeDirs(local.parent_path()));
    EL_RETURN_IF_ERROR(store_->GetToFile(key, local));
    std::error_code ec;
    auto mtime = fs::last_write_time(local, ec);
    if (ec) return IOError("cannot stat " + local.string() + ": " + ec.message());
    fetched_.push_back({{local, key}, mtime});
  }
  return Status::Ok();
}

void StoreTarget::Preupload(const std::vector<StagedTable>& staged) {
  if (!CleanedUp().ok()) return;  // (Commit returns the error)
  std::vector<lake::StoreFile> files;
  Preuploads p;
  for (const StagedTable& t : staged) {
    auto listed = lake::ListDataFilesRecursive(t.staging_dir);
    if (!listed.ok()) return;  // (uploaded by the commit instead)
    for (const fs::path& f : *listed) {
      std::error_code size_ec, time_ec;
      Preuploaded u{KeyOf(t.table_dir / f.lexically_relative(t.staging_dir)), fs::file_size(f, size_ec),
                    fs::last_write_time(f, time_ec)};
      if (size_ec || time_ec) continue;
      files.push_back({f, u.key});
      p.files.push_back(std::move(u));
    }
  }
  if (files.empty()) return;
  p.uploads = std::async(std::launch::async, [this, files = std::move(files), component = LogComponent()] {
    SetLogComponent(component);
    return lake_.StartUploads(files);
  });
  preuploads_.push_back(std::move(p));
}

void StoreTarget::WaitPreuploads() {
  for (Preuploads& p : std::exchange(preuploads_, {})) {
    std::vector<Result<objstore::Upload>> uploads = p.uploads.get();
    for (size_t i = 0; i < uploads.size(); ++i) {
      if (uploads[i].ok()) {
        preuploaded_.emplace_back(std::move(p.files[i]), std::move(*uploads[i]));
      } else {
        spdlog::debug("upload of {} ahead of its commit failed ({}); the commit sends it", p.files[i].key,
                      uploads[i].status().message());
      }
    }
  }
}

std::map<std::string, objstore::Upload> StoreTarget::TakePreuploads(const std::vector<lake::StoreFile>& files) {
  WaitPreuploads();
  std::map<std::string, const lake::StoreFile*> by_key;
  for (const lake::StoreFile& f : files) by_key[f.key] = &f;
  std::map<std::string, objstore::Upload> usable;
  for (auto& [file, upload] : std::exchange(preuploaded_, {})) {
    auto it = by_key.find(file.key);
    std::error_code size_ec, time_ec;
    bool same = it != by_key.end() && fs::file_size(it->second->local, size_ec) == file.size && !size_ec &&
                fs::last_write_time(it->second->local, time_ec) == file.mtime && !time_ec;
    if (same) {
      usable.emplace(file.key, std::move(upload));
    } else if (Status st = lake_.Abort(upload); !st.ok()) {
      spdlog::warn("cleanup: {}", st.message());  // (recovery aborts it too)
    }
  }
  return usable;
}

Status StoreTarget::Commit(const std::vector<lake::StoreFile>& files,
                           const std::vector<StagedTable>& staged, const lake::NextOffsets& next,
                           bool exact, const std::vector<fs::path>& replaced) {
  EL_RETURN_IF_ERROR(CleanedUp());
  lake::BatchCommit batch;
  batch.files = files;
  batch.started = TakePreuploads(files);
  // The fetched files the publish rewrote (renamed over them) go back under their keys.
  std::vector<Fetched> fetched = std::exchange(fetched_, {});
  for (const Fetched& f : fetched) {
    std::error_code ec;
    auto mtime = fs::last_write_time(f.file.local, ec);
    if (!ec && mtime != f.mtime) batch.files.push_back(f.file);
  }
  std::map<std::string, std::string> sent;
  EL_ASSIGN_OR_RETURN(batch.metadata, ChangedMetadata(staged, sent));
  batch.next = next;
  batch.exact = exact;
  for (const fs::path& dir : replaced) batch.replace_tables.push_back(KeyOf(dir));
  Status st = lake_.CommitBatch(batch);
  // The mirror keeps no data: the bucket has them (or recovery removes them).
  for (const lake::StoreFile& f : files) RemoveLogged(f.local);
  for (const Fetched& f : fetched) RemoveLogged(f.file.local);
  EL_RETURN_IF_ERROR(st);
  for (auto& [k, v] : sent) metadata_[k] = std::move(v);
  return Status::Ok();
}

}  // namespace el::jobs
