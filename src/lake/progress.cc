#include "lake/progress.h"

#include <algorithm>
#include <climits>
#include <fstream>
#include <sstream>

#include "io/dir.h"
#include "lake/layout.h"
#include "lake/listing.h"

namespace el::lake {
namespace fs = std::filesystem;

namespace {

fs::path ProgressRecords(const fs::path& lake_dir, const std::string& topic) {
  return lake_dir / "_progress" / topic;
}

fs::path RecordPath(const fs::path& dir, int32_t partition) {
  return dir / (std::to_string(partition) + ".next");
}

Result<NextOffsets> ReadTopicProgress(const fs::path& lake_dir, const std::string& topic) {
  fs::path dir = ProgressRecords(lake_dir, topic);
  EL_ASSIGN_OR_RETURN(auto names, ListNames(dir));
  NextOffsets out;
  for (const std::string& name : names) {
    if (name.size() <= 5 || name.substr(name.size() - 5) != ".next") continue;
    int64_t partition = 0;
    if (!ParseNonNegative(std::string_view(name).substr(0, name.size() - 5), partition) ||
        partition > INT32_MAX)
      continue;
    std::ifstream in(dir / name);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return IOError("cannot read progress record " + (dir / name).string());
    auto record = ParseProgressRecord(text.str());
    if (!record.ok())
      return DataLoss("progress record " + (dir / name).string() + ": " +
                      record.status().message());
    if (record->next) out[static_cast<int32_t>(partition)] = *record->next;
  }
  return out;
}

}  // namespace

Result<ProgressRecord> ParseProgressRecord(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r'))
    text.remove_suffix(1);
  size_t eol = text.find('\n');
  std::string_view first = text.substr(0, eol);
  ProgressRecord r;
  int64_t next = 0;
  if (first == "none") {
    r.next.reset();
  } else if (ParseNonNegative(first, next)) {
    r.next = next;
  } else {
    return DataLoss("not a next offset");
  }
  if (eol == std::string_view::npos) return r;
  // `owner=<lander> epoch=<n>`
  std::string_view line = text.substr(eol + 1);
  size_t space = line.rfind(' ');
  if (line.rfind("owner=", 0) != 0 || space == std::string_view::npos ||
      line.substr(space + 1).rfind("epoch=", 0) != 0 ||
      !ParseNonNegative(line.substr(space + 7), r.epoch) || space <= 6)
    return DataLoss("a second line that is not `owner=<lander> epoch=<n>`");
  r.owner = std::string(line.substr(6, space - 6));
  return r;
}

std::string ProgressRecordText(const ProgressRecord& record) {
  std::string out = record.next ? std::to_string(*record.next) : "none";
  out += "\n";
  if (!record.owner.empty())
    out += "owner=" + record.owner + " epoch=" + std::to_string(record.epoch) + "\n";
  return out;
}

Result<NextOffsets> CommittedOffsets(const fs::path& dir, const std::string& topic) {
  EL_ASSIGN_OR_RETURN(auto files, ListDataFilesRecursive(dir));
  NextOffsets next;
  for (const fs::path& file : files) {
    auto range = ParseDataFileName(topic, file.filename().string());
    if (!range) continue;
    int64_t& n = next[range->partition];
    n = std::max(n, range->last + 1);
  }
  return next;
}

Result<NextOffsets> TopicCommitted(const fs::path& lake_dir, const std::string& topic) {
  EL_ASSIGN_OR_RETURN(int format, ReadLakeFormat(lake_dir));
  if (format >= 2) return ReadTopicProgress(lake_dir, topic);
  EL_ASSIGN_OR_RETURN(NextOffsets next, CommittedOffsets(lake_dir / topic, topic));
  EL_ASSIGN_OR_RETURN(NextOffsets records, ReadTopicProgress(lake_dir, topic));
  for (const auto& [p, n] : records) next[p] = std::max(next[p], n);
  return next;
}

Status WriteTopicProgress(const fs::path& lake_dir, const std::string& topic,
                          const NextOffsets& next, bool exact) {
  fs::path dir = ProgressRecords(lake_dir, topic);
  EL_RETURN_IF_ERROR(MakeDirs(dir));
  EL_ASSIGN_OR_RETURN(NextOffsets old, ReadTopicProgress(lake_dir, topic));
  for (const auto& [p, n] : next) {
    auto it = old.find(p);
    if (!exact && it != old.end() && it->second >= n) continue;
    EL_RETURN_IF_ERROR(io::WriteFileDurably(RecordPath(dir, p).string(), std::to_string(n) + "\n"));
  }
  if (exact) {
    for (const auto& [p, n] : old) {
      if (next.count(p) == 0) EL_RETURN_IF_ERROR(io::RemoveFile(RecordPath(dir, p).string()));
    }
  }
  return SyncDir(dir);
}

}  // namespace el::lake
