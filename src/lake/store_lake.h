#pragma once
// StoreLake: the lake's commit protocol on an object store (docs/formats/lake_on_s3.md), for one
// topic's lander. The store has no rename and no locks: a batch's files are uploaded to their
// final, offset-derived keys but stay invisible (unfinished uploads) until the batch publishes
// them, and the batch is committed by conditional PUTs of the progress records
// `_progress/<topic>/<p>.next`, fenced by the ETags this lander read before it published.
//
//   _staging/<key>/<lander>-<seq>/batch.json   a batch's manifest: its partitions and uploads
//   _progress/<topic>/<p>.next                  the next offset to land and the partition's owner
//                                               (lake/progress.h): the commit point
//   _jobs/<job>/_progress/<topic>/<p>.next      the same for a job's landing of <topic>
//
// CommitBatch is the one place a batch becomes part of the lake (a later Iceberg snapshot commits
// here too). Recover first claims the partitions (rewrites their records with this lander as
// owner and a new epoch, so that the ETag any other lander fenced itself with changes), then
// removes what landers that died or lost the partitions left: the uploads their manifests name
// (and any unfinished upload of a file past its partition's record), and the published files past
// the records. Nothing is deleted unless every listing it needs succeeded.
// Threading: one thread. Lifetime: `store` outlives this.
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "lake/names.h"
#include "lake/progress.h"
#include "objstore/object_store.h"

namespace el::lake {

// A local file and the key it is published under.
struct StoreFile {
  std::filesystem::path local;
  std::string key;
};

struct BatchCommit {
  std::vector<StoreFile> files;     // data files, published whole under their final keys
  // Schema history and the like, put before the files; schema versions (`_schema/v<N>.json`)
  // only where absent.
  std::vector<StoreFile> metadata;
  NextOffsets next;                 // the progress records the batch commits
  // An overwrite run: the records become `next` (others removed), and the data files of `topic`
  // in `replace_tables` that the batch does not write are deleted before the commit.
  bool exact = false;
  std::vector<std::string> replace_tables;
  // Uploads StartUploads began for some of `files` (by key): step 1 starts only the others. Those
  // of no file of the batch are aborted.
  std::map<std::string, objstore::Upload> started;
};

struct StoreLakeSpec {
  std::string topic;
  std::string staging_key;
  std::string lander;  // this process's name in manifests (unique among the lake's landers)
  // Where the progress records live: "_progress/<topic>/" (the default layout) or a job's
  // "_jobs/<job>/_progress/<topic>/".
  std::string progress_prefix;
  // The tables whose data files of `topic` recovery removes past the records; empty: the
  // default layout's (`<topic>` and every `<topic>_*`).
  std::vector<std::string> tables;
};

class StoreLake {
 public:
  StoreLake(objstore::ObjectStore& store, StoreLakeSpec spec);

  // The progress records, and their ETags for the next commit's fence. Errors: IOError,
  // DataLoss (a record that is not a number), the store's errors.
  Result<NextOffsets> ReadProgress();

  // Claims `partitions` (all that have a record when null; a named partition without a record gets
  // a record `none`), then removes what landers that are gone or lost them left: the uploads
  // named by manifests of this staging key, unfinished uploads of files past their partition's
  // record, and the data files of the topic past the records in the spec's tables.
  // `take_over`: the partitions were just handed to this lander (a start, a group's assignment), so
  // records naming another owner are claimed too; otherwise (a retry after a failed batch) a
  // partition whose record names another lander was lost: it is neither claimed nor recovered
  // (that lander may be publishing), and is left out of the result.
  // Returns the progress (of `partitions` only, when given). Errors: Unavailable (the records kept
  // changing while claimed), the store's errors.
  Result<NextOffsets> Recover(const std::set<int32_t>* partitions, bool take_over = true);

  // Recover in two halves, for a caller that reads on while the cleanup runs: the claim, then the
  // removals (CleanUp), which must be done before anything of this lander is uploaded.
  struct Claimed {
    NextOffsets next;  // every partition's record after the claim
    bool all = true;   // every partition with a record; else those in `partitions`
    std::set<int32_t> partitions;
    NextOffsets Progress() const;  // Recover's result
  };
  Result<Claimed> ClaimForRecovery(const std::set<int32_t>* partitions, bool take_over = true);
  // Touches only the store: may run on another thread while this object is otherwise unused.
  Status CleanUp(const Claimed& claimed);

  // The commit protocol for one batch: upload, manifest, ownership check, publish, conditional
  // progress PUTs, manifest removed. Errors: FailedPrecondition (another lander landed or claimed
  // one of the partitions since ReadProgress, or the records name another owner: nothing of the
  // batch is published, or what was is past the records and removed by recovery), Unavailable
  // (another lander created one of the batch's schema versions `_schema/v<N>.json` first, with
  // other content: the batch is not published; pull the metadata again and land it again), the
  // store's errors.
  Status CommitBatch(const BatchCommit& batch);
  // CommitBatch's first step ahead of it, for files that are final before the batch is (a batch
  // run's parts): each file uploaded to its key, unfinished (8 at a time). An upload that no
  // batch publishes is removed by recovery, as one cut off in CommitBatch. Touches only the store:
  // may run on another thread while this object is otherwise unused.
  std::vector<Result<objstore::Upload>> StartUploads(const std::vector<StoreFile>& files);
  Status Abort(const objstore::Upload& upload) { return store_.AbortUpload(upload.key, upload.upload_id); }

  // Every data file key of the topic's tables (`<table>/...`, for mode error's check and tests).
  Result<std::vector<std::string>> TableDataKeys(const std::string& table);

  // Downloads the lake's metadata into `mirror` (a local folder laid out like the lake): `_format`,
  // `<table>/_schema/*` and `<table>/<folder>/_schema/*`. Returns the keys fetched.
  Result<std::vector<std::string>> PullMetadata(const std::filesystem::path& mirror);

  std::string ProgressKey(int32_t partition) const;
  std::string ManifestPrefix() const { return "_staging/" + spec_.staging_key + "/"; }

 private:
  Status AbortAll(const std::vector<objstore::Upload>& uploads);
  Result<ProgressRecord> ReadRecord(int32_t partition);
  Result<NextOffsets> Claim(const std::set<int32_t>* partitions, bool take_over,
                            std::set<int32_t>& lost);
  Status CheckOwnership(const NextOffsets& next);
  Status PutProgress(const BatchCommit& batch);
  Status PutMetadata(const StoreFile& f);
  Status Publish(const objstore::Upload& up, const std::filesystem::path& local,
                 const NextOffsets& next);
  // The files of the tables an overwrite replaces, but for the batch's own.
  Result<std::vector<std::string>> ReplacedKeys(const BatchCommit& batch);
  Status AbortManifests(const std::set<int32_t>* partitions);
  Status AbortUploadsPast(const NextOffsets& next, const std::set<int32_t>* partitions);
  Status DeletePublishedPast(const NextOffsets& next, const std::set<int32_t>* partitions);

  objstore::ObjectStore& store_;
  StoreLakeSpec spec_;
  int64_t seq_ = 0;
  std::map<int32_t, std::string> etags_;  // partition -> its record's ETag as last read or written
  std::map<int32_t, ProgressRecord> records_;  // partition -> its record as last read or written
};

// The manifest's text, and back (the partitions and uploads only). Errors: InvalidArgument.
struct Manifest {
  std::string lander;
  std::set<int32_t> partitions;
  std::vector<objstore::Upload> uploads;
};
std::string ManifestJson(const Manifest& m);
Result<Manifest> ParseManifest(std::string_view text);

}  // namespace el::lake
