#pragma once
// BatchParts: a batch run's records staged in parts, published as one batch. While DuckDB writes
// one part's files (jobs/batch_writer.h), the lander reads and parses the next, and each part's
// records stay in memory (no spill file) until its files are written. Merge() then gathers every
// part's staged files into one staging folder per table, as one batch staged at once would have
// them (a file per part and event type, named after the part's offset range), so that a single
// publish commits the run: readers see all of it or none of it.
// Types are inferred per part, so a later part can widen a column (INTEGER -> BIGINT, a type ->
// JSON): Merge() takes the columns of every part merged (lake/schema_history.h's MergeColumns)
// and rewrites the files of an earlier part that hold a column in a type the merged one cannot
// read as is (lake/publish.h's ConformFiles; a rare case, on the records' own files).
// Threading: one thread. Lifetime: removes its folder (every part's staging) when destroyed.
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "clients/duck/duck.h"
#include "jobs/batch_writer.h"

namespace el::jobs {

class BatchParts {
 public:
  // `root`: a staging folder of the lander's own (LakeTarget::NextBatchDir); parts go below it.
  // `last_table`: the table StageBatch puts last (the topic's table), kept last.
  BatchParts(std::filesystem::path root, std::string last_table)
      : root_(std::move(root)), last_table_(std::move(last_table)) {}
  ~BatchParts();
  BatchParts(const BatchParts&) = delete;
  BatchParts& operator=(const BatchParts&) = delete;

  const std::filesystem::path& root() const { return root_; }
  // The staging folder of the next part (a fresh name each call).
  std::filesystem::path NextDir();
  // A part whose files StageBatch wrote (in publish order, as it returns them).
  void Add(std::vector<StagedTable> staged) { parts_.push_back(std::move(staged)); }
  size_t size() const { return parts_.size(); }

  // Every part's files as one batch: the tables in publish order (each at the place of its first
  // appearance, `last_table` last), staged under
  // <root>/all/<table>. Errors: IOError, Internal (a part's file could not be rewritten).
  Result<std::vector<StagedTable>> Merge(duck::Connection& con);

 private:
  std::filesystem::path root_;
  std::string last_table_;
  size_t next_ = 0;
  std::vector<std::vector<StagedTable>> parts_;
};

}  // namespace el::jobs
