#include "jobs/dedup_window.h"

#include <algorithm>

namespace el::jobs {

bool DedupWindow::SeenOrAdd(std::string_view id, int64_t timestamp_ms) {
  std::string key(id);
  if (ids_.count(key) != 0) return true;
  ids_.insert(key);
  pending_.emplace_back(timestamp_ms, std::move(key));
  return false;
}

void DedupWindow::CommitPending() {
  for (auto& entry : pending_) {
    newest_ms_ = std::max(newest_ms_, entry.first);
    order_.push_back(std::move(entry));
  }
  pending_.clear();
  Evict();
}

void DedupWindow::DropPending() {
  for (const auto& [ts, id] : pending_) ids_.erase(id);
  pending_.clear();
}

void DedupWindow::AddLanded(std::string id, int64_t timestamp_ms) {
  if (!ids_.insert(id).second) return;
  newest_ms_ = std::max(newest_ms_, timestamp_ms);
  order_.emplace_back(timestamp_ms, std::move(id));
  Evict();
}

void DedupWindow::Clear() {
  ids_.clear();
  order_.clear();
  pending_.clear();
  newest_ms_ = INT64_MIN;
}

void DedupWindow::Evict() {
  // Landing order follows the log, so the front is (about) the oldest.
  while (!order_.empty() &&
         (order_.size() > max_ids_ || order_.front().first < newest_ms_ - window_.count())) {
    ids_.erase(order_.front().second);
    order_.pop_front();
  }
}

}  // namespace el::jobs
