#include "lake/layout.h"

#include "base/percent.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "io/dir.h"
#include "lake/listing.h"
#include "lake/names.h"

namespace el::lake {
namespace fs = std::filesystem;

namespace {

bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '~' || c == '-';
}

fs::path FormatPath(const fs::path& lake_dir) { return lake_dir / "_format"; }

// The table name that reserves `<topic>_dead_letter` for malformed records.
bool IsDeadLetterName(std::string_view topic, std::string_view name) {
  return name.size() == topic.size() + 12 && name.substr(0, topic.size()) == topic &&
         name.substr(topic.size()) == "_dead_letter";
}

}  // namespace

std::string HiveValue(std::optional<std::string_view> raw) {
  if (!raw || raw->empty()) return kHiveNull;
  std::string out;
  for (unsigned char c : *raw) {
    if (Unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  if (out.size() <= kMaxHiveValue) return out;
  uint32_t hash = 2166136261u;
  for (unsigned char c : *raw) hash = (hash ^ c) * 16777619u;
  size_t keep = kMaxHiveValue - 9;
  while (keep > 0 && keep < out.size() &&
         (out[keep - 1] == '%' || (keep >= 2 && out[keep - 2] == '%')))
    --keep;
  out.resize(keep);
  return out + fmt::format("~{:08x}", hash);
}

std::optional<std::string> ParseHiveValue(std::string_view folder_value) {
  if (folder_value == kHiveNull) return std::nullopt;
  return PercentDecode(folder_value, false);
}

Result<int> ReadLakeFormat(const fs::path& lake_dir) {
  std::error_code ec;
  fs::path marker = FormatPath(lake_dir);
  if (fs::exists(marker, ec)) {
    std::ifstream in(marker);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return IOError("cannot read " + marker.string());
    std::string value = text.str();
    while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
    int64_t format = 0;
    if (!ParseNonNegative(value, format) || format < 1 || format > 1000000)
      return DataLoss(marker.string() + " does not hold a lake format number");
    return static_cast<int>(format);
  }
  if (ec) return IOError("cannot read " + marker.string() + ": " + ec.message());
  EL_ASSIGN_OR_RETURN(auto topics, ListNames(lake_dir / "_progress"));
  for (const std::string& topic : topics) {
    if (IsHidden(topic)) continue;
    EL_ASSIGN_OR_RETURN(auto records, ListNames(lake_dir / "_progress" / topic));
    if (!records.empty()) return 1;
  }
  return 0;
}

Status WriteLakeFormat(const fs::path& lake_dir, int format) {
  EL_RETURN_IF_ERROR(MakeDirs(lake_dir));
  EL_RETURN_IF_ERROR(
      io::WriteFileDurably(FormatPath(lake_dir).string(), std::to_string(format) + "\n"));
  return SyncDir(lake_dir);
}

Status CheckLakeFormat(const fs::path& lake_dir, bool default_layout) {
  EL_ASSIGN_OR_RETURN(int format, ReadLakeFormat(lake_dir));
  if (format > kLakeFormat) {
    return FailedPrecondition(
        fmt::format("{} is in lake format {}, written by a newer eventlake; this eventlake reads "
                    "lake formats up to {}",
                    lake_dir.string(), format, kLakeFormat));
  }
  if (!default_layout) return Status::Ok();
  if (format == 1) {
    return FailedPrecondition(
        fmt::format("{} is in lake format 1 (a table folder per event type beside the topic's "
                    "table); this eventlake "
                    "lands lake format {} (the topic's table partitioned by event type). Convert "
                    "it first, with no "
                    "lander running: eventlake convert --lake {}",
                    lake_dir.string(), kLakeFormat, lake_dir.string()));
  }
  if (format == 0) return WriteLakeFormat(lake_dir, kLakeFormat);
  return Status::Ok();
}

bool IsTypeFolder(const fs::path& dir) {
  std::string name = dir.filename().string();
  size_t eq = name.find('=');
  std::error_code ec;
  return !IsHidden(name) && eq != std::string::npos && eq > 0 &&
         fs::is_directory(dir / "_schema", ec);
}

std::string TypeTableName(std::string_view topic, const std::optional<std::string>& value) {
  if (!value || value->empty()) return "";
  std::string name = fmt::format("{}_{}", topic, SanitizeName(*value));
  return IsDeadLetterName(topic, name) ? "" : name;
}

Result<std::vector<TypeFolder>> ListTypeFolders(const fs::path& lake_dir,
                                                const std::string& topic) {
  fs::path table = lake_dir / topic;
  EL_ASSIGN_OR_RETURN(auto names, ListNames(table));
  std::vector<TypeFolder> out;
  for (const std::string& name : names) {
    if (!IsTypeFolder(table / name)) continue;
    size_t eq = name.find('=');
    TypeFolder f{name.substr(0, eq), ParseHiveValue(std::string_view(name).substr(eq + 1)),
                 table / name, ""};
    f.table = TypeTableName(topic, f.value);
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<TableRef>> ListReaderTables(const fs::path& lake_dir) {
  EL_ASSIGN_OR_RETURN(auto folders, ListTables(lake_dir));
  std::map<std::string, TableRef> out;
  for (const std::string& name : folders) out[name] = TableRef{name, {lake_dir / name}, "", false};
  for (const std::string& topic : folders) {
    EL_ASSIGN_OR_RETURN(auto types, ListTypeFolders(lake_dir, topic));
    if (types.empty()) continue;
    out[topic].type_key = types.front().key;
    for (const TypeFolder& f : types) {
      if (f.table.empty()) continue;
      auto [it, added] = out.try_emplace(f.table, TableRef{f.table, {}, f.key, true});
      if (!it->second.is_type) continue;  // a folder of that name wins
      it->second.dirs.push_back(f.dir);
    }
  }
  std::vector<TableRef> list;
  for (auto& [name, ref] : out) list.push_back(std::move(ref));
  return list;
}

Result<std::optional<TableRef>> FindReaderTable(const fs::path& lake_dir, const std::string& name) {
  EL_ASSIGN_OR_RETURN(auto tables, ListReaderTables(lake_dir));
  for (TableRef& t : tables) {
    if (t.name == name) return std::optional<TableRef>(std::move(t));
  }
  return std::optional<TableRef>();
}

}  // namespace el::lake
