#pragma once
// How far the lake has landed a topic. The lake is the source of truth for progress:
//   - a table's data file names (`<topic>+<p>+<first>-<last>.parquet`) say what it holds;
//   - a job commits a batch with one progress file per partition in LAKE/_jobs/<job>/;
//   - the default layout keeps LAKE/_progress/<topic>/<partition>.next (a progress record, below),
//   written once
//     every table of a batch is published: in lake format 2 these records alone commit a batch (a
//     range's files spread over event-type and time folders, so no one file can); in format 1 the
//     topic table's file names count too.
// Every function fails with IOError when it cannot list or read what it needs: a failed read
// never counts as "nothing landed".
// Threading: free functions; writers of one topic hold its publish lock (lake/locks.h).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "lake/names.h"

namespace el::lake {

// A progress record's text: the next offset (decimal) or `none` on its first line; an S3 lake's
// records name the lander that claimed the partition on a second line, `owner=<lander>
// epoch=<n>` (docs/formats/lake_on_s3.md). A record of one line (a local lake's, or an S3 lake's
// written before claims) has no owner.
struct ProgressRecord {
  std::optional<int64_t> next;  // nullopt: claimed, nothing landed yet
  std::string owner;            // "" when the record names none
  int64_t epoch = 0;            // how many claims the partition has seen
};
// Errors: DataLoss (not a record).
Result<ProgressRecord> ParseProgressRecord(std::string_view text);
std::string ProgressRecordText(const ProgressRecord& record);

// Partition -> next offset according to the data files of `topic` at any depth of `dir`.
Result<NextOffsets> CommittedOffsets(const std::filesystem::path& dir, const std::string& topic);

// The default layout's progress: the progress records (format 1: or the topic table's file names,
// whichever is further).
Result<NextOffsets> TopicCommitted(const std::filesystem::path& lake_dir, const std::string& topic);

// Records `next` in LAKE/_progress/<topic>/. With `exact` (an overwrite run replaced the table) the
// records become `next` (others removed); otherwise each only moves forward. Errors: IOError.
Status WriteTopicProgress(const std::filesystem::path& lake_dir, const std::string& topic,
                          const NextOffsets& next, bool exact);

}  // namespace el::lake
