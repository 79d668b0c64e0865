#pragma once
// LakeTarget: the lake side of one lander (jobs/lander.h): where its batches stage, how far the
// lake has landed its topic, recovery of what crashed landers left, and publishing a staged batch
// with its commit (lake/ holds the rules; this class applies them to one topic or job).
// Lifecycle: Open() takes the lander's owner lock; the destructor removes the lander's spill
// folder and owner file (a run leaves no staging, however it ends).
// A lake `s3://BUCKET/PREFIX` is worked through a local mirror (jobs/store_target.h): lake() is
// the mirror, progress and recovery are the bucket's, and Publish commits each batch to it.
// Threading: the landing thread only. Lifetime: `options` outlives this.
#include <cstdint>
#include <memory>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "clients/duck/duck.h"
#include "jobs/batch_writer.h"
#include "jobs/lander.h"
#include "lake/locks.h"
#include "lake/names.h"
#include "jobs/store_target.h"

namespace el::jobs {

class LakeTarget {
 public:
  explicit LakeTarget(const LandOptions& options);
  ~LakeTarget();
  LakeTarget(const LakeTarget&) = delete;
  LakeTarget& operator=(const LakeTarget&) = delete;

  // Creates the staging root and takes this lander's owner lock (under the publish lock, so that
  // no recovery sees the owner file unlocked). An S3 lake: checks the bucket and credentials and
  // builds the mirror first. Errors: IOError, Unavailable, InvalidArgument (a job on S3),
  // NotFound (no such bucket), FailedPrecondition (bad credentials).
  Status Open();

  bool job() const { return job_; }
  // An S3 lake's bucket and mirror (once opened); null for a local lake.
  StoreTarget* store() const { return store_.get(); }
  const std::string& staging_key() const { return staging_key_; }
  // The lake's folder (an S3 lake's local mirror, once opened).
  const std::filesystem::path& lake() const { return lake_; }
  // LAKE/_jobs/<job>: a job's progress folder, its commit table.
  std::filesystem::path CommitDir() const { return lake_ / "_jobs" / o_.job_name; }
  // DuckDB's spill folder for this lander, cleaned with its staging.
  std::filesystem::path SpillDir() const;
  // A new batch's staging folder (not created).
  std::filesystem::path NextBatchDir();

  // The publish lock of the staging key (waits for it). Errors: IOError.
  Result<lake::FileLock> LockPublish() const;

  // How far the lake has landed the topic: the job's progress, or the topic's table and progress
  // records. Errors: IOError.
  Result<lake::NextOffsets> Committed() const;

  // Removes what crashed landers left for `partitions` (all when null) and returns how far the
  // lake has landed them. RecoverLocked: the caller holds the publish lock; Recover takes it.
  // Recover is for partitions just handed to this lander (a start, a group's assignment): on S3 it
  // claims them whoever held them; RecoverLocked (a retry) leaves out, on S3, partitions another
  // lander has claimed since (lake/store_lake.h).
  Result<lake::NextOffsets> Recover(const std::set<int32_t>* partitions);
  Result<lake::NextOffsets> RecoverLocked(const std::set<int32_t>* partitions,
                                          bool take_over = false);
  // Under the publish lock: when another lander of the key died since this one last looked,
  // recovers `partitions` (its batch may be half published).
  Status RecoverIfLanderGone(const std::set<int32_t>& partitions);

  // Mode error: fails with AlreadyExists when a table the run writes already holds data.
  Status CheckNotExists() const;

  struct Published {
    int64_t files = 0;
    int64_t bytes = 0;  // of the files published
    std::vector<std::string> tables;  // visible tables written (not the job's progress folder)
  };
  // Publishes a staged batch under the publish lock (the caller holds it): every table, the commit
  // table last (lake/publish.h), then the default layout's progress records `next`. `batch_end`:
  // the single flush of a batch run, where overwrite tables replace their files. `scratch`: a
  // hidden folder for rewrites (the batch's staging). Errors: IOError, AlreadyExists (mode error).
  Result<Published> Publish(duck::Connection& con, const std::vector<StagedTable>& staged,
                            bool batch_end, const lake::NextOffsets& next,
                            const std::filesystem::path& scratch);

 private:
  // Whether the lake holds data files of `table`.
  Result<bool> HasData(const std::string& table) const;

  const LandOptions& o_;
  std::filesystem::path lake_;
  bool job_ = false;
  std::string staging_key_;
  int64_t batch_seq_ = 0;
  // An S3 lake's bucket and mirror; null for a local lake. Declared before owner_: the mirror
  // goes after the owner lock inside it is released.
  std::unique_ptr<StoreTarget> store_;
  std::optional<lake::FileLock>
      owner_;  // held for the run: staging of this process is not recovered
};

}  // namespace el::jobs
