#pragma once
// OffsetStore: committed consumer-group offsets, kept in memory and in one append-only, CRC-checked
// file `<data_dir>/consumer_offsets.log` (layout: docs/formats/offsets.md) so they survive restarts.
// Open() reads the file, stops at the first torn or corrupt record (logging the bytes dropped) and
// rewrites it compacted (latest record per group/topic/partition) via a temp file and rename.
// Threading: every method is thread-safe (one mutex). Commit() writes and fdatasyncs, so callers on
// io threads run it on the blocking pool. Lifetime: owned by the Coordinator.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "io/file.h"

namespace el::kafka::group {

struct CommittedOffset {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
  int64_t commit_time_ms = 0;
  bool operator==(const CommittedOffset&) const = default;
};

struct OffsetKey {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const OffsetKey&) const = default;
};

struct OffsetCommitEntry {
  OffsetKey key;
  CommittedOffset value;
};

class OffsetStore {
 public:
  static constexpr const char* kFileName = "consumer_offsets.log";
  // Errors: IOError when the file cannot be read, written or renamed.
  static Result<std::unique_ptr<OffsetStore>> Open(const std::string& data_dir);

  // Durable once this returns OK (write + fdatasync), then visible to Get.
  Status Commit(const std::string& group, const std::vector<OffsetCommitEntry>& entries);
  std::optional<CommittedOffset> Get(const std::string& group, const OffsetKey& key) const;
  std::map<OffsetKey, CommittedOffset> GetAll(const std::string& group) const;
  std::vector<std::string> Groups() const;

  // Record encoding, exposed for tests: crc32c | length | payload.
  static std::vector<uint8_t> EncodeRecord(const std::string& group, const OffsetCommitEntry& e);

 private:
  using Table = std::map<std::string, std::map<OffsetKey, CommittedOffset>>;
  OffsetStore(std::string path, std::unique_ptr<io::File> file, Table table)
      : path_(std::move(path)), file_(std::move(file)), table_(std::move(table)) {}
  static Result<Table> Load(const std::string& path);
  static Status WriteCompacted(const std::string& dir, const std::string& path, const Table& table);

  const std::string path_;
  mutable std::mutex mu_;
  std::unique_ptr<io::File> file_;  // GUARDED_BY(mu_)
  Table table_;                     // GUARDED_BY(mu_)
};

}  // namespace el::kafka::group
