#include "kafka/server/group/offset_store.h"

#include <cstring>

#include "base/crc32c.h"
#include "base/log.h"
#include "io/dir.h"

namespace el::kafka::group {
namespace {

constexpr uint8_t kRecordVersion = 1;
constexpr size_t kHeaderSize = 8;                 // crc32c + payload length
constexpr uint32_t kMaxPayload = 64u << 10;       // names are short; anything bigger is corrupt

void PutU32(std::vector<uint8_t>& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}
void PutU64(std::vector<uint8_t>& b, uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}
void PutStr(std::vector<uint8_t>& b, const std::string& s) {
  uint16_t n = static_cast<uint16_t>(std::min<size_t>(s.size(), UINT16_MAX));
  b.push_back(static_cast<uint8_t>(n >> 8));
  b.push_back(static_cast<uint8_t>(n));
  b.insert(b.end(), s.begin(), s.begin() + n);
}

// Bounds-checked big-endian cursor over one payload.
struct Cursor {
  const uint8_t* p;
  size_t left;
  bool ok = true;
  uint64_t Get(int bytes) {
    if (left < static_cast<size_t>(bytes)) ok = false;
    if (!ok) return 0;
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
    p += bytes;
    left -= bytes;
    return v;
  }
  std::string Str() {
    size_t n = Get(2);
    if (!ok || left < n) {
      ok = false;
      return {};
    }
    std::string s(reinterpret_cast<const char*>(p), n);
    p += n;
    left -= n;
    return s;
  }
};

bool DecodePayload(const uint8_t* p, size_t n, std::string& group, OffsetCommitEntry& e) {
  Cursor c{p, n};
  if (c.Get(1) != kRecordVersion) return false;
  group = c.Str();
  e.key.topic = c.Str();
  e.key.partition = static_cast<int32_t>(c.Get(4));
  e.value.offset = static_cast<int64_t>(c.Get(8));
  e.value.leader_epoch = static_cast<int32_t>(c.Get(4));
  e.value.commit_time_ms = static_cast<int64_t>(c.Get(8));
  bool has_metadata = c.Get(1) != 0;
  std::string md = c.Str();
  if (has_metadata) e.value.metadata = std::move(md);
  return c.ok && c.left == 0;
}

}  // namespace

std::vector<uint8_t> OffsetStore::EncodeRecord(const std::string& group, const OffsetCommitEntry& e) {
  std::vector<uint8_t> payload;
  payload.push_back(kRecordVersion);
  PutStr(payload, group);
  PutStr(payload, e.key.topic);
  PutU32(payload, static_cast<uint32_t>(e.key.partition));
  PutU64(payload, static_cast<uint64_t>(e.value.offset));
  PutU32(payload, static_cast<uint32_t>(e.value.leader_epoch));
  PutU64(payload, static_cast<uint64_t>(e.value.commit_time_ms));
  payload.push_back(e.value.metadata ? 1 : 0);
  PutStr(payload, e.value.metadata.value_or(""));
  std::vector<uint8_t> out;
  out.reserve(kHeaderSize + payload.size());
  PutU32(out, Crc32c(payload));
  PutU32(out, static_cast<uint32_t>(payload.size()));
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Result<OffsetStore::Table> OffsetStore::Load(const std::string& path) {
  Table table;
  auto file = io::File::Open(path, io::File::Mode::kReadOnly);
  if (!file.ok() && file.status().code() == StatusCode::kNotFound) return table;
  if (!file.ok()) return file.status();
  EL_ASSIGN_OR_RETURN(uint64_t size, (*file)->Size());
  std::vector<uint8_t> data(size);
  EL_ASSIGN_OR_RETURN(size_t got, (*file)->ReadAt(FilePos(0), data));
  data.resize(got);
  size_t pos = 0;
  size_t records = 0;
  while (data.size() - pos >= kHeaderSize) {
    Cursor head{data.data() + pos, kHeaderSize};
    uint32_t crc = static_cast<uint32_t>(head.Get(4));
    uint32_t len = static_cast<uint32_t>(head.Get(4));
    if (len > kMaxPayload || data.size() - pos - kHeaderSize < len) break;
    const uint8_t* payload = data.data() + pos + kHeaderSize;
    if (Crc32c({payload, len}) != crc) break;
    std::string group;
    OffsetCommitEntry e;
    if (!DecodePayload(payload, len, group, e)) break;
    table[group][e.key] = std::move(e.value);
    pos += kHeaderSize + len;
    ++records;
  }
  if (pos != data.size()) {
    spdlog::warn("offsets: {} has a torn or corrupt tail at byte {}; dropping {} bytes", path, pos,
                 data.size() - pos);
  }
  spdlog::info("offsets: loaded {} records for {} groups from {}", records, table.size(), path);
  return table;
}

Status OffsetStore::WriteCompacted(const std::string& dir, const std::string& path, const Table& table) {
  std::string tmp = path + ".tmp";
  EL_RETURN_IF_ERROR(io::RemoveFile(tmp));
  {
    EL_ASSIGN_OR_RETURN(auto out, io::File::Open(tmp, io::File::Mode::kCreate));
    std::vector<uint8_t> buf;
    for (const auto& [group, offsets] : table) {
      for (const auto& [key, value] : offsets) {
        auto rec = EncodeRecord(group, {key, value});
        buf.insert(buf.end(), rec.begin(), rec.end());
      }
    }
    EL_RETURN_IF_ERROR(out->Append(buf));
    EL_RETURN_IF_ERROR(out->Sync());
  }
  EL_RETURN_IF_ERROR(io::Rename(tmp, path));
  return io::SyncDir(dir);
}

Result<std::unique_ptr<OffsetStore>> OffsetStore::Open(const std::string& data_dir) {
  std::string path = data_dir + "/" + kFileName;
  EL_ASSIGN_OR_RETURN(Table table, Load(path));
  EL_RETURN_IF_ERROR(WriteCompacted(data_dir, path, table));
  EL_ASSIGN_OR_RETURN(auto file, io::File::Open(path, io::File::Mode::kReadWrite));
  return std::unique_ptr<OffsetStore>(new OffsetStore(path, std::move(file), std::move(table)));
}

Status OffsetStore::Commit(const std::string& group, const std::vector<OffsetCommitEntry>& entries) {
  std::vector<uint8_t> buf;
  for (const auto& e : entries) {
    auto rec = EncodeRecord(group, e);
    buf.insert(buf.end(), rec.begin(), rec.end());
  }
  std::lock_guard lock(mu_);
  EL_ASSIGN_OR_RETURN(uint64_t before, file_->Size());
  Status st = file_->Append(buf);
  if (st.ok()) st = file_->Sync();
  if (!st.ok()) {
    // Cut a partial write so later records stay readable; the commit fails either way.
    (void)file_->Truncate(before);
    return st;
  }
  for (const auto& e : entries) table_[group][e.key] = e.value;
  return Status::Ok();
}

std::optional<CommittedOffset> OffsetStore::Get(const std::string& group, const OffsetKey& key) const {
  std::lock_guard lock(mu_);
  auto g = table_.find(group);
  if (g == table_.end()) return std::nullopt;
  auto it = g->second.find(key);
  if (it == g->second.end()) return std::nullopt;
  return it->second;
}

std::map<OffsetKey, CommittedOffset> OffsetStore::GetAll(const std::string& group) const {
  std::lock_guard lock(mu_);
  auto g = table_.find(group);
  return g == table_.end() ? std::map<OffsetKey, CommittedOffset>{} : g->second;
}

std::vector<std::string> OffsetStore::Groups() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [g, offsets] : table_) out.push_back(g);
  return out;
}

}  // namespace el::kafka::group
