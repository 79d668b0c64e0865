#include "jobs/lake_target.h"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "base/log.h"
#include "lake/layout.h"
#include "lake/listing.h"
#include "lake/progress.h"
#include "lake/publish.h"
#include "lake/recovery.h"

namespace el::jobs {
namespace fs = std::filesystem;

namespace {

// Cleanup whose failure changes nothing for the lake (recovery removes what is left) is logged.
void Discard(const Status& st) {
  if (!st.ok()) spdlog::warn("cleanup: {}", st.message());
}

}  // namespace

LakeTarget::LakeTarget(const LandOptions& options)
    : o_(options),
      lake_(options.lake_dir),
      job_(!options.outputs.empty()),
      staging_key_(!options.staging_key.empty() ? options.staging_key
                   : job_                       ? options.job_name
                                                : options.topic) {}

LakeTarget::~LakeTarget() {
  if (!owner_) return;
  Discard(lake::Remove(SpillDir()));
  Discard(lake::Remove(lake::OwnerLockPath(lake_, staging_key_)));
}

Status LakeTarget::Open() {
  lake::StoreLakeSpec spec{o_.topic, staging_key_, "", "", {}};
  if (job_) {
    // A job commits through its own records; recovery looks into its outputs and commit folder.
    spec.progress_prefix = "_jobs/" + o_.job_name + "/_progress/" + o_.topic + "/";
    for (const OutputSpec& out : o_.outputs) spec.tables.push_back(out.table);
    spec.tables.push_back(o_.topic + "_dead_letter");
    spec.tables.push_back("_jobs/" + o_.job_name);
  }
  EL_ASSIGN_OR_RETURN(store_, StoreTarget::ForLake(o_.lake_dir, std::move(spec)));
  if (store_) {
    EL_RETURN_IF_ERROR(store_->Open());
    lake_ = store_->mirror();
  }
  EL_RETURN_IF_ERROR(lake::MakeDirs(lake::StagingRoot(lake_, staging_key_)));
  EL_ASSIGN_OR_RETURN(lake::FileLock lock, LockPublish());
  EL_RETURN_IF_ERROR(lake::CheckLakeFormat(lake_, !job_));
  EL_ASSIGN_OR_RETURN(owner_,
                      lake::FileLock::Acquire(lake::OwnerLockPath(lake_, staging_key_), false));
  return Status::Ok();
}

fs::path LakeTarget::SpillDir() const {
  return lake::StagingRoot(lake_, staging_key_) /
         fmt::format("{}-{}-spill", staging_key_, ::getpid());
}

fs::path LakeTarget::NextBatchDir() {
  return lake::StagingRoot(lake_, staging_key_) /
         fmt::format("{}-{}-{}", staging_key_, ::getpid(), ++batch_seq_);
}

Result<lake::FileLock> LakeTarget::LockPublish() const {
  // The lake's folders come back if someone removed them while the lander runs (a wiped lake).
  fs::path path = lake::PublishLockPath(lake_, staging_key_);
  EL_RETURN_IF_ERROR(lake::MakeDirs(path.parent_path()));
  return lake::FileLock::Acquire(path, true);
}

Result<lake::NextOffsets> LakeTarget::Committed() const {
  if (store_) return store_->Committed();
  return job_ ? lake::CommittedOffsets(CommitDir(), o_.topic)
              : lake::TopicCommitted(lake_, o_.topic);
}

Result<lake::NextOffsets> LakeTarget::Recover(const std::set<int32_t>* partitions) {
  EL_ASSIGN_OR_RETURN(lake::FileLock lock, LockPublish());
  return RecoverLocked(partitions, true);
}

Result<lake::NextOffsets> LakeTarget::RecoverLocked(const std::set<int32_t>* partitions,
                                                    bool take_over) {
  if (store_) {
    // The mirror is this process's own (nothing of other landers to recover there); its metadata
    // is read again from the bucket, then marked with the format as at Open.
    EL_ASSIGN_OR_RETURN(lake::NextOffsets next, store_->Recover(partitions, take_over));
    EL_RETURN_IF_ERROR(lake::CheckLakeFormat(lake_, !job_));
    return next;
  }
  if (!job_) return lake::RecoverTopic(lake_, o_.topic, partitions);
  lake::RecoverySpec spec{
      lake_, o_.topic, CommitDir(), staging_key_, {o_.topic + "_dead_letter"}, partitions};
  for (const OutputSpec& out : o_.outputs) spec.tables.push_back(out.table);
  return lake::RecoverRange(spec);
}

Status LakeTarget::RecoverIfLanderGone(const std::set<int32_t>& partitions) {
  EL_ASSIGN_OR_RETURN(bool gone, lake::LanderGone(lake_, staging_key_));
  if (!gone) return Status::Ok();
  return RecoverLocked(&partitions).status();
}

Result<bool> LakeTarget::HasData(const std::string& table) const {
  if (store_) return store_->HasData(table);
  EL_ASSIGN_OR_RETURN(auto files, lake::ListDataFilesRecursive(lake_ / table));
  return !files.empty();
}

Status LakeTarget::CheckNotExists() const {
  std::vector<std::string> tables;
  for (const OutputSpec& out : o_.outputs) {
    if (out.mode.value_or(o_.mode) == WriteMode::kError) tables.push_back(out.table);
  }
  if (!job_ && o_.mode == WriteMode::kError) tables.push_back(o_.topic);
  for (const std::string& t : tables) {
    EL_ASSIGN_OR_RETURN(bool has_data, HasData(t));
    if (has_data) return AlreadyExists("table " + t + " already exists in " + o_.lake_dir);
  }
  return Status::Ok();
}

Result<LakeTarget::Published> LakeTarget::Publish(duck::Connection& con,
                                                  const std::vector<StagedTable>& staged,
                                                  bool batch_end, const lake::NextOffsets& next,
                                                  const fs::path& scratch) {
  bool batch_run = batch_end && !o_.follow;
  if (o_.mode == WriteMode::kError && batch_run && !job_) {
    for (const StagedTable& t : staged) {
      if (t.name == o_.topic) continue;
      EL_ASSIGN_OR_RETURN(bool has_data, HasData(t.table_dir.filename().string()));
      if (has_data)
        return AlreadyExists("table " + t.name + " already exists in " + o_.lake_dir);
    }
  }
  std::vector<lake::StoreFile> to_send;
  if (store_) {
    EL_ASSIGN_OR_RETURN(to_send, store_->PendingFiles(staged));
  }
  Published out;
  std::vector<fs::path> replaced;
  for (const StagedTable& t : staged) {
    bool progress = t.name == "_progress";
    bool replace = batch_run && (progress ? o_.mode : t.mode) == WriteMode::kOverwrite;
    if (replace) replaced.push_back(t.table_dir);
    lake::TablePublish publish{t.staging_dir, t.table_dir, t.columns, replace, scratch, t.type_columns};
    if (!progress) {
      EL_ASSIGN_OR_RETURN(auto files, lake::ListDataFilesRecursive(t.staging_dir));
      for (const fs::path& f : files) {
        std::error_code ec;
        uintmax_t size = fs::file_size(f, ec);
        if (!ec) out.bytes += static_cast<int64_t>(size);
      }
    }
    if (store_) EL_RETURN_IF_ERROR(store_->FetchForPublish(publish));
    EL_ASSIGN_OR_RETURN(int64_t files, lake::PublishTable(con, publish));
    if (progress) continue;
    out.files += files;
    if (std::find(out.tables.begin(), out.tables.end(), t.name) == out.tables.end())
      out.tables.push_back(t.name);
    // The topic table's event types are tables to readers too (lake/layout.h).
    for (const auto& [folder, columns] : t.type_columns) {
      std::string type = lake::TypeTableName(o_.topic, lake::ParseHiveValue(folder.substr(folder.find('=') + 1)));
      if (!type.empty() && std::find(out.tables.begin(), out.tables.end(), type) == out.tables.end())
        out.tables.push_back(type);
    }
  }
  EL_RETURN_IF_ERROR(lake::SyncDir(lake_));
  bool exact = batch_run && o_.mode == WriteMode::kOverwrite;
  if (!job_) EL_RETURN_IF_ERROR(lake::WriteTopicProgress(lake_, o_.topic, next, exact));
  if (store_) EL_RETURN_IF_ERROR(store_->Commit(to_send, staged, next, exact, replaced));
  return out;
}

}  // namespace el::jobs
