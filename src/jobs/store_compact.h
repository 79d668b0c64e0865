#pragma once
// CompactStore: `eventlake compact TABLE --lake s3://...` (docs/formats/lake_on_s3.md,
// "Compaction"). The same plan as a local compaction (jobs/compact_plan.h: closed partitions,
// groups of small files of one source, merged name = union of their offset ranges), carried out
// without rename:
//  1. Lock: `_staging/_compact/<table>.lock`, created with If-None-Match: * (another compaction of
//     the table refuses to start); a lock whose holder is gone (same host, dead pid) or older than
//     `stale_lock_seconds` is taken over with If-Match on its ETag. Removed at the end.
//  2. Recovery: the unfinished uploads named by manifests `_staging/_compact/<table>/*.json` of
//     runs that died are aborted; files a merged file supersedes (lake::SupersededKeys) deleted.
//  3. The table's committed files are fetched into a local folder laid out as the lake (`fetch`,
//     query/s3_lake.h) and brought to the latest schema's types (lake::ConformTable; rewritten
//     files are put back under their keys).
//  4. Per closed folder: merge each group locally with DuckDB, write the manifest naming the merged
//     keys, upload them unfinished (multipart), check that no lander changed the table's schema
//     history or an input since it was fetched (else abort: nothing published), complete the
//     uploads, delete the inputs (DeleteObjects), delete the manifest.
// Between 4's completion and deletion a plain Hive reader sees both; `eventlake query` reads the
// merged file only (the superseded rule), and a crash there is finished by the next compaction's or
// landing's recovery. Threading: blocks the calling thread.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "base/result.h"
#include "jobs/compact.h"
#include "objstore/object_store.h"

namespace el::jobs {

struct StoreCompactOptions {
  std::string table;                      // as readers name it (an event type's table too)
  int64_t small_file_bytes = 64LL << 20;  // files at least this large are left alone
  int64_t stale_lock_seconds = 3600;
};

// The lake as a compaction reads it. `mirror` is a local folder laid out as the lake (tables,
// Hive folders, `_schema/` files, `_format`); `fetch(table)` makes it hold the committed files of
// the lake table `table` (a folder of the lake) and returns key -> ETag of the data files it holds.
struct StoreCompactLake {
  objstore::ObjectStore* store = nullptr;
  std::filesystem::path mirror;
  std::function<Result<std::map<std::string, std::string>>(const std::string& table)> fetch;
};

// Errors: NotFound (no such table), FailedPrecondition (another compaction holds the lock; a lander
// changed the table meanwhile; a file eventlake did not write), the store's errors, IOError,
// Internal (DuckDB).
Result<CompactSummary> CompactStore(const StoreCompactOptions& options, StoreCompactLake& lake);

}  // namespace el::jobs
