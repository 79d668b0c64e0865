#pragma once
// Compact: merges the small Parquet files of a lake table's closed partitions. A closed partition
// is every Hive partition folder except those under the newest top-level value (`dt=` sorts by
// date; in a topic table partitioned by event type, the newest value below each type's folder); an
// unpartitioned table's (or type's) folder is closed as a whole. Within a folder, files are grouped
// by their source (`<topic>+<partition>+...`, see lake/names.h) and each group of two or more
// small files becomes one file named after the union of their offset ranges
// (`<topic>+<p>+<min first>-<max last>.parquet`), so progress read from file names is unchanged.
//
// Atomicity: the new folder content (merged files plus hard links of everything else) is built in
// a hidden sibling `_compact-<folder>` and swapped with the live folder by one
// renameat2(RENAME_EXCHANGE): a reader lists either the old files or the new ones, never both or
// neither. Files a lander publishes into the folder meanwhile are moved over after the swap. Where
// the swap is impossible (the folder holds sub-folders, e.g. a lander's staging, or the file
// system lacks RENAME_EXCHANGE) the merged file is renamed in and the old files are removed right
// after. Recovery (start of every run): leftover `_compact-*` folders give back visible files the
// live folder lacks, and a file whose range lies inside another file's range of the same source
// is removed (the merged file supersedes it), so a crash at any point leaves each event once.
// Threading: blocks the calling thread; run at most one compaction per table at a time.
#include <cstdint>
#include <string>

#include "base/result.h"

namespace el::jobs {

struct CompactOptions {
  std::string lake_dir;
  std::string table;
  int64_t small_file_bytes = 64LL << 20;  // files at least this large are left alone
};

struct CompactSummary {
  int64_t folders = 0;        // partition folders that were rewritten
  int64_t files_before = 0;   // visible data files in those folders before
  int64_t files_after = 0;    // ... and after
  int64_t rows = 0;           // rows in the merged files
  int64_t superseded = 0;     // files removed by recovery
  int64_t rewritten = 0;      // files brought to the latest schema's types (lake/publish.h)
  double seconds = 0;
};

// Errors: NotFound (no such table), FailedPrecondition (the table holds a file eventlake did not
// write or cannot read, or a folder that is not a partition: named in the message), IOError,
// Internal (DuckDB failed to read or write).
Result<CompactSummary> Compact(const CompactOptions& options);

// "compacted events: 3 partitions, 42 files -> 3 files, 1200 rows, 0.4 s" or
// "nothing to compact in events".
std::string FormatCompactSummary(const std::string& table, const CompactSummary& summary);

}  // namespace el::jobs
