#pragma once
// Lake naming and publishing. A table is a folder LAKE/<table>/ of Parquet files; names starting
// with '_' or '.' are invisible to readers (staging folders, _SUCCESS). A data file is named after
// the source range it holds, `<topic>+<partition>+<first>-<last>.parquet`, so a replay of the same
// range replaces the file instead of duplicating it.
// Threading: free functions, no shared state. All errors are IOError with the path and errno text.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace el::jobs {

// Lower-cases and maps every character outside [a-z0-9_] to '_'; "" becomes "empty". A result
// longer than kMaxSanitizedName keeps its first characters plus '_' and 8 hex digits of a hash of
// `value` (FNV-1a, the same in every run), so that table folders stay valid file names.
constexpr size_t kMaxSanitizedName = 64;
std::string SanitizeName(std::string_view value);

// `<topic>+<partition>+<first>-<last>.parquet`.
std::string DataFileName(std::string_view topic, int32_t partition, int64_t first, int64_t last);

struct DataFileRange {
  int32_t partition = 0;
  int64_t first = 0;
  int64_t last = 0;
};
// Parses a DataFileName of `topic`; nullopt for any other name.
std::optional<DataFileRange> ParseDataFileName(std::string_view topic, std::string_view name);

// Visible Parquet files directly in `table_dir` (sorted), empty when the folder is absent.
std::vector<std::filesystem::path> ListDataFiles(const std::filesystem::path& table_dir);

// Visible Parquet files at any depth under `table_dir` (Hive partition folders included; hidden
// folders skipped), sorted.
std::vector<std::filesystem::path> ListDataFilesRecursive(const std::filesystem::path& table_dir);

// Visible table folders of the lake (names not starting with '_' or '.'), sorted.
std::vector<std::string> ListTables(const std::filesystem::path& lake_dir);

// Makes `dir` and its parents exist. Errors: IOError.
Status MakeDirs(const std::filesystem::path& dir);

// fsyncs a directory so that renames inside it are durable. Errors: IOError.
Status SyncDir(const std::filesystem::path& dir);

// Moves every file of `staging_dir` (at any depth: Hive partition folders keep their relative
// path) into its parent table folder (rename, atomic per file), then, when `replace` is set,
// deletes the table's other data files at any depth (and partition folders left empty); writes
// `_SUCCESS` in the table folder and in every partition folder that received files, fsyncs the
// folders and removes the staging folder. Returns the number of files moved.
Result<int64_t> PublishStaged(const std::filesystem::path& staging_dir, bool replace);

}  // namespace el::jobs

namespace el::jobs {

// An exclusive flock(2) on a file, held until destruction; the kernel drops it when the process
// dies, so a lock left by a killed lander never blocks the next one. Move-only.
class FileLock {
 public:
  // Creates `path` when missing and locks it, waiting when `wait`, else failing at once with
  // Unavailable when another process holds it. Errors: IOError, Unavailable.
  static Result<FileLock> Acquire(const std::filesystem::path& path, bool wait);
  FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileLock& operator=(FileLock&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// The lock every lander of `staging_key` holds while it recovers or publishes, so that
// recovery never removes files another lander is publishing: LAKE/_staging/<staging_key>.lock.
std::filesystem::path PublishLockPath(const std::filesystem::path& lake_dir, const std::string& staging_key);
// The lock a running lander holds for its whole life: its staging folders and files
// (`<staging_key>-<pid>-<seq>`) are never recovered while it lives:
// LAKE/_staging/<staging_key>/<pid>.owner.
std::filesystem::path OwnerLockPath(const std::filesystem::path& lake_dir, const std::string& staging_key);

// Whether a lander of `staging_key` ended without cleaning up after itself (its owner file is no
// longer locked): a batch it was publishing may have left files behind. Call it holding the
// PublishLockPath lock, then recover.
bool LanderGone(const std::filesystem::path& lake_dir, const std::string& staging_key);

// partition -> next offset (last landed offset + 1) according to the data files of `topic` at
// any depth of `commit_dir`.
std::map<int32_t, int64_t> CommittedOffsets(const std::filesystem::path& commit_dir, const std::string& topic);

// Default layout progress records. A batch in which a partition held only dead letters leaves no
// file in the topic's table, so after each publish the lander also records partition -> next
// offset in LAKE/_progress/<topic>/<partition>.next (decimal text, replaced atomically). With
// `exact` (an overwrite run replaced the table) the records become `next` (others removed),
// otherwise each only moves forward. Errors: IOError.
Status WriteTopicProgress(const std::filesystem::path& lake_dir, const std::string& topic,
                          const std::map<int32_t, int64_t>& next, bool exact);
// The default layout's committed offsets: the topic table's file names and the progress records,
// whichever is further.
std::map<int32_t, int64_t> TopicCommitted(const std::filesystem::path& lake_dir, const std::string& topic);

// Recovery for `topic` before a run: removes leftover staging folders of the topic
// (`LAKE/_staging/<topic>/`, `LAKE/*/_staging-<topic>-*`), reads the committed progress from the
// topic's table (file names: partition -> last offset + 1), and deletes data files of the topic
// in other tables whose range starts at or after that point (a batch that was staged into some
// tables but never committed to the topic's table). Returns partition -> next offset.
Result<std::map<int32_t, int64_t>> RecoverTopic(const std::filesystem::path& lake_dir,
                                                 const std::string& topic,
                                                 const std::set<int32_t>* partitions = nullptr);

// The general form: progress is read from the data files in `commit_dir` (a table folder or a
// job's hidden progress folder; when it is the topic's own table, as TopicCommitted). Staging
// leftovers of landers that no longer run (folders `_staging-<staging_key>-<pid>-*`, entries of
// `LAKE/_staging/<staging_key>/`) are removed; this process's own count as leftovers in a full
// recovery and as running with `partitions`. Uncommitted files of `topic` are removed at any depth
// of the table folders in `tables` only. With `partitions`, only those partitions are recovered
// (the others may belong to landers running now). Call it holding the PublishLockPath lock.
Result<std::map<int32_t, int64_t>> RecoverRange(const std::filesystem::path& lake_dir,
                                                const std::string& topic,
                                                const std::filesystem::path& commit_dir,
                                                const std::string& staging_key,
                                                const std::vector<std::string>& tables,
                                                const std::set<int32_t>* partitions = nullptr);

}  // namespace el::jobs
