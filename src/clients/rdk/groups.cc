#include "clients/rdk/groups.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace el::rdk {
namespace {

// Big-endian reader over librdkafka-owned bytes; stops (ok = false) at the first overrun.
struct BeReader {
  const uint8_t* p;
  size_t left;
  bool ok = true;
  int64_t Int(int bytes) {
    if (!ok || left < static_cast<size_t>(bytes)) {
      ok = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
    p += bytes;
    left -= bytes;
    if (bytes == 2) return static_cast<int16_t>(v);
    if (bytes == 4) return static_cast<int32_t>(v);
    return static_cast<int64_t>(v);
  }
  std::string Str() {
    int64_t n = Int(2);
    if (!ok || n < 0 || static_cast<size_t>(n) > left) {
      ok = false;
      return {};
    }
    std::string s(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
    p += n;
    left -= static_cast<size_t>(n);
    return s;
  }
};

GroupInfo ToInfo(const rd_kafka_group_info& g) {
  GroupInfo info;
  info.group = g.group ? g.group : "";
  info.state = g.state ? g.state : "";
  info.protocol_type = g.protocol_type ? g.protocol_type : "";
  info.protocol = g.protocol ? g.protocol : "";
  for (int i = 0; i < g.member_cnt; ++i) {
    const rd_kafka_group_member_info& m = g.members[i];
    GroupMemberInfo mi;
    mi.member_id = m.member_id ? m.member_id : "";
    mi.client_id = m.client_id ? m.client_id : "";
    mi.client_host = m.client_host ? m.client_host : "";
    mi.assignment = GroupsClient::DecodeAssignment(m.member_assignment,
                                                   static_cast<size_t>(std::max(m.member_assignment_size, 0)));
    info.members.push_back(std::move(mi));
  }
  return info;
}

}  // namespace

std::map<std::string, std::vector<int32_t>> GroupsClient::DecodeAssignment(const void* data, size_t size) {
  std::map<std::string, std::vector<int32_t>> out;
  if (data == nullptr || size < 2) return out;
  BeReader r{static_cast<const uint8_t*>(data), size};
  r.Int(2);  // version
  int64_t topics = r.Int(4);
  for (int64_t t = 0; r.ok && t < topics; ++t) {
    std::string topic = r.Str();
    int64_t n = r.Int(4);
    std::vector<int32_t> parts;
    for (int64_t i = 0; r.ok && i < n; ++i) parts.push_back(static_cast<int32_t>(r.Int(4)));
    if (r.ok) out[topic] = std::move(parts);
  }
  return out;
}

Result<GroupsClient> GroupsClient::Connect(const std::string& brokers, std::chrono::milliseconds timeout) {
  // A consumer handle with a throwaway group id: committed() needs one, but it never subscribes, so
  // it never joins any group. Lookups for another group use a handle made for that group.
  EL_ASSIGN_OR_RETURN(auto conf, MakeConf({{"bootstrap.servers", brokers},
                                           {"group.id", "eventlake-groups-tool"},
                                           {"enable.auto.commit", "false"},
                                           {"log_level", "3"}}));
  EL_ASSIGN_OR_RETURN(auto handle, MakeHandle(RD_KAFKA_CONSUMER, std::move(conf)));
  return GroupsClient(std::move(handle), brokers, timeout);
}

Result<std::vector<GroupInfo>> GroupsClient::ListGroups(const char* group) {
  const rd_kafka_group_list* list = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_list_groups(handle_.get(), group, &list, static_cast<int>(timeout_.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unavailable(std::string("listing groups: ") + rd_kafka_err2str(err));
  }
  std::vector<GroupInfo> out;
  for (int i = 0; i < list->group_cnt; ++i) out.push_back(ToInfo(list->groups[i]));
  rd_kafka_group_list_destroy(list);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.group < b.group; });
  return out;
}

Result<std::vector<GroupInfo>> GroupsClient::List() { return ListGroups(nullptr); }

Result<GroupInfo> GroupsClient::Describe(const std::string& group) {
  EL_ASSIGN_OR_RETURN(auto groups, ListGroups(group.c_str()));
  for (auto& g : groups) {
    if (g.group == group) return std::move(g);
  }
  GroupInfo dead;
  dead.group = group;
  dead.state = "Dead";
  return dead;
}

Result<std::vector<std::pair<std::string, int32_t>>> GroupsClient::AllPartitions() {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(handle_.get(), 1, nullptr, &md, static_cast<int>(timeout_.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Unavailable(std::string("metadata: ") + rd_kafka_err2str(err));
  std::vector<std::pair<std::string, int32_t>> out;
  for (int t = 0; t < md->topic_cnt; ++t) {
    for (int p = 0; p < md->topics[t].partition_cnt; ++p) {
      out.emplace_back(md->topics[t].topic, md->topics[t].partitions[p].id);
    }
  }
  rd_kafka_metadata_destroy(md);
  return out;
}

Result<std::vector<PartitionLag>> GroupsClient::Lag(const GroupInfo& group) {
  EL_ASSIGN_OR_RETURN(auto partitions, AllPartitions());
  std::map<std::pair<std::string, int32_t>, std::string> owners;
  for (const auto& m : group.members) {
    for (const auto& [topic, parts] : m.assignment) {
      for (int32_t p : parts) owners[{topic, p}] = m.member_id;
    }
  }
  // committed() asks the coordinator of the handle's own group.id, so use a handle for this group.
  EL_ASSIGN_OR_RETURN(auto conf, MakeConf({{"bootstrap.servers", brokers_},
                                           {"group.id", group.group},
                                           {"enable.auto.commit", "false"},
                                           {"log_level", "3"}}));
  EL_ASSIGN_OR_RETURN(auto handle, MakeHandle(RD_KAFKA_CONSUMER, std::move(conf)));
  TopicPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()) + 1));
  for (const auto& [t, p] : partitions) rd_kafka_topic_partition_list_add(list.get(), t.c_str(), p);
  rd_kafka_resp_err_t err = rd_kafka_committed(handle.get(), list.get(), static_cast<int>(timeout_.count()));
  rd_kafka_consumer_close(handle.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Unavailable(std::string("committed offsets: ") + rd_kafka_err2str(err));
  std::vector<PartitionLag> out;
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    auto owner = owners.find({tp.topic, tp.partition});
    if (tp.offset < 0 && owner == owners.end()) continue;
    PartitionLag row;
    row.topic = tp.topic;
    row.partition = tp.partition;
    row.committed = tp.offset < 0 ? -1 : tp.offset;
    if (owner != owners.end()) row.member_id = owner->second;
    int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(handle_.get(), tp.topic, tp.partition, &low, &high,
                                         static_cast<int>(timeout_.count())) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      row.high = high;
      if (row.committed >= 0) row.lag = std::max<int64_t>(0, high - row.committed);
    }
    out.push_back(std::move(row));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  });
  return out;
}

}  // namespace el::rdk
