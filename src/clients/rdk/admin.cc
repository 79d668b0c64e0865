#include "clients/rdk/admin.h"

#include <algorithm>
#include <memory>

namespace el::rdk {
namespace {

struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const noexcept { rd_kafka_queue_destroy(q); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* e) const noexcept { rd_kafka_event_destroy(e); }
};
struct OptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* o) const noexcept { rd_kafka_AdminOptions_destroy(o); }
};
struct NewTopicDeleter {
  void operator()(rd_kafka_NewTopic_t* t) const noexcept { rd_kafka_NewTopic_destroy(t); }
};
struct DeleteTopicDeleter {
  void operator()(rd_kafka_DeleteTopic_t* t) const noexcept { rd_kafka_DeleteTopic_destroy(t); }
};
struct ConfigResourceDeleter {
  void operator()(rd_kafka_ConfigResource_t* r) const noexcept {
    rd_kafka_ConfigResource_destroy(r);
  }
};
struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* m) const noexcept { rd_kafka_metadata_destroy(m); }
};

Status FromKafkaError(rd_kafka_resp_err_t err, const std::string& context, const char* detail) {
  std::string msg = context + ": " + (detail && *detail ? detail : rd_kafka_err2str(err));
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR: return Status::Ok();
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: return AlreadyExists(msg);
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART: return NotFound(msg);
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_INVALID_REQUEST:
    case RD_KAFKA_RESP_ERR__INVALID_ARG: return InvalidArgument(msg);
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT: return DeadlineExceeded(msg);
    default: return Unavailable(msg);
  }
}

// Waits for the single result event of an admin call on `queue`.
Result<std::unique_ptr<rd_kafka_event_t, EventDeleter>> WaitEvent(rd_kafka_queue_t* queue,
                                                                  std::chrono::milliseconds timeout,
                                                                  const std::string& context) {
  // The admin call itself times out first (operation timeout); the extra second covers delivery.
  std::unique_ptr<rd_kafka_event_t, EventDeleter> ev(
      rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 1000));
  if (!ev) return DeadlineExceeded(context + ": no answer from the broker");
  if (rd_kafka_event_error(ev.get())) {
    return FromKafkaError(rd_kafka_event_error(ev.get()), context, rd_kafka_event_error_string(ev.get()));
  }
  return ev;
}

std::unique_ptr<rd_kafka_AdminOptions_t, OptionsDeleter> MakeOptions(rd_kafka_t* rk, rd_kafka_admin_op_t op,
                                                                     std::chrono::milliseconds timeout) {
  std::unique_ptr<rd_kafka_AdminOptions_t, OptionsDeleter> opts(rd_kafka_AdminOptions_new(rk, op));
  char err[256];
  rd_kafka_AdminOptions_set_request_timeout(opts.get(), static_cast<int>(timeout.count()), err, sizeof(err));
  rd_kafka_AdminOptions_set_operation_timeout(opts.get(), static_cast<int>(timeout.count()), err, sizeof(err));
  return opts;
}

}  // namespace

Result<Admin> Admin::Connect(const std::string& brokers, std::chrono::milliseconds timeout) {
  EL_ASSIGN_OR_RETURN(Conf conf, MakeConf({{"bootstrap.servers", brokers}, {"log_level", "3"}}));
  EL_ASSIGN_OR_RETURN(KafkaHandle handle, MakeHandle(RD_KAFKA_PRODUCER, std::move(conf)));
  return Admin(std::move(handle), timeout);
}

Status Admin::CreateTopic(const std::string& topic, int32_t partitions, int32_t replication_factor,
                          const std::map<std::string, std::string>& configs) {
  char err[512];
  std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter> nt(
      rd_kafka_NewTopic_new(topic.c_str(), partitions, replication_factor, err, sizeof(err)));
  if (!nt) return InvalidArgument("create topic " + topic + ": " + err);
  for (const auto& [name, value] : configs) {
    if (rd_kafka_NewTopic_set_config(nt.get(), name.c_str(), value.c_str()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return InvalidArgument("create topic " + topic + ": bad config " + name);
    }
  }
  std::unique_ptr<rd_kafka_queue_t, QueueDeleter> queue(rd_kafka_queue_new(handle_.get()));
  auto opts = MakeOptions(handle_.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout_);
  rd_kafka_NewTopic_t* list[] = {nt.get()};
  rd_kafka_CreateTopics(handle_.get(), list, 1, opts.get(), queue.get());
  EL_ASSIGN_OR_RETURN(auto ev, WaitEvent(queue.get(), timeout_, "create topic " + topic));
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &n);
  if (n != 1) return Unavailable("create topic " + topic + ": unexpected answer");
  return FromKafkaError(rd_kafka_topic_result_error(results[0]), "create topic " + topic,
                        rd_kafka_topic_result_error_string(results[0]));
}

Status Admin::DeleteTopic(const std::string& topic) {
  std::unique_ptr<rd_kafka_DeleteTopic_t, DeleteTopicDeleter> dt(rd_kafka_DeleteTopic_new(topic.c_str()));
  std::unique_ptr<rd_kafka_queue_t, QueueDeleter> queue(rd_kafka_queue_new(handle_.get()));
  auto opts = MakeOptions(handle_.get(), RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout_);
  rd_kafka_DeleteTopic_t* list[] = {dt.get()};
  rd_kafka_DeleteTopics(handle_.get(), list, 1, opts.get(), queue.get());
  EL_ASSIGN_OR_RETURN(auto ev, WaitEvent(queue.get(), timeout_, "delete topic " + topic));
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev.get()), &n);
  if (n != 1) return Unavailable("delete topic " + topic + ": unexpected answer");
  return FromKafkaError(rd_kafka_topic_result_error(results[0]), "delete topic " + topic,
                        rd_kafka_topic_result_error_string(results[0]));
}

Result<std::vector<ConfigEntry>> Admin::DescribeTopicConfigs(const std::string& topic) {
  std::string context = "describe configs of " + topic;
  std::unique_ptr<rd_kafka_ConfigResource_t, ConfigResourceDeleter> resource(
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
  std::unique_ptr<rd_kafka_queue_t, QueueDeleter> queue(rd_kafka_queue_new(handle_.get()));
  auto opts = MakeOptions(handle_.get(), RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout_);
  rd_kafka_ConfigResource_t* list[] = {resource.get()};
  rd_kafka_DescribeConfigs(handle_.get(), list, 1, opts.get(), queue.get());
  EL_ASSIGN_OR_RETURN(auto ev, WaitEvent(queue.get(), timeout_, context));
  size_t n = 0;
  const rd_kafka_ConfigResource_t** results = rd_kafka_DescribeConfigs_result_resources(
      rd_kafka_event_DescribeConfigs_result(ev.get()), &n);
  if (n != 1) return Unavailable(context + ": unexpected answer");
  EL_RETURN_IF_ERROR(FromKafkaError(rd_kafka_ConfigResource_error(results[0]), context,
                                    rd_kafka_ConfigResource_error_string(results[0])));
  size_t count = 0;
  const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(results[0], &count);
  std::vector<ConfigEntry> out;
  for (size_t i = 0; i < count; ++i) {
    const char* value = rd_kafka_ConfigEntry_value(entries[i]);
    out.push_back({rd_kafka_ConfigEntry_name(entries[i]), value != nullptr ? value : "",
                   rd_kafka_ConfigEntry_is_default(entries[i]) != 0,
                   rd_kafka_ConfigEntry_is_read_only(entries[i]) != 0});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Result<std::vector<TopicMetadata>> Admin::ListTopics() {
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(handle_.get(), /*all_topics=*/1, nullptr, &raw, static_cast<int>(timeout_.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromKafkaError(err, "metadata", nullptr);
  std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter> md(raw);
  std::vector<TopicMetadata> out;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = md->topics[i];
    TopicMetadata tm;
    tm.name = t.topic;
    if (t.err) tm.error = rd_kafka_err2str(t.err);
    for (int j = 0; j < t.partition_cnt; ++j) {
      const rd_kafka_metadata_partition_t& p = t.partitions[j];
      tm.partitions.push_back({p.id, p.leader, p.err ? rd_kafka_err2str(p.err) : ""});
    }
    std::sort(tm.partitions.begin(), tm.partitions.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    out.push_back(std::move(tm));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Result<TopicMetadata> Admin::DescribeTopic(const std::string& topic) {
  // An all-topics request never auto-creates, unlike a request naming the topic.
  EL_ASSIGN_OR_RETURN(auto all, ListTopics());
  for (auto& t : all) {
    if (t.name == topic) return std::move(t);
  }
  return NotFound("topic " + topic + " does not exist");
}

Result<std::pair<int64_t, int64_t>> Admin::Watermarks(const std::string& topic, int32_t partition) {
  int64_t low = -1, high = -1;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(handle_.get(), topic.c_str(), partition, &low,
                                                             &high, static_cast<int>(timeout_.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromKafkaError(err, "watermarks of " + topic, nullptr);
  return std::make_pair(low, high);
}

}  // namespace el::rdk
