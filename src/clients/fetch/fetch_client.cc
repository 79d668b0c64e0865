#include "clients/fetch/fetch_client.h"

#include <poll.h>

#include <algorithm>
#include <thread>

#include "base/log.h"
#include "clients/fetch/connection.h"
#include "kafka/protocol/api_versions.h"
#include "kafka/protocol/codec.h"
#include "kafka/protocol/fetch.h"
#include "kafka/protocol/header.h"
#include "kafka/protocol/metadata.h"

namespace el::fetch {
namespace {

using Clock = std::chrono::steady_clock;
using kafka::ErrorCode;

// Highest versions spoken (lower ones as the broker's ApiVersions says, down to the minimums).
constexpr int16_t kFetchVersion = 11;
constexpr int16_t kMinFetchVersion = 4;  // isolation level, aborted transactions
constexpr int16_t kMetadataVersion = 5;
constexpr int16_t kMinMetadataVersion = 1;
constexpr int16_t kApiVersionsVersion = 1;
constexpr int8_t kReadCommitted = 1;
// A response may exceed max_bytes by one batch (KIP-74: the first batch always comes whole).
constexpr size_t kMaxFrame = 256 << 20;

// Fetch response layout with the records as views into the frame (the protocol module's Serde
// fills any struct with these field names).
struct PartitionView {
  int32_t partition_index = 0;
  int16_t error_code = 0;
  int64_t high_watermark = -1;
  int64_t last_stable_offset = -1;
  int64_t log_start_offset = -1;
  std::optional<std::vector<kafka::AbortedTransaction>> aborted_transactions;
  int32_t preferred_read_replica = -1;
  kafka::BytesView records;
};
struct TopicView {
  std::string topic;
  std::vector<PartitionView> partitions;
};
struct ResponseView {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int32_t session_id = 0;
  std::vector<TopicView> topics;
};

// Fetch errors Kafka marks retriable after a metadata refresh.
bool RefreshesMetadata(int16_t code) {
  switch (code) {
    case 3:   // UNKNOWN_TOPIC_OR_PARTITION
    case 5:   // LEADER_NOT_AVAILABLE
    case 6:   // NOT_LEADER_OR_FOLLOWER
    case 9:   // REPLICA_NOT_AVAILABLE
    case 56:  // KAFKA_STORAGE_ERROR
    case 74:  // FENCED_LEADER_EPOCH
    case 75:  // UNKNOWN_LEADER_EPOCH
    case 7:   // REQUEST_TIMED_OUT
      return true;
    default:
      return false;
  }
}

std::string ErrorName(int16_t code) {
  switch (code) {
    case 1:
      return "OFFSET_OUT_OF_RANGE";
    case 2:
      return "CORRUPT_MESSAGE";
    case 29:
      return "TOPIC_AUTHORIZATION_FAILED";
    case 35:
      return "UNSUPPORTED_VERSION";
    case 76:
      return "UNSUPPORTED_COMPRESSION_TYPE";
    case -1:
      return "UNKNOWN_SERVER_ERROR";
    default:
      return "error " + std::to_string(code);
  }
}

Result<std::vector<std::pair<std::string, int32_t>>> ParseBrokers(const std::string& list) {
  std::vector<std::pair<std::string, int32_t>> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string item =
        list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? list.size() + 1 : comma + 1;
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item.empty()) continue;
    size_t colon = item.rfind(':');
    int port = 0;
    if (colon == std::string::npos || colon == 0 ||
        std::sscanf(item.c_str() + colon + 1, "%d", &port) != 1 || port <= 0 || port > 65535) {
      return InvalidArgument("bad broker address '" + item + "' (host:port expected)");
    }
    std::string host = item.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    out.emplace_back(host, port);
  }
  if (out.empty()) return InvalidArgument("a broker list is required");
  return out;
}

// Encodes request `req` with a header into `out` (reused), 4-byte size included.
template <typename Req>
void EncodeRequest(std::vector<uint8_t>& out, const Req& req, int16_t version,
                   int32_t correlation_id, const std::string& client_id) {
  kafka::Writer w(false);
  w.buffer().swap(out);
  w.buffer().clear();
  w.Int32(0);
  kafka::EncodeRequestHeader(
      w, {static_cast<int16_t>(Req::kApiKey), version, correlation_id, client_id},
      kafka::IsFlexible(Req::kApiKey, version));
  kafka::EncodeMessage(w, req, version);
  w.PatchInt32(0, static_cast<int32_t>(w.size() - 4));
  w.buffer().swap(out);
}

int32_t CorrelationOf(std::span<const uint8_t> frame) {
  return static_cast<int32_t>((uint32_t{frame[0]} << 24) | (uint32_t{frame[1]} << 16) |
                              (uint32_t{frame[2]} << 8) | frame[3]);
}

}  // namespace

struct Client::Partition {
  int32_t leader = -1;
  bool assigned = false;
  bool active = false;  // assigned and not paused
  int64_t position = 0;
  uint64_t epoch = 0;  // bumped by every Seek/Assign: responses to older fetches are dropped
  std::optional<int64_t> high;
  std::optional<int64_t> log_start;
};

struct Client::Broker {
  int32_t node = -1;
  std::string host;
  int32_t port = 0;
  std::optional<Connection> conn;
  bool in_flight = false;
  int32_t correlation_id = 0;
  Clock::time_point sent_at{};
  struct Requested {
    int64_t offset = 0;
    uint64_t epoch = 0;
  };
  std::map<int32_t, Requested> requested;  // what the fetch in flight asked for
  FrameBuffer buffers[2];  // one holds the response the caller reads, the other the next one
  int current = 0;
};

void Fetched::Clear() {
  parts_.clear();
  next_part_ = 0;
  reading_ = false;
  errors_.clear();
}

Result<bool> Fetched::Next(Record& out) {
  while (next_part_ < parts_.size()) {
    if (!reading_) {
      const Part& p = parts_[next_part_];
      reader_.Reset(p.partition, p.fetch_offset, p.records, p.aborted);
      reading_ = true;
    }
    Result<bool> more = reader_.Next(out);
    if (!more.ok())
      return Status(more.status().code(),
                    "fetch from topic " + topic_ + ", " + more.status().message());
    if (*more) return true;
    reading_ = false;
    ++next_part_;
  }
  return false;
}

Client::Client(std::vector<std::pair<std::string, int32_t>> bootstrap, std::string topic,
               ClientOptions options)
    : bootstrap_(std::move(bootstrap)),
      topic_(std::move(topic)),
      options_(std::move(options)),
      backoff_(options_.first_backoff) {
  fetched_.topic_ = topic_;
}

Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::Create(const std::string& brokers, const std::string& topic,
                                               ClientOptions options) {
  if (topic.empty()) return InvalidArgument("a topic is required");
  EL_ASSIGN_OR_RETURN(auto bootstrap, ParseBrokers(brokers));
  std::unique_ptr<Client> c(new Client(std::move(bootstrap), topic, std::move(options)));
  auto deadline = Clock::now() + c->options_.timeout;
  while (true) {
    Status st = c->RefreshMetadata();
    if (st.code() == StatusCode::kNotFound || st.code() == StatusCode::kFailedPrecondition)
      return st;
    bool leaders = st.ok() && std::all_of(c->partitions_.begin(), c->partitions_.end(),
                                          [](const auto& p) { return p.second->leader >= 0; });
    if (leaders) return c;
    if (Clock::now() >= deadline)
      return st.ok() ? Unavailable("topic " + topic + " has partitions without a leader") : st;
    std::this_thread::sleep_for(c->options_.first_backoff);  // e.g. a leader not yet elected
  }
}

Status Client::RefreshMetadata() {
  kafka::MetadataRequest req;
  req.topics = std::vector<std::string>{topic_};
  req.allow_auto_topic_creation = false;
  // Known brokers first (the cluster as last seen), then the bootstrap list.
  std::vector<std::pair<std::string, int32_t>> candidates;
  for (const auto& [id, b] : brokers_) candidates.emplace_back(b->host, b->port);
  candidates.insert(candidates.end(), bootstrap_.begin(), bootstrap_.end());
  Status last = Unavailable("no broker to ask for metadata");
  FrameBuffer frame;
  for (size_t i = 0; i < candidates.size() + 1; ++i) {
    if (metadata_conn_ == nullptr) {
      if (i == candidates.size()) break;
      auto conn = Connection::Open(candidates[i].first, candidates[i].second, options_.timeout);
      if (!conn.ok()) {
        last = conn.status();
        continue;
      }
      metadata_conn_ = std::make_unique<Connection>(std::move(*conn));
      if (Status st = NegotiateVersions(frame); !st.ok()) {
        if (st.code() == StatusCode::kFailedPrecondition) return st;
        last = st;
        metadata_conn_.reset();
        continue;
      }
    }
    int32_t id = ++correlation_id_;
    EncodeRequest(request_, req, metadata_version_, id, options_.client_id);
    Status st = Call(*metadata_conn_, id, frame);
    if (!st.ok()) {
      last = Unavailable("metadata from broker " + metadata_conn_->address() + ": " + st.message());
      metadata_conn_.reset();
      continue;
    }
    auto resp =
        kafka::DecodeMessage<kafka::MetadataResponse>(frame.bytes().subspan(4), metadata_version_);
    if (!resp.ok()) {
      last = Unavailable("metadata from broker " + metadata_conn_->address() + ": " +
                         resp.status().message());
      metadata_conn_.reset();
      continue;
    }
    for (const kafka::MetadataBroker& mb : resp->brokers) {
      std::unique_ptr<Broker>& b = brokers_[mb.node_id];
      if (b == nullptr) b = std::make_unique<Broker>();
      if (b->host != mb.host || b->port != mb.port) {  // moved (or new): reconnect on next use
        b->conn.reset();
        b->in_flight = false;
        b->requested.clear();
      }
      b->node = mb.node_id;
      b->host = mb.host;
      b->port = mb.port;
    }
    const kafka::MetadataTopic* t = nullptr;
    for (const auto& mt : resp->topics) {
      if (mt.name == topic_) t = &mt;
    }
    if (t == nullptr || t->error_code == kafka::ToWire(ErrorCode::kUnknownTopicOrPartition)) {
      return NotFound("unknown topic " + topic_);
    }
    if (t->error_code != 0)
      return Unavailable("metadata of topic " + topic_ + ": " + ErrorName(t->error_code));
    for (const kafka::MetadataPartition& mp : t->partitions) {
      std::unique_ptr<Partition>& p = partitions_[mp.partition_index];
      if (p == nullptr) p = std::make_unique<Partition>();
      p->leader = mp.error_code == 0 && brokers_.count(mp.leader_id) != 0 ? mp.leader_id : -1;
    }
    partition_ids_.clear();
    for (const auto& [id, p] : partitions_) partition_ids_.push_back(id);
    if (partition_ids_.empty()) return Unavailable("topic " + topic_ + " has no partitions");
    metadata_stale_ = std::any_of(partitions_.begin(), partitions_.end(), [](const auto& p) {
      return p.second->assigned && p.second->leader < 0;
    });
    return Status::Ok();
  }
  return last;
}

Status Client::Call(Connection& conn, int32_t id, FrameBuffer& frame) {
  EL_RETURN_IF_ERROR(conn.Send(request_));
  EL_RETURN_IF_ERROR(conn.ReadFrame(frame, kMaxFrame, options_.timeout));
  if (frame.size() < 4 || CorrelationOf(frame.bytes()) != id)
    return DataLoss("response out of order");
  return Status::Ok();
}

Status Client::NegotiateVersions(FrameBuffer& frame) {
  int32_t id = ++correlation_id_;
  EncodeRequest(request_, kafka::ApiVersionsRequest{}, kApiVersionsVersion, id, options_.client_id);
  EL_RETURN_IF_ERROR(Call(*metadata_conn_, id, frame));
  auto resp = kafka::DecodeMessage<kafka::ApiVersionsResponse>(frame.bytes().subspan(4),
                                                               kApiVersionsVersion);
  if (!resp.ok())
    return Unavailable("ApiVersions from broker " + metadata_conn_->address() + ": " +
                       resp.status().message());
  int16_t fetch = -1;
  int16_t metadata = -1;
  for (const kafka::ApiVersionRange& r : resp->api_keys) {
    auto pick = [&](int16_t lo, int16_t hi) {
      return r.max_version < lo || r.min_version > hi ? int16_t{-1} : std::min(r.max_version, hi);
    };
    if (r.api_key == static_cast<int16_t>(kafka::ApiKey::kFetch))
      fetch = pick(kMinFetchVersion, kFetchVersion);
    if (r.api_key == static_cast<int16_t>(kafka::ApiKey::kMetadata))
      metadata = pick(kMinMetadataVersion, kMetadataVersion);
  }
  if (fetch < 0 || metadata < 0) {
    return FailedPrecondition("broker " + metadata_conn_->address() +
                              " speaks neither Fetch v4-11 nor Metadata v1-5");
  }
  fetch_version_ = fetch;
  metadata_version_ = metadata;
  return Status::Ok();
}

void Client::Assign(const std::map<int32_t, int64_t>& starts) {
  for (auto& [id, p] : partitions_) {
    auto it = starts.find(id);
    p->assigned = p->active = it != starts.end();
    if (p->assigned) p->position = it->second;
    ++p->epoch;
  }
}

void Client::Seek(const std::map<int32_t, int64_t>& next) {
  for (const auto& [id, offset] : next) {
    auto it = partitions_.find(id);
    if (it == partitions_.end() || !it->second->assigned) continue;
    it->second->position = offset;
    it->second->active = true;
    ++it->second->epoch;
  }
}

void Client::Pause(int32_t partition) {
  auto it = partitions_.find(partition);
  if (it != partitions_.end()) it->second->active = false;
}

std::optional<int64_t> Client::Position(int32_t partition) const {
  auto it = partitions_.find(partition);
  if (it == partitions_.end() || !it->second->assigned) return std::nullopt;
  return it->second->position;
}

std::optional<int64_t> Client::HighWatermark(int32_t partition) const {
  auto it = partitions_.find(partition);
  return it == partitions_.end() ? std::nullopt : it->second->high;
}

std::optional<int64_t> Client::LogStartOffset(int32_t partition) const {
  auto it = partitions_.find(partition);
  return it == partitions_.end() ? std::nullopt : it->second->log_start;
}

void Client::Backoff(const std::string& why) {
  spdlog::warn("fetch from {}: {}; refreshing metadata, retrying in {} ms", topic_, why,
               backoff_.count());
  metadata_stale_ = true;
  retry_at_ = Clock::now() + backoff_;
  backoff_ = std::min(backoff_ * 2, options_.max_backoff);
}

void Client::Lost(Broker& b, const Status& why) {
  b.conn.reset();
  b.in_flight = false;
  b.requested.clear();
  metadata_conn_.reset();  // it may lead to the same broker
  Backoff(why.message());
}

Status Client::SendFetch(Broker& b) {
  kafka::FetchRequest req;
  req.max_wait_ms = static_cast<int32_t>(options_.max_wait.count());
  req.min_bytes = 1;
  req.max_bytes = options_.max_bytes;
  req.isolation_level = kReadCommitted;
  req.session_epoch = -1;  // no fetch session: every request is a full fetch
  kafka::FetchTopic topic{topic_, {}};
  b.requested.clear();
  for (const auto& [id, p] : partitions_) {
    if (!p->active || p->leader != b.node) continue;
    kafka::FetchPartition fp;
    fp.partition = id;
    fp.fetch_offset = p->position;
    fp.partition_max_bytes = options_.partition_max_bytes;
    topic.partitions.push_back(fp);
    b.requested[id] = {p->position, p->epoch};
  }
  if (topic.partitions.empty()) return Status::Ok();
  req.topics.push_back(std::move(topic));
  if (!b.conn) {
    auto conn = Connection::Open(b.host, b.port, options_.timeout);
    if (!conn.ok()) return conn.status();
    b.conn.emplace(std::move(*conn));
  }
  b.correlation_id = ++correlation_id_;
  EncodeRequest(request_, req, fetch_version_, b.correlation_id, options_.client_id);
  EL_RETURN_IF_ERROR(b.conn->Send(request_));
  b.in_flight = true;
  b.sent_at = Clock::now();
  return Status::Ok();
}

void Client::SendFetches() {
  for (auto& [id, b] : brokers_) {
    if (b->in_flight || metadata_stale_) continue;
    if (Status st = SendFetch(*b); !st.ok()) Lost(*b, st);
  }
}

Result<Fetched*> Client::Poll(std::chrono::milliseconds timeout) {
  fetched_.Clear();
  auto deadline = Clock::now() + timeout;
  std::vector<pollfd> fds;
  std::vector<Broker*> waiting;
  while (true) {
    auto now = Clock::now();
    if (metadata_stale_ && now >= retry_at_) {
      if (Status st = RefreshMetadata(); !st.ok()) Backoff(st.message());
    }
    SendFetches();
    fds.clear();
    waiting.clear();
    for (auto& [id, b] : brokers_) {
      if (!b->in_flight) continue;
      if (now - b->sent_at > options_.max_wait + options_.timeout) {
        Lost(*b, Unavailable("no response from broker " + b->conn->address()));
        continue;
      }
      fds.push_back({b->conn->fd(), POLLIN, 0});
      waiting.push_back(b.get());
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (metadata_stale_)
      left = std::min(left, std::chrono::duration_cast<std::chrono::milliseconds>(retry_at_ - now));
    left = std::max(left, std::chrono::milliseconds(0));
    if (fds.empty()) {
      if (left.count() > 0)
        std::this_thread::sleep_for(left);  // nothing to fetch until a retry or the deadline
    } else if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) > 0) {
      for (size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        EL_ASSIGN_OR_RETURN(bool got, Receive(*waiting[i]));
        if (got) return &fetched_;
      }
    }
    if (Clock::now() >= deadline) return nullptr;
  }
}

// Reads `b`'s response and sends its next Fetch before the caller decodes this one.
Result<bool> Client::Receive(Broker& b) {
  FrameBuffer& frame = b.buffers[b.current];
  Status st = b.conn->ReadFrame(frame, kMaxFrame, options_.timeout);
  b.in_flight = false;
  if (st.ok()) st = HandleResponse(b, frame.bytes());
  if (!st.ok()) {
    bool garbage = st.code() == StatusCode::kDataLoss;
    Lost(b, st);
    if (garbage) return st;
    return false;
  }
  b.current ^= 1;
  backoff_ = options_.first_backoff;
  if (!metadata_stale_) {
    if (Status sent = SendFetch(b); !sent.ok()) Lost(b, sent);
  }
  return true;
}

Status Client::HandleResponse(Broker& b, std::span<const uint8_t> frame) {
  std::string from = "fetch response from broker " + b.conn->address();
  if (frame.size() < 4 || CorrelationOf(frame) != b.correlation_id)
    return DataLoss(from + " out of order");
  ResponseView resp;
  kafka::Reader r(frame.subspan(4), false);
  kafka::FetchResponse::Serde(r, resp, fetch_version_);
  if (!r.ok()) return DataLoss(from + ": " + r.status().message());
  if (resp.error_code != 0) {
    Backoff(from + ": " + ErrorName(resp.error_code));
    return Status::Ok();
  }
  std::string retry;  // a partition error that a metadata refresh may cure
  for (TopicView& t : resp.topics) {
    if (t.topic != topic_) continue;
    for (PartitionView& pv : t.partitions) {
      auto req = b.requested.find(pv.partition_index);
      auto it = partitions_.find(pv.partition_index);
      if (req == b.requested.end() || it == partitions_.end()) continue;
      Partition& p = *it->second;
      if (p.epoch != req->second.epoch || !p.active) continue;  // sought or paused meanwhile
      if (pv.high_watermark >= 0) p.high = pv.high_watermark;
      if (pv.log_start_offset >= 0) p.log_start = pv.log_start_offset;
      if (RefreshesMetadata(pv.error_code)) {
        retry = "partition " + std::to_string(pv.partition_index) + ": " + ErrorName(pv.error_code);
        continue;
      }
      if (pv.error_code != 0) {
        p.active = false;
        std::string what = "fetch from " + topic_ + "[" + std::to_string(pv.partition_index) +
                           "] at offset " + std::to_string(req->second.offset) + ": " +
                           ErrorName(pv.error_code);
        if (pv.error_code == kafka::ToWire(ErrorCode::kOffsetOutOfRange)) {
          fetched_.errors_.push_back({pv.partition_index, OutOfRange(what)});
        } else {
          fetched_.errors_.push_back({pv.partition_index, Unavailable(what)});
        }
        continue;
      }
      if (pv.records.empty()) continue;
      std::optional<int64_t> next = OffsetAfter(pv.records);
      if (!next) {
        p.active = false;
        fetched_.errors_.push_back(
            {pv.partition_index,
             DataLoss("fetch from " + topic_ + "[" + std::to_string(pv.partition_index) +
                      "]: a response without a whole record batch")});
        continue;
      }
      p.position = std::max(p.position, *next);
      Fetched::Part part{pv.partition_index, req->second.offset, pv.records, {}};
      if (pv.aborted_transactions) {
        for (const auto& a : *pv.aborted_transactions)
          part.aborted.push_back({a.producer_id, a.first_offset});
      }
      fetched_.parts_.push_back(std::move(part));
    }
  }
  if (!retry.empty()) Backoff(retry);
  return Status::Ok();
}

}  // namespace el::fetch
