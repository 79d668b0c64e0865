#include "kafka/server/group/coordinator.h"

#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/log.h"

namespace el::kafka::group {
namespace asio = boost::asio;
namespace {

// One parked request: the answer and the timer its coroutine sleeps on until the answer arrives.
template <typename R>
struct Parked : std::enable_shared_from_this<Parked<R>> {
  explicit Parked(asio::any_io_executor ex) : timer(std::move(ex), asio::steady_timer::time_point::max()) {}
  void Deliver(R r) {
    {
      std::lock_guard lock(mu);
      result = std::move(r);
    }
    asio::post(timer.get_executor(), [self = this->shared_from_this()] { self->timer.cancel(); });
  }
  std::optional<R> Take() {
    std::lock_guard lock(mu);
    return std::move(result);
  }
  std::mutex mu;
  std::optional<R> result;
  asio::steady_timer timer;
};

// Calls start(callback) and sleeps until the callback has been called.
template <typename R, typename Start>
asio::awaitable<R> AwaitAnswer(const Start& start) {
  auto parked = std::make_shared<Parked<R>>(co_await asio::this_coro::executor);
  start([parked](R r) { parked->Deliver(std::move(r)); });
  for (;;) {
    if (auto r = parked->Take()) co_return std::move(*r);
    co_await parked->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace

Result<std::unique_ptr<Coordinator>> Coordinator::Open(const std::string& data_dir, GroupConfig config,
                                                       std::chrono::milliseconds tick) {
  EL_ASSIGN_OR_RETURN(auto offsets, OffsetStore::Open(data_dir));
  std::unique_ptr<Coordinator> c(new Coordinator(config, std::move(offsets)));
  c->ticker_ = std::thread([raw = c.get(), tick] {
    SetLogComponent("broker");
    raw->TickLoop(tick);
  });
  return c;
}

Coordinator::Coordinator(GroupConfig config, std::unique_ptr<OffsetStore> offsets)
    : config_(config), offsets_(std::move(offsets)) {}

Coordinator::~Coordinator() { Shutdown(); }

std::shared_ptr<Coordinator::Entry> Coordinator::Find(const std::string& id, bool create) {
  std::lock_guard lock(mu_);
  auto it = groups_.find(id);
  if (it != groups_.end()) return it->second;
  if (!create || shut_down_) return nullptr;
  auto e = std::make_shared<Entry>(id, config_);
  groups_.emplace(id, e);
  return e;
}

std::vector<std::shared_ptr<Coordinator::Entry>> Coordinator::Snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Entry>> out;
  for (const auto& [id, e] : groups_) out.push_back(e);
  return out;
}

asio::awaitable<JoinGroupResponse> Coordinator::Join(const std::string& group_id, JoinParams& p) {
  if (group_id.empty()) {
    JoinGroupResponse r;
    r.error_code = ToWire(ErrorCode::kInvalidGroupId);
    r.member_id = p.member_id;
    co_return r;
  }
  auto entry = Find(group_id, true);
  if (!entry) {
    JoinGroupResponse r;
    r.error_code = ToWire(ErrorCode::kCoordinatorNotAvailable);
    co_return r;
  }
  co_return co_await AwaitAnswer<JoinGroupResponse>([&](JoinCallback cb) {
    std::lock_guard lock(entry->mu);
    entry->group.Join(std::move(p), Clock::now(), std::move(cb));
  });
}

asio::awaitable<SyncGroupResponse> Coordinator::Sync(const std::string& group_id, int32_t generation,
                                                     const std::string& member_id,
                                                     std::vector<SyncGroupAssignment>& assignments) {
  auto entry = Find(group_id, false);
  if (!entry) {
    SyncGroupResponse r;
    r.error_code = ToWire(group_id.empty() ? ErrorCode::kInvalidGroupId : ErrorCode::kUnknownMemberId);
    co_return r;
  }
  co_return co_await AwaitAnswer<SyncGroupResponse>([&](SyncCallback cb) {
    std::lock_guard lock(entry->mu);
    entry->group.Sync(generation, member_id, std::move(assignments), Clock::now(), std::move(cb));
  });
}

ErrorCode Coordinator::Heartbeat(const std::string& group_id, int32_t generation,
                                 const std::string& member_id) {
  if (group_id.empty()) return ErrorCode::kInvalidGroupId;
  auto entry = Find(group_id, false);
  if (!entry) return ErrorCode::kUnknownMemberId;
  std::lock_guard lock(entry->mu);
  return entry->group.Heartbeat(generation, member_id, Clock::now());
}

ErrorCode Coordinator::Leave(const std::string& group_id, const std::string& member_id) {
  if (group_id.empty()) return ErrorCode::kInvalidGroupId;
  auto entry = Find(group_id, false);
  if (!entry) return ErrorCode::kUnknownMemberId;
  std::lock_guard lock(entry->mu);
  return entry->group.Leave(member_id, Clock::now());
}

ErrorCode Coordinator::CheckCommit(const std::string& group_id, int32_t generation,
                                   const std::string& member_id) {
  if (group_id.empty()) return ErrorCode::kInvalidGroupId;
  auto entry = Find(group_id, true);
  if (!entry) return ErrorCode::kCoordinatorNotAvailable;
  std::lock_guard lock(entry->mu);
  return entry->group.CheckCommit(generation, member_id, Clock::now());
}

std::vector<ListedGroup> Coordinator::List() const {
  std::map<std::string, std::string> types;
  for (const auto& g : offsets_->Groups()) types[g];
  for (const auto& e : Snapshot()) {
    std::lock_guard lock(e->mu);
    types[e->group.id()] = e->group.protocol_type();
  }
  std::vector<ListedGroup> out;
  for (auto& [id, type] : types) out.push_back({id, type});
  return out;
}

DescribedGroup Coordinator::Describe(const std::string& group_id) const {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group_id);
    if (it != groups_.end()) entry = it->second;
  }
  if (entry) {
    std::lock_guard lock(entry->mu);
    return entry->group.Describe();
  }
  DescribedGroup g;
  g.group_id = group_id;
  g.group_state = offsets_->GetAll(group_id).empty() ? "Dead" : "Empty";
  return g;
}

void Coordinator::Tick(TimePoint now) {
  for (const auto& e : Snapshot()) {
    std::lock_guard lock(e->mu);
    e->group.Tick(now);
  }
}

void Coordinator::TickLoop(std::chrono::milliseconds tick) {
  std::unique_lock lock(mu_);
  while (!shut_down_) {
    cv_.wait_for(lock, tick);
    if (shut_down_) break;
    lock.unlock();
    try {
      Tick(Clock::now());
    } catch (const std::exception& ex) {
      spdlog::error("group coordinator tick failed: {}", ex.what());
    }
    lock.lock();
  }
}

void Coordinator::Shutdown() {
  {
    std::lock_guard lock(mu_);
    shut_down_ = true;
  }
  cv_.notify_all();
  if (ticker_.joinable() && ticker_.get_id() != std::this_thread::get_id()) ticker_.join();
  for (const auto& e : Snapshot()) {
    std::lock_guard lock(e->mu);
    e->group.Shutdown();
  }
}

}  // namespace el::kafka::group
