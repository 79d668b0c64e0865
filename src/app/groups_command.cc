// `eventlake groups list|describe --brokers LIST [--group G]`: consumer groups over the Kafka protocol
// (librdkafka): state, members with client ids, hosts and assignments, and per partition the
// committed offset, high watermark and lag. Works against eventlake's broker and Kafka alike.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "app/commands.h"
#include "app/settings_cli.h"
#include "base/log.h"
#include "clients/rdk/groups.h"

namespace el::app {
namespace {

struct GroupsArgs {
  std::string action;
  std::string brokers;
  std::string group;
  int timeout_ms = 10000;
};

std::string FormatAssignment(const rdk::GroupMemberInfo& m) {
  std::string out;
  for (const auto& [topic, parts] : m.assignment) {
    if (!out.empty()) out += ",";
    out += topic + "[";
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? "," : "") + std::to_string(parts[i]);
    out += "]";
  }
  return out.empty() ? "-" : out;
}

Status Describe(rdk::GroupsClient& client, const std::string& name) {
  EL_ASSIGN_OR_RETURN(auto g, client.Describe(name));
  std::printf("group %s state %s protocol %s/%s members %zu\n", g.group.c_str(), g.state.c_str(),
              g.protocol_type.empty() ? "-" : g.protocol_type.c_str(), g.protocol.empty() ? "-" : g.protocol.c_str(),
              g.members.size());
  for (const auto& m : g.members) {
    std::printf("member %s client %s host %s assigned %s\n", m.member_id.c_str(), m.client_id.c_str(),
                m.client_host.c_str(), FormatAssignment(m).c_str());
  }
  EL_ASSIGN_OR_RETURN(auto lags, client.Lag(g));
  std::printf("TOPIC PARTITION COMMITTED HIGH LAG MEMBER\n");
  for (const auto& l : lags) {
    std::string committed = l.committed < 0 ? "-" : std::to_string(l.committed);
    std::string lag = l.lag < 0 ? "-" : std::to_string(l.lag);
    std::printf("%s %d %s %lld %s %s\n", l.topic.c_str(), l.partition, committed.c_str(),
                static_cast<long long>(l.high), lag.c_str(), l.member_id.empty() ? "-" : l.member_id.c_str());
  }
  return Status::Ok();
}

Status RunAction(rdk::GroupsClient& client, const GroupsArgs& args) {
  if (args.action == "describe" && !args.group.empty()) return Describe(client, args.group);
  EL_ASSIGN_OR_RETURN(auto groups, client.List());
  for (const auto& g : groups) {
    if (args.action == "list") {
      std::printf("%s %s %s members %zu\n", g.group.c_str(), g.state.c_str(),
                  g.protocol_type.empty() ? "-" : g.protocol_type.c_str(), g.members.size());
    } else {
      EL_RETURN_IF_ERROR(Describe(client, g.group));
    }
  }
  return Status::Ok();
}

int RunGroups(const GroupsArgs& args) {
  auto client = rdk::GroupsClient::Connect(args.brokers, std::chrono::milliseconds(args.timeout_ms));
  if (!client.ok()) {
    spdlog::error("{}", client.status().message());
    return 2;
  }
  Status st = RunAction(*client, args);
  std::fflush(stdout);
  if (!st.ok()) {
    spdlog::error("{}", st.message());
    return 1;
  }
  return 0;
}

}  // namespace

void AddGroupsCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<GroupsArgs>();
  CLI::App* cmd = app.add_subcommand("groups", "List or describe consumer groups (Kafka protocol)");
  cmd->add_option("action", args->action, "list|describe")->required()->check(CLI::IsMember({"list", "describe"}));
  cmd->add_option("--brokers", args->brokers, "Bootstrap brokers HOST:PORT[,HOST:PORT...]")
      ->required()
      ->check(BrokerListValidator());
  cmd->add_option("--group", args->group, "Group to describe (default: every group)");
  cmd->add_option("--timeout-ms", args->timeout_ms, "Per-request timeout")
      ->capture_default_str()
      ->check(TimeoutMsValidator());
  cmd->callback([args, &exit_code] { exit_code = RunGroups(*args); });
}

}  // namespace el::app
