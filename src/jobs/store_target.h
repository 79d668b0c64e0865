#pragma once
// StoreTarget: the object-store half of a LakeTarget (jobs/lake_target.h) whose lake is
// `s3://BUCKET/PREFIX`. The lander works on a local mirror of the lake (a temporary folder holding
// the lake's metadata: `_format`, the tables' `_schema/` histories) exactly as on a local lake:
// batches stage and publish there; then Commit sends the published files and the changed metadata
// to the bucket with the lake's commit protocol (lake/store_lake.h) and drops the local copies.
// The bucket stays the source of truth: progress is read from it, recovery runs against it, and
// the mirror is rebuilt from it at every start.
// Threading: the landing thread only (the object runs threads of its own, joined before it is gone).
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "jobs/batch_writer.h"
#include "lake/names.h"
#include "lake/publish.h"
#include "lake/store_lake.h"
#include "objstore/object_store.h"

namespace el::jobs {

class StoreTarget {
 public:
  // A target for the lake `store` (owned); the mirror is a new folder under `mirror_root`, removed
  // with this object (and, when a lander was killed, by the next one's Open).
  StoreTarget(std::unique_ptr<objstore::ObjectStore> store, std::filesystem::path mirror_root,
              const std::string& lake_id, lake::StoreLakeSpec spec);
  ~StoreTarget();
  StoreTarget(const StoreTarget&) = delete;
  StoreTarget& operator=(const StoreTarget&) = delete;

  // For an `s3://` lake: the store from the AWS environment (objstore/s3_config.h), checked (the
  // bucket exists, the credentials are good). nullptr for a local lake. `spec.lander` is filled in
  // (host, pid, start time). Errors: InvalidArgument, NotFound (no such bucket),
  // FailedPrecondition (credentials), Unavailable.
  static Result<std::unique_ptr<StoreTarget>> ForLake(const std::string& lake,
                                                      lake::StoreLakeSpec spec);

  const std::filesystem::path& mirror() const { return mirror_; }
  std::string Describe() const { return store_->Describe(); }

  // Makes the mirror and fills it with the lake's metadata. Errors: IOError, the store's errors.
  Status Open();
  // Replaces the mirror's metadata with the bucket's.
  Status Pull();

  // The lake's progress (the bucket's records). Errors: the store's.
  Result<lake::NextOffsets> Committed() {
    EL_RETURN_IF_ERROR(CleanedUp());
    return lake_.ReadProgress();
  }
  // Recovery in the bucket (lake/store_lake.h), after the mirror's metadata is read again (another
  // lander may have written schema versions meanwhile), unless Open read it less than a second
  // ago: a version another lander writes after the read is found by the publish's conditional PUT
  // either way (lake/store_lake.h), so a second read right away only costs the requests.
  // Returns once the partitions are claimed; the removals of what earlier landers left run on a
  // thread of their own while the lander reads, and every other call that touches the bucket
  // waits for them first (their error is the next such call's).
  Result<lake::NextOffsets> Recover(const std::set<int32_t>* partitions, bool take_over);
  // Whether the bucket holds data files of `table`.
  Result<bool> HasData(const std::string& table);
  // Every data file key of `table`, and one fetched into a local file (replaced).
  // Errors: the store's, IOError.
  Result<std::vector<std::string>> DataKeys(const std::string& table) {
    EL_RETURN_IF_ERROR(CleanedUp());
    return lake_.TableDataKeys(table);
  }
  Status Download(const std::string& key, const std::filesystem::path& local) {
    EL_RETURN_IF_ERROR(CleanedUp());
    return store_->GetToFile(key, local);
  }

  // The staged files of `staged` (call before they are published into the mirror): local path in
  // the mirror once published, and key.
  Result<std::vector<lake::StoreFile>> PendingFiles(const std::vector<StagedTable>& staged) const;

  // Call before publishing `t` into the mirror: when the publish will check the table's files
  // (a column's type changes), fetches the table's data files from the bucket into the mirror, so
  // that the publish rewrites those in an older type; Commit sends the rewritten ones back.
  // Errors: the store's, IOError.
  Status FetchForPublish(const lake::TablePublish& t);

  // Commits a batch that was published into the mirror: `files` (PendingFiles), the metadata of
  // `staged`'s tables that changed since it was last sent, and the progress `next`; `exact` (an
  // overwrite run) makes the records `next`, and the tables of `replaced` (folders in the mirror)
  // lose their other files. Then removes the local data files.
  // Errors: FailedPrecondition (another lander took a partition), the store's errors.
  Status Commit(const std::vector<lake::StoreFile>& files, const std::vector<StagedTable>& staged,
                const lake::NextOffsets& next, bool exact,
                const std::vector<std::filesystem::path>& replaced);

  // A batch run's part, staged and to be published with the run's batch: starts uploading its
  // files on a thread of its own (lake::StoreLake::StartUploads) while the lander reads on. Commit
  // uses the upload of every file still as it was (same size and time) and aborts the others.
  void Preupload(const std::vector<StagedTable>& staged);
  // Waits for the uploads Preupload started (before their files move).
  void WaitPreuploads();

 private:
  // Waits for the cleanup Recover started; its error, until the next Recover.
  Status CleanedUp();
  // The mirror's metadata files of the tables in `staged` (and `_format`) whose content differs
  // from what the bucket holds, as last sent or fetched.
  Result<std::vector<lake::StoreFile>> ChangedMetadata(const std::vector<StagedTable>& staged,
                                                       std::map<std::string, std::string>& sent);
  std::string KeyOf(const std::filesystem::path& local) const;

  std::unique_ptr<objstore::ObjectStore> store_;
  std::filesystem::path mirror_root_;
  std::filesystem::path mirror_;
  lake::StoreLake lake_;
  std::map<std::string, std::string> metadata_;  // key -> content the bucket holds
  std::optional<std::chrono::steady_clock::time_point> opened_;  // when Open read the metadata
  std::future<Status> cleanup_;  // Recover's removals, running
  Status cleanup_status_;        // their outcome
  struct Fetched {
    lake::StoreFile file;
    std::filesystem::file_time_type mtime;
  };
  std::vector<Fetched> fetched_;  // data files fetched for the publish of the current batch
  struct Preuploaded {
    std::string key;
    uintmax_t size = 0;
    std::filesystem::file_time_type mtime;
  };
  struct Preuploads {
    std::vector<Preuploaded> files;
    std::future<std::vector<Result<objstore::Upload>>> uploads;  // one per file
  };
  std::vector<Preuploads> preuploads_;                   // started, not waited for
  std::vector<std::pair<Preuploaded, objstore::Upload>> preuploaded_;  // done, not committed
  // The started uploads of `files` whose local files are unchanged; aborts the others.
  std::map<std::string, objstore::Upload> TakePreuploads(const std::vector<lake::StoreFile>& files);
};

}  // namespace el::jobs
