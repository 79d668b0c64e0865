#pragma once
// DedupWindow: the event ids a lander has landed within the last `window` of Kafka time (at most
// `max_ids` of them), so that a record whose id was landed before is dropped instead of landed
// twice. A client that retries a request after a collector crash sends the same messageIds, and
// the collector may have produced the first attempt already: the log then holds the event twice,
// and the lake must not. Ids of the pending batch are pending until it publishes (CommitPending)
// or is dropped (DropPending); a duplicate within one batch is caught too.
// Ids are kept as 128-bit fingerprints (two independent 64-bit hashes), about 70 bytes an id
// instead of 200 for the strings: two distinct ids are taken for one with a probability of about
// n^2 / 2^129 (1e-27 for a million ids).
// Threading: the landing thread only.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "base/huge_pages.h"

namespace el::jobs {

class DedupWindow {
 public:
  DedupWindow(std::chrono::milliseconds window, size_t max_ids)
      : window_(window), max_ids_(max_ids) {}

  // An id as the window keeps it. Of() may run on any thread.
  struct Fingerprint {
    uint64_t a = 0;
    uint64_t b = 0;
    bool operator==(const Fingerprint&) const = default;
  };
  static Fingerprint Of(std::string_view id);
  struct Id {
    Fingerprint fingerprint;
    int64_t timestamp_ms = 0;  // its record's Kafka timestamp
  };

  // True when `id` was landed within the window or is pending; otherwise records it as pending.
  bool SeenOrAdd(std::string_view id, int64_t timestamp_ms) { return SeenOrAdd(Id{Of(id), timestamp_ms}); }
  bool SeenOrAdd(const Id& id);
  // SeenOrAdd of each of `ids` in order (seen[i] for ids[i]), the table's memory fetched a few
  // ids ahead: a window of a million ids misses the cache on nearly every id.
  void SeenOrAddAll(std::span<const Id> ids, std::span<char> seen);
  // The first `count` pending ids (in the order added) are landed now: they join the window,
  // and ids older than the window (or beyond max_ids) leave it.
  void CommitPending(size_t count);
  size_t pending() const { return pending_.size(); }
  // The pending batches were not landed: their ids are forgotten.
  void DropPending();
  // An id the lake holds (rebuilding the window at start).
  void AddLanded(std::string_view id, int64_t timestamp_ms);
  void Clear();

  size_t size() const { return ids_.size(); }

 private:
  // An open-addressing set of fingerprints (linear probing; a fingerprint's top bit is always
  // set, so {0, 0} marks an empty slot and {0, 1} an erased one): no allocation per id, one
  // cache line touched per lookup, 16-43 bytes an id.
  class FingerprintSet {
   public:
    bool Insert(const Fingerprint& f);  // false when present
    void Erase(const Fingerprint& f);
    void Clear();
    void Reserve(size_t ids);
    // Fetches the slot where a lookup of `f` starts into the cache (valid until the next Insert
    // that grows the table).
    void Prefetch(const Fingerprint& f) const {
      if (!slots_.empty()) __builtin_prefetch(&slots_[f.a & (slots_.size() - 1)], 1);
    }
    size_t size() const { return size_; }

   private:
    static constexpr Fingerprint kEmpty{0, 0};
    static constexpr Fingerprint kErased{0, 1};
    void Rehash(size_t capacity);
    std::vector<Fingerprint, HugePageAllocator<Fingerprint>> slots_;  // ids at random: huge pages
    size_t size_ = 0;
    size_t erased_ = 0;
  };
  void ReserveFirst();  // the table's first size, before the first id
  void Evict();

  std::chrono::milliseconds window_;
  size_t max_ids_;
  int64_t newest_ms_ = INT64_MIN;
  FingerprintSet ids_;                                 // landed and pending
  using Entry = std::pair<int64_t, Fingerprint>;  // Kafka timestamp, id
  // Landed ids in landing order from order_head_ on: a vector whose evicted front is cut off once
  // it is half of it (a batch's ids join with one copy, no allocation per id).
  std::vector<Entry, HugePageAllocator<Entry>> order_;
  size_t order_head_ = 0;
  std::vector<Entry, HugePageAllocator<Entry>> pending_;
};

}  // namespace el::jobs
