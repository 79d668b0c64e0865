#include "lake/recovery.h"

#include <unistd.h>

#include <charconv>

#include "base/log.h"
#include "lake/layout.h"
#include "lake/listing.h"
#include "lake/locks.h"
#include "lake/progress.h"

namespace el::lake {
namespace fs = std::filesystem;

namespace {

// Whether staging item `name` (`<prefix><pid>-...`) belongs to a lander that is still running:
// another process that holds its owner lock in `owners`. Names whose pid does not parse belong to
// another staging key that shares the prefix: kept.
bool OwnerRunning(const fs::path& owners, std::string_view name, std::string_view prefix,
                  bool own_running) {
  std::string_view rest = name.substr(prefix.size());
  rest = rest.substr(0, rest.find_first_of("-."));
  int64_t pid = 0;
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
  if (rest.empty() || ec != std::errc() || ptr != rest.data() + rest.size()) return true;
  if (pid == ::getpid()) return own_running;
  fs::path lock = owners / (std::to_string(pid) + ".owner");
  std::error_code exists_ec;
  if (!fs::exists(lock, exists_ec)) return false;
  auto held = FileLock::Acquire(lock, false);
  return !held.ok() && held.status().code() == StatusCode::kUnavailable;
}

// Removes the staging items of landers that are gone, then their owner files.
Status RemoveLeftovers(const fs::path& owners, const std::string& prefix, bool own_running) {
  EL_ASSIGN_OR_RETURN(auto names, ListNames(owners));
  std::string mine = std::to_string(::getpid()) + ".owner";
  for (const std::string& name : names) {
    if (name.rfind(prefix, 0) == 0 && !OwnerRunning(owners, name, prefix, own_running)) {
      EL_RETURN_IF_ERROR(Remove(owners / name));
    } else if (name.size() > 6 && name.substr(name.size() - 6) == ".owner" && name != mine &&
               FileLock::Acquire(owners / name, false).ok()) {
      EL_RETURN_IF_ERROR(Remove(owners / name));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<NextOffsets> RecoverRange(const RecoverySpec& spec) {
  bool own_running = spec.partitions != nullptr;  // a group assignment: this process is running
  EL_RETURN_IF_ERROR(RemoveLeftovers(StagingRoot(spec.lake_dir, spec.staging_key),
                                     spec.staging_key + "-", own_running));
  bool topic_table = spec.commit_dir == spec.lake_dir / spec.topic;
  // Format 2 commits the topic's table through its progress records: its files past them are
  // uncommitted like any other table's.
  bool records_commit = false;
  if (topic_table) {
    EL_ASSIGN_OR_RETURN(int format, ReadLakeFormat(spec.lake_dir));
    records_commit = format >= 2;
  }
  EL_ASSIGN_OR_RETURN(NextOffsets next, topic_table
                                            ? TopicCommitted(spec.lake_dir, spec.topic)
                                            : CommittedOffsets(spec.commit_dir, spec.topic));
  auto mine = [&](int32_t p) {
    return spec.partitions == nullptr || spec.partitions->count(p) != 0;
  };
  // Every table is listed before anything is removed.
  std::vector<fs::path> uncommitted;
  for (const std::string& table : spec.tables) {
    if (spec.lake_dir / table == spec.commit_dir && !records_commit) continue;
    EL_ASSIGN_OR_RETURN(auto files, ListDataFilesRecursive(spec.lake_dir / table));
    for (const fs::path& file : files) {
      auto range = ParseDataFileName(spec.topic, file.filename().string());
      if (!range || !mine(range->partition)) continue;
      auto it = next.find(range->partition);
      if (it == next.end() || range->first >= it->second) uncommitted.push_back(file);
    }
  }
  for (const fs::path& file : uncommitted) {
    spdlog::warn("removing {}: its batch was never committed", file.string());
    EL_RETURN_IF_ERROR(Remove(file));
  }
  if (spec.partitions != nullptr)
    std::erase_if(next, [&](const auto& kv) { return !mine(kv.first); });
  return next;
}

Result<NextOffsets> RecoverTopic(const fs::path& lake_dir, const std::string& topic,
                                 const std::set<int32_t>* partitions) {
  RecoverySpec spec{lake_dir, topic, lake_dir / topic, topic, {}, partitions};
  EL_ASSIGN_OR_RETURN(auto tables, ListTables(lake_dir));
  for (const std::string& t : tables) {
    if (t == topic || t.rfind(topic + "_", 0) == 0) spec.tables.push_back(t);
  }
  return RecoverRange(spec);
}

}  // namespace el::lake
