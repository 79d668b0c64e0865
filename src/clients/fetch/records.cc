#include "clients/fetch/records.h"

#include <algorithm>
#include <string>

#include "storage/batch_header.h"

namespace el::fetch {
namespace {

using storage::kBatchHeaderSize;
using storage::LoadBe32;
using storage::LoadBe64;

constexpr int16_t kCodecMask = 0x07;
constexpr int16_t kLogAppendTime = 0x08;
constexpr int16_t kTransactional = 0x10;
constexpr int16_t kControl = 0x20;
constexpr size_t kMagicPos = 16;
constexpr size_t kLengthEnd = 12;  // baseOffset + batchLength

// Zigzag varint (up to 64 bits) at `pos` of `in`; false when truncated or over 10 bytes.
inline bool ReadVarlong(std::span<const uint8_t> in, size_t& pos, int64_t& out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= in.size()) return false;
    uint8_t b = in[pos++];
    v |= uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) {
      out = static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
      return true;
    }
  }
  return false;
}

// A length-prefixed field (key or value): -1 is null.
inline bool ReadField(std::span<const uint8_t> in, size_t& pos,
                      std::optional<std::string_view>& out) {
  int64_t n = 0;
  if (!ReadVarlong(in, pos, n) || n < -1) return false;
  if (n == -1) {
    out.reset();
    return true;
  }
  if (static_cast<uint64_t>(n) > in.size() - pos) return false;
  out.emplace(reinterpret_cast<const char*>(in.data() + pos), static_cast<size_t>(n));
  pos += static_cast<size_t>(n);
  return true;
}

}  // namespace

std::optional<int64_t> OffsetAfter(std::span<const uint8_t> records) {
  std::optional<int64_t> next;
  size_t pos = 0;
  while (records.size() - pos >= kBatchHeaderSize) {
    const uint8_t* p = records.data() + pos;
    int64_t length = static_cast<int32_t>(LoadBe32(p + 8));
    if (length < storage::kMinBatchLength ||
        static_cast<uint64_t>(length) > records.size() - pos - kLengthEnd)
      break;
    int64_t base = static_cast<int64_t>(LoadBe64(p));
    int32_t last_delta = static_cast<int32_t>(LoadBe32(p + 23));
    next = base + std::max<int64_t>(last_delta, 0) + 1;
    pos += kLengthEnd + static_cast<size_t>(length);
  }
  return next;
}

void RecordReader::Reset(int32_t partition, int64_t fetch_offset, std::span<const uint8_t> records,
                         std::span<const AbortedTxn> aborted) {
  partition_ = partition;
  fetch_offset_ = fetch_offset;
  records_ = records;
  pos_ = 0;
  aborted_.assign(aborted.begin(), aborted.end());
  std::sort(aborted_.begin(), aborted_.end(), [](const AbortedTxn& a, const AbortedTxn& b) {
    return a.first_offset > b.first_offset;
  });
  aborting_.clear();
  batch_ = Batch{};
}

Status RecordReader::Error(const std::string& what) const {
  return DataLoss("partition " + std::to_string(partition_) + ": " + what);
}

bool RecordReader::Aborted(int64_t producer_id, int64_t last_offset, bool control,
                           std::span<const uint8_t> body) {
  while (!aborted_.empty() && aborted_.back().first_offset <= last_offset) {
    aborting_.push_back(aborted_.back().producer_id);
    aborted_.pop_back();
  }
  auto open = std::find(aborting_.begin(), aborting_.end(), producer_id);
  if (control) {
    // A control record's key is version int16 + type int16 (0 = abort, 1 = commit).
    size_t pos = 0;
    int64_t skip = 0;
    std::optional<std::string_view> key;
    bool abort_marker = ReadVarlong(body, pos, skip) && ++pos <= body.size() &&
                        ReadVarlong(body, pos, skip) && ReadVarlong(body, pos, skip) &&
                        ReadField(body, pos, key) && key && key->size() >= 4 && key->at(2) == 0 &&
                        key->at(3) == 0;
    if (abort_marker && open != aborting_.end()) aborting_.erase(open);
    return false;
  }
  return open != aborting_.end();
}

Result<bool> RecordReader::NextBatch() {
  while (records_.size() - pos_ >= kBatchHeaderSize) {
    std::span<const uint8_t> rest = records_.subspan(pos_);
    int64_t length = static_cast<int32_t>(LoadBe32(rest.data() + 8));
    int64_t base = static_cast<int64_t>(LoadBe64(rest.data()));
    if (length >= 0 && static_cast<uint64_t>(length) > rest.size() - kLengthEnd)
      break;  // the broker's cut
    if (rest[kMagicPos] != 2) {
      return InvalidArgument("partition " + std::to_string(partition_) + " offset " +
                             std::to_string(base) + ": message format v" +
                             std::to_string(rest[kMagicPos]) +
                             " is not supported (RecordBatch v2 only)");
    }
    Result<storage::BatchHeader> parsed = storage::ParseBatch(rest);
    if (!parsed.ok())
      return Error("offset " + std::to_string(base) + ": " + parsed.status().message());
    const storage::BatchHeader& h = *parsed;
    pos_ += h.total_size();
    int64_t last = h.base_offset + h.last_offset_delta;
    if (last < fetch_offset_) continue;  // wholly before the requested offset
    bool control = (h.attributes & kControl) != 0;
    bool transactional = (h.attributes & kTransactional) != 0;
    std::span<const uint8_t> body =
        rest.subspan(kBatchHeaderSize, h.total_size() - kBatchHeaderSize);
    auto codec = static_cast<Codec>(h.attributes & kCodecMask);
    if (codec != Codec::kNone && h.record_count > 0) {
      auto out = decompressor_->Decompress(codec, body, kMaxBatchBytes);
      if (!out.ok()) {
        std::string what =
            "offset " + std::to_string(h.base_offset) + ": " + out.status().message();
        if (out.status().code() == StatusCode::kDataLoss) return Error(what);
        return Status(out.status().code(), "partition " + std::to_string(partition_) + ": " + what);
      }
      body = *out;
    }
    if (h.producer_id >= 0 && (!aborted_.empty() || !aborting_.empty()) &&
        Aborted(h.producer_id, last, control, body) && transactional) {
      continue;
    }
    if (control || h.record_count == 0) continue;
    batch_ = Batch{h.base_offset,
                   h.base_timestamp,
                   h.max_timestamp,
                   (h.attributes & kLogAppendTime) != 0,
                   h.record_count,
                   body,
                   0};
    return true;
  }
  pos_ = records_.size();
  return false;
}

Result<bool> RecordReader::Next(Record& out) {
  while (true) {
    if (batch_.remaining == 0) {
      EL_ASSIGN_OR_RETURN(bool more, NextBatch());
      if (!more) return false;
    }
    --batch_.remaining;
    std::span<const uint8_t> body = batch_.body;
    size_t pos = batch_.pos;
    int64_t length = 0;
    if (!ReadVarlong(body, pos, length) || length < 0 ||
        static_cast<uint64_t>(length) > body.size() - pos) {
      return Error("malformed record length in the batch at offset " +
                   std::to_string(batch_.base_offset));
    }
    std::span<const uint8_t> rec = body.subspan(pos, static_cast<size_t>(length));
    batch_.pos = pos + static_cast<size_t>(length);
    size_t rp = 1;  // attributes (unused)
    int64_t ts_delta = 0;
    int64_t offset_delta = 0;
    if (rec.empty() || !ReadVarlong(rec, rp, ts_delta) || !ReadVarlong(rec, rp, offset_delta) ||
        !ReadField(rec, rp, out.key) || !ReadField(rec, rp, out.value)) {
      return Error("malformed record in the batch at offset " + std::to_string(batch_.base_offset));
    }
    out.offset = batch_.base_offset + offset_delta;
    if (out.offset < fetch_offset_) continue;
    out.partition = partition_;
    out.log_append_time = batch_.log_append_time;
    out.timestamp_ms =
        batch_.log_append_time ? batch_.max_timestamp : batch_.base_timestamp + ts_delta;
    return true;
  }
}

}  // namespace el::fetch
