#include "jobs/record_buffer.h"

#include <cerrno>
#include <cstring>
#include <utility>

namespace el::jobs {
namespace {

constexpr size_t kSegmentBytes = 4 << 20;

// A record in a segment: this header, the key's bytes, the value's bytes.
struct Header {
  int32_t partition;
  int32_t key_len;  // -1: no key
  int64_t offset;
  int64_t timestamp_ms;
  uint64_t value_len;
};

}  // namespace

RecordBuffer::RecordBuffer(std::filesystem::path spill_path, size_t memory_budget)
    : spill_path_(std::move(spill_path)), memory_budget_(memory_budget) {}

RecordBuffer::RecordBuffer(RecordBuffer&& other) noexcept
    : spill_path_(std::move(other.spill_path_)),
      memory_budget_(other.memory_budget_),
      kept_(std::move(other.kept_)),
      spilled_(std::move(other.spilled_)),
      current_(std::move(other.current_)),
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
  if (std::fwrite(current_.data.data(), 1, current_.used, spill_) != current_.used) {
    return ErrnoError("write " + spill_path_.string(), errno);
  }
  spilled_.push_back(static_cast<int64_t>(current_.used));
  spilled_bytes_ += static_cast<int64_t>(current_.used);
  current_.used = 0;  // the allocation is reused
  return Status::Ok();
}

Status RecordBuffer::Add(const RecordMeta& meta, std::string_view value) {
  size_t key_len = meta.has_key ? meta.key.size() : 0;
  size_t need = sizeof(Header) + key_len + value.size();
  if (current_.used > 0 && current_.used + need + kPadding > current_.data.size()) {
    EL_RETURN_IF_ERROR(SpillCurrent());
  }
  if (current_.data.size() < need + kPadding) current_.data.resize(std::max(kSegmentBytes, need + kPadding));
  Header h{meta.partition, meta.has_key ? static_cast<int32_t>(key_len) : -1, meta.offset, meta.timestamp_ms,
           value.size()};
  char* out = current_.data.data() + current_.used;
  std::memcpy(out, &h, sizeof h);
  if (key_len > 0) std::memcpy(out + sizeof h, meta.key.data(), key_len);
  std::memcpy(out + sizeof h + key_len, value.data(), value.size());
  current_.used += need;
  ++size_;
  return Status::Ok();
}

Status RecordBuffer::ReadSegment(const Segment& s,
                                 const std::function<Status(const RecordMeta&, std::string_view)>& fn) {
  for (size_t at = 0; at < s.used;) {
    Header h;
    std::memcpy(&h, s.data.data() + at, sizeof h);
    at += sizeof h;
    RecordMeta meta{h.partition, h.offset, h.timestamp_ms, h.key_len >= 0, {}};
    if (h.key_len > 0) meta.key = std::string_view(s.data.data() + at, static_cast<size_t>(h.key_len));
    at += h.key_len > 0 ? static_cast<size_t>(h.key_len) : 0;
    EL_RETURN_IF_ERROR(fn(meta, std::string_view(s.data.data() + at, h.value_len)));
    at += h.value_len;
  }
  return Status::Ok();
}

Status RecordBuffer::ForEach(const std::function<Status(const RecordMeta& meta, std::string_view value)>& fn) {
  for (const Segment& s : kept_) EL_RETURN_IF_ERROR(ReadSegment(s, fn));
  if (!spilled_.empty()) {
    if (std::fflush(spill_) != 0 || std::fseek(spill_, 0, SEEK_SET) != 0) {
      return ErrnoError("read back " + spill_path_.string(), errno);
    }
    Segment read;
    for (int64_t bytes : spilled_) {
      read.data.resize(static_cast<size_t>(bytes) + kPadding);
      read.used = static_cast<size_t>(bytes);
      if (std::fread(read.data.data(), 1, read.used, spill_) != read.used) {
        return ErrnoError("read back " + spill_path_.string(), errno);
      }
      EL_RETURN_IF_ERROR(ReadSegment(read, fn));
    }
    if (std::fseek(spill_, 0, SEEK_END) != 0) return ErrnoError("seek " + spill_path_.string(), errno);
  }
  return ReadSegment(current_, fn);
}

}  // namespace el::jobs
