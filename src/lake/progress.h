#pragma once
// How far the lake has landed a topic. The lake is the source of truth for progress:
//   - a table's data file names (`<topic>+<p>+<first>-<last>.parquet`) say what it holds;
//   - a job commits a batch with one progress file per partition in LAKE/_jobs/<job>/;
//   - the default layout also keeps LAKE/_progress/<topic>/<partition>.next (decimal text), since
//     a batch in which a partition held only dead letters leaves no file in the topic's table.
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

// The default layout's progress: the topic table's file names and the progress records,
// whichever is further.
Result<NextOffsets> TopicCommitted(const std::filesystem::path& lake_dir, const std::string& topic);

// Records `next` in LAKE/_progress/<topic>/. With `exact` (an overwrite run replaced the table) the
// records become `next` (others removed); otherwise each only moves forward. Errors: IOError.
Status WriteTopicProgress(const std::filesystem::path& lake_dir, const std::string& topic,
                          const NextOffsets& next, bool exact);

}  // namespace el::lake
