#include "app/console_log.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "app/disk_use.h"
#include "base/json_text.h"
#include "clients/rdk/admin.h"
#include "clients/rdk/consumer.h"
#include "clients/rdk/groups.h"

namespace el::app {
namespace {

constexpr auto kAdminTimeout = std::chrono::milliseconds(5000);
constexpr auto kBrowseWait = std::chrono::milliseconds(3000);
constexpr size_t kValueMax = 4096;

// The topic's retention settings ("-1": none); "null" when the broker does not say.
std::pair<std::string, std::string> Retention(rdk::Admin& admin, const std::string& topic) {
  std::string ms = "null";
  std::string bytes = "null";
  auto configs = admin.DescribeTopicConfigs(topic);
  if (!configs.ok()) return {ms, bytes};
  auto number = [](const std::string& v) {
    return !v.empty() && v.find_first_not_of("-0123456789") == std::string::npos ? v : "null";
  };
  for (const rdk::ConfigEntry& c : *configs) {
    if (c.name == "retention.ms") ms = number(c.value);
    if (c.name == "retention.bytes") bytes = number(c.value);
  }
  return {ms, bytes};
}

// Bytes the partition's folder of the log takes; nullopt when the console does not see it.
std::optional<uint64_t> PartitionBytes(const std::string& log_dir, const std::string& topic,
                                       int32_t p) {
  if (log_dir.empty()) return std::nullopt;
  std::filesystem::path dir = std::filesystem::path(log_dir) / fmt::format("{}-{}", topic, p);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return std::nullopt;
  return DiskUse(dir);
}

std::string OrNull(const std::optional<uint64_t>& v) {
  return v ? std::to_string(*v) : std::string("null");
}

void AppendMessage(std::string& out, const rd_kafka_message_t& m) {
  out += fmt::format("{{\"offset\":{},\"timestamp_ms\":{},\"key\":", m.offset,
                     rd_kafka_message_timestamp(&m, nullptr));
  if (m.key != nullptr) {
    AppendJsonString(out, std::string_view(static_cast<const char*>(m.key), m.key_len));
  } else {
    out += "null";
  }
  out += ",\"value\":";
  if (m.payload != nullptr) {
    AppendJsonString(
        out, std::string_view(static_cast<const char*>(m.payload), std::min(m.len, kValueMax)));
  } else {
    out += "null";
  }
  out += '}';
}

}  // namespace

Result<std::string> TopicsJson(const std::string& brokers, const std::string& log_dir) {
  EL_ASSIGN_OR_RETURN(rdk::Admin admin, rdk::Admin::Connect(brokers, kAdminTimeout));
  EL_ASSIGN_OR_RETURN(auto topics, admin.ListTopics());
  std::string out = "{\"topics\":[";
  for (size_t i = 0; i < topics.size(); ++i) {
    const rdk::TopicMetadata& t = topics[i];
    std::string parts;
    int64_t messages = 0;
    std::optional<uint64_t> bytes = 0;
    for (const auto& p : t.partitions) {
      auto marks = admin.Watermarks(t.name, p.id);
      int64_t low = marks.ok() ? marks->first : -1;
      int64_t high = marks.ok() ? marks->second : -1;
      if (marks.ok()) messages += high - low;
      std::optional<uint64_t> b = PartitionBytes(log_dir, t.name, p.id);
      bytes = bytes && b ? std::optional<uint64_t>(*bytes + *b) : std::nullopt;
      parts += fmt::format("{}{{\"id\":{},\"low\":{},\"high\":{},\"bytes\":{}}}",
                           parts.empty() ? "" : ",", p.id, low, high, OrNull(b));
    }
    auto [retention_ms, retention_bytes] = Retention(admin, t.name);
    out += i > 0 ? ",{\"name\":" : "{\"name\":";
    AppendJsonString(out, t.name);
    out += fmt::format(
        ",\"messages\":{},\"bytes\":{},\"retention_ms\":{},\"retention_bytes\":{},"
        "\"partitions\":[{}]}}",
        messages, OrNull(bytes), retention_ms, retention_bytes, parts);
  }
  return out + "]}";
}

Result<std::string> GroupsJson(const std::string& brokers) {
  EL_ASSIGN_OR_RETURN(rdk::GroupsClient groups, rdk::GroupsClient::Connect(brokers, kAdminTimeout));
  EL_ASSIGN_OR_RETURN(auto listed, groups.List());
  std::string out = "{\"groups\":[";
  for (size_t i = 0; i < listed.size(); ++i) {
    const rdk::GroupInfo& g = listed[i];
    out += i > 0 ? ",{\"group\":" : "{\"group\":";
    AppendJsonString(out, g.group);
    out += ",\"state\":";
    AppendJsonString(out, g.state);
    out += fmt::format(",\"members\":{},\"member_list\":[", g.members.size());
    for (size_t m = 0; m < g.members.size(); ++m) {
      const rdk::GroupMemberInfo& member = g.members[m];
      out += m > 0 ? ",{\"member_id\":" : "{\"member_id\":";
      AppendJsonString(out, member.member_id);
      out += ",\"client_id\":";
      AppendJsonString(out, member.client_id);
      out += ",\"host\":";
      AppendJsonString(out, member.client_host);
      out += ",\"assignment\":[";
      bool first = true;
      for (const auto& [topic, partitions] : member.assignment) {
        out += first ? "{\"topic\":" : ",{\"topic\":";
        first = false;
        AppendJsonString(out, topic);
        out += fmt::format(",\"partitions\":[{}]}}", fmt::join(partitions, ","));
      }
      out += "]}";
    }
    out += "],\"lag\":[";
    auto lags = groups.Lag(g);
    if (lags.ok()) {
      for (size_t j = 0; j < lags->size(); ++j) {
        const rdk::PartitionLag& l = (*lags)[j];
        out += j > 0 ? ",{\"topic\":" : "{\"topic\":";
        AppendJsonString(out, l.topic);
        out += fmt::format(
            ",\"partition\":{},\"committed\":{},\"high\":{},\"lag\":{},\"member_id\":", l.partition,
            l.committed, l.high, l.lag);
        AppendJsonString(out, l.member_id);
        out += '}';
      }
    }
    out += "]}";
  }
  return out + "]}";
}

Result<std::string> MessagesJson(const std::string& brokers, const console::MessageQuery& q) {
  // librdkafka assigns only with a group.id; nothing is ever committed or joined under it.
  EL_ASSIGN_OR_RETURN(rdk::Consumer consumer,
                      rdk::Consumer::Create(brokers, {{"client.id", "eventlake-console"},
                                                      {"group.id", "eventlake-console"},
                                                      {"enable.auto.commit", "false"}}));
  EL_ASSIGN_OR_RETURN(auto partitions, consumer.Partitions(q.topic, kAdminTimeout));
  if (std::find(partitions.begin(), partitions.end(), q.partition) == partitions.end())
    return NotFound(fmt::format("topic {} has no partition {}", q.topic, q.partition));
  EL_ASSIGN_OR_RETURN(rdk::Watermarks marks,
                      consumer.QueryWatermarks(q.topic, q.partition, kAdminTimeout));
  int64_t from = std::max(q.offset, marks.low);
  if (q.time_ms) {
    EL_ASSIGN_OR_RETURN(auto found,
                        consumer.OffsetsForTime(q.topic, {q.partition}, *q.time_ms, kAdminTimeout));
    from =
        found.count(q.partition) != 0 && found[q.partition] >= 0 ? found[q.partition] : marks.high;
    from = std::max(from, marks.low);
  }
  // from + limit, without overflowing for an offset near the largest.
  int64_t to = from < marks.high ? from + std::min<int64_t>(q.limit, marks.high - from) : from;
  std::string out = "{\"topic\":";
  AppendJsonString(out, q.topic);
  out += fmt::format(",\"partition\":{},\"low\":{},\"high\":{},\"from\":{},\"messages\":[",
                     q.partition, marks.low, marks.high, from);
  if (from < to) {
    EL_RETURN_IF_ERROR(consumer.Assign(q.topic, {{q.partition, from}}));
    auto deadline = std::chrono::steady_clock::now() + kBrowseWait;
    int64_t next = from;
    bool first = true;
    std::vector<rdk::Message> batch;
    while (next < to && std::chrono::steady_clock::now() < deadline) {
      consumer.PollBatch(std::chrono::milliseconds(200), static_cast<size_t>(to - next), batch);
      for (const rdk::Message& m : batch) {
        if (!m || m->err != RD_KAFKA_RESP_ERR_NO_ERROR || m->offset < next || m->offset >= to)
          continue;
        if (!first) out += ',';
        first = false;
        AppendMessage(out, *m);
        next = m->offset + 1;
      }
      batch.clear();  // messages go before the consumer
    }
  }
  return out + "]}";
}

}  // namespace el::app
