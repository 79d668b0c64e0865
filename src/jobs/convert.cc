#include "jobs/convert.h"

#include <filesystem>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "base/log.h"
#include "clients/duck/duck.h"
#include "io/dir.h"
#include "jobs/batch_writer.h"
#include "lake/layout.h"
#include "lake/listing.h"
#include "lake/locks.h"
#include "lake/names.h"
#include "lake/progress.h"
#include "lake/publish.h"
#include "lake/recovery.h"

namespace el::jobs {
namespace {

namespace fs = std::filesystem;

struct RangeFiles {
  lake::DataFileRange range;
  std::vector<fs::path> files;
  std::vector<std::string> partition_keys;  // of the Hive folders the files are in
};

// The topic table's files by source range (a range's files may sit in several partition folders).
Result<std::vector<RangeFiles>> GroupByRange(const fs::path& table_dir, const std::string& topic) {
  EL_ASSIGN_OR_RETURN(auto files, lake::ListDataFilesRecursive(table_dir));
  std::map<std::tuple<int32_t, int64_t, int64_t>, RangeFiles> ranges;
  for (const fs::path& f : files) {
    auto range = lake::ParseDataFileName(topic, f.filename().string());
    if (!range) {
      return FailedPrecondition(f.string() +
                                " was not written by eventlake; move it out of table " + topic +
                                " (or delete it), then convert again");
    }
    RangeFiles& r = ranges[{range->partition, range->first, range->last}];
    r.range = *range;
    if (r.files.empty()) {
      for (const fs::path& part : f.lexically_relative(table_dir).parent_path()) {
        std::string folder = part.string();
        size_t eq = folder.find('=');
        if (eq != std::string::npos && eq > 0) r.partition_keys.push_back(folder.substr(0, eq));
      }
    }
    r.files.push_back(f);
  }
  std::vector<RangeFiles> out;
  for (auto& [key, r] : ranges) out.push_back(std::move(r));
  return out;
}

class TopicConverter {
 public:
  TopicConverter(duck::Connection& con, const ConvertOptions& o, ConvertSummary& s)
      : con_(con), o_(o), s_(s), lake_(o.lake_dir), work_(lake_ / "_convert") {}

  Status Run(const std::string& topic) {
    auto lock = lake::FileLock::Acquire(lake::PublishLockPath(lake_, topic), false);
    if (!lock.ok() && lock.status().code() == StatusCode::kUnavailable) {
      return FailedPrecondition("a lander of topic " + topic + " is running (it holds " +
                                lake::PublishLockPath(lake_, topic).string() +
                                "): stop it, then convert");
    }
    if (!lock.ok()) return lock.status();
    fs::path table = lake_ / topic, old_copy = work_ / (topic + ".v1");
    std::error_code ec;
    if (!fs::exists(table, ec) && fs::exists(old_copy, ec)) {  // a run stopped between the renames
      EL_RETURN_IF_ERROR(io::Rename(old_copy.string(), table.string()));
    }
    EL_ASSIGN_OR_RETURN(auto types, lake::ListTypeFolders(lake_, topic));
    if (types.empty()) {
      EL_RETURN_IF_ERROR(Rewrite(topic));
      EL_ASSIGN_OR_RETURN(types, lake::ListTypeFolders(lake_, topic));
    }
    for (const lake::TypeFolder& t : types) {
      if (t.table.empty() || !fs::is_directory(lake_ / t.table, ec)) continue;
      EL_RETURN_IF_ERROR(lake::Remove(lake_ / t.table));
      s_.removed_tables.push_back(t.table);
    }
    EL_RETURN_IF_ERROR(lake::Remove(old_copy));
    return lake::SyncDir(lake_);
  }

 private:
  // Steps 1-3 of the header for one topic.
  Status Rewrite(const std::string& topic) {
    EL_ASSIGN_OR_RETURN(lake::NextOffsets committed, lake::RecoverTopic(lake_, topic));
    fs::path table = lake_ / topic, fresh = work_ / "new" / topic, stage = work_ / "stage";
    EL_RETURN_IF_ERROR(lake::Remove(work_ / "new"));
    EL_ASSIGN_OR_RETURN(auto ranges, GroupByRange(table, topic));
    int64_t n = 0;
    for (const RangeFiles& r : ranges) {
      std::string list;
      for (const fs::path& f : r.files)
        list += (list.empty() ? "" : ", ") + duck::QuoteLiteral(f.string());
      EL_RETURN_IF_ERROR(
          con_.Exec(fmt::format("CREATE OR REPLACE TEMP TABLE el_src AS SELECT * FROM "
                                "read_parquet([{}], hive_partitioning={}, "
                                "union_by_name=true, hive_types_autocast=false)",
                                list, r.partition_keys.empty() ? "false" : "true")));
      EL_ASSIGN_OR_RETURN(auto rows, con_.Query("SELECT count(*) FROM el_src"));
      BatchInput in;
      in.topic = topic;
      in.lake_dir = work_ / "new";
      in.staging_dir = stage / std::to_string(++n);
      in.event_type_field = o_.event_type_field;
      in.ranges = {{r.range.partition, r.range.first, r.range.last, rows.Int(0, 0)}};
      in.partition_by = r.partition_keys;
      in.mode = WriteMode::kAppend;
      EL_ASSIGN_OR_RETURN(std::optional<StagedTable> staged, StageTopicTable(con_, in));
      s_.files_before += static_cast<int64_t>(r.files.size());
      s_.rows += rows.Int(0, 0);
      if (!staged) continue;
      lake::TablePublish publish{staged->staging_dir, fresh,
                                 staged->columns,     false,
                                 stage / "_rewrite",  staged->type_columns};
      EL_ASSIGN_OR_RETURN(int64_t files, lake::PublishTable(con_, publish));
      s_.files_after += files;
      EL_RETURN_IF_ERROR(lake::Remove(in.staging_dir));
    }
    EL_RETURN_IF_ERROR(con_.Exec("DROP TABLE IF EXISTS el_src"));
    EL_RETURN_IF_ERROR(lake::Remove(stage));
    EL_RETURN_IF_ERROR(lake::MakeDirs(fresh));
    EL_RETURN_IF_ERROR(io::Rename(table.string(), (work_ / (topic + ".v1")).string()));
    EL_RETURN_IF_ERROR(io::Rename(fresh.string(), table.string()));
    EL_RETURN_IF_ERROR(lake::SyncDir(lake_));
    EL_RETURN_IF_ERROR(lake::WriteTopicProgress(lake_, topic, committed, true));
    s_.topics.push_back(topic);
    return Status::Ok();
  }

  duck::Connection& con_;
  const ConvertOptions& o_;
  ConvertSummary& s_;
  fs::path lake_;
  fs::path work_;
};

}  // namespace

Result<ConvertSummary> Convert(const ConvertOptions& o) {
  fs::path lake(o.lake_dir);
  EL_RETURN_IF_ERROR(lake::CheckLakeFormat(lake, false));
  ConvertSummary s;
  EL_ASSIGN_OR_RETURN(s.from_format, lake::ReadLakeFormat(lake));
  if (s.from_format == lake::kLakeFormat) return s;
  if (s.from_format == 1) {
    EL_ASSIGN_OR_RETURN(duck::Database db, duck::Database::OpenInMemory());
    EL_ASSIGN_OR_RETURN(duck::Connection con, duck::Connection::Open(db));
    TopicConverter converter(con, o, s);
    EL_ASSIGN_OR_RETURN(auto topics, lake::ListNames(lake / "_progress"));
    for (const std::string& topic : topics) {
      if (!lake::IsHidden(topic)) EL_RETURN_IF_ERROR(converter.Run(topic));
    }
  }
  EL_RETURN_IF_ERROR(lake::WriteLakeFormat(lake, lake::kLakeFormat));
  EL_RETURN_IF_ERROR(lake::Remove(lake / "_convert"));
  return s;
}

std::string FormatConvertSummary(const std::string& lake_dir, const ConvertSummary& s) {
  if (s.from_format == lake::kLakeFormat)
    return fmt::format("{} is already in lake format {}", lake_dir, s.from_format);
  if (s.from_format == 0)
    return fmt::format("{} holds no topic table: it is now in lake format {}", lake_dir,
                       lake::kLakeFormat);
  return fmt::format(
      "converted {} from lake format {} to {}: {} topic tables ({}), {} rows, {} files -> {} "
      "files; "
      "removed the event types' old tables ({})",
      lake_dir, s.from_format, lake::kLakeFormat, s.topics.size(), fmt::join(s.topics, ", "),
      s.rows, s.files_before, s.files_after, fmt::join(s.removed_tables, ", "));
}

}  // namespace el::jobs
