// RecoveryEntry: LogManager::Open over arbitrary segment (and index) bytes, then read back, append,
// close and reopen; see entries.h for the input layout.
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/entries.h"
#include "io/dir.h"
#include "storage/log_manager.h"
#include "storage/test_batches.h"
#include "storage/test_temp_dir.h"

namespace el::fuzz {
namespace {

constexpr char kSegment[] = "00000000000000000000";
constexpr int kMaxReads = 100000;

void WriteFile(const std::string& path, Input bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Every batch from log_start to the high watermark, concatenated. Each Read must return whole
// batches that make progress; `clean` logs were checked by header only, so CRCs are not required.
Result<std::vector<uint8_t>> ReadAll(const storage::PartitionLog& log, bool clean) {
  std::vector<uint8_t> out;
  int64_t from = log.log_start().value();
  const int64_t end = log.high_watermark().value();
  for (int i = 0; from < end; ++i) {
    if (i == kMaxReads) return Internal("reading the log makes no progress");
    Result<std::vector<uint8_t>> chunk = log.Read(Offset(from), 1 << 20);
    if (!chunk.ok()) return Internal("read at " + std::to_string(from) + ": " + chunk.status().ToString());
    if (chunk->empty()) return Internal("empty read below the high watermark");
    std::span<const uint8_t> rest(*chunk);
    while (!rest.empty()) {
      Result<storage::BatchHeader> h = clean ? storage::ReadBatchHeader(rest) : storage::ParseBatch(rest);
      if (!h.ok() || h->batch_length < storage::kMinBatchLength || h->total_size() > rest.size()) {
        return Internal("read returned a bad batch at offset " + std::to_string(from));
      }
      int64_t next = h->base_offset + int64_t{h->last_offset_delta} + 1;
      if (next <= from) return Internal("read returned batches below the requested offset");
      from = next;
      rest = rest.subspan(h->total_size());
    }
    out.insert(out.end(), chunk->begin(), chunk->end());
  }
  return out;
}

struct Parsed {
  bool clean;
  Input index;
  Input log;
};

std::optional<Parsed> Split(Input data) {
  if (data.empty()) return std::nullopt;
  Parsed p{(data[0] & 1) != 0, {}, {}};
  bool has_index = (data[0] & 2) != 0;
  data = data.subspan(1);
  if (has_index) {
    if (data.size() < 2) return std::nullopt;
    size_t n = std::min<size_t>((size_t{data[0]} << 8) | data[1], data.size() - 2);
    p.index = data.subspan(2, n);
    data = data.subspan(2 + n);
  }
  p.log = data;
  return p;
}

}  // namespace

Status RecoveryEntry(Input data) {
  std::optional<Parsed> in = Split(data);
  if (!in) return Status::Ok();
  storage::testing::TempDir dir;
  std::string part = dir.path() + "/t-0";
  EL_RETURN_IF_ERROR(io::CreateDirs(part));
  WriteFile(part + "/" + kSegment + ".log", in->log);
  if (!in->index.empty()) WriteFile(part + "/" + kSegment + ".index", in->index);
  if (in->clean) WriteFile(dir.path() + "/.clean_shutdown", Input());

  storage::LogOptions options;
  options.segment_bytes = 4096;  // small, so that the append below may roll
  options.index_interval_bytes = 64;
  auto mgr = storage::LogManager::Open(dir.path(), options);
  if (!mgr.ok()) return Status::Ok();  // refusing to open is allowed; crashing is not
  std::shared_ptr<storage::PartitionLog> log = (*mgr)->Get("t", 0);
  if (!log) return Internal("partition t-0 missing after open");
  EL_ASSIGN_OR_RETURN(std::vector<uint8_t> before, ReadAll(*log, in->clean));

  Offset hwm = log->high_watermark();
  std::vector<uint8_t> batch = storage::testing::MakeBatch({{std::nullopt, "after recovery"}});
  Result<Offset> base = log->Append(batch, /*sync=*/false);
  if (!base.ok()) return Status::Ok();  // e.g. offsets exhausted by a huge recovered base offset
  if (*base != hwm || log->high_watermark().value() != hwm.value() + 1) {
    return Internal("append after recovery got offset " + std::to_string(base->value()) + ", expected " +
                    std::to_string(hwm.value()));
  }
  EL_ASSIGN_OR_RETURN(std::vector<uint8_t> after, ReadAll(*log, in->clean));
  if (after.size() != before.size() + batch.size()) return Internal("appended batch not read back");
  log.reset();
  EL_RETURN_IF_ERROR((*mgr)->Close());
  mgr->reset();

  auto reopened = storage::LogManager::Open(dir.path(), options);
  if (!reopened.ok()) return Internal("reopen failed: " + reopened.status().ToString());
  log = (*reopened)->Get("t", 0);
  if (!log || log->high_watermark().value() != hwm.value() + 1) return Internal("reopen lost data");
  EL_ASSIGN_OR_RETURN(std::vector<uint8_t> again, ReadAll(*log, /*clean=*/true));
  if (again != after) return Internal("log content changed across a clean restart");
  return Status::Ok();
}

}  // namespace el::fuzz
