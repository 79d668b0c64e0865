#pragma once
// The console's views of the log, read over the Kafka protocol with librdkafka like any client:
// topics (offsets, sizes, retention), consumer groups (members, assignments, committed offsets,
// lag) and a partition's messages from an offset or a time. Each call opens its own short-lived
// client and blocks for at most a few seconds. Thread-safe (no shared state).
#include <string>

#include "base/result.h"
#include "console/console_server.h"

namespace el::app {

// {"topics":[{"name","messages","bytes","retention_ms","retention_bytes","partitions":[{"id",
// "low","high","bytes"}]}]}; bytes from `log_dir` (null when empty or not there). Errors:
// Unavailable.
Result<std::string> TopicsJson(const std::string& brokers, const std::string& log_dir);

// {"groups":[{"group","state","members","member_list":[{"member_id","client_id","host",
// "assignment":[{"topic","partitions":[..]}]}],"lag":[{"topic","partition","committed","high",
// "lag","member_id"}]}]}. Errors: Unavailable.
Result<std::string> GroupsJson(const std::string& brokers);

// {"topic","partition","low","high","from","messages":[{"offset","timestamp_ms","key","value"}]}:
// at most q.limit messages from q.offset (raised to the partition's first offset) or from the
// first at or after q.time_ms; values cut at 4 KiB. Errors: NotFound (topic or partition),
// Unavailable.
Result<std::string> MessagesJson(const std::string& brokers, const console::MessageQuery& q);

}  // namespace el::app
