// Produce 0-7 (v3+ in practice: see ProduceHandler). Each partition's data must be exactly one RecordBatch v2 (magic 2) with a valid
// CRC-32C; it is stored verbatim (never decompressed), with only its base offset assigned by the log.
// acks: 0 = append and send no response at all (clients do not wait for one); 1 = append;
// -1 = append and fdatasync before answering. Pipelined (see handler.h): the writes happen in request
// order before the connection reads the next request (small ones on the io thread, big ones on the
// blocking pool); acks=all answers once GroupCommit's fdatasync covers every partition's append, so
// io threads never wait for an fdatasync (except a segment roll's, once per segment).
// Idempotent producers (producerId >= 0, KIP-98): the partition log checks (producerId, epoch,
// sequence) against its last 5 batches per producer. A retry of a stored batch is answered with
// success and its original base offset and is not stored again; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER,
// an old epoch INVALID_PRODUCER_EPOCH, a sequence != 0 from a producer the partition does not know
// UNKNOWN_PRODUCER_ID. producerId -1 batches are never checked.
// Topics are never auto-created here (only Metadata creates them).
#include <memory>
#include <mutex>

#include "kafka/protocol/produce.h"
#include "kafka/server/errors.h"
#include "kafka/server/group_commit.h"
#include "kafka/server/handlers/handler.h"
#include "storage/batch_header.h"
#include "kafka/server/broker_metrics.h"

namespace el::kafka {
namespace {

constexpr int kCodecZstd = 4;
constexpr size_t kInlineWriteBytes = 64 * 1024;

ErrorCode VerdictError(storage::SequenceVerdict v) {
  switch (v) {
    case storage::SequenceVerdict::kAppend:
    case storage::SequenceVerdict::kDuplicate:
      return ErrorCode::kNone;
    case storage::SequenceVerdict::kOutOfOrder:
      return ErrorCode::kOutOfOrderSequenceNumber;
    case storage::SequenceVerdict::kStaleEpoch:
      return ErrorCode::kInvalidProducerEpoch;
    case storage::SequenceVerdict::kUnknownProducer:
      return ErrorCode::kUnknownProducerId;
  }
  return ErrorCode::kUnknownServerError;
}

// Checks that `records` holds exactly one valid magic-2 batch. Returns the error code to answer.
ErrorCode ValidateBatch(const std::optional<BytesView>& records, int16_t version) {
  if (!records || records->empty()) return ErrorCode::kInvalidRecord;
  auto header = storage::ParseBatch(*records);
  if (!header.ok()) return ToErrorCode(header.status(), ApiKey::kProduce);
  if (header->total_size() != records->size()) return ErrorCode::kInvalidRecord;
  if (static_cast<int64_t>(header->record_count) != int64_t{header->last_offset_delta} + 1) {
    return ErrorCode::kInvalidRecord;
  }
  if ((header->attributes & 0x7) == kCodecZstd && version < 7) {
    return ErrorCode::kUnsupportedCompressionType;
  }
  return ErrorCode::kNone;
}

// One partition's share of a request: the log and its ticket from the ordered write phase.
struct PartitionAppend {
  ProducePartitionResponse* out;
  std::string topic;
  std::shared_ptr<storage::PartitionLog> log;
  BytesView batch;  // into the request frame: only used during the write phase
  Result<storage::AppendTicket> ticket = storage::AppendTicket{};
};

// The response under construction while acks=all appends wait for their group commit.
struct PendingProduce {
  std::mutex mu;
  ProduceResponse resp;  // GUARDED_BY(mu) once waits are outstanding
  size_t waiting = 0;    // GUARDED_BY(mu)
  int16_t version = 0;
  bool send = true;
  Respond respond;
};

void Answer(PendingProduce& p) {
  Result<Response> r = Reply(p.resp, p.version);
  Response out = r.ok() ? std::move(*r) : Response{};
  out.send = p.send;
  p.respond(std::move(out));
}

// Fills `a.out` from its ticket; returns true when the append still has to be finished.
// Counts an appended batch (or a refused append) in the broker's metrics.
void CountWrite(BrokerContext& ctx, const std::string& topic, BytesView batch, const Status& st) {
  if (ctx.metrics == nullptr) return;
  if (!st.ok()) {
    ctx.metrics->RecordWriteError(st.message());
    return;
  }
  ctx.metrics->RecordWriteOk();
  auto header = storage::ParseBatch(batch);
  ctx.metrics->RecordProduced(topic, static_cast<int64_t>(batch.size()), header.ok() ? header->record_count : 0);
}

bool RecordWrite(BrokerContext& ctx, PartitionAppend& a) {
  a.out->log_start_offset = a.log->log_start().value();
  if (!a.ticket.ok()) {
    a.out->error_code = ToWire(ToErrorCode(a.ticket.status(), ApiKey::kProduce));
    if (a.ticket.status().code() == StatusCode::kIOError) CountWrite(ctx, a.topic, a.batch, a.ticket.status());
    return false;
  }
  const storage::AppendResult& r = a.ticket->result;
  if (ErrorCode e = VerdictError(r.verdict); e != ErrorCode::kNone) {
    spdlog::debug("produce {}-{}: producer batch refused, error {}", a.topic, a.out->index, ToWire(e));
    a.out->error_code = ToWire(e);
    return false;
  }
  a.out->base_offset = r.base.value();
  if (a.ticket->sync) return true;
  if (r.verdict == storage::SequenceVerdict::kAppend) {
    ctx.waiters.Notify(a.topic, a.out->index);
    CountWrite(ctx, a.topic, a.batch, Status::Ok());
  }
  return false;
}

// Hands a synced append to the group commit; the last one to finish answers the request.
void FinishLater(BrokerContext& ctx, const std::shared_ptr<PendingProduce>& pending, PartitionAppend& a) {
  ProducePartitionResponse* out = a.out;
  bool appended = a.ticket->result.verdict == storage::SequenceVerdict::kAppend;
  // The batch's bytes live in the request frame, gone by the time the fdatasync ends: counted now.
  int64_t bytes = static_cast<int64_t>(a.batch.size());
  auto header = storage::ParseBatch(a.batch);
  int64_t records = header.ok() ? header->record_count : 0;
  ctx.commits->Finish(a.log, *a.ticket, [&ctx, pending, out, appended, topic = a.topic, bytes, records](Status st) {
    if (st.ok() && appended) ctx.waiters.Notify(topic, out->index);
    if (ctx.metrics != nullptr && !st.ok()) ctx.metrics->RecordWriteError(st.message());
    if (ctx.metrics != nullptr && st.ok() && appended) {
      ctx.metrics->RecordWriteOk();
      ctx.metrics->RecordProduced(topic, bytes, records);
    }
    std::unique_lock lock(pending->mu);
    if (!st.ok()) {
      out->error_code = ToWire(ToErrorCode(st, ApiKey::kProduce));
      out->base_offset = -1;
    }
    if (--pending->waiting > 0) return;
    lock.unlock();
    Answer(*pending);
  });
}

// Builds the response skeleton and the list of partitions to append to (in request order).
std::vector<PartitionAppend> Plan(BrokerContext& ctx, const ProduceRequest& req, int16_t v, ProduceResponse& resp) {
  bool acks_ok = req.acks == 0 || req.acks == 1 || req.acks == -1;
  std::vector<PartitionAppend> plan;
  resp.topics.reserve(req.topics.size());
  for (const ProduceTopicData& t : req.topics) {
    ProduceTopicResponse& tr = resp.topics.emplace_back();
    tr.name = t.name;
    tr.partitions.reserve(t.partitions.size());  // stable addresses for PartitionAppend::out
    for (const ProducePartitionData& p : t.partitions) {
      ProducePartitionResponse& pr = tr.partitions.emplace_back();
      pr.index = p.index;
      if (!acks_ok) {
        pr.error_code = ToWire(ErrorCode::kInvalidRequiredAcks);
        continue;
      }
      std::shared_ptr<storage::PartitionLog> log = ctx.logs.Get(t.name, p.index);
      if (!log) {
        pr.error_code = ToWire(ErrorCode::kUnknownTopicOrPartition);
        continue;
      }
      if (ErrorCode e = ValidateBatch(p.records, v); e != ErrorCode::kNone) {
        spdlog::debug("produce {}-{}: rejected batch, error {}", t.name, p.index, ToWire(e));
        pr.error_code = ToWire(e);
        continue;
      }
      plan.push_back({&pr, t.name, std::move(log), *p.records});
    }
  }
  return plan;
}

size_t RequestBytes(const std::vector<PartitionAppend>& plan) {
  size_t n = 0;
  for (const PartitionAppend& a : plan) n += a.batch.size();
  return n;
}

boost::asio::awaitable<Status> Handle(BrokerContext& ctx, const Request& req, const Respond& respond) {
  int16_t v = req.header.api_version;
  auto parsed = DecodeMessage<ProduceRequest>(req.body, v);
  if (!parsed.ok()) co_return parsed.status();
  auto pending = std::make_shared<PendingProduce>();
  pending->version = v;
  pending->send = parsed->acks != 0;
  pending->respond = respond;
  std::vector<PartitionAppend> plan = Plan(ctx, *parsed, v, pending->resp);
  bool sync = parsed->acks == -1;
  auto write_all = [&] {
    for (PartitionAppend& a : plan) {
      a.ticket = a.log->Write(a.batch, sync);
      if (a.ticket.ok() && !a.ticket->sync) (void)a.log->Finish(*a.ticket);  // publish only: cannot fail
    }
    return 0;
  };
  // The connection awaits the writes before reading its next request, so appends keep request order.
  // Small writes (page cache only) run right here: a hop to the blocking pool and back would cost
  // more than the write. Big ones go to the pool, as the kernel may throttle them on dirty pages.
  // Either may wait for a segment roll's fdatasync, once per segment.
  if (RequestBytes(plan) <= kInlineWriteBytes) {
    write_all();
  } else {
    co_await RunBlocking(ctx, write_all);
  }
  std::vector<PartitionAppend*> later;
  for (PartitionAppend& a : plan) {
    if (RecordWrite(ctx, a)) later.push_back(&a);
  }
  if (later.empty()) {
    Answer(*pending);
    co_return Status::Ok();
  }
  pending->waiting = later.size();
  for (PartitionAppend* a : later) FinishLater(ctx, pending, *a);
  co_return Status::Ok();
}
}  // namespace

// Advertised from v0 although v0-2 carry legacy (magic 0/1) message sets, which are answered
// INVALID_RECORD: librdkafka 2.0.2 compresses with gzip, snappy or lz4 only if the broker's Produce
// range includes v0, and silently sends uncompressed batches otherwise.
HandlerSpec ProduceHandler() { return {ApiKey::kProduce, 0, 7, nullptr, &Handle}; }

}  // namespace el::kafka
