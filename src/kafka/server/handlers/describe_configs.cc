// DescribeConfigs 0-2: a topic's effective configs, each marked as set on the topic or a default
// (the broker's flags for the applied ones; fixed values for what the broker always does). Broker
// resources are answered with no configs.
#include <algorithm>

#include "kafka/protocol/describe_configs.h"
#include "kafka/server/errors.h"
#include "kafka/server/handlers/handler.h"
#include "storage/topic_config.h"

namespace el::kafka {
namespace {

// What the broker always does; a topic may name these values at creation, and no other.
constexpr std::pair<const char*, const char*> kFixed[] = {{"cleanup.policy", "delete"},
                                                          {"compression.type", "producer"},
                                                          {"message.timestamp.type", "CreateTime"},
                                                          {"min.insync.replicas", "1"}};

DescribeConfigsEntry Entry(const std::string& name, std::string value, bool set_on_topic,
                           bool read_only) {
  DescribeConfigsEntry e;
  e.name = name;
  e.value = std::move(value);
  e.read_only = read_only;
  e.is_default = !set_on_topic;
  e.config_source = set_on_topic ? kConfigSourceTopic : kConfigSourceDefault;
  return e;
}

DescribeConfigsResult DescribeTopic(BrokerContext& ctx, const DescribeConfigsResource& r) {
  DescribeConfigsResult out;
  out.resource_type = r.resource_type;
  out.resource_name = r.resource_name;
  std::optional<storage::TopicConfigs> set = ctx.logs.GetTopicConfigs(r.resource_name);
  if (!set) {
    out.error_code = ToWire(ErrorCode::kUnknownTopicOrPartition);
    out.error_message = "unknown topic " + r.resource_name;
    return out;
  }
  auto effective = storage::ApplyTopicConfigs(ctx.logs.options(), *set);
  if (!effective.ok()) {  // stored by an older broker with a value it no longer accepts
    out.error_code = ToWire(ErrorCode::kInvalidConfig);
    out.error_message = effective.status().message();
    return out;
  }
  std::vector<DescribeConfigsEntry> all = {
      Entry("retention.bytes", std::to_string(effective->retention_bytes),
            set->count("retention.bytes") != 0, false),
      Entry("retention.ms", std::to_string(effective->retention_ms),
            set->count("retention.ms") != 0, false),
      Entry("segment.bytes", std::to_string(effective->segment_bytes),
            set->count("segment.bytes") != 0, false),
      Entry("segment.ms", std::to_string(effective->segment_ms), set->count("segment.ms") != 0,
            false)};
  for (const auto& [name, value] : kFixed)
    all.push_back(Entry(name, value, set->count(name) != 0, true));
  for (const auto& [name, value] : *set) {  // kept from an older broker, not applied
    bool known = std::any_of(all.begin(), all.end(), [&](const auto& e) { return e.name == name; });
    if (!known) all.push_back(Entry(name, value, true, true));
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  for (auto& e : all) {
    const auto& keys = r.configuration_keys;
    if (!keys || std::find(keys->begin(), keys->end(), e.name) != keys->end())
      out.configs.push_back(std::move(e));
  }
  return out;
}

boost::asio::awaitable<Result<Response>> HandleDescribeConfigs(BrokerContext& ctx,
                                                               const Request& req) {
  auto parsed = DecodeMessage<DescribeConfigsRequest>(req.body, req.header.api_version);
  if (!parsed.ok()) co_return parsed.status();
  DescribeConfigsResponse resp;
  for (const DescribeConfigsResource& r : parsed->resources) {
    if (r.resource_type == kResourceTopic) {
      resp.results.push_back(DescribeTopic(ctx, r));
    } else if (r.resource_type == kResourceBroker) {
      resp.results.push_back({0, std::nullopt, r.resource_type, r.resource_name, {}});
    } else {
      resp.results.push_back({ToWire(ErrorCode::kInvalidRequest),
                              "only topic and broker resources",
                              r.resource_type,
                              r.resource_name,
                              {}});
    }
  }
  co_return Reply(resp, req.header.api_version);
}

}  // namespace

HandlerSpec DescribeConfigsHandler() {
  return {ApiKey::kDescribeConfigs, 0, 2, &HandleDescribeConfigs};
}

}  // namespace el::kafka
