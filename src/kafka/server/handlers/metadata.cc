// Metadata 0-6. One broker (node 0), which is also the controller and every partition's leader.
// Topics that do not exist are created with the broker's default partition count when the request
// allows it (always below v4; v4+ carries allow_auto_topic_creation), as Kafka's
// auto.create.topics.enable does; kafka-python and `kcat -P` rely on this.
#include "kafka/protocol/metadata.h"
#include "kafka/server/errors.h"
#include "kafka/server/handlers/handler.h"

namespace el::kafka {
namespace {

MetadataTopic Describe(const storage::TopicInfo& info) {
  MetadataTopic t;
  t.name = info.name;
  for (int32_t p = 0; p < info.partitions; ++p) {
    MetadataPartition mp;
    mp.partition_index = p;
    mp.leader_id = kNodeId;
    mp.replica_nodes = {kNodeId};
    mp.isr_nodes = {kNodeId};
    t.partitions.push_back(std::move(mp));
  }
  return t;
}

boost::asio::awaitable<MetadataTopic> Lookup(BrokerContext& ctx, std::string name, bool create) {
  std::optional<storage::TopicInfo> info = ctx.logs.GetTopic(name);
  if (!info && create) {
    Status st = co_await RunBlocking(ctx, [&] {
      return ctx.logs.CreateTopic(name, ctx.default_partitions);
    });
    if (st.ok()) spdlog::info("auto-created topic {} with {} partition(s)", name, ctx.default_partitions);
    if (!st.ok() && st.code() != StatusCode::kAlreadyExists) {
      MetadataTopic t;
      t.name = name;
      t.error_code = ToWire(ToErrorCode(st, ApiKey::kMetadata));
      co_return t;
    }
    info = ctx.logs.GetTopic(name);
  }
  if (!info) {
    MetadataTopic t;
    t.name = name;
    t.error_code = ToWire(ErrorCode::kUnknownTopicOrPartition);
    co_return t;
  }
  co_return Describe(*info);
}

boost::asio::awaitable<Result<Response>> Handle(BrokerContext& ctx, const Request& req) {
  int16_t v = req.header.api_version;
  auto parsed = DecodeMessage<MetadataRequest>(req.body, v);
  if (!parsed.ok()) co_return parsed.status();
  MetadataResponse resp;
  resp.brokers = {{kNodeId, ctx.advertised_host, ctx.advertised_port, std::nullopt}};
  resp.cluster_id = "eventlake";
  resp.controller_id = kNodeId;
  bool all = !parsed->topics || (v == 0 && parsed->topics->empty());
  if (all) {
    for (const auto& info : ctx.logs.ListTopics()) resp.topics.push_back(Describe(info));
  } else {
    bool create = v < 4 || parsed->allow_auto_topic_creation;
    for (const std::string& name : *parsed->topics) {
      resp.topics.push_back(co_await Lookup(ctx, name, create));
    }
  }
  co_return Reply(resp, v);
}

}  // namespace

HandlerSpec MetadataHandler() { return {ApiKey::kMetadata, 0, 6, &Handle}; }

}  // namespace el::kafka
