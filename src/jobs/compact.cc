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
#include "io/dir.h"
#include "lake/layout.h"
#include "lake/listing.h"
#include "lake/locks.h"
#include "lake/names.h"
#include "lake/publish.h"

namespace el::jobs {
namespace {

namespace fs = std::filesystem;
using lake::DataFileName;
using lake::DataFileRange;
using lake::ListDataFiles;
using lake::ParseDataFileName;
using lake::SyncDir;
constexpr char kStagingPrefix[] = "_compact-";

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

Result<Leaf> ReadLeaf(const fs::path& dir) {
  Leaf leaf{dir, {}, {}, false};
  EL_ASSIGN_OR_RETURN(auto entries, io::ListDir(dir.string()));
  for (const io::DirEntry& e : entries) {
    if (!e.is_dir) continue;
    if (!lake::IsHidden(e.name) || e.name.rfind("_staging", 0) == 0) leaf.busy = true;
    leaf.subdirs.push_back(dir / e.name);
  }
  EL_ASSIGN_OR_RETURN(auto files, ListDataFiles(dir));
  for (const fs::path& f : files) {
    auto src = ParseSource(f.filename().string());
    if (src) leaf.groups[{src->topic, src->range.partition}].push_back(f);
  }
  return leaf;
}

// Every visible folder of the table (the table folder included) that directly holds data files.
Result<std::vector<fs::path>> LeafDirs(const fs::path& table_dir) {
  EL_ASSIGN_OR_RETURN(std::vector<fs::path> dirs, lake::ListPartitionDirs(table_dir));
  dirs.insert(dirs.begin(), table_dir);
  std::vector<fs::path> out;
  for (const fs::path& d : dirs) {
    EL_ASSIGN_OR_RETURN(auto files, ListDataFiles(d));
    if (!files.empty()) out.push_back(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Closed folders: every folder that directly holds data files, except those under the newest
// first-level partition value of their base: the table folder, or in a topic table partitioned by
// event type (lake/layout.h) the event type's folder (`dt=` below it sorts by date). A base that
// holds files itself (no time folders) is closed as a whole.
Result<std::vector<fs::path>> ClosedLeaves(const fs::path& table_dir) {
  EL_ASSIGN_OR_RETURN(std::vector<fs::path> leaves, LeafDirs(table_dir));
  auto base = [&](const fs::path& leaf) {
    fs::path first = table_dir / *leaf.lexically_relative(table_dir).begin();
    return leaf != table_dir && lake::IsTypeFolder(first) ? first : table_dir;
  };
  std::map<fs::path, std::string> newest;  // base -> its newest first-level value
  for (const fs::path& l : leaves) {
    fs::path b = base(l);
    if (l == b) continue;
    std::string& n = newest[b];
    n = std::max(n, l.lexically_relative(b).begin()->string());
  }
  std::vector<fs::path> out;
  for (const fs::path& l : leaves) {
    fs::path b = base(l);
    if (l == b || l.lexically_relative(b).begin()->string() != newest[b]) out.push_back(l);
  }
  return out;
}

fs::path StagingFor(const fs::path& leaf) {
  return leaf.parent_path() / (std::string(kStagingPrefix) + leaf.filename().string());
}

Status Rename(const fs::path& from, const fs::path& to) { return io::Rename(from.string(), to.string()); }

Status RemoveAll(const fs::path& path) { return lake::Remove(path); }

// Removes files whose range lies inside another file's range of the same source (a merged file
// published by a run that crashed before removing its inputs). Returns how many.
Result<int64_t> RemoveSuperseded(const fs::path& dir) {
  int64_t removed = 0;
  EL_ASSIGN_OR_RETURN(Leaf leaf, ReadLeaf(dir));
  for (auto& [key, files] : leaf.groups) {
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
  EL_ASSIGN_OR_RETURN(auto entries, io::ListDir(parent.string()));
  for (const io::DirEntry& e : entries) {
    if (e.is_dir && e.name.rfind(kStagingPrefix, 0) == 0) leftovers.push_back(parent / e.name);
  }
  for (const fs::path& staging : leftovers) {
    fs::path live = parent / staging.filename().string().substr(sizeof(kStagingPrefix) - 1);
    if (fs::is_directory(live)) {
      EL_ASSIGN_OR_RETURN(auto files, ListDataFiles(staging));
      for (const fs::path& f : files) {
        if (!fs::exists(live / f.filename())) EL_RETURN_IF_ERROR(Rename(f, live / f.filename()));
      }
      EL_ASSIGN_OR_RETURN(auto subs, io::ListDir(staging.string()));
      for (const io::DirEntry& sub : subs) {
        if (sub.is_dir && !fs::exists(live / sub.name)) EL_RETURN_IF_ERROR(Rename(staging / sub.name, live / sub.name));
      }
    }
    EL_RETURN_IF_ERROR(RemoveAll(staging));
  }
  return Status::Ok();
}

Result<int64_t> Recover(const fs::path& lake, const fs::path& table_dir) {
  EL_RETURN_IF_ERROR(RecoverStaging(lake));
  EL_ASSIGN_OR_RETURN(std::vector<fs::path> dirs, lake::ListPartitionDirs(table_dir));
  dirs.insert(dirs.begin(), table_dir);
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
    EL_ASSIGN_OR_RETURN(Leaf leaf, ReadLeaf(dir));
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
    EL_RETURN_IF_ERROR(lake::MakeDirs(staging));
    std::set<std::string> replaced;
    std::vector<fs::path> merged;
    for (const auto& [key, files] : merge) {
      EL_ASSIGN_OR_RETURN(fs::path out, Merge(staging, key, files));
      merged.push_back(out);
      for (const fs::path& f : files) replaced.insert(f.filename().string());
    }
    EL_ASSIGN_OR_RETURN(auto before, ListDataFiles(dir));
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
      EL_ASSIGN_OR_RETURN(auto late, ListDataFiles(staging));
      for (const fs::path& f : late) {
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
    EL_ASSIGN_OR_RETURN(auto after, ListDataFiles(dir));
    s_.files_before += static_cast<int64_t>(before.size());
    s_.files_after += static_cast<int64_t>(after.size());
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
        "COPY (SELECT * FROM {} ORDER BY _offset) TO {} ({})", src, duck::QuoteLiteral(tmp.string()),
        lake::kParquetOptions)));
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

// Compaction rewrites only what eventlake wrote. A file of another tool, a file DuckDB cannot read
// (truncated) or a visible folder that is not a Hive partition (`key=value`) makes it refuse,
// naming the entry: readers would choke on it, and merging around it would hide it.
Status CheckOnlyLakeFiles(duck::Connection& con, const std::string& table, const fs::path& table_dir) {
  EL_ASSIGN_OR_RETURN(std::vector<fs::path> dirs, lake::ListPartitionDirs(table_dir));
  dirs.insert(dirs.begin(), table_dir);
  auto refuse = [&](const fs::path& p, const std::string& why) {
    return FailedPrecondition(
        fmt::format("{} {}; move it out of table {} (or delete it), then compact again", p.string(), why, table));
  };
  for (const fs::path& dir : dirs) {
    std::string name = dir.filename().string();
    if (dir != table_dir && (name.find('=') == std::string::npos || name[0] == '=')) {
      return refuse(dir, "is a folder that is not a partition (key=value)");
    }
    EL_ASSIGN_OR_RETURN(auto entries, io::ListDir(dir.string()));
    for (const io::DirEntry& e : entries) {
      if (e.is_dir || lake::IsHidden(e.name)) continue;
      if (!ParseSource(e.name)) return refuse(dir / e.name, "was not written by eventlake");
      Status st = con.Exec("DESCRIBE SELECT * FROM read_parquet(" + duck::QuoteLiteral((dir / e.name).string()) + ")");
      if (!st.ok()) {
        return refuse(dir / e.name, "cannot be read (" + st.message().substr(0, st.message().find('\n')) + ")");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<CompactSummary> Compact(const CompactOptions& o) {
  auto started = std::chrono::steady_clock::now();
  fs::path lake(o.lake_dir);
  fs::path table_dir = lake / o.table;
  if (o.table.empty() || lake::IsHidden(o.table)) return NotFound("no table " + o.table + " in " + o.lake_dir);
  EL_RETURN_IF_ERROR(lake::CheckLakeFormat(lake, false));
  // An event type's table (events_purchase_sword) is its folders in the topic's table: those are
  // compacted, with the topic's table recovered and conformed as a whole.
  std::vector<fs::path> only;
  if (!fs::is_directory(table_dir)) {
    EL_ASSIGN_OR_RETURN(std::optional<lake::TableRef> ref, lake::FindReaderTable(lake, o.table));
    if (ref && ref->is_type && !ref->dirs.empty()) {
      table_dir = ref->dirs.front().parent_path();
      only = ref->dirs;
    }
  }
  if (!fs::is_directory(table_dir)) return NotFound("no table " + o.table + " in " + o.lake_dir);
  auto wanted = [&](const fs::path& leaf) {
    return only.empty() || std::any_of(only.begin(), only.end(), [&](const fs::path& dir) {
             return std::mismatch(dir.begin(), dir.end(), leaf.begin(), leaf.end()).first == dir.end();
           });
  };
  CompactSummary s;
  EL_ASSIGN_OR_RETURN(s.superseded, Recover(lake, table_dir));
  EL_ASSIGN_OR_RETURN(duck::Database db, duck::Database::OpenInMemory());
  EL_ASSIGN_OR_RETURN(duck::Connection con, duck::Connection::Open(db));
  EL_RETURN_IF_ERROR(CheckOnlyLakeFiles(con, table_dir.filename().string(), table_dir));
  // Files in older column types (a lake landed before files were conformed) are brought to the
  // latest schema first, so that merged files hold one type per column.
  EL_ASSIGN_OR_RETURN(s.rewritten, lake::ConformTable(con, table_dir, lake / "_staging" / ("_compact-" + o.table)));
  LeafCompactor compactor(con, o, s);
  EL_ASSIGN_OR_RETURN(auto leaves, ClosedLeaves(table_dir));
  for (const fs::path& leaf : leaves) {
    if (wanted(leaf)) EL_RETURN_IF_ERROR(compactor.Run(leaf));
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return s;
}

std::string FormatCompactSummary(const std::string& table, const CompactSummary& s) {
  std::string extra = s.superseded > 0 ? fmt::format(", {} superseded files removed", s.superseded) : "";
  if (s.rewritten > 0) extra += fmt::format(", {} files rewritten in the latest schema", s.rewritten);
  if (s.folders == 0) return "nothing to compact in " + table + extra;
  return fmt::format("compacted {}: {} {}, {} files -> {} files, {} rows{}, {:.1f} s", table, s.folders,
                     s.folders == 1 ? "folder" : "folders", s.files_before, s.files_after, s.rows, extra,
                     s.seconds);
}

}  // namespace el::jobs
