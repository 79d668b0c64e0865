#pragma once
// S3Lake: a lake in an object store, read through local copies (DuckDB's httpfs extension is not
// available). docs/formats/lake_on_s3.md, "Reading an S3 lake", is the contract:
//  1. Each Prepare lists the store once (ListAll: 1000 keys a request) and mirrors the lake's
//     folders into a local folder (dir(), under the cache folder's views/<pid>-<random>/): the same
//     tables, Hive folders and `_schema/` folders, and `_format`, so that the local lake's rules
//     (lake/layout.h, lake/listing.h) find the same tables. `_schema/` files are fetched only with
//     `schemas` (eventlake schema).
//  2. It reads the progress records `_progress/<topic>/<p>.next` (one GET each) and skips every
//     data file `<topic>+<p>+<first>-<last>...` whose `first` is at or
//     past its partition's record: a batch published but not yet committed. Files of a topic
//     without progress records (a job's tables) are read as listed. A file superseded by another
//     of its folder (lake::SupersededFiles: a compaction's merged file and its inputs, between the
//     merged file's publish and the inputs' deletion) is skipped too.
//  3. The tables the SQL names (query/table_needs.h) get their committed files, pruned by the Hive
//     folders the SQL's filters allow, fetched into the FileCache (bounded, LRU, keyed by key and
//     ETag) and hard-linked (else symlinked) into dir(). Files of tables the SQL does not name stay
//     as they were; files gone from the store or rewritten are unlinked or replaced.
// A table whose pruned file set would be empty keeps one file, so that its view still exists (its
// rows fail the filters that pruned it, so answers do not change).
// Threading: one thread (the Session's); downloads run on `parallel` threads inside Prepare.
// Lifetime: owns its store and cache; removes dir() when destroyed.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "base/result.h"
#include "lake/names.h"
#include "objstore/file_cache.h"
#include "objstore/object_store.h"
#include "query/lake_source.h"
#include "query/table_needs.h"

namespace el::query {

struct S3LakeOptions {
  std::filesystem::path cache_dir;  // default: objstore::DefaultCacheDir()
  int64_t cache_bytes = int64_t{4} << 30;
  int parallel = 8;      // downloads at once
  bool schemas = false;  // also fetch `_schema/` files
};

// What the last Prepare did.
struct FetchReport {
  int64_t listed_objects = 0;
  int64_t files_needed = 0;       // data files the SQL's tables needed after pruning
  int64_t files_skipped = 0;      // data files of those tables left out by pruning
  int64_t files_uncommitted = 0;  // data files past their progress record (never read)
  int64_t files_fetched = 0;      // downloaded
  int64_t bytes_fetched = 0;
  int64_t cache_hits = 0;
  double seconds = 0;  // the whole Prepare: listing, records, downloads, links
  std::string ToString() const;
};

class S3Lake final : public LakeSource {
 public:
  // Errors: IOError (the cache or mirror folder), InvalidArgument (options).
  static Result<std::unique_ptr<S3Lake>> Open(std::unique_ptr<objstore::ObjectStore> store,
                                              S3LakeOptions options);
  ~S3Lake() override;

  const std::filesystem::path& dir() const override { return mirror_; }
  Status Prepare(duck::Connection& con, std::string_view sql) override;
  std::vector<std::string> TableNames() const override { return tables_; }

  // Prepare for these tables (name -> need); what Prepare does after reading the SQL.
  Status Sync(const std::map<std::string, TableNeed>& needs);
  const FetchReport& last_report() const { return report_; }
  // The data files in dir() now: key -> the ETag of the object they are a copy of.
  std::map<std::string, std::string> LinkedFiles() const {
    std::map<std::string, std::string> out;
    for (const auto& [key, linked] : linked_) out[key] = linked.etag;
    return out;
  }
  objstore::ObjectStore& store() { return *store_; }
  objstore::FileCache& cache() { return *cache_; }

 private:
  struct Linked {
    std::string etag;
    std::filesystem::path cached;
  };
  struct Meta {
    std::string etag;
    std::string text;
  };
  S3Lake(std::unique_ptr<objstore::ObjectStore> store, std::unique_ptr<objstore::FileCache> cache,
         std::filesystem::path mirror, S3LakeOptions options)
      : store_(std::move(store)),
        cache_(std::move(cache)),
        mirror_(std::move(mirror)),
        options_(std::move(options)) {}

  // The object's text, fetched again only when its ETag changed.
  Result<std::string> Small(const objstore::ObjectInfo& info);
  Status WriteMirrorFile(const std::string& key, const std::string& text);
  Status Link(const objstore::ObjectInfo& info, const std::filesystem::path& cached);
  void Unlink(const std::string& key);

  std::unique_ptr<objstore::ObjectStore> store_;
  std::unique_ptr<objstore::FileCache> cache_;
  std::filesystem::path mirror_;
  S3LakeOptions options_;
  std::map<std::string, Meta> small_;     // key -> last text read (_format, _schema)
  std::map<std::string, Linked> linked_;  // data files in the mirror
  std::vector<std::string> tables_;
  FetchReport report_;
};

}  // namespace el::query
