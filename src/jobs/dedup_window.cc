#include "jobs/dedup_window.h"

#include <algorithm>
#include <functional>

namespace el::jobs {

DedupWindow::Fingerprint DedupWindow::Of(std::string_view id) {
  uint64_t fnv = 14695981039346656037ull;  // FNV-1a 64
  for (unsigned char c : id) fnv = (fnv ^ c) * 1099511628211ull;
  return {static_cast<uint64_t>(std::hash<std::string_view>{}(id)), fnv};
}

bool DedupWindow::SeenOrAdd(std::string_view id, int64_t timestamp_ms) {
  Fingerprint f = Of(id);
  if (!ids_.insert(f).second) return true;
  pending_.emplace_back(timestamp_ms, f);
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

void DedupWindow::AddLanded(std::string_view id, int64_t timestamp_ms) {
  Fingerprint f = Of(id);
  if (!ids_.insert(f).second) return;
  newest_ms_ = std::max(newest_ms_, timestamp_ms);
  order_.emplace_back(timestamp_ms, f);
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
