#include "query/s3_lake.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>

#include <fmt/format.h>

#include "io/dir.h"
#include "lake/layout.h"
#include "lake/progress.h"
#include "lake/superseded.h"
#include "lake/listing.h"
#include "objstore/local_store.h"

namespace el::query {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> Segments(std::string_view key) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= key.size()) {
    size_t slash = key.find('/', start);
    if (slash == std::string_view::npos) slash = key.size();
    out.emplace_back(key.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Removes the mirror folders of processes that are gone (killed before they could).
void RemoveStaleMirrors(const fs::path& views) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(views, ec)) {
    std::string name = e.path().filename().string();
    int64_t pid = 0;
    if (!lake::ParseNonNegative(name.substr(0, name.find('-')), pid) || pid <= 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove_all(e.path(), ec);
  }
}

// Whether a data file of a topic with progress records is committed: its range starts before
// its partition's record.
bool Committed(const std::map<std::string, lake::NextOffsets>& progress, const std::string& name) {
  size_t plus = name.find('+');
  if (plus == std::string::npos) return true;  // not a file eventlake names: read as listed
  std::string topic = name.substr(0, plus);
  auto range = lake::ParseDataFileName(topic, name);
  auto records = progress.find(topic);
  if (!range || records == progress.end()) return true;
  auto next = records->second.find(range->partition);
  return next != records->second.end() && range->first < next->second;
}

// Leaves out of `data` (visible Parquet files by key) every file a file of the same folder
// supersedes (lake::SupersededFiles): a compaction's merged file published while its inputs are
// not deleted yet. The rows are then read once, from the merged file.
void DropSuperseded(std::map<std::string, const objstore::ObjectInfo*>& data) {
  std::vector<std::string> keys;
  for (const auto& [key, info] : data) keys.push_back(key);
  for (const std::string& key : lake::SupersededKeys(keys)) data.erase(key);
}

}  // namespace

std::string FetchReport::ToString() const {
  return fmt::format(
      "s3: listed {} objects; {} data files needed ({} left out by Hive filters, {} uncommitted "
      "skipped); fetched {} ({:.1f} MB), {} from the cache; {:.2f} s",
      listed_objects, files_needed, files_skipped, files_uncommitted, files_fetched,
      static_cast<double>(bytes_fetched) / 1e6, cache_hits, seconds);
}

Result<std::unique_ptr<S3Lake>> S3Lake::Open(std::unique_ptr<objstore::ObjectStore> store,
                                             S3LakeOptions options) {
  if (options.parallel < 1) return InvalidArgument("parallel downloads must be at least 1");
  if (options.cache_dir.empty()) options.cache_dir = objstore::DefaultCacheDir();
  EL_ASSIGN_OR_RETURN(auto cache,
                      objstore::FileCache::Open(options.cache_dir, options.cache_bytes));
  fs::path views = options.cache_dir / "views";
  EL_RETURN_IF_ERROR(io::CreateDirs(views.string()));
  RemoveStaleMirrors(views);
  // <pid>-<random>: unique also when processes of other pid namespaces share the cache.
  std::random_device random;
  fs::path mirror = views / fmt::format("{}-{:08x}", ::getpid(), random());
  EL_RETURN_IF_ERROR(io::RemoveAll(mirror.string()));
  EL_RETURN_IF_ERROR(io::CreateDirs(mirror.string()));
  return std::unique_ptr<S3Lake>(
      new S3Lake(std::move(store), std::move(cache), std::move(mirror), std::move(options)));
}

S3Lake::~S3Lake() {
  std::error_code ec;
  fs::remove_all(mirror_, ec);
}

Status S3Lake::Prepare(duck::Connection& con, std::string_view sql) {
  std::map<std::string, TableNeed> needs;
  if (!sql.empty()) needs = TablesNeeded(con, sql, tables_);
  if (!sql.empty() && tables_.empty()) {
    // The first run: learn the tables, then read what the SQL names.
    EL_RETURN_IF_ERROR(Sync({}));
    needs = TablesNeeded(con, sql, tables_);
  }
  return Sync(needs);
}

Result<std::string> S3Lake::Small(const objstore::ObjectInfo& info) {
  auto it = small_.find(info.key);
  if (it != small_.end() && it->second.etag == info.etag) return it->second.text;
  EL_ASSIGN_OR_RETURN(std::string text, store_->Get(info.key));
  small_[info.key] = Meta{info.etag, text};
  return text;
}

Status S3Lake::WriteMirrorFile(const std::string& key, const std::string& text) {
  fs::path path = mirror_ / key;
  EL_RETURN_IF_ERROR(io::CreateDirs(path.parent_path().string()));
  return io::WriteFileDurably(path.string(), text);
}

Status S3Lake::Link(const objstore::ObjectInfo& info, const fs::path& cached) {
  fs::path path = mirror_ / info.key;
  EL_RETURN_IF_ERROR(io::CreateDirs(path.parent_path().string()));
  std::error_code ec;
  fs::remove(path, ec);
  // A hard link keeps the copy readable even when another process evicts it from the cache.
  fs::create_hard_link(cached, path, ec);
  if (ec) {
    ec.clear();
    fs::create_symlink(cached, path, ec);
  }
  if (ec) return IOError("cannot link " + path.string() + ": " + ec.message());
  linked_[info.key] = Linked{info.etag, cached};
  return Status::Ok();
}

void S3Lake::Unlink(const std::string& key) {
  auto it = linked_.find(key);
  if (it == linked_.end()) return;
  std::error_code ec;
  fs::remove(mirror_ / key, ec);
  cache_->Unpin(it->second.cached);
  linked_.erase(it);
}

Status S3Lake::Sync(const std::map<std::string, TableNeed>& needs) {
  auto start = std::chrono::steady_clock::now();
  report_ = FetchReport{};
  auto before = cache_->stats();
  EL_ASSIGN_OR_RETURN(auto objects, store_->ListAll(""));
  report_.listed_objects = static_cast<int64_t>(objects.size());
  std::map<std::string, lake::NextOffsets> progress;
  std::map<std::string, const objstore::ObjectInfo*> data;  // visible Parquet files by key
  // Folder -> its latest `_schema/v<N>.json`.
  std::map<std::string, std::pair<int64_t, const objstore::ObjectInfo*>> latest_schema;
  std::set<std::string> dirs;
  for (const objstore::ObjectInfo& o : objects) {
    if (!objstore::CheckKey(o.key).ok()) continue;  // never a path outside the mirror
    std::vector<std::string> seg = Segments(o.key);
    auto hidden = std::find_if(seg.begin(), seg.end(),
                               [](const std::string& s) { return lake::IsHidden(s); });
    size_t h = static_cast<size_t>(hidden - seg.begin());
    std::string parent =
        o.key.substr(0, o.key.rfind('/') == std::string::npos ? 0 : o.key.rfind('/'));
    if (hidden == seg.end()) {
      if (EndsWith(o.key, ".parquet")) data[o.key] = &o;
      if (!parent.empty()) dirs.insert(parent);
    } else if (seg.size() == 1 && seg[0] == "_format") {
      EL_ASSIGN_OR_RETURN(std::string text, Small(o));
      EL_RETURN_IF_ERROR(WriteMirrorFile(o.key, text));
    } else if (seg.size() == 3 && seg[0] == "_progress" && !lake::IsHidden(seg[1]) &&
               EndsWith(seg[2], ".next")) {
      int64_t partition = 0;
      if (!lake::ParseNonNegative(seg[2].substr(0, seg[2].size() - 5), partition)) continue;
      // Read every time: the commit point, and a same-size rewrite may keep a local ETag.
      EL_ASSIGN_OR_RETURN(std::string text, store_->Get(o.key));
      auto record = lake::ParseProgressRecord(text);
      if (!record.ok())
        return DataLoss(store_->Describe() + "/" + o.key + ": " + record.status().message());
      // A record `none` (claimed, nothing landed): the topic's files of that partition wait.
      auto& records = progress[seg[1]];
      if (record->next) records[static_cast<int32_t>(partition)] = *record->next;
    } else if (h >= 1 && seg[h] == "_schema" && h + 2 == seg.size()) {
      dirs.insert(parent);  // type folders are known by their `_schema` folder
      int64_t version = 0;
      if (EndsWith(seg.back(), ".json") && seg.back()[0] == 'v' &&
          lake::ParseNonNegative(seg.back().substr(1, seg.back().size() - 6), version)) {
        auto& latest = latest_schema[parent.substr(0, parent.rfind('/'))];
        if (latest.first <= version) latest = {version, &o};
      }
      if (options_.schemas) {
        EL_ASSIGN_OR_RETURN(std::string text, Small(o));
        EL_RETURN_IF_ERROR(WriteMirrorFile(o.key, text));
      }
    }
  }
  DropSuperseded(data);
  for (const std::string& d : dirs) EL_RETURN_IF_ERROR(io::CreateDirs((mirror_ / d).string()));
  EL_ASSIGN_OR_RETURN(auto refs, lake::ListReaderTables(mirror_));
  tables_.clear();
  for (const lake::TableRef& r : refs) tables_.push_back(r.name);

  // The committed files each named table wants (pruned by its need).
  std::map<std::string, const objstore::ObjectInfo*> wanted;
  std::vector<std::string> needed_prefixes;
  for (const lake::TableRef& ref : refs) {
    auto need = needs.find(ref.name);
    if (need == needs.end()) continue;
    const objstore::ObjectInfo* smallest = nullptr;
    bool any = false;
    for (const fs::path& d : ref.dirs) {
      std::string folder = d.lexically_relative(mirror_).generic_string();
      std::string prefix = folder + "/";
      needed_prefixes.push_back(prefix);
      auto schema = latest_schema.find(folder);
      if (schema != latest_schema.end()) {
        // The table's columns: a view over a pruned set of files still has every one of them.
        EL_ASSIGN_OR_RETURN(std::string text, Small(*schema->second.second));
        EL_RETURN_IF_ERROR(WriteMirrorFile(schema->second.second->key, text));
      }
      for (auto it = data.lower_bound(prefix); it != data.end() && it->first.rfind(prefix, 0) == 0;
           ++it) {
        std::vector<std::string> seg = Segments(it->first);
        if (!Committed(progress, seg.back())) {
          ++report_.files_uncommitted;
          continue;
        }
        if (smallest == nullptr || it->second->size < smallest->size) smallest = it->second;
        if (!FoldersMayMatch(need->second, seg)) {
          ++report_.files_skipped;
          continue;
        }
        any = true;
        if (wanted.emplace(it->first, it->second).second) ++report_.files_needed;
      }
    }
    if (!any && smallest != nullptr && wanted.emplace(smallest->key, smallest).second) {
      ++report_.files_needed;  // keeps the view; the filters drop its rows
      --report_.files_skipped;
    }
  }

  // Unlink what went, changed, or is no longer wanted by a table named now.
  std::vector<std::string> drop;
  for (const auto& [key, linked] : linked_) {
    auto listed = data.find(key);
    bool gone = listed == data.end() || listed->second->etag != linked.etag ||
                !Committed(progress, Segments(key).back());
    bool under_needed = std::any_of(needed_prefixes.begin(), needed_prefixes.end(),
                                    [&](const std::string& p) { return key.rfind(p, 0) == 0; });
    if (gone || (under_needed && wanted.count(key) == 0)) drop.push_back(key);
  }
  for (const std::string& key : drop) Unlink(key);

  std::vector<objstore::ObjectInfo> fetch;
  for (const auto& [key, info] : wanted) {
    if (linked_.count(key) == 0) fetch.push_back(*info);
  }
  EL_ASSIGN_OR_RETURN(auto paths, cache_->FetchAll(*store_, fetch, options_.parallel));
  for (size_t i = 0; i < fetch.size(); ++i) EL_RETURN_IF_ERROR(Link(fetch[i], paths[i]));

  auto after = cache_->stats();
  report_.files_fetched = after.misses - before.misses;
  report_.bytes_fetched = after.bytes_fetched - before.bytes_fetched;
  report_.cache_hits = after.hits - before.hits;
  report_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Status::Ok();
}

}  // namespace el::query
