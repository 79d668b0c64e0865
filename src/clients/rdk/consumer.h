#pragma once
// Consumer: a librdkafka consumer whose callers choose every start offset themselves. Either the
// caller assigns partitions (Assign), or it subscribes as a member of a consumer group
// (Subscribe) and a RebalanceListener picks the start offset of each partition the group hands
// it. Offsets are never committed automatically (enable.auto.commit=false); Commit() records
// progress for lag tools, while the caller (the lander: its lake) keeps the source of truth.
// Threading: one thread at a time (librdkafka polls by blocking). Lifetime: messages returned by
// Poll() must be destroyed before the Consumer (they are owned by unique_ptrs, so destroy them
// first); the destructor closes the consumer, then destroys the handle.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <optional>
#include <vector>

#include "base/result.h"
#include "clients/rdk/handles.h"

namespace el::rdk {

struct Watermarks {
  int64_t low = 0;   // first offset still in the log
  int64_t high = 0;  // next offset to be written
};

// Group rebalances, called on the polling thread from inside Consumer::Poll.
class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  // The group gave this member `partitions` of `topic`; returns partition -> first offset to
  // fetch. On error nothing is fetched and the error is kept for Consumer::TakeRebalanceError.
  virtual Result<std::map<int32_t, int64_t>> OnAssigned(const std::string& topic,
                                                        const std::vector<int32_t>& partitions) = 0;
  // The member is about to lose `partitions` (eager rebalance: all of them); work on them must
  // be finished or dropped before this returns.
  virtual Status OnRevoked(const std::string& topic, const std::vector<int32_t>& partitions) = 0;
};

class Consumer {
 public:
  // Creates a consumer for `brokers` ("host:port,..."); `extra` overrides properties.
  // Errors: InvalidArgument (bad property).
  static Result<Consumer> Create(const std::string& brokers,
                                 const std::map<std::string, std::string>& extra = {});
  // A consumer-group member (group.id = `group`) whose rebalances go to `listener`, which must
  // outlive the consumer. Errors: InvalidArgument (bad property).
  static Result<Consumer> CreateMember(const std::string& brokers, const std::string& group,
                                       RebalanceListener* listener,
                                       const std::map<std::string, std::string>& extra = {});
  Consumer(Consumer&&) noexcept;
  Consumer& operator=(Consumer&&) noexcept;
  ~Consumer();

  // The topic's partition ids, ascending. Errors: NotFound (unknown topic), Unavailable (no
  // broker answered within `timeout`).
  Result<std::vector<int32_t>> Partitions(const std::string& topic, std::chrono::milliseconds timeout);
  // Errors: Unavailable.
  Result<Watermarks> QueryWatermarks(const std::string& topic, int32_t partition,
                                     std::chrono::milliseconds timeout);
  // The partition's high watermark as of the last fetch response, without asking the broker;
  // nullopt before any.
  std::optional<int64_t> CachedHighWatermark(const std::string& topic, int32_t partition) const;
  // The first offset per partition whose timestamp is >= `ms` (-1: none), by ListOffsets.
  // Errors: Unavailable.
  Result<std::map<int32_t, int64_t>> OffsetsForTime(const std::string& topic, const std::vector<int32_t>& partitions,
                                                    int64_t ms, std::chrono::milliseconds timeout);
  // Starts fetching each partition in `starts` (partition -> first offset). Replaces any
  // earlier assignment. Errors: Internal with librdkafka's reason.
  Status Assign(const std::string& topic, const std::map<int32_t, int64_t>& starts);
  // Moves the fetch position of assigned partitions (partition -> next offset), asynchronously:
  // messages fetched before the seek are not returned afterwards. Errors: Internal.
  Status Seek(const std::string& topic, const std::map<int32_t, int64_t>& next);
  // Joins the group for `topic` (CreateMember consumers only). Errors: Internal.
  Status Subscribe(const std::string& topic);
  // Commits partition -> next offset for the group (asynchronously; a failed commit is only
  // logged, since the caller does not depend on it). Errors: Internal when it cannot be sent.
  Status Commit(const std::string& topic, const std::map<int32_t, int64_t>& next);
  // The next message or event (partition EOF, error), or nullptr after `timeout`.
  Message Poll(std::chrono::milliseconds timeout);
  // Replaces `out` with up to `max` messages or events, waiting at most `timeout` for `max` of
  // them: one queue visit for many messages. Not for group members (rebalances are served by
  // Poll only).
  void PollBatch(std::chrono::milliseconds timeout, size_t max, std::vector<Message>& out);
  // The first error a RebalanceListener returned since the last call (Ok when none).
  Status TakeRebalanceError();

 private:
  struct Member;
  Consumer(KafkaHandle handle, std::unique_ptr<Member> member);
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                          void* opaque);
  std::unique_ptr<Member> member_;  // group state the rebalance callback reaches (stable address)
  std::vector<rd_kafka_message_t*> poll_buffer_;  // PollBatch's, reused
  KafkaHandle handle_;
};

}  // namespace el::rdk
