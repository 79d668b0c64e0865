// OffsetFetch 0-5. A partition without a commit (or an unknown group) answers offset -1, metadata ""
// and error NONE. A null topic list (v2+) returns every partition the group has committed.
#include "kafka/protocol/offset_fetch.h"
#include "kafka/server/group/coordinator.h"
#include "kafka/server/handlers/handler.h"

namespace el::kafka {
namespace {

OffsetFetchPartitionResult ToResult(int32_t partition, const std::optional<group::CommittedOffset>& c) {
  OffsetFetchPartitionResult r;
  r.partition_index = partition;
  r.metadata = "";
  if (c) {
    r.committed_offset = c->offset;
    r.committed_leader_epoch = c->leader_epoch;
    r.metadata = c->metadata.value_or("");
  }
  return r;
}

boost::asio::awaitable<Result<Response>> Handle(BrokerContext& ctx, const Request& req) {
  int16_t v = req.header.api_version;
  auto parsed = DecodeMessage<OffsetFetchRequest>(req.body, v);
  if (!parsed.ok()) co_return parsed.status();
  const OffsetFetchRequest& fr = *parsed;
  group::OffsetStore& store = ctx.groups->offsets();
  OffsetFetchResponse resp;
  if (fr.topics) {
    for (const auto& t : *fr.topics) {
      OffsetFetchTopicResult tr{t.name, {}};
      for (int32_t p : t.partition_indexes) tr.partitions.push_back(ToResult(p, store.Get(fr.group_id, {t.name, p})));
      resp.topics.push_back(std::move(tr));
    }
  } else {
    for (const auto& [key, value] : store.GetAll(fr.group_id)) {
      if (resp.topics.empty() || resp.topics.back().name != key.topic) resp.topics.push_back({key.topic, {}});
      resp.topics.back().partitions.push_back(ToResult(key.partition, value));
    }
  }
  co_return Reply(resp, v);
}

}  // namespace

HandlerSpec OffsetFetchHandler() { return {ApiKey::kOffsetFetch, 0, 5, &Handle}; }

}  // namespace el::kafka
