#include "jobs/compact.h"

#include <fcntl.h>
#include <stdio.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "base/log.h"
#include "clients/duck/duck.h"
#include "jobs/lake_files.h"

namespace el::jobs {
namespace {

namespace fs = std::filesystem;
constexpr char kStagingPrefix[] = "_compact-";

bool Hidden(const std::string& name) { return name.empty() || name[0] == '_' || name[0] == '.'; }

struct Source {
  std::string topic;
  DataFileRange range;
};

std::optional<Source> ParseSource(const std::string& name) {
  size_t plus = name.find('+');
  if (plus == std::string::npos || plus == 0) return std::nullopt;
  std::string topic = name.substr(0, plus);
  auto range = ParseDataFileName(topic, name);
  if (!range) return std::nullopt;
  return Source{topic, *range};
}

using GroupKey = std::pair<std::string, int32_t>;  // topic, partition

// A folder holding visible data files: its files by source, and whether it has sub-folders.
struct Leaf {
  fs::path dir;
  std::map<GroupKey, std::vector<fs::path>> groups;
  std::vector<fs::path> subdirs;  // e.g. _schema; a lander's _staging-* forbids the swap
  bool busy = false;
};

Leaf ReadLeaf(const fs::path& dir) {
  Leaf leaf{dir, {}, {}, false};
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory()) continue;
    std::string name = it->path().filename().string();
    if (!Hidden(name) || name.rfind("_staging", 0) == 0) leaf.busy = true;
    leaf.subdirs.push_back(it->path());
  }
  for (const fs::path& f : ListDataFiles(dir)) {
    auto src = ParseSource(f.filename().string());
    if (src) leaf.groups[{src->topic, src->range.partition}].push_back(f);
  }
  return leaf;
}

// Every visible folder of the table (the table folder included) that directly holds data files.
std::vector<fs::path> LeafDirs(const fs::path& table_dir) {
  std::vector<fs::path> out;
  if (!ListDataFiles(table_dir).empty()) out.push_back(table_dir);
  std::error_code ec;
  fs::recursive_directory_iterator it(table_dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory()) continue;
    if (Hidden(it->path().filename().string())) {
      it.disable_recursion_pending();
      continue;
    }
    if (!ListDataFiles(it->path()).empty()) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Closed folders: the table folder itself, and every partition folder not under the newest
// top-level partition value.
std::vector<fs::path> ClosedLeaves(const fs::path& table_dir) {
  std::vector<fs::path> leaves = LeafDirs(table_dir);
  std::string newest;
  for (const fs::path& l : leaves) {
    if (l == table_dir) continue;
    newest = std::max(newest, l.lexically_relative(table_dir).begin()->string());
  }
  std::vector<fs::path> out;
  for (const fs::path& l : leaves) {
    if (l == table_dir || l.lexically_relative(table_dir).begin()->string() != newest) out.push_back(l);
  }
  return out;
}

fs::path StagingFor(const fs::path& leaf) {
  return leaf.parent_path() / (std::string(kStagingPrefix) + leaf.filename().string());
}

Status Rename(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) return IOError("cannot rename " + from.string() + " to " + to.string() + ": " + ec.message());
  return Status::Ok();
}

Status RemoveAll(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return IOError("cannot remove " + path.string() + ": " + ec.message());
  return Status::Ok();
}

// Removes files whose range lies inside another file's range of the same source (a merged file
// published by a run that crashed before removing its inputs). Returns how many.
Result<int64_t> RemoveSuperseded(const fs::path& dir) {
  int64_t removed = 0;
  for (auto& [key, files] : ReadLeaf(dir).groups) {
    std::vector<DataFileRange> ranges;
    for (const fs::path& f : files) ranges.push_back(ParseSource(f.filename().string())->range);
    for (size_t i = 0; i < files.size(); ++i) {
      for (size_t j = 0; j < files.size(); ++j) {
        bool inside = ranges[j].first <= ranges[i].first && ranges[i].last <= ranges[j].last;
        if (i == j || !inside || (ranges[i].first == ranges[j].first && ranges[i].last == ranges[j].last)) {
          continue;
        }
        spdlog::info("removing {}: superseded by {}", files[i].string(), files[j].filename().string());
        std::error_code ec;
        fs::remove(files[i], ec);
        if (ec) return IOError("cannot remove " + files[i].string() + ": " + ec.message());
        ++removed;
        break;
      }
    }
  }
  return removed;
}

// Gives back what leftover staging folders hold and the live folder lacks (data files, and hidden
// folders moved for a swap that never happened), then removes them.
Status RecoverStaging(const fs::path& parent) {
  std::vector<fs::path> leftovers;
  std::error_code ec;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_directory() && name.rfind(kStagingPrefix, 0) == 0) leftovers.push_back(it->path());
  }
  for (const fs::path& staging : leftovers) {
    fs::path live = parent / staging.filename().string().substr(sizeof(kStagingPrefix) - 1);
    if (fs::is_directory(live)) {
      for (const fs::path& f : ListDataFiles(staging)) {
        if (!fs::exists(live / f.filename())) EL_RETURN_IF_ERROR(Rename(f, live / f.filename()));
      }
      std::vector<fs::path> subs;
      for (fs::directory_iterator sub(staging, ec), send; !ec && sub != send; sub.increment(ec)) {
        if (sub->is_directory() && !fs::exists(live / sub->path().filename())) subs.push_back(sub->path());
      }
      for (const fs::path& sub : subs) EL_RETURN_IF_ERROR(Rename(sub, live / sub.filename()));
    }
    EL_RETURN_IF_ERROR(RemoveAll(staging));
  }
  return Status::Ok();
}

Result<int64_t> Recover(const fs::path& lake, const fs::path& table_dir) {
  EL_RETURN_IF_ERROR(RecoverStaging(lake));
  std::error_code ec;
  std::vector<fs::path> dirs = {table_dir};
  for (fs::recursive_directory_iterator it(table_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory() && !Hidden(it->path().filename().string())) dirs.push_back(it->path());
    if (it->is_directory() && Hidden(it->path().filename().string())) it.disable_recursion_pending();
  }
  int64_t removed = 0;
  for (const fs::path& d : dirs) {
    EL_RETURN_IF_ERROR(RecoverStaging(d));
    EL_ASSIGN_OR_RETURN(int64_t n, RemoveSuperseded(d));
    removed += n;
  }
  return removed;
}

std::string FileList(const std::vector<fs::path>& files) {
  std::string list;
  for (const fs::path& f : files) list += (list.empty() ? "" : ", ") + duck::QuoteLiteral(f.string());
  return "[" + list + "]";
}

class LeafCompactor {
 public:
  LeafCompactor(duck::Connection& con, const CompactOptions& o, CompactSummary& s)
      : con_(con), o_(o), s_(s) {}

  Status Run(const fs::path& dir) {
    Leaf leaf = ReadLeaf(dir);
    std::map<GroupKey, std::vector<fs::path>> merge;
    for (auto& [key, files] : leaf.groups) {
      std::vector<fs::path> small;
      for (const fs::path& f : files) {
        std::error_code ec;
        if (fs::file_size(f, ec) < static_cast<uintmax_t>(o_.small_file_bytes) && !ec) small.push_back(f);
      }
      if (small.size() >= 2) merge[key] = std::move(small);
    }
    if (merge.empty()) return Status::Ok();
    fs::path staging = StagingFor(dir);
    EL_RETURN_IF_ERROR(RemoveAll(staging));
    EL_RETURN_IF_ERROR(MakeDirs(staging));
    std::set<std::string> replaced;
    std::vector<fs::path> merged;
    for (const auto& [key, files] : merge) {
      EL_ASSIGN_OR_RETURN(fs::path out, Merge(staging, key, files));
      merged.push_back(out);
      for (const fs::path& f : files) replaced.insert(f.filename().string());
    }
    size_t before = ListDataFiles(dir).size();
    bool exchange = !leaf.busy;
    if (exchange && !LinkOthers(dir, staging, replaced).ok()) exchange = false;  // no hard links here
    // Hidden folders (_schema, ...) travel with the swap; recovery gives them back after a crash.
    for (const fs::path& sub : exchange ? leaf.subdirs : std::vector<fs::path>{}) {
      EL_RETURN_IF_ERROR(Rename(sub, staging / sub.filename()));
    }
    if (exchange && !Exchange(staging, dir)) {
      exchange = false;
      for (const fs::path& sub : leaf.subdirs) EL_RETURN_IF_ERROR(Rename(staging / sub.filename(), sub));
    }
    if (exchange) {
      // Late arrivals (published into the old folder after it was read) move over.
      for (const fs::path& f : ListDataFiles(staging)) {
        if (!fs::exists(dir / f.filename()) && replaced.count(f.filename().string()) == 0) {
          EL_RETURN_IF_ERROR(Rename(f, dir / f.filename()));
        }
      }
    } else {
      for (const fs::path& f : merged) EL_RETURN_IF_ERROR(Rename(f, dir / f.filename()));
      for (const std::string& name : replaced) EL_RETURN_IF_ERROR(RemoveAll(dir / name));
    }
    EL_RETURN_IF_ERROR(SyncDir(dir));
    EL_RETURN_IF_ERROR(RemoveAll(staging));
    EL_RETURN_IF_ERROR(SyncDir(dir.parent_path()));
    s_.folders += 1;
    s_.files_before += static_cast<int64_t>(before);
    s_.files_after += static_cast<int64_t>(ListDataFiles(dir).size());
    return Status::Ok();
  }

 private:
  // Writes the group's rows, ordered by offset, to staging/<union name>; checks the row count.
  Result<fs::path> Merge(const fs::path& staging, const GroupKey& key, const std::vector<fs::path>& files) {
    int64_t first = INT64_MAX, last = -1;
    for (const fs::path& f : files) {
      DataFileRange r = ParseSource(f.filename().string())->range;
      first = std::min(first, r.first);
      last = std::max(last, r.last);
    }
    fs::path out = staging / DataFileName(key.first, key.second, first, last);
    fs::path tmp = staging / (".merging-" + out.filename().string());
    std::string src = "read_parquet(" + FileList(files) + ", hive_partitioning=false, union_by_name=true)";
    EL_ASSIGN_OR_RETURN(auto in_rows, con_.Query("SELECT count(*) FROM " + src));
    EL_RETURN_IF_ERROR(con_.Exec(fmt::format(
        "COPY (SELECT * FROM {} ORDER BY _offset) TO {} (FORMAT parquet, COMPRESSION zstd)", src,
        duck::QuoteLiteral(tmp.string()))));
    EL_ASSIGN_OR_RETURN(auto out_rows, con_.Query("SELECT count(*) FROM read_parquet(" +
                                                  duck::QuoteLiteral(tmp.string()) + ")"));
    if (out_rows.Int(0, 0) != in_rows.Int(0, 0)) {
      return Internal(fmt::format("merged file {} has {} rows, its inputs {}", out.string(),
                                  out_rows.Int(0, 0), in_rows.Int(0, 0)));
    }
    EL_RETURN_IF_ERROR(Rename(tmp, out));
    s_.rows += out_rows.Int(0, 0);
    return out;
  }

  // Hard-links every file of `dir` that is not being replaced into `staging`.
  static Status LinkOthers(const fs::path& dir, const fs::path& staging, const std::set<std::string>& replaced) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (!it->is_regular_file() || replaced.count(name) != 0) continue;
      std::error_code lec;
      fs::create_hard_link(it->path(), staging / name, lec);
      if (lec) return IOError("cannot link " + it->path().string() + ": " + lec.message());
    }
    return ec ? IOError("cannot list " + dir.string() + ": " + ec.message()) : Status::Ok();
  }

  static bool Exchange(const fs::path& a, const fs::path& b) {
    if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0) return true;
    spdlog::warn("renameat2(RENAME_EXCHANGE) on {}: {}; replacing files one by one", b.string(),
                 std::strerror(errno));
    return false;
  }

  duck::Connection& con_;
  const CompactOptions& o_;
  CompactSummary& s_;
};

}  // namespace

Result<CompactSummary> Compact(const CompactOptions& o) {
  auto started = std::chrono::steady_clock::now();
  fs::path lake(o.lake_dir);
  fs::path table_dir = lake / o.table;
  if (o.table.empty() || Hidden(o.table) || !fs::is_directory(table_dir)) {
    return NotFound("no table " + o.table + " in " + o.lake_dir);
  }
  CompactSummary s;
  EL_ASSIGN_OR_RETURN(s.superseded, Recover(lake, table_dir));
  EL_ASSIGN_OR_RETURN(duck::Database db, duck::Database::OpenInMemory());
  EL_ASSIGN_OR_RETURN(duck::Connection con, duck::Connection::Open(db));
  LeafCompactor compactor(con, o, s);
  for (const fs::path& leaf : ClosedLeaves(table_dir)) EL_RETURN_IF_ERROR(compactor.Run(leaf));
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return s;
}

std::string FormatCompactSummary(const std::string& table, const CompactSummary& s) {
  std::string extra = s.superseded > 0 ? fmt::format(", {} superseded files removed", s.superseded) : "";
  if (s.folders == 0) return "nothing to compact in " + table + extra;
  return fmt::format("compacted {}: {} {}, {} files -> {} files, {} rows{}, {:.1f} s", table, s.folders,
                     s.folders == 1 ? "folder" : "folders", s.files_before, s.files_after, s.rows, extra,
                     s.seconds);
}

}  // namespace el::jobs
