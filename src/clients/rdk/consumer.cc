#include "clients/rdk/consumer.h"

#include <algorithm>
#include <thread>

namespace el::rdk {

Result<Consumer> Consumer::Create(const std::string& brokers,
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
  };
  for (const auto& [k, v] : extra) props[k] = v;
  EL_ASSIGN_OR_RETURN(Conf conf, MakeConf(props));
  EL_ASSIGN_OR_RETURN(KafkaHandle handle, MakeHandle(RD_KAFKA_CONSUMER, std::move(conf)));
  return Consumer(std::move(handle));
}

Consumer::~Consumer() {
  if (handle_ != nullptr) rd_kafka_consumer_close(handle_.get());
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

Status Consumer::Assign(const std::string& topic, const std::map<int32_t, int64_t>& starts) {
  TopicPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(starts.size())));
  for (const auto& [partition, offset] : starts) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = offset;
  }
  rd_kafka_resp_err_t err = rd_kafka_assign(handle_.get(), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Internal(std::string("assign: ") + rd_kafka_err2str(err));
  }
  return Status::Ok();
}

Message Consumer::Poll(std::chrono::milliseconds timeout) {
  return Message(rd_kafka_consumer_poll(handle_.get(), static_cast<int>(timeout.count())));
}

}  // namespace el::rdk
