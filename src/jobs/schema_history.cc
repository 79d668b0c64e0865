#include "jobs/schema_history.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <map>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <simdjson.h>

#include "io/dir.h"
#include "jobs/lake_files.h"
#include "jobs/record_stager.h"

namespace el::jobs {
namespace {

namespace fs = std::filesystem;

bool IsInteger(const std::string& t) {
  return t == "TINYINT" || t == "SMALLINT" || t == "INTEGER" || t == "BIGINT" || t == "UTINYINT" ||
         t == "USMALLINT" || t == "UINTEGER";
}
bool IsNumber(const std::string& t) {
  return IsInteger(t) || t == "UBIGINT" || t == "HUGEINT" || t == "FLOAT" || t == "DOUBLE" ||
         t.rfind("DECIMAL", 0) == 0;
}
// Types DuckDB or the stager may find in strings; text holds every value of them.
bool IsTextLike(const std::string& t) {
  return t == "VARCHAR" || t == "DATE" || t == "TIMESTAMP" || t == "TIME" || t == "UUID";
}
bool IsNested(const std::string& t) {
  return t.rfind("STRUCT(", 0) == 0 || t.rfind("MAP(", 0) == 0 ||
         (t.size() > 2 && t.substr(t.size() - 2) == "[]");
}

std::string NowIso() {
  auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", now);
}

std::string ToJson(const SchemaVersion& v) {
  std::string out = fmt::format("{{\"version\":{},\"created\":", v.version);
  AppendJsonString(out, v.created);
  out += ",\"columns\":[";
  for (size_t i = 0; i < v.columns.size(); ++i) {
    out += i == 0 ? "{\"name\":" : ",{\"name\":";
    AppendJsonString(out, v.columns[i].name);
    out += ",\"type\":";
    AppendJsonString(out, v.columns[i].type);
    out += "}";
  }
  out += "],\"changes\":[";
  for (size_t i = 0; i < v.changes.size(); ++i) {
    if (i > 0) out += ",";
    AppendJsonString(out, v.changes[i]);
  }
  return out + "]}\n";
}

std::optional<SchemaVersion> FromJson(simdjson::dom::parser& parser, const fs::path& file) {
  simdjson::dom::element doc;
  if (parser.load(file.string()).get(doc)) return std::nullopt;
  SchemaVersion v;
  int64_t version = 0;
  std::string_view text;
  simdjson::dom::array columns, changes;
  if (doc["version"].get(version) || doc["created"].get(text) || doc["columns"].get(columns) ||
      doc["changes"].get(changes)) {
    return std::nullopt;
  }
  v.version = static_cast<int>(version);
  v.created = std::string(text);
  for (simdjson::dom::element c : columns) {
    std::string_view name, type;
    if (c["name"].get(name) || c["type"].get(type)) return std::nullopt;
    v.columns.push_back({std::string(name), std::string(type)});
  }
  for (simdjson::dom::element c : changes) {
    if (c.get(text)) return std::nullopt;
    v.changes.emplace_back(text);
  }
  return v;
}

Status WriteVersion(const fs::path& table_dir, const SchemaVersion& v) {
  fs::path dir = table_dir / "_schema";
  EL_RETURN_IF_ERROR(MakeDirs(dir));
  return io::WriteFileDurably((dir / fmt::format("v{}.json", v.version)).string(), ToJson(v));
}

std::string CastExpr(const SchemaColumn& batch, const std::string& merged) {
  std::string id = duck::QuoteIdent(batch.name);
  if (batch.type == merged) return id;
  if (merged == "JSON") return fmt::format("CAST(to_json({}) AS JSON) AS {}", id, id);
  return fmt::format("TRY_CAST({} AS {}) AS {}", id, merged, id);
}

}  // namespace

std::vector<SchemaVersion> ReadSchemaHistory(const fs::path& table_dir) {
  std::vector<SchemaVersion> out;
  simdjson::dom::parser parser;
  std::error_code ec;
  for (fs::directory_iterator it(table_dir / "_schema", ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() < 7 || name[0] != 'v' || it->path().extension() != ".json") continue;
    if (auto v = FromJson(parser, it->path())) out.push_back(std::move(*v));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  return out;
}

std::string MergeTypes(duck::Connection& con, const std::string& a, const std::string& b) {
  if (a == b) return a;
  if (a == "JSON" || b == "JSON") return "JSON";
  if (IsInteger(a) && IsInteger(b)) return "BIGINT";
  if (IsNumber(a) && IsNumber(b)) return "DOUBLE";
  if ((a == "DATE" && b == "TIMESTAMP") || (a == "TIMESTAMP" && b == "DATE")) return "TIMESTAMP";
  if (IsTextLike(a) && IsTextLike(b)) return "VARCHAR";
  if (IsNested(a) && IsNested(b)) {
    auto res = con.Query(fmt::format(
        "SELECT typeof(x) FROM (SELECT NULL::{} AS x UNION ALL BY NAME SELECT NULL::{} AS x) LIMIT 1", a, b));
    if (res.ok() && res->RowCount() == 1) return res->Text(0, 0);
  }
  return "JSON";
}

Result<std::vector<SchemaColumn>> DescribeSelect(duck::Connection& con, const std::string& select) {
  EL_ASSIGN_OR_RETURN(auto res, con.Query("DESCRIBE " + select));
  std::vector<SchemaColumn> out;
  for (size_t r = 0; r < res.RowCount(); ++r) out.push_back({res.Text(0, r), res.Text(1, r)});
  return out;
}

Result<std::string> ConformToSchema(duck::Connection& con, const fs::path& table_dir,
                                    const std::vector<SchemaColumn>& batch) {
  // Landers of one table read, merge and write the history one at a time.
  EL_RETURN_IF_ERROR(MakeDirs(table_dir / "_schema"));
  EL_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(table_dir / "_schema" / ".lock", true));
  std::vector<SchemaVersion> history = ReadSchemaHistory(table_dir);
  SchemaVersion next;
  if (!history.empty()) next = history.back();
  next.version = history.empty() ? 1 : history.back().version + 1;
  next.changes.clear();
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < next.columns.size(); ++i) index[next.columns[i].name] = i;
  std::string select;
  for (const SchemaColumn& c : batch) {
    std::string merged = c.type;
    auto it = index.find(c.name);
    if (it == index.end()) {
      index[c.name] = next.columns.size();
      next.columns.push_back(c);
      if (!history.empty()) next.changes.push_back(fmt::format("added {} {}", c.name, c.type));
    } else {
      SchemaColumn& known = next.columns[it->second];
      merged = MergeTypes(con, known.type, c.type);
      if (merged != known.type) {
        next.changes.push_back(fmt::format("{} {} -> {}", c.name, known.type, merged));
        known.type = merged;
      }
    }
    select += (select.empty() ? "" : ", ") + CastExpr(c, merged);
  }
  if (history.empty()) next.changes.push_back("created");
  if (history.empty() || !next.changes.empty()) {
    next.created = NowIso();
    EL_RETURN_IF_ERROR(WriteVersion(table_dir, next));
  }
  return select;
}

}  // namespace el::jobs
