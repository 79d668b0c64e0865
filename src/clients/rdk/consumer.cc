#include "clients/rdk/consumer.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "base/log.h"

namespace el::rdk {
namespace {

std::map<std::string, std::string> BaseProperties(const std::string& brokers,
                                                  const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> props = {
      {"bootstrap.servers", brokers},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "true"},
      {"auto.offset.reset", "earliest"},
      {"allow.auto.create.topics", "false"},
      {"log.connection.close", "false"},
      {"topic.metadata.refresh.interval.ms", "10000"},
      // librdkafka stops fetching once its queue holds this many messages and resumes only at
      // its broker thread's next wake-up, not when the application drains the queue; at the
      // default (100000) a fast reader of small events idles about half of the time. The byte
      // bound below still caps the queue's memory.
      {"queued.min.messages", "1000000"},
      {"queued.max.messages.kbytes", "131072"},
  };
  for (const auto& [k, v] : extra) props[k] = v;
  return props;
}

// `topic`'s partitions with an offset each.
TopicPartitionList PartitionList(const std::string& topic, const std::map<int32_t, int64_t>& offsets) {
  TopicPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [partition, offset] : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = offset;
  }
  return list;
}

void LogCommit(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*, void*) {
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    spdlog::warn("consumer group offset commit failed: {}", rd_kafka_err2str(err));
  }
}

}  // namespace

struct Consumer::Member {
  RebalanceListener* listener = nullptr;
  Status error;          // first listener error not yet taken
  bool closing = false;  // the destructor runs: revocations only unassign
};

Consumer::Consumer(KafkaHandle handle, std::unique_ptr<Member> member)
    : member_(std::move(member)), handle_(std::move(handle)) {}
Consumer::Consumer(Consumer&&) noexcept = default;
Consumer& Consumer::operator=(Consumer&&) noexcept = default;

Result<Consumer> Consumer::Create(const std::string& brokers,
                                  const std::map<std::string, std::string>& extra) {
  EL_ASSIGN_OR_RETURN(Conf conf, MakeConf(BaseProperties(brokers, extra)));
  EL_ASSIGN_OR_RETURN(KafkaHandle handle, MakeHandle(RD_KAFKA_CONSUMER, std::move(conf)));
  return Consumer(std::move(handle), nullptr);
}

Result<Consumer> Consumer::CreateMember(const std::string& brokers, const std::string& group,
                                        RebalanceListener* listener,
                                        const std::map<std::string, std::string>& extra) {
  if (group.empty()) return InvalidArgument("a consumer group name is required");
  auto props = BaseProperties(brokers, extra);
  props["group.id"] = group;
  props.emplace("partition.assignment.strategy", "range,roundrobin");  // eager rebalances
  EL_ASSIGN_OR_RETURN(Conf conf, MakeConf(props));
  auto member = std::make_unique<Member>();
  member->listener = listener;
  rd_kafka_conf_set_opaque(conf.get(), member.get());
  rd_kafka_conf_set_rebalance_cb(conf.get(), &Consumer::OnRebalance);
  rd_kafka_conf_set_offset_commit_cb(conf.get(), &LogCommit);
  EL_ASSIGN_OR_RETURN(KafkaHandle handle, MakeHandle(RD_KAFKA_CONSUMER, std::move(conf)));
  return Consumer(std::move(handle), std::move(member));
}

Consumer::~Consumer() {
  if (member_ != nullptr) member_->closing = true;
  if (handle_ != nullptr) rd_kafka_consumer_close(handle_.get());
}

void Consumer::OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                           void* opaque) {
  auto* member = static_cast<Member*>(opaque);
  std::string topic = parts->cnt > 0 ? parts->elems[0].topic : "";
  std::vector<int32_t> ids;
  for (int i = 0; i < parts->cnt; ++i) ids.push_back(parts->elems[i].partition);
  auto keep = [&](const Status& st) {
    if (!st.ok() && member->error.ok()) member->error = st;
  };
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS && !member->closing) {
    auto starts = member->listener->OnAssigned(topic, ids);
    if (!starts.ok()) {
      keep(starts.status());
      rd_kafka_assign(rk, nullptr);
      return;
    }
    for (int i = 0; i < parts->cnt; ++i) {
      auto it = starts->find(parts->elems[i].partition);
      parts->elems[i].offset = it != starts->end() ? it->second : RD_KAFKA_OFFSET_END;
    }
    rd_kafka_assign(rk, parts);
    return;
  }
  if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && !member->closing) {
    keep(member->listener->OnRevoked(topic, ids));
  } else if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    spdlog::warn("consumer group rebalance failed: {}", rd_kafka_err2str(err));
  }
  rd_kafka_assign(rk, nullptr);
}

Status Consumer::Subscribe(const std::string& topic) {
  if (member_ == nullptr) return Internal("subscribe needs a consumer group member");
  TopicPartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(handle_.get(), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Internal(std::string("subscribe: ") + rd_kafka_err2str(err));
  return Status::Ok();
}

Status Consumer::Seek(const std::string& topic, const std::map<int32_t, int64_t>& next) {
  TopicPartitionList list = PartitionList(topic, next);
  rd_kafka_error_t* error = rd_kafka_seek_partitions(handle_.get(), list.get(), 0);
  if (error != nullptr) {
    std::string text = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    return Internal("seek: " + text);
  }
  for (int i = 0; i < list->cnt; ++i) {
    rd_kafka_resp_err_t err = list->elems[i].err;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__IN_PROGRESS) {
      return Internal(std::string("seek: ") + rd_kafka_err2str(err));
    }
  }
  return Status::Ok();
}

Status Consumer::Commit(const std::string& topic, const std::map<int32_t, int64_t>& next) {
  if (next.empty()) return Status::Ok();
  TopicPartitionList list = PartitionList(topic, next);
  rd_kafka_resp_err_t err = rd_kafka_commit(handle_.get(), list.get(), 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Internal(std::string("commit: ") + rd_kafka_err2str(err));
  return Status::Ok();
}

Status Consumer::TakeRebalanceError() {
  if (member_ == nullptr) return Status::Ok();
  return std::exchange(member_->error, Status::Ok());
}

Result<std::vector<int32_t>> Consumer::Partitions(const std::string& topic,
                                                  std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(handle_.get(), topic.c_str(), nullptr);
  if (rkt == nullptr) return InvalidArgument("bad topic name: " + topic);
  Status last = Unavailable("no broker answered");
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err =
        rd_kafka_metadata(handle_.get(), 0, rkt, &md, static_cast<int>(left.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      last = Unavailable(std::string("cannot reach the brokers: ") + rd_kafka_err2str(err));
      break;
    }
    std::vector<int32_t> ids;
    rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    for (int i = 0; i < md->topic_cnt; ++i) {
      if (topic != md->topics[i].topic) continue;
      topic_err = md->topics[i].err;
      for (int p = 0; p < md->topics[i].partition_cnt; ++p) ids.push_back(md->topics[i].partitions[p].id);
    }
    rd_kafka_metadata_destroy(md);
    if (topic_err == RD_KAFKA_RESP_ERR_NO_ERROR && !ids.empty()) {
      rd_kafka_topic_destroy(rkt);
      std::sort(ids.begin(), ids.end());
      return ids;
    }
    if (topic_err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
      last = NotFound("unknown topic " + topic);
      break;
    }
    last = Unavailable("topic " + topic + ": " + rd_kafka_err2str(topic_err));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // e.g. leader not yet elected
  }
  rd_kafka_topic_destroy(rkt);
  return last;
}

Result<Watermarks> Consumer::QueryWatermarks(const std::string& topic, int32_t partition,
                                             std::chrono::milliseconds timeout) {
  Watermarks w;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
      handle_.get(), topic.c_str(), partition, &w.low, &w.high, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unavailable("watermarks of " + topic + "[" + std::to_string(partition) +
                       "]: " + rd_kafka_err2str(err));
  }
  return w;
}

std::optional<int64_t> Consumer::CachedHighWatermark(const std::string& topic,
                                                     int32_t partition) const {
  int64_t low = RD_KAFKA_OFFSET_INVALID, high = RD_KAFKA_OFFSET_INVALID;
  rd_kafka_resp_err_t err =
      rd_kafka_get_watermark_offsets(handle_.get(), topic.c_str(), partition, &low, &high);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR || high < 0) return std::nullopt;
  return high;
}

Result<std::map<int32_t, int64_t>> Consumer::OffsetsForTime(const std::string& topic,
                                                            const std::vector<int32_t>& partitions, int64_t ms,
                                                            std::chrono::milliseconds timeout) {
  TopicPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (int32_t p : partitions) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = ms;
  rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(handle_.get(), list.get(), static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Unavailable(std::string("offsets for time: ") + rd_kafka_err2str(err));
  std::map<int32_t, int64_t> out;
  for (int i = 0; i < list->cnt; ++i) out[list->elems[i].partition] = list->elems[i].offset;
  return out;
}

Status Consumer::Assign(const std::string& topic, const std::map<int32_t, int64_t>& starts) {
  TopicPartitionList list = PartitionList(topic, starts);
  rd_kafka_resp_err_t err = rd_kafka_assign(handle_.get(), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Internal(std::string("assign: ") + rd_kafka_err2str(err));
  }
  return Status::Ok();
}

Message Consumer::Poll(std::chrono::milliseconds timeout) {
  return Message(rd_kafka_consumer_poll(handle_.get(), static_cast<int>(timeout.count())));
}

void Consumer::PollBatch(std::chrono::milliseconds timeout, size_t max, std::vector<Message>& out) {
  out.clear();
  poll_buffer_.resize(max);
  rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(handle_.get());
  ssize_t n = rd_kafka_consume_batch_queue(queue, static_cast<int>(timeout.count()), poll_buffer_.data(), max);
  rd_kafka_queue_destroy(queue);
  for (ssize_t i = 0; i < n; ++i) out.emplace_back(poll_buffer_[static_cast<size_t>(i)]);
}

}  // namespace el::rdk
