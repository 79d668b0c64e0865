#include "jobs/record_stager.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <utility>

#include <fmt/format.h>

#include "base/json_text.h"
#include "jobs/staging_thread.h"

namespace el::jobs {

// A run of records staged apart: their copies (the caller's views live during Add only), then
// what StageChunk found, for MergeChunk.
struct RecordStager::Chunk {
  enum class State : uint8_t { kOpen, kClaimed, kDone, kCancelled };
  struct Entry {
    RecordMeta meta;  // its key is keys[key_at, key_at + meta.key.size()) (rebased by MetaOf)
    size_t key_at = 0;
    size_t value_at = 0;  // in values
    size_t value_size = 0;
    int32_t error = -1;        // a dead letter: its reason in errors
    bool staged_here = false;  // staged text in staged (keys rewritten or numbers quoted)
    bool has_id = false;       // dedup: `id` is its id's fingerprint
    size_t staged_at = 0;
    size_t staged_size = 0;
    DedupWindow::Fingerprint id;
    uint32_t group = 0;  // in groups
  };
  RecordMeta MetaOf(const Entry& e) const {
    RecordMeta meta = e.meta;
    meta.key = std::string_view(keys).substr(e.key_at, e.meta.key.size());
    return meta;
  }
  std::string_view Value(const Entry& e) const {
    return std::string_view(values).substr(e.value_at, e.value_size);
  }

  // Empty again, its buffers kept for the next chunk.
  void Reset() {
    state = State::kOpen;
    entries.clear();
    values.clear();
    keys.clear();
    errors.clear();
    staged.clear();
    schema = JsonType();
    groups = RecordGroups();
    group_failed = false;
    spellings.clear();
  }

  State state = State::kOpen;  // guarded by Sync::mu once in flight
  std::vector<Entry> entries;
  std::string values;  // each value then a space; simdjson's padding at the end
  std::string keys;
  std::vector<std::string> errors;
  std::string staged;
  JsonType schema;              // of its good records
  RecordGroups groups;          // of its good records
  bool group_failed = false;    // a type field that is not a string, or too many groups
  KeySpellings::Map spellings;  // keys it spelled first (the stager knew none of their spellings)
};

// Chunks a stager leaves behind, for the next stager (a lander's next batch or part): their
// buffers are faulted in already. At most kMaxChunksInFlight are kept.
struct RecordStager::ChunkPool {
  std::mutex mu;
  std::vector<std::shared_ptr<Chunk>> chunks;
  static ChunkPool& Get() {
    static auto* pool = new ChunkPool;  // (never destroyed: stagers may outlive static teardown)
    return *pool;
  }
};

struct RecordStager::Sync {
  std::mutex mu;
  std::condition_variable cv;  // a chunk staged by the worker is done
};

std::string ToValidUtf8(std::string_view text) {
  if (simdjson::validate_utf8(text.data(), text.size())) return std::string(text);
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned char>(text[i]));
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

void AppendJsonString(std::string& out, std::string_view text) {
  ::el::AppendJsonString(out, ToValidUtf8(text));
}

namespace {

DeadLetter DeadLetterOf(const RecordMeta& meta, std::string_view value, std::string error) {
  return DeadLetter{meta.partition,
                    meta.offset,
                    meta.timestamp_ms,
                    meta.has_key,
                    meta.has_key ? ToValidUtf8(meta.key) : std::string(),
                    ToValidUtf8(value),
                    std::move(error)};
}

}  // namespace

RecordStager::RecordStager(std::string topic, std::filesystem::path spill_path,
                           size_t memory_budget)
    : topic_(std::move(topic)),
      records_(std::move(spill_path), memory_budget),
      worker_(&StagingThread::Shared()),
      sync_(std::make_shared<Sync>()) {}

RecordStager::~RecordStager() {
  std::unique_lock lock(sync_->mu);
  for (auto& chunk : in_flight_) {
    if (chunk->state == Chunk::State::kOpen) chunk->state = Chunk::State::kCancelled;
  }
  // A chunk the worker stages reads this stager's settings and spellings.
  sync_->cv.wait(lock, [&] {
    return std::none_of(in_flight_.begin(), in_flight_.end(),
                        [](const auto& c) { return c->state == Chunk::State::kClaimed; });
  });
  ChunkPool& pool = ChunkPool::Get();
  std::lock_guard pool_lock(pool.mu);
  for (auto& chunk : spare_) {
    if (pool.chunks.size() < kMaxChunksInFlight) pool.chunks.push_back(std::move(chunk));
  }
}

Status RecordStager::Add(const RecordMeta& meta, std::string_view value) {
  if (worker_ == nullptr) return StageRecord(meta, value, false, nullptr);
  if (!failed_.ok()) return failed_;
  if (!open_) {
    if (spare_.empty()) {
      ChunkPool& pool = ChunkPool::Get();
      std::lock_guard lock(pool.mu);
      if (!pool.chunks.empty()) {
        spare_.push_back(std::move(pool.chunks.back()));
        pool.chunks.pop_back();
      }
    }
    if (spare_.empty()) {
      open_ = std::make_shared<Chunk>();
      open_->entries.reserve(chunk_records_);
      open_->values.reserve(kChunkBytes + kChunkBytes / 4);
    } else {  // a merged chunk's buffers, already faulted in
      open_ = std::move(spare_.back());
      spare_.pop_back();
    }
  }
  Chunk& c = *open_;
  Chunk::Entry& e = c.entries.emplace_back();
  e.meta = meta;
  e.key_at = c.keys.size();
  c.keys.append(meta.key);
  e.value_at = c.values.size();
  e.value_size = value.size();
  c.values.append(value);
  c.values += ' ';  // ends a number the value ends with, as simdjson's own padding would
  if (c.entries.size() < chunk_records_ && c.values.size() < kChunkBytes) return Status::Ok();
  CloseChunk(true);
  return Pump(false);
}

Status RecordStager::Finish() {
  if (!failed_.ok()) return failed_;
  if (open_) CloseChunk(!in_flight_.empty());  // alone, it is staged here: no hand-off
  return Pump(true);
}

void RecordStager::CloseChunk(bool post) {
  std::shared_ptr<Chunk> chunk = std::move(open_);
  chunk->values.append(simdjson::SIMDJSON_PADDING, ' ');
  {
    std::lock_guard lock(sync_->mu);
    in_flight_.push_back(chunk);
  }
  if (!post) return;
  if (!worker_walker_) worker_walker_ = std::make_unique<RecordWalker>(spellings_);
  // The stager outlives the task's use of it: its destructor waits for a claimed chunk.
  worker_->Post([this, sync = sync_, chunk = std::move(chunk)] {
    {
      std::lock_guard lock(sync->mu);
      if (chunk->state != Chunk::State::kOpen) return;  // staged by the caller, or dropped
      chunk->state = Chunk::State::kClaimed;
    }
    StageChunk(*chunk, *worker_walker_);
    {
      std::lock_guard lock(sync->mu);
      chunk->state = Chunk::State::kDone;
    }
    sync->cv.notify_all();
  });
}

Status RecordStager::Pump(bool finish) {
  while (!in_flight_.empty()) {
    std::shared_ptr<Chunk> claimed;
    {
      std::unique_lock lock(sync_->mu);
      if (in_flight_.front()->state != Chunk::State::kDone) {
        auto open = [](const auto& c) { return c->state == Chunk::State::kOpen; };
        size_t waiting =
            static_cast<size_t>(std::count_if(in_flight_.begin(), in_flight_.end(), open));
        if (!finish && in_flight_.size() < kMaxChunksInFlight && waiting < 2) return Status::Ok();
        if (waiting == 0) {
          sync_->cv.wait(lock, [&] { return in_flight_.front()->state == Chunk::State::kDone; });
        } else {
          // The newest: the worker takes the oldest first, so that the two rarely meet.
          claimed = *std::find_if(in_flight_.rbegin(), in_flight_.rend(), open);
          claimed->state = Chunk::State::kClaimed;
        }
      }
    }
    if (claimed) {
      StageChunk(*claimed, walker_);
      std::lock_guard lock(sync_->mu);
      claimed->state = Chunk::State::kDone;
      continue;
    }
    std::shared_ptr<Chunk> done = std::move(in_flight_.front());
    {
      std::lock_guard lock(sync_->mu);
      in_flight_.pop_front();
    }
    if (Status st = MergeChunk(*done); !st.ok()) {
      failed_ = st;
      return st;
    }
    // Reused unless a task of the worker still holds it (it would take it for a new chunk).
    if (done.use_count() == 1 && spare_.size() < kMaxChunksInFlight) {
      done->Reset();
      spare_.push_back(std::move(done));
    }
  }
  return Status::Ok();
}

void RecordStager::StageChunk(Chunk& c, RecordWalker& walker) const {
  walker.BeginRun(&c.spellings);
  std::optional<std::string_view> type;
  std::vector<std::string_view> columns;
  for (Chunk::Entry& e : c.entries) {
    std::string_view value = c.Value(e);
    std::string error = walker.Parse(value, true, max_record_bytes_);
    if (!error.empty()) {
      e.error = static_cast<int32_t>(c.errors.size());
      c.errors.push_back(std::move(error));
      continue;
    }
    if (dedup_ != nullptr) {
      if (std::optional<std::string_view> id = walker.StringField(dedup_field_)) {
        e.has_id = true;
        e.id = DedupWindow::Of(*id);
      }
    }
    bool rewritten = false;
    std::string_view staged = walker.Stage(&c.schema, &rewritten);
    if (staged.data() != value.data()) {
      e.staged_here = true;
      e.staged_at = c.staged.size();
      e.staged_size = staged.size();
      c.staged.append(staged);
    }
    if (!group_field_.empty() && !c.group_failed) {
      std::optional<uint32_t> g;
      if (walker.GroupFields(group_field_, &type, &columns))
        g = c.groups.Assign(e.meta.partition, type, columns);
      c.group_failed = !g;
      e.group = g.value_or(0);
    }
  }
  walker.EndRun();
}

Status RecordStager::MergeChunk(Chunk& c) {
  // The dedup window decides in receive order, as for the serial stager (the first of two
  // records with one id wins).
  bool any_duplicate = false;
  duplicate_.assign(c.entries.size(), 0);
  if (dedup_ != nullptr) {
    ids_.clear();
    for (const Chunk::Entry& e : c.entries) {
      if (e.error < 0 && e.has_id) ids_.push_back({e.id, e.meta.timestamp_ms});
    }
    seen_.resize(ids_.size());
    dedup_->SeenOrAddAll(ids_, seen_);
    size_t next = 0;
    for (size_t i = 0; i < c.entries.size(); ++i) {
      const Chunk::Entry& e = c.entries[i];
      if (e.error >= 0 || !e.has_id) continue;
      duplicate_[i] = seen_[next++];
      any_duplicate |= duplicate_[i] != 0;
    }
  }
  const bool grouping = !group_field_.empty() && grouped_;
  // The chunk's types, spellings and groups are those of all its good records, as seen after
  // the earlier chunks: else (rare) it is staged again, here, record by record.
  if (any_duplicate || !spellings_.Agrees(c.spellings) ||
      (grouping && (c.group_failed || !groups_.Merge(c.groups, &group_index_)))) {
    ++restaged_chunks_;
    for (size_t i = 0; i < c.entries.size(); ++i) {
      bool duplicate = duplicate_[i] != 0;
      EL_RETURN_IF_ERROR(StageRecord(c.MetaOf(c.entries[i]), c.Value(c.entries[i]), true,
                                     dedup_ != nullptr ? &duplicate : nullptr));
    }
    return Status::Ok();
  }
  spellings_.AddAll(c.spellings);
  schema_->Merge(std::move(c.schema));
  for (const Chunk::Entry& e : c.entries) {
    RecordMeta meta = c.MetaOf(e);
    std::string_view value = c.Value(e);
    if (e.error >= 0) {
      dead_letters_.push_back(
          DeadLetterOf(meta, value, std::move(c.errors[static_cast<size_t>(e.error)])));
      continue;
    }
    std::string_view staged =
        e.staged_here ? std::string_view(c.staged).substr(e.staged_at, e.staged_size) : value;
    if (grouping) meta.tag = group_index_[e.group];
    EL_RETURN_IF_ERROR(records_.Add(meta, staged));
    ++good_;
    bytes_ += static_cast<int64_t>(staged.size());
  }
  return Status::Ok();
}

Status RecordStager::StageRecord(const RecordMeta& meta, std::string_view value, bool padded,
                                 const bool* duplicate) {
  if (std::string error = walker_.Parse(value, padded, max_record_bytes_); !error.empty()) {
    dead_letters_.push_back(DeadLetterOf(meta, value, std::move(error)));
    return Status::Ok();
  }
  if (dedup_ != nullptr) {
    bool seen = false;
    if (duplicate != nullptr) {
      seen = *duplicate;
    } else if (std::optional<std::string_view> id = walker_.StringField(dedup_field_)) {
      seen = dedup_->SeenOrAdd(*id, meta.timestamp_ms);
    }
    if (seen) {
      ++duplicates_;  // landed before (a client's retry that reached the log twice)
      return Status::Ok();
    }
  }
  bool rewritten = false;
  std::string_view staged = walker_.Stage(schema_.get(), &rewritten);
  RecordMeta tagged = meta;
  if (!group_field_.empty() && grouped_) {
    std::optional<uint32_t> g;
    if (walker_.GroupFields(group_field_, &group_type_, &group_columns_)) {
      g = groups_.Assign(meta.partition, group_type_, group_columns_);
    }
    grouped_ = g.has_value();
    tagged.tag = g.value_or(0);
  }
  EL_RETURN_IF_ERROR(records_.Add(tagged, staged));
  ++good_;
  bytes_ += static_cast<int64_t>(staged.size());
  return Status::Ok();
}

}  // namespace el::jobs
