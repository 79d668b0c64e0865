#pragma once
// LogManager: every partition log under one data directory, `<data_dir>/<topic>-<partition>/`.
// Holds an exclusive flock on `<data_dir>/.lock` for its lifetime, so two brokers never share a
// directory. Topic metadata is the directory tree itself: a topic's partition count is the number of
// its `<topic>-<n>` directories.
// Threading: thread-safe; topic create/delete are serialized, lookups run concurrently.
// Lifetime: create with Open, call Close on shutdown (writes the clean-shutdown marker); destroying it
// without Close is like a crash (data appended so far stays in the files, recovery runs next time).
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "base/result.h"
#include "io/file.h"
#include "storage/log_options.h"
#include "storage/partition_log.h"
#include "storage/producer_ids.h"
#include "storage/topic_config.h"

namespace el::storage {

struct TopicInfo {
  std::string name;
  int32_t partitions;
};

// What one maintenance pass did (EnforceRetention).
struct RetentionStats {
  size_t segments_deleted = 0;
  size_t errors = 0;
};

inline constexpr int32_t kMaxPartitions = 10000;

class LogManager {
 public:
  // Opens (creating if needed) `data_dir`, takes an exclusive lock on `<data_dir>/.lock` (flock; a
  // second broker on the same dir gets FailedPrecondition with a clear message), and opens every
  // partition found, running recovery. Directories that are not `<valid topic>-<number>` are ignored.
  static Result<std::unique_ptr<LogManager>> Open(std::string data_dir, LogOptions options = {});
  ~LogManager();

  // Errors: AlreadyExists, InvalidArgument (bad name: empty, ".", "..", > 249 chars, chars outside
  // [a-zA-Z0-9._-]; partitions < 1 or > kMaxPartitions), IOError, FailedPrecondition after Close.
  // `configs` (Kafka topic config names) override the broker defaults for this topic and are
  // persisted in each partition directory; InvalidArgument for a bad value of an applied config.
  Status CreateTopic(const std::string& topic, int32_t partitions, const TopicConfigs& configs = {});
  // The configs a topic was created with (empty if none); nullopt if the topic does not exist.
  std::optional<TopicConfigs> GetTopicConfigs(const std::string& topic) const;
  Status DeleteTopic(const std::string& topic);  // NotFound; removes the files
  std::vector<TopicInfo> ListTopics() const;      // sorted by name
  std::optional<TopicInfo> GetTopic(const std::string& topic) const;
  // nullptr if the topic or partition does not exist. Shared ownership because in-flight fetches may
  // still read a partition while its topic is being deleted.
  std::shared_ptr<PartitionLog> Get(const std::string& topic, int32_t partition) const;
  // A new idempotent-producer id, unique across restarts of this data dir (ProducerIdAllocator).
  Result<int64_t> AllocateProducerId() { return producer_ids_->Allocate(); }
  Status SyncAll();  // fsync every partition
  Status FlushDirty();  // fsync every partition with appends since its last fdatasync
  // Retention and time-based roll over every partition (PartitionLog::EnforceRetention); errors are
  // logged and counted, and never stop the pass.
  RetentionStats EnforceRetention(TimestampMs now);
  // SyncAll, then writes a clean-shutdown marker (next Open checks headers only) unless a write or
  // fdatasync failed during this run: then the next Open scans and verifies everything.
  Status Close();


  const std::string& data_dir() const { return data_dir_; }
  // The broker-wide defaults a topic's own configs override.
  const LogOptions& options() const { return options_; }
  // The time of every fdatasync of a partition log under this directory.
  const LatencyHistogram& fsync_latency() const { return fsync_latency_; }
  // The validation CreateTopic applies, for callers that want to check a name up front.
  static Status ValidateTopicName(const std::string& topic);

 private:
  using Partitions = std::vector<std::shared_ptr<PartitionLog>>;
  LogManager(std::string data_dir, LogOptions options, std::unique_ptr<io::FileLock> lock);
  Status LoadTopics(bool clean);
  std::string PartitionDir(const std::string& topic, int32_t partition) const;
  std::vector<std::shared_ptr<PartitionLog>> AllLogs() const;

  const std::string data_dir_;
  LatencyHistogram fsync_latency_;  // before options_, which points at it
  const LogOptions options_;
  std::unique_ptr<io::FileLock> lock_;  // released last (declared first of the mutable state)
  std::unique_ptr<ProducerIdAllocator> producer_ids_;  // set by Open
  std::mutex admin_mu_;                 // serializes CreateTopic, DeleteTopic and Close
  mutable std::shared_mutex mu_;        // guards topics_
  std::map<std::string, Partitions> topics_;  // GUARDED_BY(mu_)
  std::map<std::string, TopicConfigs> configs_;  // GUARDED_BY(mu_): only topics with configs
  std::atomic<bool> unclean_{false};  // an I/O error happened in a log since removed
  bool closed_ = false;                       // GUARDED_BY(admin_mu_)
};

}  // namespace el::storage
