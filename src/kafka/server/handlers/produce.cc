// Produce 0-7 (v3+ in practice: see ProduceHandler). Each partition's data must be exactly one RecordBatch v2 (magic 2) with a valid
// CRC-32C; it is stored verbatim (never decompressed), with only its base offset assigned by the log.
// acks: 0 = append and send no response at all (clients do not wait for one); 1 = append;
// -1 = append and fdatasync before answering. Appends run on the blocking pool, so io threads never
// wait on disk.
// Idempotent producers (producerId >= 0, KIP-98): the partition log checks (producerId, epoch,
// sequence) against its last 5 batches per producer. A retry of a stored batch is answered with
// success and its original base offset and is not stored again; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER,
// an old epoch INVALID_PRODUCER_EPOCH, a sequence != 0 from a producer the partition does not know
// UNKNOWN_PRODUCER_ID. producerId -1 batches are never checked.
// Topics are never auto-created here (only Metadata creates them).
#include "kafka/protocol/produce.h"
#include "kafka/server/errors.h"
#include "kafka/server/handlers/handler.h"
#include "storage/batch_header.h"

namespace el::kafka {
namespace {

constexpr int kCodecZstd = 4;

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

boost::asio::awaitable<ProducePartitionResponse> ProduceOne(BrokerContext& ctx, const std::string& topic,
                                                            const ProducePartitionData& data,
                                                            int16_t acks, int16_t version) {
  ProducePartitionResponse out;
  out.index = data.index;
  std::shared_ptr<storage::PartitionLog> log = ctx.logs.Get(topic, data.index);
  if (!log) {
    out.error_code = ToWire(ErrorCode::kUnknownTopicOrPartition);
    co_return out;
  }
  if (ErrorCode e = ValidateBatch(data.records, version); e != ErrorCode::kNone) {
    spdlog::debug("produce {}-{}: rejected batch, error {}", topic, data.index, ToWire(e));
    out.error_code = ToWire(e);
    co_return out;
  }
  BytesView batch = *data.records;
  // Every append runs on the blocking pool: even without sync, it may wait for the partition's
  // append lock while another request's fsync holds it.
  bool sync = acks == -1;
  Result<storage::AppendResult> appended =
      co_await RunBlocking(ctx, [&] { return log->AppendChecked(batch, sync); });
  if (!appended.ok()) {
    out.error_code = ToWire(ToErrorCode(appended.status(), ApiKey::kProduce));
    co_return out;
  }
  out.log_start_offset = log->log_start().value();
  if (ErrorCode e = VerdictError(appended->verdict); e != ErrorCode::kNone) {
    spdlog::debug("produce {}-{}: producer batch refused, error {}", topic, data.index, ToWire(e));
    out.error_code = ToWire(e);
    co_return out;
  }
  out.base_offset = appended->base.value();
  if (appended->verdict == storage::SequenceVerdict::kAppend) ctx.waiters.Notify(topic, data.index);
  co_return out;
}

boost::asio::awaitable<Result<Response>> Handle(BrokerContext& ctx, const Request& req) {
  int16_t v = req.header.api_version;
  auto parsed = DecodeMessage<ProduceRequest>(req.body, v);
  if (!parsed.ok()) co_return parsed.status();
  bool acks_ok = parsed->acks == 0 || parsed->acks == 1 || parsed->acks == -1;
  ProduceResponse resp;
  for (const ProduceTopicData& t : parsed->topics) {
    ProduceTopicResponse tr;
    tr.name = t.name;
    for (const ProducePartitionData& p : t.partitions) {
      if (!acks_ok) {
        ProducePartitionResponse pr;
        pr.index = p.index;
        pr.error_code = ToWire(ErrorCode::kInvalidRequiredAcks);
        tr.partitions.push_back(pr);
        continue;
      }
      tr.partitions.push_back(co_await ProduceOne(ctx, t.name, p, parsed->acks, v));
    }
    resp.topics.push_back(std::move(tr));
  }
  if (parsed->acks == 0) co_return Response{.send = false, .body = {}};
  co_return Reply(resp, v);
}

}  // namespace

// Advertised from v0 although v0-2 carry legacy (magic 0/1) message sets, which are answered
// INVALID_RECORD: librdkafka 2.0.2 compresses with gzip, snappy or lz4 only if the broker's Produce
// range includes v0, and silently sends uncompressed batches otherwise.
HandlerSpec ProduceHandler() { return {ApiKey::kProduce, 0, 7, &Handle}; }

}  // namespace el::kafka
