#include "collector/topic_router.h"

#include <mutex>

namespace el::collector {
namespace {
constexpr size_t kMaxTopicName = 249;
constexpr size_t kMaxTopics = 10000;  // bounds the cache against unbounded client-chosen types
}  // namespace

std::string TopicForType(std::string_view topic, std::string_view event_type) {
  std::string name(topic);
  name.push_back('.');
  if (event_type.empty()) event_type = "unknown";
  for (char c : event_type) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    name.push_back(ok ? c : '_');
  }
  if (name.size() > kMaxTopicName) name.resize(kMaxTopicName);
  return name;
}

TopicRouter::TopicRouter(rdk::Producer* producer, std::string topic, bool per_type)
    : producer_(producer), topic_(std::move(topic)), per_type_(per_type) {}

Status TopicRouter::Init() {
  EL_ASSIGN_OR_RETURN(default_, producer_->OpenTopic(topic_));
  return Status::Ok();
}

Result<rd_kafka_topic_t*> TopicRouter::For(std::string_view event_type) {
  if (!per_type_) return default_.get();
  std::string name = TopicForType(topic_, event_type);
  {
    std::shared_lock lock(mu_);
    auto it = by_type_.find(name);
    if (it != by_type_.end()) return it->second.get();
  }
  std::unique_lock lock(mu_);
  auto it = by_type_.find(name);
  if (it != by_type_.end()) return it->second.get();
  if (by_type_.size() >= kMaxTopics) {
    return InvalidArgument("too many event types for a topic each (at most " +
                           std::to_string(kMaxTopics) + ")");
  }
  EL_ASSIGN_OR_RETURN(rdk::TopicHandle handle, producer_->OpenTopic(name));
  rd_kafka_topic_t* raw = handle.get();
  by_type_.emplace(std::move(name), std::move(handle));
  return raw;
}

}  // namespace el::collector
