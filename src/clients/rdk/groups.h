#pragma once
// Consumer-group inspection over the Kafka protocol with librdkafka: ListGroups/DescribeGroups
// (rd_kafka_list_groups), committed offsets (OffsetFetch through a consumer handle that never joins
// the group) and watermarks, for `eventlake groups`. Works against eventlake's broker and Kafka alike.
// Not thread-safe; one caller at a time. Lifetime: owns its rd_kafka_t; every call blocks for at most
// the timeout given to Connect.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "clients/rdk/handles.h"

namespace el::rdk {

struct GroupMemberInfo {
  std::string member_id;
  std::string client_id;
  std::string client_host;
  // Decoded from the "consumer" protocol assignment bytes: topic -> partitions.
  std::map<std::string, std::vector<int32_t>> assignment;
};

struct GroupInfo {
  std::string group;
  std::string state;
  std::string protocol_type;
  std::string protocol;
  std::vector<GroupMemberInfo> members;
};

struct PartitionLag {
  std::string topic;
  int32_t partition = 0;
  int64_t committed = -1;  // -1: nothing committed
  int64_t high = -1;
  int64_t lag = -1;        // high - committed, -1 without a commit
  std::string member_id;   // owner in the current assignment, "" if none
};

class GroupsClient {
 public:
  // Errors: InvalidArgument (bad broker list).
  static Result<GroupsClient> Connect(const std::string& brokers, std::chrono::milliseconds timeout);
  // Every group the cluster knows, described. Errors: Unavailable.
  Result<std::vector<GroupInfo>> List();
  // One group; state "Dead" when unknown. Errors: Unavailable.
  Result<GroupInfo> Describe(const std::string& group);
  // Committed offset, high watermark and lag of every partition the group committed or is assigned.
  Result<std::vector<PartitionLag>> Lag(const GroupInfo& group);

  // Decodes ConsumerProtocolAssignment bytes (version, [topic, [partition]], user data).
  static std::map<std::string, std::vector<int32_t>> DecodeAssignment(const void* data, size_t size);

 private:
  GroupsClient(KafkaHandle handle, std::string brokers, std::chrono::milliseconds timeout)
      : handle_(std::move(handle)), brokers_(std::move(brokers)), timeout_(timeout) {}
  Result<std::vector<GroupInfo>> ListGroups(const char* group);
  Result<std::vector<std::pair<std::string, int32_t>>> AllPartitions();

  KafkaHandle handle_;
  std::string brokers_;
  std::chrono::milliseconds timeout_;
};

}  // namespace el::rdk
