#include "jobs/dedup_window.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <utility>

namespace el::jobs {

bool DedupWindow::FingerprintSet::Insert(const Fingerprint& f) {
  if ((size_ + erased_ + 1) * 4 > slots_.size() * 3) Rehash(size_ * 2 + 2 > slots_.size() ? slots_.size() * 2 : slots_.size());
  size_t mask = slots_.size() - 1;
  size_t first_erased = SIZE_MAX;
  for (size_t i = f.a & mask;; i = (i + 1) & mask) {
    if (slots_[i] == kEmpty) {
      if (first_erased != SIZE_MAX) {
        i = first_erased;
        --erased_;
      }
      slots_[i] = kFull;
      keys_[i] = f;
      ++size_;
      return true;
    }
    if (slots_[i] == kFull && keys_[i] == f) return false;
    if (slots_[i] == kErased && first_erased == SIZE_MAX) first_erased = i;
  }
}

void DedupWindow::FingerprintSet::Erase(const Fingerprint& f) {
  if (slots_.empty()) return;
  size_t mask = slots_.size() - 1;
  for (size_t i = f.a & mask; slots_[i] != kEmpty; i = (i + 1) & mask) {
    if (slots_[i] == kFull && keys_[i] == f) {
      slots_[i] = kErased;
      --size_;
      ++erased_;
      return;
    }
  }
}

void DedupWindow::FingerprintSet::Clear() {
  keys_.clear();
  slots_.clear();
  size_ = 0;
  erased_ = 0;
}

void DedupWindow::FingerprintSet::Rehash(size_t capacity) {
  capacity = std::max<size_t>(capacity, 64);
  std::vector<Fingerprint> keys = std::exchange(keys_, std::vector<Fingerprint>(capacity));
  std::vector<uint8_t> slots = std::exchange(slots_, std::vector<uint8_t>(capacity, kEmpty));
  size_ = 0;
  erased_ = 0;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (slots[i] == kFull) Insert(keys[i]);
  }
}

DedupWindow::Fingerprint DedupWindow::Of(std::string_view id) {
  uint64_t fnv = 14695981039346656037ull;  // FNV-1a 64
  for (unsigned char c : id) fnv = (fnv ^ c) * 1099511628211ull;
  return {static_cast<uint64_t>(std::hash<std::string_view>{}(id)), fnv};
}

bool DedupWindow::SeenOrAdd(std::string_view id, int64_t timestamp_ms) {
  Fingerprint f = Of(id);
  if (!ids_.Insert(f)) return true;
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
  for (const auto& [ts, id] : pending_) ids_.Erase(id);
  pending_.clear();
}

void DedupWindow::AddLanded(std::string_view id, int64_t timestamp_ms) {
  Fingerprint f = Of(id);
  if (!ids_.Insert(f)) return;
  newest_ms_ = std::max(newest_ms_, timestamp_ms);
  order_.emplace_back(timestamp_ms, f);
  Evict();
}

void DedupWindow::Clear() {
  ids_.Clear();
  order_.clear();
  pending_.clear();
  newest_ms_ = INT64_MIN;
}

void DedupWindow::Evict() {
  // Landing order follows the log, so the front is (about) the oldest.
  while (!order_.empty() &&
         (order_.size() > max_ids_ || order_.front().first < newest_ms_ - window_.count())) {
    ids_.Erase(order_.front().second);
    order_.pop_front();
  }
}

}  // namespace el::jobs
