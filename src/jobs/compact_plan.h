#pragma once
// What `eventlake compact` merges, shared by the local lake's compaction (jobs/compact.h) and the
// S3 lake's (jobs/store_compact.h): the table's closed partition folders, the groups of small files
// of one source in each, the merged file's name (the union of the group's offset ranges) and the
// merge itself (DuckDB, ordered by offset, row counts checked). The rules are in compact.h's
// header. Threading: free functions; a Connection is used by one thread.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "clients/duck/duck.h"
#include "lake/names.h"

namespace el::jobs {

// A data file's source: `<topic>+<partition>+<first>-<last>[_<i>].parquet`.
struct CompactSource {
  std::string topic;
  lake::DataFileRange range;
};
std::optional<CompactSource> ParseCompactSource(const std::string& name);

using CompactGroupKey = std::pair<std::string, int32_t>;  // topic, partition

// A folder holding visible data files: its files by source, and its sub-folders.
struct CompactLeaf {
  std::filesystem::path dir;
  std::map<CompactGroupKey, std::vector<std::filesystem::path>> groups;
  std::vector<std::filesystem::path> subdirs;  // e.g. _schema; a lander's _staging-* forbids a swap
  bool busy = false;
};
Result<CompactLeaf> ReadCompactLeaf(const std::filesystem::path& dir);

// Closed folders of a table: every folder that directly holds data files, except those under the
// newest first-level partition value of their base (the table folder, or an event type's folder).
Result<std::vector<std::filesystem::path>> ClosedLeaves(const std::filesystem::path& table_dir);

// The groups of `leaf` to merge: two or more files below `small_file_bytes` of one source, unless
// their union range is the range of one of them (the parts `_<i>` of one range: the merged file
// would take a name it cannot supersede).
std::map<CompactGroupKey, std::vector<std::filesystem::path>> SmallGroups(const CompactLeaf& leaf,
                                                                          int64_t small_file_bytes);

// `<topic>+<p>+<min first>-<max last>.parquet` of a group.
std::string MergedName(const CompactGroupKey& key, const std::vector<std::filesystem::path>& files);

// Writes the rows of `files`, ordered by offset, to `out` (through a hidden temp file beside it);
// returns the row count, checked against the inputs'. Errors: Internal, IOError.
Result<int64_t> MergeFiles(duck::Connection& con, const std::vector<std::filesystem::path>& files,
                           const std::filesystem::path& out);

// The folders of a table as readers name it: `table_dir` and, for an event type's table, the type
// folders (`only`) inside its topic's table.
struct CompactScope {
  std::filesystem::path table_dir;
  std::vector<std::filesystem::path> only;
  bool Wants(const std::filesystem::path& leaf) const;
};
// Errors: NotFound (no such table; `lake_name` names the lake in the message), IOError.
Result<CompactScope> ResolveCompactTable(const std::filesystem::path& lake,
                                         const std::string& table, const std::string& lake_name);

// Refuses (FailedPrecondition, naming the entry) a table holding a file eventlake did not write, a
// file DuckDB cannot read or a visible folder that is not a partition (`key=value`): readers would
// choke on it, and merging around it would hide it.
Status CheckOnlyLakeFiles(duck::Connection& con, const std::string& table,
                          const std::filesystem::path& table_dir);

}  // namespace el::jobs
