#include "jobs/dedup_fill.h"

#include <algorithm>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "base/log.h"
#include "lake/listing.h"
#include "lake/publish.h"

namespace el::jobs {
namespace fs = std::filesystem;

namespace {

std::string ParquetSource(const std::vector<fs::path>& files) {
  std::string list;
  for (const fs::path& f : files)
    list += (list.empty() ? "" : ", ") + duck::QuoteLiteral(f.string());
  return fmt::format("read_parquet([{}], union_by_name=true, hive_partitioning=false)", list);
}

// Whether `range` lies below its partition's record (committed) and is of a partition asked for.
bool Wanted(const lake::NextOffsets& committed, const std::set<int32_t>& partitions,
            const lake::DataFileRange& range) {
  auto next = committed.find(range.partition);
  return partitions.count(range.partition) != 0 && next != committed.end() &&
         range.first < next->second;
}

// S3: fetches the committed files of the topic table into `fill.scratch`, per partition the
// newest range first, until a range's oldest event is older than the window before the
// partition's newest one, or the ranges fetched hold max_ids events.
Result<std::vector<fs::path>> FetchNewest(duck::Connection& con, StoreTarget& store,
                                          const DedupFill& fill, const lake::NextOffsets& committed,
                                          const std::set<int32_t>& partitions) {
  EL_ASSIGN_OR_RETURN(auto keys, store.DataKeys(fill.topic));
  // partition -> range (newest first) -> keys of its files (event-type folders, part files).
  std::map<int32_t, std::map<int64_t, std::vector<std::string>, std::greater<>>> ranges;
  for (std::string& k : keys) {
    auto range = lake::ParseDataFileName(fill.topic, fs::path(k).filename().string());
    if (range && Wanted(committed, partitions, *range))
      ranges[range->partition][range->first].push_back(std::move(k));
  }
  std::vector<fs::path> out;
  for (const auto& [p, by_first] : ranges) {
    int64_t newest = INT64_MIN;
    int64_t events = 0;
    for (const auto& [first, range_keys] : by_first) {
      std::vector<fs::path> files;
      for (const std::string& k : range_keys) {
        fs::path local = fill.scratch / k;
        EL_RETURN_IF_ERROR(lake::MakeDirs(local.parent_path()));
        EL_RETURN_IF_ERROR(store.Download(k, local));
        files.push_back(local);
      }
      out.insert(out.end(), files.begin(), files.end());
      EL_ASSIGN_OR_RETURN(
          auto rows,
          con.Query(fmt::format(
              "SELECT count(*), min(epoch_ms(_timestamp)), max(epoch_ms(_timestamp)) FROM {}",
              ParquetSource(files))));
      if (rows.RowCount() == 0 || rows.IsNull(1, 0)) continue;
      events += rows.Int(0, 0);
      newest = std::max(newest, rows.Int(2, 0));
      if (rows.Int(1, 0) < newest - fill.window.count() ||
          events >= static_cast<int64_t>(fill.max_ids))
        break;
    }
  }
  return out;
}

}  // namespace

Status FillDedupWindow(duck::Connection& con, LakeTarget& target, const DedupFill& fill,
                       const std::set<int32_t>& partitions, DedupWindow& window) {
  if (partitions.empty()) return Status::Ok();
  // Only committed files count: the lake's format 2 commits through progress records, so the
  // topic's table may hold files of a batch another lander is still publishing.
  EL_ASSIGN_OR_RETURN(lake::NextOffsets committed, target.Committed());
  std::vector<fs::path> files;
  if (StoreTarget* store = target.store(); store != nullptr) {
    EL_ASSIGN_OR_RETURN(files, FetchNewest(con, *store, fill, committed, partitions));
  } else {
    EL_ASSIGN_OR_RETURN(files, lake::ListDataFilesRecursive(target.lake() / fill.topic));
    std::erase_if(files, [&](const fs::path& f) {
      auto range = lake::ParseDataFileName(fill.topic, f.filename().string());
      return !range || !Wanted(committed, partitions, *range);
    });
  }
  if (files.empty()) return Status::Ok();
  std::string source = ParquetSource(files);
  EL_ASSIGN_OR_RETURN(auto cols, lake::DescribeSelect(con, "SELECT * FROM " + source));
  auto field =
      std::find_if(cols.begin(), cols.end(), [&](const auto& c) { return c.name == fill.field; });
  if (field == cols.end() || (field->type != "VARCHAR" && field->type != "JSON"))
    return Status::Ok();
  std::string id = duck::QuoteIdent(field->name);
  if (field->type == "JSON") {  // ids are strings only, as the stager compares them
    id = fmt::format("CASE WHEN json_type({0}) = 'VARCHAR' THEN json_extract_string({0}, '$') END",
                     id);
  }
  EL_ASSIGN_OR_RETURN(
      auto rows,
      con.Query(fmt::format(
          "WITH t AS (SELECT {} AS id, _timestamp AS ts FROM {} WHERE _partition IN ({})) "
          "SELECT id, epoch_ms(ts) FROM t WHERE id IS NOT NULL AND ts >= (SELECT max(ts) FROM t) - "
          "to_milliseconds({}) ORDER BY ts DESC LIMIT {}",
          id, source, fmt::join(partitions, ","), fill.window.count(), fill.max_ids)));
  for (size_t r = rows.RowCount(); r-- > 0;) window.AddLanded(rows.Text(0, r), rows.Int(1, r));
  spdlog::info("lander {}: {} event ids of the last {} s landed known to the dedup window",
               fill.topic, window.size(), fill.window.count() / 1000);
  return Status::Ok();
}

}  // namespace el::jobs
