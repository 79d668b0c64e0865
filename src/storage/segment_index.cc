#include "storage/segment_index.h"

#include <algorithm>
#include <array>

#include "base/log.h"
#include "storage/batch_header.h"

namespace el::storage {
namespace {

std::array<uint8_t, kIndexHeaderSize> EncodeHeader(Offset base) {
  std::array<uint8_t, kIndexHeaderSize> h{};
  StoreBe32(h.data(), kIndexMagic);
  StoreBe16(h.data() + 4, kIndexVersion);
  StoreBe16(h.data() + 6, static_cast<uint16_t>(kIndexEntrySize));
  StoreBe64(h.data() + 8, static_cast<uint64_t>(base.value()));
  return h;
}

// Decodes entries from `bytes` (after the header), stopping at the first invalid one.
std::vector<IndexEntry> DecodeEntries(const std::vector<uint8_t>& bytes, uint64_t log_size) {
  std::vector<IndexEntry> out;
  for (size_t at = 0; at + kIndexEntrySize <= bytes.size(); at += kIndexEntrySize) {
    const uint8_t* p = bytes.data() + at;
    IndexEntry e{RelativeOffset(LoadBe32(p)), FilePos(LoadBe64(p + 4)),
                 TimestampMs(static_cast<int64_t>(LoadBe64(p + 12)))};
    if (e.position.value() >= log_size) break;
    if (!out.empty() && (e.relative_offset <= out.back().relative_offset ||
                         e.position <= out.back().position)) {
      break;
    }
    out.push_back(e);
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<SegmentIndex>> SegmentIndex::Open(std::string path, Offset base,
                                                         uint64_t log_size) {
  EL_ASSIGN_OR_RETURN(auto file, io::File::Open(path, io::File::Mode::kCreate));
  EL_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  auto header = EncodeHeader(base);
  std::vector<uint8_t> bytes(size);
  EL_ASSIGN_OR_RETURN(size_t n, file->ReadAt(FilePos(0), bytes));
  bytes.resize(n);
  bool header_ok = n >= kIndexHeaderSize && std::equal(header.begin(), header.end(), bytes.begin());
  std::vector<IndexEntry> entries;
  if (header_ok) {
    bytes.erase(bytes.begin(), bytes.begin() + kIndexHeaderSize);
    entries = DecodeEntries(bytes, log_size);
    uint64_t keep = kIndexHeaderSize + entries.size() * kIndexEntrySize;
    if (keep != size) {
      spdlog::warn("index {}: dropping {} trailing bytes of stale or damaged entries", path, size - keep);
      EL_RETURN_IF_ERROR(file->Truncate(keep));
    }
  } else {
    if (size != 0) spdlog::warn("index {}: bad header, rebuilding", path);
    EL_RETURN_IF_ERROR(file->Truncate(0));
    EL_RETURN_IF_ERROR(file->Append(header));
  }
  return std::unique_ptr<SegmentIndex>(new SegmentIndex(std::move(file), std::move(entries)));
}

Status SegmentIndex::Add(const IndexEntry& e) {
  std::array<uint8_t, kIndexEntrySize> b{};
  StoreBe32(b.data(), e.relative_offset.value());
  StoreBe64(b.data() + 4, e.position.value());
  StoreBe64(b.data() + 12, static_cast<uint64_t>(e.max_timestamp.value()));
  Status st = file_->Append(b);
  if (!st.ok()) {
    // Keep the file entry-aligned; a failure here leaves an index that recovery can rebuild.
    (void)file_->Truncate(kIndexHeaderSize + entries_.size() * kIndexEntrySize);
    return st;
  }
  entries_.push_back(e);
  return Status::Ok();
}

Status SegmentIndex::TruncateTo(size_t count) {
  if (count >= entries_.size()) return Status::Ok();
  EL_RETURN_IF_ERROR(file_->Truncate(kIndexHeaderSize + count * kIndexEntrySize));
  entries_.resize(count);
  return Status::Ok();
}

std::optional<size_t> SegmentIndex::Floor(RelativeOffset target) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), target,
                             [](RelativeOffset t, const IndexEntry& e) { return t < e.relative_offset; });
  if (it == entries_.begin()) return std::nullopt;
  return static_cast<size_t>(it - entries_.begin() - 1);
}

}  // namespace el::storage
