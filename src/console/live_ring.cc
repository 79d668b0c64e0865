#include "console/live_ring.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/json_text.h"

namespace el::console {

void LiveRing::Add(LiveEvent event) {
  if (event.value.size() > kMaxValueBytes) event.value.resize(kMaxValueBytes);
  std::lock_guard lock(mu_);
  events_.emplace_back(next_seq_++, std::move(event));
  while (events_.size() > capacity_) events_.pop_front();
}

void LiveRing::SetState(std::string state) {
  std::lock_guard lock(mu_);
  state_ = std::move(state);
}

std::string LiveRing::JsonSince(uint64_t after, size_t max) const {
  std::lock_guard lock(mu_);
  std::string out = "{\"state\":";
  AppendJsonString(out, state_);
  out += fmt::format(",\"next\":{},\"events\":[", next_seq_ - 1);
  auto first = std::find_if(events_.begin(), events_.end(),
                            [after](const auto& e) { return e.first > after; });
  size_t n = static_cast<size_t>(events_.end() - first);
  if (n > max) first += static_cast<std::ptrdiff_t>(n - max);
  for (auto it = first; it != events_.end(); ++it) {
    const LiveEvent& e = it->second;
    if (it != first) out += ',';
    out += fmt::format("{{\"seq\":{},\"partition\":{},\"offset\":{},\"timestamp_ms\":{},\"value\":",
                       it->first, e.partition, e.offset, e.timestamp_ms);
    AppendJsonString(out, e.value);
    out += '}';
  }
  return out + "]}";
}

}  // namespace el::console
