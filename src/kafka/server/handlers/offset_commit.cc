// OffsetCommit 0-7. Generation -1 with an empty member id is a "simple" commit (assign()-style
// consumers, admin tools), accepted while the group has no members; members must match the current
// generation; during CompletingRebalance the answer is REBALANCE_IN_PROGRESS. Accepted offsets are
// appended to the offsets file and fdatasynced on the blocking pool before the reply.
#include <chrono>

#include "kafka/protocol/offset_commit.h"
#include "kafka/server/errors.h"
#include "kafka/server/group/coordinator.h"
#include "kafka/server/handlers/handler.h"

namespace el::kafka {
namespace {

constexpr size_t kMaxMetadataBytes = 4096;

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Fills `resp` with `code` for every partition and returns the entries to store (when code is NONE).
std::vector<group::OffsetCommitEntry> Plan(const OffsetCommitRequest& cr, ErrorCode code,
                                           OffsetCommitResponse& resp) {
  std::vector<group::OffsetCommitEntry> entries;
  for (const auto& t : cr.topics) {
    OffsetCommitTopicResult tr{t.name, {}};
    for (const auto& p : t.partitions) {
      ErrorCode e = code;
      if (e == ErrorCode::kNone && p.committed_metadata && p.committed_metadata->size() > kMaxMetadataBytes) {
        e = ErrorCode::kOffsetMetadataTooLarge;
      }
      if (e == ErrorCode::kNone) {
        int64_t ts = p.commit_timestamp >= 0 ? p.commit_timestamp : NowMs();
        entries.push_back({{t.name, p.partition_index},
                           {p.committed_offset, p.committed_leader_epoch, p.committed_metadata, ts}});
      }
      tr.partitions.push_back({p.partition_index, ToWire(e)});
    }
    resp.topics.push_back(std::move(tr));
  }
  return entries;
}

boost::asio::awaitable<Result<Response>> Handle(BrokerContext& ctx, const Request& req) {
  int16_t v = req.header.api_version;
  auto parsed = DecodeMessage<OffsetCommitRequest>(req.body, v);
  if (!parsed.ok()) co_return parsed.status();
  const OffsetCommitRequest& cr = *parsed;
  ErrorCode code = ctx.groups->CheckCommit(cr.group_id, cr.generation_id, cr.member_id);
  OffsetCommitResponse resp;
  std::vector<group::OffsetCommitEntry> entries = Plan(cr, code, resp);
  if (!entries.empty()) {
    Status st = co_await RunBlocking(ctx, [&] { return ctx.groups->offsets().Commit(cr.group_id, entries); });
    if (!st.ok()) {
      spdlog::error("group {}: storing committed offsets failed: {}", cr.group_id, st.ToString());
      for (auto& t : resp.topics) {
        for (auto& p : t.partitions) {
          if (p.error_code == 0) p.error_code = ToWire(ErrorCode::kCoordinatorNotAvailable);
        }
      }
    }
  }
  co_return Reply(resp, v);
}

}  // namespace

HandlerSpec OffsetCommitHandler() { return {ApiKey::kOffsetCommit, 0, 7, &Handle}; }

}  // namespace el::kafka
