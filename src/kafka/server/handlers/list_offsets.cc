// ListOffsets 0-3. Timestamp -1 = latest = the high watermark (the next offset to be written; also
// the last stable offset, as there are no transactions), -2 = earliest = log start. A timestamp
// t >= 0 finds the first batch whose max timestamp is >= t (offset -1 if none). v0 answers an
// array of offsets (one entry, or none when nothing matches).
#include "kafka/protocol/list_offsets.h"
#include "kafka/server/errors.h"
#include "kafka/server/handlers/handler.h"
#include "storage/batch_header.h"

namespace el::kafka {
namespace {

// The max timestamp of the batch holding `offset`, or -1 when it cannot be read.
int64_t BatchTimestamp(const storage::PartitionLog& log, Offset offset) {
  auto data = log.Read(offset, 1);
  if (!data.ok() || data->size() < storage::kBatchHeaderSize) return -1;
  auto header = storage::ReadBatchHeader(*data);
  return header.ok() ? header->max_timestamp : -1;
}

ListOffsetsPartitionResponse LookupOne(BrokerContext& ctx, const std::string& topic,
                                       const ListOffsetsPartition& p, int16_t version) {
  ListOffsetsPartitionResponse out;
  out.partition_index = p.partition_index;
  auto log = ctx.logs.Get(topic, p.partition_index);
  if (!log) {
    out.error_code = ToWire(ErrorCode::kUnknownTopicOrPartition);
    return out;
  }
  int64_t offset = -1;
  if (p.timestamp == kLatestTimestamp) {
    offset = log->high_watermark().value();
  } else if (p.timestamp == kEarliestTimestamp) {
    offset = log->log_start().value();
  } else if (p.timestamp >= 0) {
    Offset found = log->OffsetForTimestamp(TimestampMs(p.timestamp));
    if (found < log->high_watermark()) {
      offset = found.value();
      out.timestamp = BatchTimestamp(*log, found);
    }
  } else {
    out.error_code = ToWire(ErrorCode::kInvalidRequest);
    return out;
  }
  if (version == 0) {
    if (offset >= 0 && p.max_num_offsets > 0) out.old_style_offsets = {offset};
  } else {
    out.offset = offset;
  }
  return out;
}

boost::asio::awaitable<Result<Response>> Handle(BrokerContext& ctx, const Request& req) {
  int16_t v = req.header.api_version;
  auto parsed = DecodeMessage<ListOffsetsRequest>(req.body, v);
  if (!parsed.ok()) co_return parsed.status();
  ListOffsetsResponse resp;
  for (const ListOffsetsTopic& t : parsed->topics) {
    ListOffsetsTopicResponse tr;
    tr.name = t.name;
    for (const ListOffsetsPartition& p : t.partitions) tr.partitions.push_back(LookupOne(ctx, t.name, p, v));
    resp.topics.push_back(std::move(tr));
  }
  co_return Reply(resp, v);
}

}  // namespace

HandlerSpec ListOffsetsHandler() { return {ApiKey::kListOffsets, 0, 3, &Handle}; }

}  // namespace el::kafka
