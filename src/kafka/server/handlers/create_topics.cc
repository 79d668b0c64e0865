// CreateTopics 0-4 (admin clients send it to the controller: this node).
// Partition count -1 (v4+) means the broker default; replication factor must be -1 or 1 on a single
// node; replica assignments, if given, only fix the partition count. Topic configs are stored with
// the topic; segment.bytes, segment.ms, retention.ms and retention.bytes take effect, a few others
// are accepted with the value that states what the broker does (storage::CheckNewTopicConfigs), and
// anything else, or a bad value, is INVALID_CONFIG; a null value means the default.
#include "kafka/protocol/topics_admin.h"
#include "kafka/server/errors.h"
#include "kafka/server/handlers/handler.h"

namespace el::kafka {
namespace {

CreatableTopicResult Error(const std::string& name, ErrorCode code, std::string message) {
  return {name, ToWire(code), std::move(message)};
}

boost::asio::awaitable<CreatableTopicResult> CreateOne(BrokerContext& ctx, CreatableTopic t,
                                                       bool validate_only) {
  int32_t partitions = t.num_partitions;
  if (partitions == -1 && !t.assignments.empty()) partitions = static_cast<int32_t>(t.assignments.size());
  if (partitions == -1) partitions = ctx.default_partitions;
  if (partitions < 1) {
    co_return Error(t.name, ErrorCode::kInvalidPartitions, "number of partitions must be at least 1");
  }
  if (t.replication_factor != -1 && t.replication_factor != 1 && t.assignments.empty()) {
    co_return Error(t.name, ErrorCode::kInvalidReplicationFactor,
                    "replication factor must be 1 on a single-node broker");
  }
  if (Status valid = storage::LogManager::ValidateTopicName(t.name); !valid.ok()) {
    co_return Error(t.name, ErrorCode::kInvalidTopicException, valid.message());
  }
  if (ctx.logs.GetTopic(t.name)) {
    co_return Error(t.name, ErrorCode::kTopicAlreadyExists, "topic '" + t.name + "' already exists");
  }
  storage::TopicConfigs configs;
  for (const CreatableConfig& c : t.configs) {
    if (c.value) configs[c.name] = *c.value;
  }
  if (Status valid = storage::CheckNewTopicConfigs(configs); !valid.ok()) {
    co_return Error(t.name, ErrorCode::kInvalidConfig, valid.message());
  }
  if (validate_only) co_return CreatableTopicResult{t.name, 0, std::nullopt};
  Status st = co_await RunBlocking(
      ctx, [&] { return ctx.logs.CreateTopic(t.name, partitions, configs); });
  if (!st.ok()) co_return Error(t.name, ToErrorCode(st, ApiKey::kCreateTopics), st.message());
  spdlog::info("created topic {} with {} partition(s){}", t.name, partitions,
               configs.empty() ? "" : " and " + std::to_string(configs.size()) + " config(s)");
  co_return CreatableTopicResult{t.name, 0, std::nullopt};
}

boost::asio::awaitable<Result<Response>> HandleCreate(BrokerContext& ctx, const Request& req) {
  auto parsed = DecodeMessage<CreateTopicsRequest>(req.body, req.header.api_version);
  if (!parsed.ok()) co_return parsed.status();
  CreateTopicsResponse resp;
  for (const CreatableTopic& t : parsed->topics) {
    resp.topics.push_back(co_await CreateOne(ctx, t, parsed->validate_only));
  }
  co_return Reply(resp, req.header.api_version);
}

}  // namespace

HandlerSpec CreateTopicsHandler() { return {ApiKey::kCreateTopics, 0, 4, &HandleCreate}; }

}  // namespace el::kafka
