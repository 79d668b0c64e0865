#include "storage/log_manager.h"

#include <cctype>

#include "base/log.h"
#include "io/dir.h"
#include "storage/data_format.h"

namespace el::storage {
namespace {

constexpr char kLockFile[] = ".lock";
constexpr char kCleanMarker[] = ".clean_shutdown";
constexpr char kDeletedPrefix[] = ".deleted-";

// "<topic>-<n>" -> (topic, n); the partition number follows the LAST '-'.
std::optional<std::pair<std::string, int32_t>> ParsePartitionDir(const std::string& name) {
  size_t dash = name.rfind('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == name.size()) return std::nullopt;
  std::string digits = name.substr(dash + 1);
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  int64_t n = 0;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    n = n * 10 + (c - '0');
    if (n >= kMaxPartitions) return std::nullopt;
  }
  std::string topic = name.substr(0, dash);
  if (!LogManager::ValidateTopicName(topic).ok()) return std::nullopt;
  return std::make_pair(topic, static_cast<int32_t>(n));
}

}  // namespace

Status LogManager::ValidateTopicName(const std::string& topic) {
  if (topic.empty() || topic == "." || topic == "..") {
    return InvalidArgument("invalid topic name '" + topic + "'");
  }
  if (topic.size() > 249) return InvalidArgument("topic name longer than 249 characters");
  for (char c : topic) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return InvalidArgument("topic name '" + topic +
                             "' has characters outside [a-zA-Z0-9._-]");
    }
  }
  return Status::Ok();
}

namespace {
LogOptions WithFsyncLatency(LogOptions options, LatencyHistogram* histogram) {
  options.fsync_latency = histogram;
  return options;
}
}  // namespace

LogManager::LogManager(std::string data_dir, LogOptions options, std::unique_ptr<io::FileLock> lock)
    : data_dir_(std::move(data_dir)),
      options_(WithFsyncLatency(options, &fsync_latency_)),
      lock_(std::move(lock)) {}

LogManager::~LogManager() = default;

Result<std::unique_ptr<LogManager>> LogManager::Open(std::string data_dir, LogOptions options) {
  EL_RETURN_IF_ERROR(io::CreateDirs(data_dir));
  // The lock file exists once any broker has used the directory: without it, the dir is new.
  bool fresh = !io::Exists(data_dir + "/" + kLockFile);
  EL_ASSIGN_OR_RETURN(auto lock, io::FileLock::Acquire(data_dir + "/" + kLockFile));
  // Before anything in the directory changes: a newer format is refused, not misread.
  EL_RETURN_IF_ERROR(CheckAndRecordLogFormat(data_dir));
  std::unique_ptr<LogManager> mgr(new LogManager(std::move(data_dir), options, std::move(lock)));
  std::string marker = mgr->data_dir_ + "/" + kCleanMarker;
  bool clean = io::Exists(marker);
  if (clean) {
    // From now on a crash must not look clean.
    EL_RETURN_IF_ERROR(io::RemoveFile(marker));
    EL_RETURN_IF_ERROR(io::SyncDir(mgr->data_dir_));
  }
  EL_RETURN_IF_ERROR(mgr->LoadTopics(clean));
  EL_ASSIGN_OR_RETURN(mgr->producer_ids_, ProducerIdAllocator::Open(mgr->data_dir_));
  if (fresh) {
    spdlog::info("storage: created new data directory {}", mgr->data_dir_);
  } else {
    spdlog::info("storage: opened {} ({} topics, {} shutdown)", mgr->data_dir_,
                 mgr->topics_.size(), clean ? "clean" : "unclean");
  }
  return mgr;
}

std::string LogManager::PartitionDir(const std::string& topic, int32_t partition) const {
  return data_dir_ + "/" + topic + "-" + std::to_string(partition);
}

Status LogManager::LoadTopics(bool clean) {
  EL_ASSIGN_OR_RETURN(auto entries, io::ListDir(data_dir_));
  std::map<std::string, std::map<int32_t, bool>> found;
  for (const auto& e : entries) {
    if (!e.is_dir) continue;
    if (e.name.starts_with(kDeletedPrefix)) {  // a delete interrupted by a crash
      EL_RETURN_IF_ERROR(io::RemoveAll(data_dir_ + "/" + e.name));
      continue;
    }
    auto parsed = ParsePartitionDir(e.name);
    if (!parsed) {
      spdlog::debug("storage: ignoring directory {}/{}", data_dir_, e.name);
      continue;
    }
    found[parsed->first][parsed->second] = true;
  }
  for (const auto& [topic, parts] : found) {
    int32_t count = parts.rbegin()->first + 1;
    TopicConfigs configs;
    if (parts.contains(0)) {
      auto read = ReadTopicConfigs(PartitionDir(topic, 0));
      if (!read.ok() && read.status().code() == StatusCode::kIOError) return read.status();
      if (!read.ok()) spdlog::warn("storage: topic {}: ignoring configs: {}", topic, read.status().ToString());
      if (read.ok()) configs = std::move(*read);
    }
    auto options = ApplyTopicConfigs(options_, configs);
    if (!options.ok()) {
      spdlog::warn("storage: topic {}: using broker defaults: {}", topic, options.status().ToString());
      options = options_;
    }
    if (!configs.empty()) configs_[topic] = configs;
    Partitions logs;
    for (int32_t p = 0; p < count; ++p) {
      std::string dir = PartitionDir(topic, p);
      if (!parts.contains(p)) {
        spdlog::warn("storage: topic {} lacks partition directory {}; recreating it empty", topic, p);
        EL_RETURN_IF_ERROR(io::CreateDirs(dir));
      }
      EL_ASSIGN_OR_RETURN(auto log, PartitionLog::Open(dir, *options, clean));
      logs.push_back(std::move(log));
    }
    topics_.emplace(topic, std::move(logs));
  }
  return Status::Ok();
}

Status LogManager::CreateTopic(const std::string& topic, int32_t partitions,
                               const TopicConfigs& configs) {
  EL_RETURN_IF_ERROR(ValidateTopicName(topic));
  EL_RETURN_IF_ERROR(CheckNewTopicConfigs(configs));
  EL_ASSIGN_OR_RETURN(LogOptions options, ApplyTopicConfigs(options_, configs));
  if (partitions < 1 || partitions > kMaxPartitions) {
    return InvalidArgument("partition count " + std::to_string(partitions) + " is outside [1, " +
                           std::to_string(kMaxPartitions) + "]");
  }
  std::lock_guard admin(admin_mu_);
  if (closed_) return FailedPrecondition("log manager is closed");
  {
    std::shared_lock lock(mu_);
    if (topics_.contains(topic)) return AlreadyExists("topic '" + topic + "' already exists");
  }
  Partitions logs;
  Status st;
  for (int32_t p = 0; p < partitions && st.ok(); ++p) {
    std::string dir = PartitionDir(topic, p);
    st = io::CreateDirs(dir);
    if (st.ok() && !configs.empty()) st = WriteTopicConfigs(dir, configs);
    if (!st.ok()) break;
    auto log = PartitionLog::Open(dir, options, /*clean=*/true);
    if (!log.ok()) st = log.status();
    else logs.push_back(std::move(log).value());
  }
  if (st.ok()) st = io::SyncDir(data_dir_);
  if (!st.ok()) {
    for (int32_t p = 0; p < partitions; ++p) (void)io::RemoveAll(PartitionDir(topic, p));
    return st;
  }
  std::unique_lock lock(mu_);
  topics_.emplace(topic, std::move(logs));
  if (!configs.empty()) configs_[topic] = configs;
  return Status::Ok();
}

std::optional<TopicConfigs> LogManager::GetTopicConfigs(const std::string& topic) const {
  std::shared_lock lock(mu_);
  if (!topics_.contains(topic)) return std::nullopt;
  auto it = configs_.find(topic);
  return it == configs_.end() ? TopicConfigs{} : it->second;
}

Status LogManager::DeleteTopic(const std::string& topic) {
  std::lock_guard admin(admin_mu_);
  Partitions logs;
  {
    std::unique_lock lock(mu_);
    auto it = topics_.find(topic);
    if (it == topics_.end()) return NotFound("topic '" + topic + "' does not exist");
    logs = std::move(it->second);
    topics_.erase(it);
    configs_.erase(topic);
  }
  for (auto& log : logs) {
    if (!log->healthy()) unclean_ = true;
    Status st = log->Close();  // refuse appends from holders of the shared_ptr
    if (!st.ok()) spdlog::warn("storage: closing {}: {}", log->dir(), st.ToString());
  }
  // Rename first (one atomic step per partition), so a crash never leaves a half-deleted partition
  // that looks like live data; Open removes leftovers.
  std::vector<std::string> doomed;
  for (size_t p = 0; p < logs.size(); ++p) {
    std::string to = data_dir_ + "/" + kDeletedPrefix + topic + "-" + std::to_string(p);
    EL_RETURN_IF_ERROR(io::RemoveAll(to));
    EL_RETURN_IF_ERROR(io::Rename(PartitionDir(topic, static_cast<int32_t>(p)), to));
    doomed.push_back(std::move(to));
  }
  EL_RETURN_IF_ERROR(io::SyncDir(data_dir_));
  for (const auto& dir : doomed) EL_RETURN_IF_ERROR(io::RemoveAll(dir));
  return Status::Ok();
}

std::vector<TopicInfo> LogManager::ListTopics() const {
  std::shared_lock lock(mu_);
  std::vector<TopicInfo> out;
  for (const auto& [name, logs] : topics_) out.push_back({name, static_cast<int32_t>(logs.size())});
  return out;
}

std::optional<TopicInfo> LogManager::GetTopic(const std::string& topic) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(topic);
  if (it == topics_.end()) return std::nullopt;
  return TopicInfo{it->first, static_cast<int32_t>(it->second.size())};
}

std::shared_ptr<PartitionLog> LogManager::Get(const std::string& topic, int32_t partition) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(topic);
  if (it == topics_.end() || partition < 0 ||
      static_cast<size_t>(partition) >= it->second.size()) {
    return nullptr;
  }
  return it->second[static_cast<size_t>(partition)];
}

std::vector<std::shared_ptr<PartitionLog>> LogManager::AllLogs() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<PartitionLog>> out;
  for (const auto& [name, logs] : topics_) out.insert(out.end(), logs.begin(), logs.end());
  return out;
}

Status LogManager::SyncAll() {
  for (const auto& log : AllLogs()) EL_RETURN_IF_ERROR(log->Sync());
  return Status::Ok();
}

Status LogManager::FlushDirty() {
  Status first;
  for (const auto& log : AllLogs()) {
    Status st = log->FlushIfDirty();
    if (!st.ok() && first.ok()) first = st;
  }
  return first;
}

RetentionStats LogManager::EnforceRetention(TimestampMs now) {
  RetentionStats stats;
  for (const auto& log : AllLogs()) {
    auto deleted = log->EnforceRetention(now);
    if (deleted.ok()) {
      stats.segments_deleted += *deleted;
    } else {
      ++stats.errors;
      spdlog::error("storage: retention on {}: {}", log->dir(), deleted.status().ToString());
    }
  }
  return stats;
}

Status LogManager::Close() {
  std::lock_guard admin(admin_mu_);
  if (closed_) return Status::Ok();
  closed_ = true;
  bool healthy = !unclean_;
  for (const auto& log : AllLogs()) {
    if (!log->healthy()) healthy = false;
    EL_RETURN_IF_ERROR(log->Close());
  }
  if (!healthy) {
    spdlog::warn("storage: an I/O error happened during this run; not marking the shutdown clean");
    return Status::Ok();
  }
  return io::WriteFileDurably(data_dir_ + "/" + kCleanMarker, "clean\n");
}

}  // namespace el::storage
