#include "collector/dedup.h"

namespace el::collector {

std::vector<bool> MessageIdWindow::Seen(const std::vector<const std::string*>& ids,
                                        Clock::time_point now) {
  std::vector<bool> seen(ids.size(), false);
  if (window_.count() <= 0) return seen;
  std::lock_guard lock(mu_);
  ExpireLocked(now);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!ids[i]->empty()) seen[i] = last_seen_.count(*ids[i]) != 0;
  }
  return seen;
}

void MessageIdWindow::Remember(const std::vector<const std::string*>& ids, Clock::time_point now) {
  if (window_.count() <= 0 || max_ids_ == 0) return;
  std::lock_guard lock(mu_);
  for (const std::string* id : ids) {
    if (id->empty()) continue;
    last_seen_[*id] = now;
    by_time_.emplace_back(now, *id);
  }
  ExpireLocked(now);
}

size_t MessageIdWindow::size() {
  std::lock_guard lock(mu_);
  return last_seen_.size();
}

void MessageIdWindow::ExpireLocked(Clock::time_point now) {
  while (!by_time_.empty() &&
         (by_time_.front().first + window_ <= now || last_seen_.size() > max_ids_)) {
    auto& [time, id] = by_time_.front();
    auto it = last_seen_.find(id);
    // Only the id's latest entry forgets it.
    if (it != last_seen_.end() && it->second == time) last_seen_.erase(it);
    by_time_.pop_front();
  }
}

}  // namespace el::collector
