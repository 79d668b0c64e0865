#pragma once
// How far the lake has landed a topic. The lake is the source of truth for progress:
//   - a table's data file names (`<topic>+<p>+<first>-<last>.parquet`) say what it holds;
//   - a job commits a batch with one progress file per partition in LAKE/_jobs/<job>/;
//   - the default layout keeps LAKE/_progress/<topic>/<partition>.next (decimal text), written once
//     every table of a batch is published: in lake format 2 these records alone commit a batch (a
//     range's files spread over event-type and time folders, so no one file can); in format 1 the
//     topic table's file names count too.
// Every function fails with IOError when it cannot list or read what it needs: a failed read
// never counts as "nothing landed".
// Threading: free functions; writers of one topic hold its publish lock (lake/locks.h).
#include <filesystem>
#include <string>

#include "base/result.h"
#include "lake/names.h"

namespace el::lake {

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
