#include "jobs/compact_plan.h"

#include <algorithm>
#include <climits>

#include <fmt/format.h>

#include "io/dir.h"
#include "lake/layout.h"
#include "lake/listing.h"
#include "lake/publish.h"

namespace el::jobs {
namespace fs = std::filesystem;

std::optional<CompactSource> ParseCompactSource(const std::string& name) {
  size_t plus = name.find('+');
  if (plus == std::string::npos || plus == 0) return std::nullopt;
  std::string topic = name.substr(0, plus);
  auto range = lake::ParseDataFileName(topic, name);
  if (!range) return std::nullopt;
  return CompactSource{topic, *range};
}

Result<CompactLeaf> ReadCompactLeaf(const fs::path& dir) {
  CompactLeaf leaf{dir, {}, {}, false};
  EL_ASSIGN_OR_RETURN(auto entries, io::ListDir(dir.string()));
  for (const io::DirEntry& e : entries) {
    if (!e.is_dir) continue;
    if (!lake::IsHidden(e.name) || e.name.rfind("_staging", 0) == 0) leaf.busy = true;
    leaf.subdirs.push_back(dir / e.name);
  }
  EL_ASSIGN_OR_RETURN(auto files, lake::ListDataFiles(dir));
  for (const fs::path& f : files) {
    auto src = ParseCompactSource(f.filename().string());
    if (src) leaf.groups[{src->topic, src->range.partition}].push_back(f);
  }
  return leaf;
}

namespace {

// Every visible folder of the table (the table folder included) that directly holds data files.
Result<std::vector<fs::path>> LeafDirs(const fs::path& table_dir) {
  EL_ASSIGN_OR_RETURN(std::vector<fs::path> dirs, lake::ListPartitionDirs(table_dir));
  dirs.insert(dirs.begin(), table_dir);
  std::vector<fs::path> out;
  for (const fs::path& d : dirs) {
    EL_ASSIGN_OR_RETURN(auto files, lake::ListDataFiles(d));
    if (!files.empty()) out.push_back(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string FileList(const std::vector<fs::path>& files) {
  std::string list;
  for (const fs::path& f : files)
    list += (list.empty() ? "" : ", ") + duck::QuoteLiteral(f.string());
  return "[" + list + "]";
}

lake::DataFileRange UnionRange(const std::vector<fs::path>& files) {
  lake::DataFileRange u{0, INT64_MAX, -1};
  for (const fs::path& f : files) {
    lake::DataFileRange r = ParseCompactSource(f.filename().string())->range;
    u.partition = r.partition;
    u.first = std::min(u.first, r.first);
    u.last = std::max(u.last, r.last);
  }
  return u;
}

}  // namespace

// A base that holds files itself (no time folders) is closed as a whole; `dt=` below a base sorts
// by date.
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

std::map<CompactGroupKey, std::vector<fs::path>> SmallGroups(const CompactLeaf& leaf,
                                                             int64_t small_file_bytes) {
  std::map<CompactGroupKey, std::vector<fs::path>> merge;
  for (const auto& [key, files] : leaf.groups) {
    std::vector<fs::path> small;
    for (const fs::path& f : files) {
      std::error_code ec;
      if (fs::file_size(f, ec) < static_cast<uintmax_t>(small_file_bytes) && !ec)
        small.push_back(f);
    }
    if (small.size() < 2) continue;
    lake::DataFileRange u = UnionRange(small);
    bool covers_one = std::any_of(small.begin(), small.end(), [&](const fs::path& f) {
      lake::DataFileRange r = ParseCompactSource(f.filename().string())->range;
      return r.first == u.first && r.last == u.last;
    });
    if (!covers_one) merge[key] = std::move(small);
  }
  return merge;
}

std::string MergedName(const CompactGroupKey& key, const std::vector<fs::path>& files) {
  lake::DataFileRange u = UnionRange(files);
  return lake::DataFileName(key.first, key.second, u.first, u.last);
}

Result<int64_t> MergeFiles(duck::Connection& con, const std::vector<fs::path>& files,
                           const fs::path& out) {
  fs::path tmp = out.parent_path() / (".merging-" + out.filename().string());
  std::string src =
      "read_parquet(" + FileList(files) + ", hive_partitioning=false, union_by_name=true)";
  EL_ASSIGN_OR_RETURN(auto in_rows, con.Query("SELECT count(*) FROM " + src));
  EL_RETURN_IF_ERROR(
      con.Exec(fmt::format("COPY (SELECT * FROM {} ORDER BY _offset) TO {} ({})", src,
                           duck::QuoteLiteral(tmp.string()), lake::kParquetOptions)));
  EL_ASSIGN_OR_RETURN(auto out_rows, con.Query("SELECT count(*) FROM read_parquet(" +
                                               duck::QuoteLiteral(tmp.string()) + ")"));
  if (out_rows.Int(0, 0) != in_rows.Int(0, 0)) {
    return Internal(fmt::format("merged file {} has {} rows, its inputs {}", out.string(),
                                out_rows.Int(0, 0), in_rows.Int(0, 0)));
  }
  EL_RETURN_IF_ERROR(io::Rename(tmp.string(), out.string()));
  return out_rows.Int(0, 0);
}

bool CompactScope::Wants(const fs::path& leaf) const {
  return only.empty() || std::any_of(only.begin(), only.end(), [&](const fs::path& dir) {
           return std::mismatch(dir.begin(), dir.end(), leaf.begin(), leaf.end()).first ==
                  dir.end();
         });
}

Result<CompactScope> ResolveCompactTable(const fs::path& lake, const std::string& table,
                                         const std::string& lake_name) {
  if (table.empty() || lake::IsHidden(table))
    return NotFound("no table " + table + " in " + lake_name);
  CompactScope scope{lake / table, {}};
  // An event type's table (events_purchase_sword) is its folders in the topic's table: those are
  // compacted, with the topic's table recovered and conformed as a whole.
  if (!fs::is_directory(scope.table_dir)) {
    EL_ASSIGN_OR_RETURN(std::optional<lake::TableRef> ref, lake::FindReaderTable(lake, table));
    if (ref && ref->is_type && !ref->dirs.empty()) {
      scope.table_dir = ref->dirs.front().parent_path();
      scope.only = ref->dirs;
    }
  }
  if (!fs::is_directory(scope.table_dir)) return NotFound("no table " + table + " in " + lake_name);
  return scope;
}

Status CheckOnlyLakeFiles(duck::Connection& con, const std::string& table,
                          const fs::path& table_dir) {
  EL_ASSIGN_OR_RETURN(std::vector<fs::path> dirs, lake::ListPartitionDirs(table_dir));
  dirs.insert(dirs.begin(), table_dir);
  auto refuse = [&](const fs::path& p, const std::string& why) {
    return FailedPrecondition(
        fmt::format("{} {}; move it out of table {} (or delete it), then compact again", p.string(),
                    why, table));
  };
  for (const fs::path& dir : dirs) {
    std::string name = dir.filename().string();
    if (dir != table_dir && (name.find('=') == std::string::npos || name[0] == '=')) {
      return refuse(dir, "is a folder that is not a partition (key=value)");
    }
    EL_ASSIGN_OR_RETURN(auto entries, io::ListDir(dir.string()));
    for (const io::DirEntry& e : entries) {
      if (e.is_dir || lake::IsHidden(e.name)) continue;
      if (!ParseCompactSource(e.name)) return refuse(dir / e.name, "was not written by eventlake");
      Status st = con.Exec("DESCRIBE SELECT * FROM read_parquet(" +
                           duck::QuoteLiteral((dir / e.name).string()) + ")");
      if (!st.ok()) {
        return refuse(dir / e.name,
                      "cannot be read (" + st.message().substr(0, st.message().find('\n')) + ")");
      }
    }
  }
  return Status::Ok();
}

}  // namespace el::jobs
