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
#include "jobs/compact_plan.h"
#include "lake/layout.h"
#include "lake/superseded.h"
#include "lake/listing.h"
#include "lake/locks.h"
#include "lake/names.h"
#include "lake/publish.h"

namespace el::jobs {
namespace {

namespace fs = std::filesystem;
using lake::ListDataFiles;
using lake::SyncDir;
constexpr char kStagingPrefix[] = "_compact-";

fs::path StagingFor(const fs::path& leaf) {
  return leaf.parent_path() / (std::string(kStagingPrefix) + leaf.filename().string());
}

Status Rename(const fs::path& from, const fs::path& to) {
  return io::Rename(from.string(), to.string());
}

Status RemoveAll(const fs::path& path) { return lake::Remove(path); }

// Removes files whose range lies inside another file's range of the same source (a merged file
// published by a run that crashed before removing its inputs: lake::SupersededFiles). Returns how
// many.
Result<int64_t> RemoveSuperseded(const fs::path& dir) {
  EL_ASSIGN_OR_RETURN(auto files, ListDataFiles(dir));
  std::vector<std::string> names;
  for (const fs::path& f : files) names.push_back(f.filename().string());
  std::vector<bool> superseded = lake::SupersededFiles({names.begin(), names.end()});
  int64_t removed = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    if (!superseded[i]) continue;
    spdlog::info("removing {}: superseded by a file covering its offsets", files[i].string());
    std::error_code ec;
    fs::remove(files[i], ec);
    if (ec) return IOError("cannot remove " + files[i].string() + ": " + ec.message());
    ++removed;
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
        if (sub.is_dir && !fs::exists(live / sub.name))
          EL_RETURN_IF_ERROR(Rename(staging / sub.name, live / sub.name));
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

class LeafCompactor {
 public:
  LeafCompactor(duck::Connection& con, const CompactOptions& o, CompactSummary& s)
      : con_(con), o_(o), s_(s) {}

  Status Run(const fs::path& dir) {
    EL_ASSIGN_OR_RETURN(CompactLeaf leaf, ReadCompactLeaf(dir));
    auto merge = SmallGroups(leaf, o_.small_file_bytes);
    if (merge.empty()) return Status::Ok();
    fs::path staging = StagingFor(dir);
    EL_RETURN_IF_ERROR(RemoveAll(staging));
    EL_RETURN_IF_ERROR(lake::MakeDirs(staging));
    std::set<std::string> replaced;
    std::vector<fs::path> merged;
    for (const auto& [key, files] : merge) {
      fs::path out = staging / MergedName(key, files);
      EL_ASSIGN_OR_RETURN(int64_t rows, MergeFiles(con_, files, out));
      s_.rows += rows;
      merged.push_back(out);
      for (const fs::path& f : files) replaced.insert(f.filename().string());
    }
    EL_ASSIGN_OR_RETURN(auto before, ListDataFiles(dir));
    bool exchange = !leaf.busy;
    if (exchange && !LinkOthers(dir, staging, replaced).ok())
      exchange = false;  // no hard links here
    // Hidden folders (_schema, ...) travel with the swap; recovery gives them back after a crash.
    for (const fs::path& sub : exchange ? leaf.subdirs : std::vector<fs::path>{}) {
      EL_RETURN_IF_ERROR(Rename(sub, staging / sub.filename()));
    }
    if (exchange && !Exchange(staging, dir)) {
      exchange = false;
      for (const fs::path& sub : leaf.subdirs)
        EL_RETURN_IF_ERROR(Rename(staging / sub.filename(), sub));
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
  // Hard-links every file of `dir` that is not being replaced into `staging`.
  static Status LinkOthers(const fs::path& dir, const fs::path& staging,
                           const std::set<std::string>& replaced) {
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
  if (o.table.empty() || lake::IsHidden(o.table))
    return NotFound("no table " + o.table + " in " + o.lake_dir);
  EL_RETURN_IF_ERROR(lake::CheckLakeFormat(lake, false));
  EL_ASSIGN_OR_RETURN(CompactScope scope, ResolveCompactTable(lake, o.table, o.lake_dir));
  const fs::path& table_dir = scope.table_dir;
  CompactSummary s;
  EL_ASSIGN_OR_RETURN(s.superseded, Recover(lake, table_dir));
  EL_ASSIGN_OR_RETURN(duck::Database db, duck::Database::OpenInMemory());
  EL_ASSIGN_OR_RETURN(duck::Connection con, duck::Connection::Open(db));
  EL_RETURN_IF_ERROR(CheckOnlyLakeFiles(con, table_dir.filename().string(), table_dir));
  // Files in older column types (a lake landed before files were conformed) are brought to the
  // latest schema first, so that merged files hold one type per column.
  EL_ASSIGN_OR_RETURN(
      s.rewritten, lake::ConformTable(con, table_dir, lake / "_staging" / ("_compact-" + o.table)));
  LeafCompactor compactor(con, o, s);
  EL_ASSIGN_OR_RETURN(auto leaves, ClosedLeaves(table_dir));
  for (const fs::path& leaf : leaves) {
    if (scope.Wants(leaf)) EL_RETURN_IF_ERROR(compactor.Run(leaf));
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return s;
}

std::string FormatCompactSummary(const std::string& table, const CompactSummary& s) {
  std::string extra =
      s.superseded > 0 ? fmt::format(", {} superseded files removed", s.superseded) : "";
  if (s.rewritten > 0)
    extra += fmt::format(", {} files rewritten in the latest schema", s.rewritten);
  if (s.folders == 0) return "nothing to compact in " + table + extra;
  return fmt::format("compacted {}: {} {}, {} files -> {} files, {} rows{}, {:.1f} s", table,
                     s.folders, s.folders == 1 ? "folder" : "folders", s.files_before,
                     s.files_after, s.rows, extra, s.seconds);
}

}  // namespace el::jobs
