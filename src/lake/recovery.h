#pragma once
// Recovery before a lander lands: what crashed landers left behind is removed, and the lake's
// progress is read back. A batch publishes its tables one by one and its commit table last (the
// topic's table, or the job's progress folder), so files of a batch that never reached its commit
// table are uncommitted: recovery removes them. Nothing is removed unless every listing it needs
// succeeded: a failed listing is an error, never "nothing committed".
// Threading: call it holding the staging key's publish lock (lake/locks.h).
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "lake/names.h"

namespace el::lake {

struct RecoverySpec {
  std::filesystem::path lake_dir;
  std::string topic;
  // Where progress is read: the topic's table (default layout, with its progress records) or a
  // job's progress folder.
  std::filesystem::path commit_dir;
  std::string staging_key;
  // Tables whose uncommitted files of `topic` are removed (at any depth).
  std::vector<std::string> tables;
  // Only these partitions are recovered (the others may belong to landers running now); all when
  // null. With partitions, this process's own staging counts as running.
  const std::set<int32_t>* partitions = nullptr;
};

// Removes the staging of landers that no longer run (LAKE/_staging/<key>/<key>-<pid>-*, and the
// owner files they left) and the uncommitted files of `topic` in `tables`; returns partition ->
// next offset according to the lake (of `partitions` only, when given). Errors: IOError.
Result<NextOffsets> RecoverRange(const RecoverySpec& spec);

// The default layout: the topic's table and every `<topic>_*` table, committed through the
// topic's table and progress records.
Result<NextOffsets> RecoverTopic(const std::filesystem::path& lake_dir, const std::string& topic,
                                 const std::set<int32_t>* partitions = nullptr);

}  // namespace el::lake
