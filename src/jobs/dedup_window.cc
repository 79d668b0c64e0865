#include "jobs/dedup_window.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <utility>

namespace el::jobs {

namespace {

// MurmurHash3's 64-bit finalizer.
uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
}

// A second 64-bit hash, independent of std::hash: 8 bytes a step.
uint64_t WordHash(std::string_view id) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ id.size();
  size_t i = 0;
  for (; i + 8 <= id.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, id.data() + i, 8);
    h = Mix(h ^ w) * 0x100000001b3ULL;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, id.data() + i, id.size() - i);
  return Mix(h ^ tail);
}

}  // namespace

bool DedupWindow::FingerprintSet::Insert(const Fingerprint& f) {
  if ((size_ + erased_ + 1) * 4 > slots_.size() * 3) {
    Rehash(size_ * 2 + 2 > slots_.size() ? slots_.size() * 2 : slots_.size());
  }
  size_t mask = slots_.size() - 1;
  size_t first_erased = SIZE_MAX;
  for (size_t i = f.a & mask;; i = (i + 1) & mask) {
    if (slots_[i] == kEmpty) {
      if (first_erased != SIZE_MAX) {
        i = first_erased;
        --erased_;
      }
      slots_[i] = f;
      ++size_;
      return true;
    }
    if (slots_[i] == f) return false;
    if (slots_[i] == kErased && first_erased == SIZE_MAX) first_erased = i;
  }
}

void DedupWindow::FingerprintSet::Erase(const Fingerprint& f) {
  if (slots_.empty()) return;
  size_t mask = slots_.size() - 1;
  for (size_t i = f.a & mask; slots_[i] != kEmpty; i = (i + 1) & mask) {
    if (slots_[i] == f) {
      slots_[i] = kErased;
      --size_;
      ++erased_;
      return;
    }
  }
}

void DedupWindow::FingerprintSet::Clear() {
  slots_.clear();
  size_ = 0;
  erased_ = 0;
}

void DedupWindow::FingerprintSet::Reserve(size_t ids) {
  size_t capacity = 64;
  while (capacity * 3 < ids * 4) capacity *= 2;
  if (capacity > slots_.size()) Rehash(capacity);
}

void DedupWindow::FingerprintSet::Rehash(size_t capacity) {
  capacity = std::max<size_t>(capacity, 64);
  auto old = std::exchange(slots_, decltype(slots_)(capacity, kEmpty));
  size_ = 0;
  erased_ = 0;
  for (const Fingerprint& f : old) {
    if (f.a != 0) Insert(f);
  }
}

DedupWindow::Fingerprint DedupWindow::Of(std::string_view id) {
  // The top bit of `a` is always set: {0, x} marks free slots in FingerprintSet.
  return {static_cast<uint64_t>(std::hash<std::string_view>{}(id)) | (1ULL << 63), WordHash(id)};
}

void DedupWindow::ReserveFirst() {
  if (ids_.size() != 0) return;
  ids_.Reserve(std::min<size_t>(max_ids_, 1 << 20));
  pending_.reserve(std::min<size_t>(max_ids_, 1 << 20));  // a batch's ids: no regrowth copies
}

bool DedupWindow::SeenOrAdd(const Id& id) {
  ReserveFirst();
  if (!ids_.Insert(id.fingerprint)) return true;
  pending_.emplace_back(id.timestamp_ms, id.fingerprint);
  return false;
}

void DedupWindow::SeenOrAddAll(std::span<const Id> ids, std::span<char> seen) {
  constexpr size_t kAhead = 8;  // lookups in flight
  ReserveFirst();
  ids_.Reserve(ids_.size() + ids.size());  // (a prefetch is only a hint: growth would cost speed)
  for (size_t i = 0; i < ids.size() && i < kAhead; ++i) ids_.Prefetch(ids[i].fingerprint);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i + kAhead < ids.size()) ids_.Prefetch(ids[i + kAhead].fingerprint);
    seen[i] = SeenOrAdd(ids[i]) ? 1 : 0;
  }
}

void DedupWindow::CommitPending(size_t count) {
  count = std::min(count, pending_.size());
  for (size_t i = 0; i < count; ++i) newest_ms_ = std::max(newest_ms_, pending_[i].first);
  if (order_head_ == order_.size() && count == pending_.size()) {
    // nothing landed is held (a lander's first batch): the pending ids become the order as they are
    order_.swap(pending_);
    order_head_ = 0;
    pending_.clear();
  } else {
    order_.insert(order_.end(), pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(count));
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(count));
  }
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
  order_head_ = 0;
  pending_.clear();
  newest_ms_ = INT64_MIN;
}

void DedupWindow::Evict() {
  // Landing order follows the log, so the front is (about) the oldest.
  while (order_head_ < order_.size() &&
         (order_.size() - order_head_ > max_ids_ || order_[order_head_].first < newest_ms_ - window_.count())) {
    ids_.Erase(order_[order_head_].second);
    ++order_head_;
  }
  if (order_head_ > 0 && order_head_ >= order_.size() / 2) {
    order_.erase(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(order_head_));
    order_head_ = 0;
  }
}

}  // namespace el::jobs
