#include "jobs/record_buffer.h"

#include "base/huge_pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <new>
#include <thread>
#include <vector>
#include <utility>

namespace el::jobs {
namespace {

constexpr size_t kSegmentBytes = 4 << 20;
constexpr size_t kPrefetchAhead = 4;  // records of one tag a cursor fetches ahead

// A record in a segment: this header, the key's bytes, the value's bytes.
struct Header {
  int32_t partition;
  int32_t key_len;  // -1: no key
  int64_t offset;
  int64_t timestamp_ms;
  uint32_t value_len;
  uint32_t tag;
};
static_assert(sizeof(Header) == 32);

}  // namespace

namespace {

// Segments a buffer frees are kept for the next one (up to kPooledSegments): a lander stages
// batch after batch, and memory fresh from the system costs a fault and the zeroing of every
// page, about as much as the copy into it.
// While buffers grow past what the pool holds (a lander's first batches), a thread of the pool's
// own faults the next kAhead segments in ahead of them: the thread that fills a buffer (the
// lander's reading thread, the busiest one while nothing is written yet) then only copies.
constexpr size_t kPooledSegments = 32;
constexpr size_t kAhead = 4;

class SegmentPool {
 public:
  static SegmentPool& Get() {
    static auto* pool = new SegmentPool;  // (never destroyed: buffers may outlive static teardown)
    return *pool;
  }
  // A segment of `bytes` (rounded up to whole huge pages).
  char* Take(size_t& bytes) {
    if (bytes <= kSegmentBytes) {
      bytes = kSegmentBytes;
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        char* p = free_.back();
        free_.pop_back();
        if (growing_ && free_.empty()) Ahead();
        return p;
      }
      growing_ = true;
      Ahead();
    }
    return static_cast<char*>(AllocateHugePages(bytes));
  }
  void Give(char* p, size_t bytes) {
    if (bytes == kSegmentBytes) {
      std::lock_guard lock(mu_);
      if (free_.size() < kPooledSegments) {
        free_.push_back(p);
        growing_ = false;  // buffers give back: the pool holds what they use
        return;
      }
    }
    std::free(p);
  }

 private:
  // Asks the thread for kAhead more segments (mu_ held).
  void Ahead() {
    wanted_ = kAhead;
    if (!filler_started_) {
      filler_started_ = true;
      std::thread([this] { Fill(); }).detach();
    }
    wake_.notify_one();
  }
  void Fill() {
    std::unique_lock lock(mu_);
    for (;;) {
      wake_.wait(lock, [&] { return wanted_ > 0; });
      --wanted_;
      if (free_.size() >= kPooledSegments) continue;
      lock.unlock();
      char* p = nullptr;
      try {
        size_t bytes = kSegmentBytes;
        p = static_cast<char*>(AllocateHugePages(bytes));
        // One write a page faults it in (a whole huge page where the system gives them).
        for (size_t i = 0; i < bytes; i += 4096) static_cast<volatile char*>(p)[i] = 0;
      } catch (const std::bad_alloc&) {
        // the buffer allocates for itself (and reports it)
      }
      lock.lock();
      if (p != nullptr) free_.push_back(p);
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<char*> free_;
  bool growing_ = false;  // the last Take found the pool empty and nothing came back since
  size_t wanted_ = 0;     // segments the thread is to fault in
  bool filler_started_ = false;
};

}  // namespace

void RecordBuffer::Segment::Free::operator()(char* p) const { SegmentPool::Get().Give(p, bytes); }

void RecordBuffer::Segment::Reserve(size_t bytes) {
  if (capacity >= bytes) return;
  // In huge pages where the system allows them: a batch touches hundreds of megabytes once, and
  // 4 KB page faults cost more than the copies.
  char* p = SegmentPool::Get().Take(bytes);
  std::unique_ptr<char[], Free> grown(p, Free{bytes});
  if (used > 0) std::memcpy(grown.get(), data.get(), used);
  std::memset(grown.get() + used, 0, kPadding);  // what simdjson may read past the last value
  data = std::move(grown);
  capacity = bytes;
}

RecordBuffer::RecordBuffer(std::filesystem::path spill_path, size_t memory_budget)
    : spill_path_(std::move(spill_path)), memory_budget_(memory_budget) {}

RecordBuffer::RecordBuffer(RecordBuffer&& other) noexcept
    : spill_path_(std::move(other.spill_path_)),
      memory_budget_(other.memory_budget_),
      kept_(std::move(other.kept_)),
      spilled_(std::move(other.spilled_)),
      current_(std::move(other.current_)),
      spilled_index_(std::move(other.spilled_index_)),
      kept_bytes_(other.kept_bytes_),
      spill_(std::exchange(other.spill_, nullptr)),
      spilled_bytes_(other.spilled_bytes_),
      size_(other.size_) {}

RecordBuffer::~RecordBuffer() { Clear(); }

void RecordBuffer::Clear() {
  if (spill_ != nullptr) {
    std::fclose(spill_);
    spill_ = nullptr;
    std::error_code ec;  // a leftover file is removed with its batch's staging folder
    std::filesystem::remove(spill_path_, ec);
  }
  kept_.clear();
  spilled_.clear();
  current_ = Segment{};
  spilled_index_.clear();
  kept_bytes_ = 0;
  spilled_bytes_ = 0;
  size_ = 0;
}

Status RecordBuffer::SpillCurrent() {
  if (kept_bytes_ + current_.used <= memory_budget_) {
    kept_bytes_ += current_.used;
    kept_.push_back(std::move(current_));
    current_ = Segment{};
    return Status::Ok();
  }
  if (spill_ == nullptr) {
    spill_ = std::fopen(spill_path_.c_str(), "w+b");
    if (spill_ == nullptr) return ErrnoError("create " + spill_path_.string(), errno);
  }
  // Flushed at once: readers pread() segments from other threads.
  if (std::fwrite(current_.data.get(), 1, current_.used, spill_) != current_.used ||
      std::fflush(spill_) != 0) {
    return ErrnoError("write " + spill_path_.string(), errno);
  }
  spilled_.emplace_back(spilled_bytes_, static_cast<int64_t>(current_.used));
  spilled_index_.push_back(std::move(current_.index));
  spilled_bytes_ += static_cast<int64_t>(current_.used);
  current_.used = 0;  // the allocation is reused
  current_.index.clear();
  return Status::Ok();
}

Status RecordBuffer::Add(const RecordMeta& meta, std::string_view value) {
  size_t key_len = meta.has_key ? meta.key.size() : 0;
  if (value.size() > UINT32_MAX || key_len > INT32_MAX)
    return InvalidArgument("a record over 4 GB cannot be buffered");
  size_t need = sizeof(Header) + key_len + value.size();
  if (current_.used > 0 && current_.used + need + kPadding > current_.capacity) {
    EL_RETURN_IF_ERROR(SpillCurrent());
  }
  current_.Reserve(std::max(kSegmentBytes, need + kPadding));
  Header h{meta.partition,
           meta.has_key ? static_cast<int32_t>(key_len) : -1,
           meta.offset,
           meta.timestamp_ms,
           static_cast<uint32_t>(value.size()),
           meta.tag};
  if (meta.tag >= current_.index.size()) current_.index.resize(meta.tag + 1);
  current_.index[meta.tag].push_back(static_cast<uint32_t>(current_.used));
  char* out = current_.data.get() + current_.used;
  std::memcpy(out, &h, sizeof h);
  if (key_len > 0) std::memcpy(out + sizeof h, meta.key.data(), key_len);
  std::memcpy(out + sizeof h + key_len, value.data(), value.size());
  current_.used += need;
  ++size_;
  return Status::Ok();
}

int64_t RecordBuffer::tagged(uint32_t tag) const {
  auto count = [tag](const std::vector<std::vector<uint32_t>>& index) {
    return tag < index.size() ? static_cast<int64_t>(index[tag].size()) : 0;
  };
  int64_t n = count(current_.index);
  for (const Segment& s : kept_) n += count(s.index);
  for (const auto& index : spilled_index_) n += count(index);
  return n;
}

Status RecordBuffer::ForEachIn(size_t first, size_t end, const Visitor& fn) const {
  Cursor cursor(*this);
  for (size_t i = first; i < end && i < segments(); ++i) {
    EL_RETURN_IF_ERROR(cursor.Open(i));
    RecordMeta meta;
    std::string_view value;
    while (cursor.Next(meta, value)) EL_RETURN_IF_ERROR(fn(meta, value));
  }
  return Status::Ok();
}

Status RecordBuffer::Cursor::Open(size_t segment, uint32_t tag) {
  EL_RETURN_IF_ERROR(Open(segment));
  const RecordBuffer& b = buffer_;
  const std::vector<std::vector<uint32_t>>* index = nullptr;
  if (segment < b.kept_.size()) {
    index = &b.kept_[segment].index;
  } else if (segment - b.kept_.size() < b.spilled_index_.size()) {
    index = &b.spilled_index_[segment - b.kept_.size()];
  } else if (segment == b.segments() - 1) {
    index = &b.current_.index;
  }
  static const std::vector<uint32_t> kNone;
  tagged_ = index != nullptr && tag < index->size() ? &(*index)[tag] : &kNone;
  return Status::Ok();
}

Status RecordBuffer::Cursor::Open(size_t segment) {
  at_ = 0;
  segment_ = nullptr;
  tagged_ = nullptr;
  next_tagged_ = 0;
  const RecordBuffer& b = buffer_;
  if (segment < b.kept_.size()) {
    segment_ = &b.kept_[segment];
  } else if (segment - b.kept_.size() < b.spilled_.size()) {
    auto [offset, bytes] = b.spilled_[segment - b.kept_.size()];
    read_.used = 0;
    read_.Reserve(static_cast<size_t>(bytes) + kPadding);
    read_.used = static_cast<size_t>(bytes);
    std::memset(read_.data.get() + read_.used, 0, kPadding);
    for (size_t done = 0; done < read_.used;) {
      ssize_t n = ::pread(::fileno(b.spill_), read_.data.get() + done, read_.used - done,
                          offset + static_cast<off_t>(done));
      if (n <= 0) {
        read_.used = 0;
        return ErrnoError("read back " + b.spill_path_.string(), n < 0 ? errno : EIO);
      }
      done += static_cast<size_t>(n);
    }
    segment_ = &read_;
  } else if (segment == b.segments() - 1) {
    segment_ = &b.current_;
  }
  return Status::Ok();
}

bool RecordBuffer::Cursor::Next(RecordMeta& meta, std::string_view& value) {
  if (tagged_ != nullptr) {
    if (next_tagged_ >= tagged_->size()) return false;
    at_ = (*tagged_)[next_tagged_++];
    // A tag's records are scattered among the others': fetch a later one's first bytes now, so
    // that reading it does not wait for memory.
    if (segment_ != nullptr && next_tagged_ + kPrefetchAhead < tagged_->size()) {
      const char* later = segment_->data.get() + (*tagged_)[next_tagged_ + kPrefetchAhead];
      __builtin_prefetch(later);
      __builtin_prefetch(later + 64);
    }
  }
  if (segment_ == nullptr || at_ >= segment_->used) return false;
  const char* base = segment_->data.get();
  Header h;
  std::memcpy(&h, base + at_, sizeof h);
  at_ += sizeof h;
  meta = RecordMeta{h.partition, h.offset, h.timestamp_ms, h.key_len >= 0, {}, h.tag};
  if (h.key_len > 0) {
    meta.key = std::string_view(base + at_, static_cast<size_t>(h.key_len));
    at_ += static_cast<size_t>(h.key_len);
  }
  value = std::string_view(base + at_, h.value_len);
  at_ += h.value_len;
  return true;
}

}  // namespace el::jobs
