#pragma once
// FetchClient: the lander's own reader of one Kafka topic, speaking Metadata (v1-5) and Fetch
// (v4-11 as ApiVersions allows, read_committed) over one connection per leader broker. It keeps one
// Fetch in flight per broker while the caller decodes the previous response, so the broker's work
// and the network overlap the caller's; responses land in two reused buffers per broker and records
// are decoded lazily as views into them (clients/fetch/records.h), so steady-state reading
// allocates nothing per response or record.
//   - Bootstrap from "host:port,..."; Metadata names each partition's leader.
//   - NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE (and the other
//     errors Kafka marks retriable for fetches) and a lost connection: metadata is refreshed and
//     the fetch retried, with a backoff doubling from 100 ms to 1 s.
//   - OFFSET_OUT_OF_RANGE and any other partition error: reported in Fetched::errors() with the
//     partition named; the partition is paused until the caller seeks it.
//   - Nothing a broker sends is trusted: a truncated or corrupt response is an error, never a
//   crash.
// Consumer groups are not spoken (no membership, no commits): the lander commits through
// librdkafka. Threading: one thread. Lifetime: the Fetched returned by Poll, and the records it
// gives, are valid until the next Poll.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "clients/fetch/codecs.h"
#include "clients/fetch/connection.h"
#include "clients/fetch/records.h"

namespace el::fetch {

struct ClientOptions {
  std::string client_id = "eventlake";
  std::chrono::milliseconds max_wait{100};  // how long the broker may hold a Fetch for new records
  int32_t max_bytes = 8 << 20;              // per response
  int32_t partition_max_bytes = 4 << 20;    // per partition of a response
  std::chrono::milliseconds timeout{30'000};  // connect; a response's wait beyond max_wait
  std::chrono::milliseconds first_backoff{100};
  std::chrono::milliseconds max_backoff{1000};
};

struct PartitionError {
  int32_t partition = 0;
  Status status;
};

// The records of one Fetch response, across its partitions.
class Fetched {
 public:
  explicit Fetched(Decompressor* d) : reader_(d) {}
  // Fills `out` with the next record; false when the response holds no more. Errors: as
  // RecordReader::Next, prefixed with the topic.
  Result<bool> Next(Record& out);
  // Whether it holds neither records nor errors (e.g. a long poll that timed out).
  bool empty() const { return parts_.empty() && errors_.empty(); }
  // Partitions whose fetch failed (paused until sought).
  const std::vector<PartitionError>& errors() const { return errors_; }

 private:
  friend class Client;
  struct Part {
    int32_t partition = 0;
    int64_t fetch_offset = 0;
    std::span<const uint8_t> records;
    std::vector<AbortedTxn> aborted;
  };
  void Clear();
  std::string topic_;
  std::vector<Part> parts_;
  size_t next_part_ = 0;
  bool reading_ = false;
  RecordReader reader_;
  std::vector<PartitionError> errors_;
};

class Client {
 public:
  // Connects to a broker of `brokers` ("host:port,...") and reads `topic`'s metadata, retrying
  // for up to options.timeout while partitions have no leader. Errors: InvalidArgument (bad
  // broker list), NotFound (unknown topic), Unavailable (no broker answered).
  static Result<std::unique_ptr<Client>> Create(const std::string& brokers,
                                                const std::string& topic,
                                                ClientOptions options = {});
  ~Client();

  // The topic's partition ids, ascending.
  const std::vector<int32_t>& partitions() const { return partition_ids_; }
  // Fetches each partition of `starts` from its offset; other partitions are not fetched.
  void Assign(const std::map<int32_t, int64_t>& starts);
  // Moves the positions of `next`'s partitions (and resumes them if paused): records of fetches
  // in flight for their old positions are dropped.
  void Seek(const std::map<int32_t, int64_t>& next);
  // Stops fetching `partition` (until Seek or Assign).
  void Pause(int32_t partition);
  // The next offset to fetch; nullopt for a partition not assigned.
  std::optional<int64_t> Position(int32_t partition) const;
  // As of the last response that carried the partition; nullopt before any.
  std::optional<int64_t> HighWatermark(int32_t partition) const;
  std::optional<int64_t> LogStartOffset(int32_t partition) const;

  // Sends a Fetch to every broker leading assigned partitions that has none in flight, waits up
  // to `timeout` for a response, sends that broker's next Fetch at once, and returns the response
  // (records and partition errors), or nullptr when none came. Connection and leadership
  // problems are retried inside (and logged), never returned. Errors: DataLoss only when a
  // response cannot be parsed at all (the connection is then dropped and the fetch retried; the
  // error is returned so that a broker that always sends garbage is noticed).
  Result<Fetched*> Poll(std::chrono::milliseconds timeout);

 private:
  struct Broker;
  struct Partition;
  Client(std::vector<std::pair<std::string, int32_t>> bootstrap, std::string topic,
         ClientOptions options);
  Status RefreshMetadata();
  // Asks the metadata connection's broker for its versions (ApiVersions v1) and picks Fetch and
  // Metadata versions. Errors: FailedPrecondition (none usable), Unavailable.
  Status NegotiateVersions(FrameBuffer& frame);
  // Sends request_ (correlation id `id`) on `conn` and reads the answer into `frame`.
  Status Call(Connection& conn, int32_t id, FrameBuffer& frame);
  Status SendFetch(Broker& b);
  void SendFetches();
  Result<bool> Receive(Broker& b);
  Status HandleResponse(Broker& b, std::span<const uint8_t> frame);
  void Lost(Broker& b, const Status& why);
  void Backoff(const std::string& why);

  std::vector<std::pair<std::string, int32_t>> bootstrap_;
  std::string topic_;
  ClientOptions options_;
  std::vector<int32_t> partition_ids_;
  std::map<int32_t, std::unique_ptr<Partition>> partitions_;
  std::map<int32_t, std::unique_ptr<Broker>> brokers_;  // by node id
  std::unique_ptr<Connection> metadata_conn_;
  int32_t correlation_id_ = 0;
  int16_t fetch_version_ = 11;
  int16_t metadata_version_ = 5;
  bool metadata_stale_ = false;
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_;
  std::vector<uint8_t> request_;  // reused request encoding
  Decompressor decompressor_;
  Fetched fetched_{&decompressor_};
};

}  // namespace el::fetch
