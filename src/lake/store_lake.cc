#include "lake/store_lake.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <simdjson.h>

#include "base/json_text.h"
#include "base/log.h"
#include "base/step_times.h"
#include "lake/listing.h"
#include "lake/superseded.h"
#include "objstore/local_store.h"

namespace el::lake {
namespace fs = std::filesystem;

namespace {

// Requests a commit sends at once (the files of a batch: one per table and partition folder):
// each upload and completion is a round trip to the server, so a batch of several files waits
// for the slowest of them instead of their sum.
constexpr size_t kConcurrentRequests = 8;
// CompleteMultipartUpload carries no data: the server's latency, not the transfer, is what a batch
// waits for (Ceph's gateway: ~50 ms each), so a commit's completions all go at once, up to this.
constexpr size_t kConcurrentCompletes = 32;

// Runs fn(i) for every i in [0, n) on up to `concurrency` threads (the caller's included); fn must
// be safe to call from several threads.
template <typename Fn>
void ForEachConcurrently(size_t n, const Fn& fn, size_t concurrency = kConcurrentRequests) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::jthread> helpers;
  for (size_t t = 1; t < std::min(n, concurrency); ++t) helpers.emplace_back(work);
  work();
}

bool Wanted(const std::set<int32_t>* partitions, int32_t p) {
  return partitions == nullptr || partitions->count(p) > 0;
}

// The file name of a key (after its last '/').
std::string_view BaseName(std::string_view key) {
  size_t slash = key.rfind('/');
  return slash == std::string_view::npos ? key : key.substr(slash + 1);
}

// Whether a data file of range `r` lies past the progress `next` (uncommitted).
bool PastRecord(const NextOffsets& next, const DataFileRange& r) {
  auto it = next.find(r.partition);
  return it == next.end() || r.first >= it->second;
}

Status ReadLocal(const fs::path& file, std::string& out) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return IOError("cannot read " + file.string());
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return Status::Ok();
}

// Whether `key` is a schema version file (`.../_schema/v<N>.json`).
bool IsSchemaVersionKey(std::string_view key) {
  std::string_view name = BaseName(key);
  return key.find("_schema/") != std::string_view::npos && name.size() > 6 && name[0] == 'v' &&
         name.substr(name.size() - 5) == ".json";
}

#ifdef EL_TEST_HOOKS
// Tests only (built with EL_BUILD_TESTS): with EVENTLAKE_TEST_STOP_AT=<step> the process stops
// itself (SIGSTOP) the first time it reaches `step`, so that a test can freeze a lander at an exact
// point of the commit protocol and resume it with SIGCONT. Steps: `publish` (after the ownership
// check and the metadata, before the first CompleteMultipartUpload), `commit` (after the files
// are published, before the progress records are put).
void StopForTest(std::string_view step, const std::vector<objstore::Upload>& uploads) {
  static bool stopped = false;
  const char* at = std::getenv("EVENTLAKE_TEST_STOP_AT");
  if (stopped || at == nullptr || step != at) return;
  stopped = true;
  std::string keys;
  for (const objstore::Upload& up : uploads) keys += " " + up.key;
  spdlog::warn("test hook: stopping at {}, uploads:{}", step, keys);
  spdlog::default_logger()->flush();
  ::raise(SIGSTOP);
}
#else
void StopForTest(std::string_view, const std::vector<objstore::Upload>&) {}
#endif

}  // namespace

std::string ManifestJson(const Manifest& m) {
  std::string out = "{\"lander\":";
  AppendJsonString(out, m.lander);
  out += fmt::format(",\"partitions\":[{}],\"uploads\":[", fmt::join(m.partitions, ","));
  for (size_t i = 0; i < m.uploads.size(); ++i) {
    out += i == 0 ? "{\"key\":" : ",{\"key\":";
    AppendJsonString(out, m.uploads[i].key);
    out += ",\"upload_id\":";
    AppendJsonString(out, m.uploads[i].upload_id);
    out += "}";
  }
  return out + "]}\n";
}

Result<Manifest> ParseManifest(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(simdjson::padded_string(text)).get(doc))
    return InvalidArgument("a manifest that is not JSON");
  Manifest m;
  std::string_view lander;
  simdjson::dom::array partitions, uploads;
  if (doc["lander"].get(lander) || doc["partitions"].get(partitions) ||
      doc["uploads"].get(uploads))
    return InvalidArgument("a manifest without lander, partitions or uploads");
  m.lander = std::string(lander);
  for (simdjson::dom::element p : partitions) {
    int64_t v = 0;
    if (p.get(v) || v < 0 || v > INT32_MAX) return InvalidArgument("a manifest's bad partition");
    m.partitions.insert(static_cast<int32_t>(v));
  }
  for (simdjson::dom::element u : uploads) {
    std::string_view key, id;
    if (u["key"].get(key) || u["upload_id"].get(id))
      return InvalidArgument("a manifest's upload without key or upload_id");
    m.uploads.push_back({std::string(key), std::string(id), {}});
  }
  return m;
}

StoreLake::StoreLake(objstore::ObjectStore& store, StoreLakeSpec spec)
    : store_(store), spec_(std::move(spec)) {
  if (spec_.progress_prefix.empty()) spec_.progress_prefix = "_progress/" + spec_.topic + "/";
}

std::string StoreLake::ProgressKey(int32_t partition) const {
  return fmt::format("{}{}.next", spec_.progress_prefix, partition);
}

Result<ProgressRecord> StoreLake::ReadRecord(int32_t partition) {
  std::string key = ProgressKey(partition);
  // HEAD before GET: a record replaced in between leaves an older ETag, which fences (a conditional
  // PUT on it fails) rather than lets a PUT pass on text it did not read.
  EL_ASSIGN_OR_RETURN(objstore::ObjectInfo head, store_.Head(key));
  EL_ASSIGN_OR_RETURN(std::string text, store_.Get(key));
  auto record = ParseProgressRecord(text);
  if (!record.ok())
    return DataLoss("progress record " + key + " in " + store_.Describe() + ": " +
                    record.status().message());
  etags_[partition] = head.etag;
  records_[partition] = *record;
  return *record;
}

Result<NextOffsets> StoreLake::ReadProgress() {
  EL_ASSIGN_OR_RETURN(auto objects, store_.ListAll(spec_.progress_prefix));
  NextOffsets out;
  etags_.clear();
  records_.clear();
  for (const objstore::ObjectInfo& o : objects) {
    std::string_view name = BaseName(o.key);
    if (name.size() <= 5 || name.substr(name.size() - 5) != ".next") continue;
    int64_t p = 0;
    if (!ParseNonNegative(name.substr(0, name.size() - 5), p) || p > INT32_MAX) continue;
    EL_ASSIGN_OR_RETURN(ProgressRecord record, ReadRecord(static_cast<int32_t>(p)));
    if (record.next) out[static_cast<int32_t>(p)] = *record.next;
  }
  return out;
}

Result<NextOffsets> StoreLake::Claim(const std::set<int32_t>* partitions, bool take_over,
                                     std::set<int32_t>& lost) {
  constexpr int kAttempts = 5;
  EL_ASSIGN_OR_RETURN(NextOffsets next, ReadProgress());
  std::set<int32_t> claim;
  if (partitions != nullptr) {
    claim = *partitions;
  } else {
    for (const auto& e : etags_) claim.insert(e.first);
  }
  for (int32_t p : claim) {
    for (int attempt = 1;; ++attempt) {
      auto it = records_.find(p);
      ProgressRecord record = it != records_.end() ? it->second : ProgressRecord{};
      if (!take_over && !record.owner.empty() && record.owner != spec_.lander) {
        lost.insert(p);
        break;
      }
      objstore::Precondition pre;
      if (it == records_.end()) {
        pre.if_absent = true;
      } else {
        pre.if_match = etags_[p];
      }
      record.owner = spec_.lander;
      ++record.epoch;
      auto put = store_.PutConditional(ProgressKey(p), ProgressRecordText(record), pre);
      if (put.ok()) {
        etags_[p] = *put;
        records_[p] = record;
        break;
      }
      if (put.status().code() != StatusCode::kFailedPrecondition) return put.status();
      if (attempt == kAttempts)
        return Unavailable(
            fmt::format("partition {} of {} changed hands {} times while this lander "
                        "claimed it",
                        p, spec_.topic, kAttempts));
      // Another lander committed or claimed it meanwhile: claim what it wrote.
      auto again = ReadRecord(p);
      if (!again.ok() && again.status().code() == StatusCode::kNotFound) {
        etags_.erase(p);
        records_.erase(p);
      } else if (!again.ok()) {
        return again.status();
      }
    }
    if (records_[p].next && lost.count(p) == 0) {
      next[p] = *records_[p].next;
    } else {
      next.erase(p);
    }
  }
  for (int32_t p : lost) {
    claim.erase(p);
    spdlog::warn("lander {}: partition {} of {} is claimed by lander {}; not recovered here",
                 spec_.lander, p, spec_.topic, records_[p].owner);
  }
  if (!claim.empty())
    spdlog::info("lander {} claimed partition(s) {} of {} in {}", spec_.lander,
                 fmt::join(claim, ","), spec_.topic, store_.Describe());
  return next;
}

Result<std::vector<std::string>> StoreLake::TableDataKeys(const std::string& table) {
  EL_ASSIGN_OR_RETURN(auto objects, store_.ListAll(table + "/"));
  std::vector<std::string> keys;
  for (const objstore::ObjectInfo& o : objects) {
    // Hidden folders (`_schema/`, `_rewrite/`) and files are not the table's data.
    std::string_view rel = std::string_view(o.key).substr(table.size() + 1);
    bool hidden = false;
    for (size_t start = 0; start < rel.size();) {
      size_t end = std::min(rel.find('/', start), rel.size());
      if (IsHidden(rel.substr(start, end - start))) hidden = true;
      start = end + 1;
    }
    if (!hidden && IsDataFileName(BaseName(o.key))) keys.push_back(o.key);
  }
  return keys;
}

Status StoreLake::AbortAll(const std::vector<objstore::Upload>& uploads) {
  Status first = Status::Ok();
  for (const objstore::Upload& up : uploads) {
    Status s = store_.AbortUpload(up.key, up.upload_id);
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

Status StoreLake::CheckOwnership(const NextOffsets& next) {
  for (const auto& [p, n] : next) {
    auto head = store_.Head(ProgressKey(p));
    if (!head.ok() && head.status().code() != StatusCode::kNotFound) return head.status();
    std::string now = head.ok() ? head->etag : "";
    auto it = etags_.find(p);
    std::string seen = it == etags_.end() ? "" : it->second;
    if (now != seen)
      return FailedPrecondition(fmt::format(
          "partition {} of {} was landed or claimed by another lander since this one read its "
          "progress",
          p, spec_.topic));
    auto record = records_.find(p);
    if (record != records_.end() && !record->second.owner.empty() &&
        record->second.owner != spec_.lander)
      return FailedPrecondition(fmt::format("partition {} of {} is claimed by lander {}", p,
                                            spec_.topic, record->second.owner));
  }
  return Status::Ok();
}

Status StoreLake::Publish(const objstore::Upload& up, const fs::path& local,
                          const NextOffsets& next) {
  Status s = store_.CompleteUpload(up);
  if (s.ok() || s.code() != StatusCode::kNotFound) return s;
  // NoSuchUpload: another lander claimed a partition of the batch and its recovery aborted the
  // upload (this lander is fenced), or a retried CompleteMultipartUpload whose first answer was
  // lost. Only in the second case are the records still this lander's; then the object is there
  // and is this upload's: its ETag is the one of these parts (its size, in a local directory).
  EL_RETURN_IF_ERROR(CheckOwnership(next));
  auto head = store_.Head(up.key);
  std::string etag = objstore::MultipartEtag(up.part_etags);
  std::error_code ec;
  auto size = fs::file_size(local, ec);
  if (head.ok() &&
      (etag.empty() ? !ec && static_cast<uintmax_t>(head->size) == size : head->etag == etag))
    return Status::Ok();
  return s;
}

Result<std::vector<std::string>> StoreLake::ReplacedKeys(const BatchCommit& batch) {
  std::set<std::string> written;
  for (const StoreFile& f : batch.files) written.insert(f.key);
  std::vector<Result<std::vector<std::string>>> listed(batch.replace_tables.size(), Internal("not listed"));
  ForEachConcurrently(listed.size(), [&](size_t i) { listed[i] = TableDataKeys(batch.replace_tables[i]); });
  std::vector<std::string> doomed;
  for (auto& keys : listed) {
    EL_RETURN_IF_ERROR(keys.status());
    for (std::string& k : *keys) {
      if (!written.count(k)) doomed.push_back(std::move(k));
    }
  }
  return doomed;
}

Status StoreLake::PutProgress(const BatchCommit& batch) {
  for (const auto& [p, n] : batch.next) {
    auto it = etags_.find(p);
    objstore::Precondition pre;
    if (it == etags_.end() || it->second.empty()) {
      pre.if_absent = true;
    } else {
      pre.if_match = it->second;
    }
    ProgressRecord record{n, spec_.lander, records_.count(p) != 0 ? records_[p].epoch : 0};
    EL_ASSIGN_OR_RETURN(std::string etag,
                        store_.PutConditional(ProgressKey(p), ProgressRecordText(record), pre));
    etags_[p] = etag;
    records_[p] = record;
  }
  if (!batch.exact) return Status::Ok();
  std::vector<std::string> stale;
  for (auto it = etags_.begin(); it != etags_.end();) {
    if (batch.next.count(it->first) == 0) {
      stale.push_back(ProgressKey(it->first));
      records_.erase(it->first);
      it = etags_.erase(it);
    } else {
      ++it;
    }
  }
  return store_.DeleteMany(stale);
}

Status StoreLake::PutMetadata(const StoreFile& f) {
  std::string data;
  EL_RETURN_IF_ERROR(ReadLocal(f.local, data));
  if (!IsSchemaVersionKey(f.key)) return store_.Put(f.key, data);
  // A schema version is created once: of two landers that made the same version from their
  // mirrors, one wins; the other lands its batch again on the winner's history.
  objstore::Precondition absent;
  absent.if_absent = true;
  auto put = store_.PutConditional(f.key, data, absent);
  if (put.ok() || put.status().code() != StatusCode::kFailedPrecondition) return put.status();
  auto current = store_.Get(f.key);
  if (current.ok() && *current == data) return Status::Ok();
  return Unavailable(fmt::format(
      "schema version {} in {} was written by another lander first; the batch lands again on it",
      f.key, store_.Describe()));
}

std::vector<Result<objstore::Upload>> StoreLake::StartUploads(const std::vector<StoreFile>& files) {
  std::vector<Result<objstore::Upload>> started(files.size(), Internal("not started"));
  ForEachConcurrently(files.size(), [&](size_t i) { started[i] = store_.StartUpload(files[i].key, files[i].local); });
  return started;
}

Status StoreLake::CommitBatch(const BatchCommit& batch) {
  StepTimes steps;  // for the debug log (each step is a round of requests)
  // 1. Stage: every file uploaded to its final key, unfinished; the manifest names the uploads.
  // (`started`: one per file of the batch, in its order.)
  std::vector<StoreFile> to_start;
  std::set<std::string> keys;
  for (const StoreFile& f : batch.files) {
    keys.insert(f.key);
    if (batch.started.count(f.key) == 0) to_start.push_back(f);
  }
  for (const auto& [key, up] : batch.started) {
    if (keys.count(key) == 0) (void)Abort(up);
  }
  std::vector<Result<objstore::Upload>> fresh = StartUploads(to_start);
  std::vector<Result<objstore::Upload>> started;
  for (size_t i = 0, k = 0; i < batch.files.size(); ++i) {
    auto it = batch.started.find(batch.files[i].key);
    started.push_back(it != batch.started.end() ? Result<objstore::Upload>(it->second) : std::move(fresh[k++]));
  }
  std::vector<objstore::Upload> uploads;
  Status failed = Status::Ok();
  for (auto& up : started) {
    if (up.ok()) {
      uploads.push_back(std::move(*up));
    } else if (failed.ok()) {
      failed = up.status();
    }
  }
  if (!failed.ok()) {
    (void)AbortAll(uploads);
    return failed;
  }
  steps.Mark("uploads");
  Manifest m{spec_.lander, {}, uploads};
  for (const auto& [p, n] : batch.next) m.partitions.insert(p);
  std::string manifest = fmt::format("{}{}-{}/batch.json", ManifestPrefix(), spec_.lander, ++seq_);
  Status st = store_.Put(manifest, ManifestJson(m));
  steps.Mark("manifest");
  // 2. Ownership: the records still where this lander read them.
  if (st.ok()) st = CheckOwnership(batch.next);
  steps.Mark("ownership");
  if (!st.ok()) {
    (void)AbortAll(uploads);
    (void)store_.Delete(manifest);
    return st;
  }
  // 3. Publish: metadata first (schema versions only add), then every file, whole.
  std::vector<Status> put(batch.metadata.size());
  ForEachConcurrently(put.size(), [&](size_t i) { put[i] = PutMetadata(batch.metadata[i]); });
  for (const Status& p : put) {
    if (!p.ok()) {
      (void)AbortAll(uploads);
      (void)store_.Delete(manifest);
      return p;
    }
  }
  steps.Mark("metadata");
  StopForTest("publish", uploads);
  // An overwrite lists the tables it replaces meanwhile (their files from before this commit;
  // the batch's own keys are left out, whether listed or not) and deletes the rest once every
  // file of the batch is published.
  Result<std::vector<std::string>> replaced = std::vector<std::string>{};
  std::jthread lister;
  if (!batch.replace_tables.empty()) lister = std::jthread([&] { replaced = ReplacedKeys(batch); });
  std::vector<Status> published(uploads.size());
  ForEachConcurrently(
      uploads.size(), [&](size_t i) { published[i] = Publish(uploads[i], batch.files[i].local, batch.next); },
      kConcurrentCompletes);
  if (lister.joinable()) lister.join();
  for (const Status& p : published) EL_RETURN_IF_ERROR(p);
  steps.Mark("completes");
  EL_RETURN_IF_ERROR(replaced.status());
  if (!replaced->empty()) EL_RETURN_IF_ERROR(store_.DeleteMany(*replaced));
  steps.Mark("replaced");
  // 4. Commit: the progress records, each conditional on the ETag read before publishing.
  StopForTest("commit", uploads);
  st = PutProgress(batch);
  steps.Mark("progress");
  if (!st.ok()) {
    if (st.code() == StatusCode::kFailedPrecondition) {
      return FailedPrecondition(fmt::format(
          "another lander committed or claimed a partition of {} first ({}); this batch's files "
          "are past its record and are removed by recovery",
          spec_.topic, st.message()));
    }
    return st;
  }
  // 5. Clean up.
  if (Status s = store_.Delete(manifest); !s.ok()) spdlog::warn("cleanup: {}", s.message());
  steps.Mark("cleanup");
  spdlog::debug("lake {}: committed {} files ({} uploaded before):{}", spec_.topic, batch.files.size(),
                batch.started.size(), steps.text());
  return Status::Ok();
}

Status StoreLake::AbortManifests(const std::set<int32_t>* partitions) {
  EL_ASSIGN_OR_RETURN(auto objects, store_.ListAll(ManifestPrefix()));
  for (const objstore::ObjectInfo& o : objects) {
    if (BaseName(o.key) != "batch.json") continue;
    auto text = store_.Get(o.key);
    if (!text.ok() && text.status().code() == StatusCode::kNotFound) continue;  // cleaned meanwhile
    EL_RETURN_IF_ERROR(text.status());
    auto m = ParseManifest(*text);
    if (!m.ok()) {
      spdlog::warn("{}: {}; removed", o.key, m.status().message());
    } else {
      // (This lander's own manifests too: recovery never runs while one of its commits does.)
      if (partitions != nullptr &&
          std::none_of(m->partitions.begin(), m->partitions.end(),
                       [&](int32_t p) { return partitions->count(p) > 0; }))
        continue;
      EL_RETURN_IF_ERROR(AbortAll(m->uploads));
    }
    EL_RETURN_IF_ERROR(store_.Delete(o.key));
  }
  return Status::Ok();
}

Status StoreLake::AbortUploadsPast(const NextOffsets& next, const std::set<int32_t>* partitions) {
  EL_ASSIGN_OR_RETURN(auto uploads, store_.ListUploads());
  for (const auto& [key, id] : uploads) {
    auto range = ParseDataFileName(spec_.topic, BaseName(key));
    if (!range || !Wanted(partitions, range->partition) || !PastRecord(next, *range)) continue;
    EL_RETURN_IF_ERROR(store_.AbortUpload(key, id));
  }
  return Status::Ok();
}

Status StoreLake::DeletePublishedPast(const NextOffsets& next,
                                      const std::set<int32_t>* partitions) {
  objstore::ListOptions opt;
  opt.delimiter = "/";
  std::vector<std::string> tables = spec_.tables;
  while (spec_.tables.empty()) {
    EL_ASSIGN_OR_RETURN(objstore::ListPage page, store_.List(opt));
    for (const std::string& cp : page.common_prefixes) {
      std::string t = cp.substr(0, cp.size() - 1);
      if (t == spec_.topic || t.rfind(spec_.topic + "_", 0) == 0) tables.push_back(t);
    }
    opt.continuation_token = page.next_token;
    if (opt.continuation_token.empty()) break;
  }
  std::vector<std::string> doomed;  // every listing first: nothing is deleted on a failed one
  for (const std::string& t : tables) {
    EL_ASSIGN_OR_RETURN(auto keys, TableDataKeys(t));
    // Files a compaction's merged file covers (it crashed before deleting them).
    for (std::string& k : SupersededKeys(keys)) doomed.push_back(std::move(k));
    for (std::string& k : keys) {
      auto range = ParseDataFileName(spec_.topic, BaseName(k));
      if (range && Wanted(partitions, range->partition) && PastRecord(next, *range))
        doomed.push_back(std::move(k));
    }
  }
  if (!doomed.empty())
    spdlog::info("recovery of {} in {}: removing {} published but uncommitted file(s)", spec_.topic,
                 store_.Describe(), doomed.size());
  return store_.DeleteMany(doomed);
}

Result<StoreLake::Claimed> StoreLake::ClaimForRecovery(const std::set<int32_t>* partitions,
                                                        bool take_over) {
  // The claim comes first: from here on no other lander passes its ownership check or commits
  // these partitions, so the uploads and files found by CleanUp can no longer change hands.
  std::set<int32_t> lost;
  Claimed c;
  EL_ASSIGN_OR_RETURN(c.next, Claim(partitions, take_over, lost));
  if (partitions != nullptr) {
    c.all = false;
    c.partitions = *partitions;
  }
  if (!lost.empty()) {  // without the lost partitions: another lander's to recover
    if (c.all) {
      for (const auto& e : records_) c.partitions.insert(e.first);
      c.all = false;
    }
    for (int32_t p : lost) c.partitions.erase(p);
  }
  return c;
}

NextOffsets StoreLake::Claimed::Progress() const {
  NextOffsets out = next;
  if (!all) std::erase_if(out, [&](const auto& e) { return partitions.count(e.first) == 0; });
  return out;
}

Status StoreLake::CleanUp(const Claimed& c) {
  StepTimes steps;
  const std::set<int32_t>* partitions = c.all ? nullptr : &c.partitions;
  EL_RETURN_IF_ERROR(AbortManifests(partitions));
  steps.Mark("manifests");
  EL_RETURN_IF_ERROR(AbortUploadsPast(c.next, partitions));
  steps.Mark("uploads");
  EL_RETURN_IF_ERROR(DeletePublishedPast(c.next, partitions));
  steps.Mark("published");
  spdlog::debug("lake {}: recovery cleaned up:{}", spec_.topic, steps.text());
  return Status::Ok();
}

Result<NextOffsets> StoreLake::Recover(const std::set<int32_t>* partitions, bool take_over) {
  EL_ASSIGN_OR_RETURN(Claimed c, ClaimForRecovery(partitions, take_over));
  EL_RETURN_IF_ERROR(CleanUp(c));
  return c.Progress();
}

Result<std::vector<std::string>> StoreLake::PullMetadata(const fs::path& mirror) {
  std::vector<std::string> keys;
  auto fetch = [&](const std::string& key) -> Status {
    fs::path local = mirror / fs::path(key);
    EL_RETURN_IF_ERROR(MakeDirs(local.parent_path()));
    EL_RETURN_IF_ERROR(store_.GetToFile(key, local));
    keys.push_back(key);
    return Status::Ok();
  };
  auto format = store_.Head("_format");
  if (format.ok()) {
    EL_RETURN_IF_ERROR(fetch("_format"));
  } else if (format.status().code() != StatusCode::kNotFound) {
    return format.status();
  }
  // Folders to look into: every table, and every first-level folder of a table.
  auto folders = [&](const std::string& prefix) -> Result<std::vector<std::string>> {
    objstore::ListOptions opt;
    opt.prefix = prefix;
    opt.delimiter = "/";
    std::vector<std::string> out;
    do {
      EL_ASSIGN_OR_RETURN(objstore::ListPage page, store_.List(opt));
      for (std::string& cp : page.common_prefixes) out.push_back(std::move(cp));
      opt.continuation_token = page.next_token;
    } while (!opt.continuation_token.empty());
    return out;
  };
  auto pull_schema = [&](const std::string& dir) -> Status {
    EL_ASSIGN_OR_RETURN(auto objects, store_.ListAll(dir + "_schema/"));
    for (const objstore::ObjectInfo& o : objects) EL_RETURN_IF_ERROR(fetch(o.key));
    return Status::Ok();
  };
  EL_ASSIGN_OR_RETURN(auto tables, folders(""));
  for (const std::string& t : tables) {
    if (IsHidden(t)) continue;
    EL_RETURN_IF_ERROR(pull_schema(t));
    EL_ASSIGN_OR_RETURN(auto subs, folders(t));
    for (const std::string& s : subs) {
      std::string_view name = std::string_view(s).substr(t.size());
      if (IsHidden(name) || name.find('=') == std::string_view::npos) continue;
      EL_RETURN_IF_ERROR(pull_schema(s));
    }
  }
  return keys;
}

}  // namespace el::lake
