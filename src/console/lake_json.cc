#include "console/lake_json.h"

#include <fmt/format.h>

#include <filesystem>
#include <optional>

#include "base/json_text.h"
#include "lake/layout.h"
#include "lake/schema_history.h"

namespace el::console {
namespace {

namespace fs = std::filesystem;

std::string OptionalInt(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : std::string("null");
}

// A version as the lake stores it (`_schema/v<N>.json`), without the file's last newline.
void AppendVersion(std::string& out, const lake::SchemaVersion& v) {
  std::string json = lake::SchemaVersionJson(v);
  if (!json.empty() && json.back() == '\n') json.pop_back();
  out += json;
}

// A reader table's name: no path separators, no hidden names.
bool PlainName(const std::string& name) {
  return !name.empty() && name.front() != '.' && name.front() != '_' &&
         name.find_first_of("/\\") == std::string::npos && name.find('\0') == std::string::npos;
}

}  // namespace

std::string TablesJson(const std::vector<TableInfo>& tables) {
  std::string out = "{\"tables\":[";
  for (size_t i = 0; i < tables.size(); ++i) {
    const TableInfo& t = tables[i];
    out += i > 0 ? ",{\"name\":" : "{\"name\":";
    AppendJsonString(out, t.name);
    out += fmt::format(
        ",\"rows\":{},\"files\":{},\"bytes\":{},\"partitions\":{},\"last_landed_ms\":{}}}", t.rows,
        t.files, t.bytes, t.partitions, OptionalInt(t.last_landed_ms));
  }
  return out + "]}";
}

std::string DeadLettersJson(const std::vector<DeadLetterTable>& tables) {
  std::string out = "{\"tables\":[";
  for (size_t i = 0; i < tables.size(); ++i) {
    const DeadLetterTable& t = tables[i];
    out += i > 0 ? ",{\"table\":" : "{\"table\":";
    AppendJsonString(out, t.table);
    out += ",\"source\":";
    AppendJsonString(out, t.source);
    out += fmt::format(",\"rows\":{},\"replayed\":{},\"newest\":[", t.rows, t.replayed);
    for (size_t j = 0; j < t.newest.size(); ++j) {
      const DeadLetterRow& r = t.newest[j];
      out += fmt::format("{}{{\"partition\":{},\"offset\":{},\"timestamp_ms\":{},\"error\":",
                         j > 0 ? "," : "", r.partition, r.offset, OptionalInt(r.timestamp_ms));
      AppendJsonString(out, r.error);
      out += ",\"raw\":";
      AppendJsonString(out, r.raw);
      out += '}';
    }
    out += "]}";
  }
  return out + "]}";
}

Result<std::string> SchemaJson(const std::string& lake_dir, const std::string& table) {
  if (!PlainName(table)) return InvalidArgument("no such table name: " + table);
  fs::path lake(lake_dir);
  EL_RETURN_IF_ERROR(lake::CheckLakeFormat(lake, false));
  EL_ASSIGN_OR_RETURN(std::optional<lake::TableRef> ref, lake::FindReaderTable(lake, table));
  if (!ref) return NotFound("no table " + table + " in the lake");
  std::string out = "{\"table\":";
  AppendJsonString(out, table);
  out += ",\"histories\":[";
  bool any = false;
  for (const fs::path& dir : ref->dirs) {
    EL_ASSIGN_OR_RETURN(auto history, lake::ReadSchemaHistory(dir));
    if (history.empty()) continue;
    out += any ? ",{\"folder\":" : "{\"folder\":";
    any = true;
    AppendJsonString(out, dir.lexically_relative(lake).generic_string());
    out += ",\"versions\":[";
    for (size_t i = 0; i < history.size(); ++i) {
      if (i > 0) out += ',';
      AppendVersion(out, history[i]);
    }
    out += "]}";
  }
  if (!any) return NotFound("table " + table + " has no schema history");
  return out + "]}";
}

}  // namespace el::console
