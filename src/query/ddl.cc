#include "query/ddl.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "clients/duck/duck.h"
#include "lake/listing.h"
#include "lake/layout.h"
#include "lake/schema_type.h"

namespace el::query {
namespace {

namespace fs = std::filesystem;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string TrinoIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string TrinoLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

Result<std::string> ToTrino(const lake::SchemaType& t, std::string_view text);

// A leaf type (lake/schema_type.h keeps MAP, DECIMAL(p,s), fixed-size arrays and the like as
// leaves with their parameters).
Result<std::string> LeafToTrino(const std::string& leaf, std::string_view text) {
  auto bad = [&] { return InvalidArgument("cannot map DuckDB type '" + std::string(text) + "'"); };
  if (!leaf.empty() && leaf.back() == ']') {  // a fixed-size ARRAY, T[3]
    EL_ASSIGN_OR_RETURN(auto element, lake::SchemaType::Parse(leaf.substr(0, leaf.rfind('['))));
    EL_ASSIGN_OR_RETURN(std::string inner, ToTrino(element, text));
    return "ARRAY(" + inner + ")";
  }
  size_t paren = leaf.find('(');
  std::string word = Upper(leaf.substr(0, paren));
  std::string args = paren == std::string::npos ? "" : leaf.substr(paren + 1, leaf.size() - paren - 2);
  if (word == "MAP") {
    int depth = 0;
    for (size_t i = 0; i < args.size(); ++i) {  // the comma between key and value types
      if (args[i] == '(') ++depth;
      if (args[i] == ')') --depth;
      if (args[i] != ',' || depth != 0) continue;
      auto key = lake::SchemaType::Parse(args.substr(0, i));
      auto value = lake::SchemaType::Parse(args.substr(i + 1));
      if (!key.ok() || !value.ok()) return bad();
      EL_ASSIGN_OR_RETURN(std::string k, ToTrino(*key, text));
      EL_ASSIGN_OR_RETURN(std::string v, ToTrino(*value, text));
      return "MAP(" + k + ", " + v + ")";
    }
    return bad();
  }
  static const std::map<std::string, std::string> kSame = {
      {"BOOLEAN", "BOOLEAN"}, {"TINYINT", "TINYINT"}, {"SMALLINT", "SMALLINT"},
      {"INTEGER", "INTEGER"}, {"BIGINT", "BIGINT"}, {"FLOAT", "REAL"},
      {"DOUBLE", "DOUBLE"}, {"DATE", "DATE"}, {"BLOB", "VARBINARY"},
      {"UTINYINT", "SMALLINT"}, {"USMALLINT", "INTEGER"}, {"UINTEGER", "BIGINT"},
      {"UBIGINT", "DECIMAL(20,0)"}, {"HUGEINT", "DECIMAL(38,0)"}, {"UHUGEINT", "DECIMAL(38,0)"}};
  auto it = kSame.find(word);
  if (it != kSame.end()) return it->second;
  if (word == "DECIMAL") return args.empty() ? "DECIMAL(18,3)" : "DECIMAL(" + args + ")";
  if (word.rfind("TIMESTAMP", 0) == 0) return std::string("TIMESTAMP(6)");  // lake timestamps are microseconds
  return std::string("VARCHAR");  // VARCHAR, JSON, UUID, TIME, INTERVAL, ENUM, UNION, BIT
}

// The Trino type of a parsed DuckDB type: STRUCT -> ROW, LIST -> ARRAY, leaves as above.
Result<std::string> ToTrino(const lake::SchemaType& t, std::string_view text) {
  switch (t.kind()) {
    case lake::SchemaType::Kind::kLeaf:
      return LeafToTrino(t.leaf(), text);
    case lake::SchemaType::Kind::kList: {
      EL_ASSIGN_OR_RETURN(std::string inner, ToTrino(t.element(), text));
      return "ARRAY(" + inner + ")";
    }
    case lake::SchemaType::Kind::kStruct: {
      std::vector<std::string> fields;
      for (const auto& [name, type] : t.fields()) {
        EL_ASSIGN_OR_RETURN(std::string inner, ToTrino(type, text));
        fields.push_back(TrinoIdent(name) + " " + inner);
      }
      return fmt::format("ROW({})", fmt::join(fields, ", "));
    }
  }
  return InvalidArgument("cannot map DuckDB type '" + std::string(text) + "'");
}

// Visible Parquet files under `dir` and the partition keys of the first one's folders.
struct TableFiles {
  std::vector<std::string> files;
  std::vector<std::string> partition_keys;
};

Result<TableFiles> ScanTable(const fs::path& dir) {
  TableFiles out;
  EL_ASSIGN_OR_RETURN(auto files, lake::ListDataFilesRecursive(dir));
  for (const fs::path& f : files) out.files.push_back(f.string());
  if (out.files.empty()) return out;
  for (const fs::path& part : fs::path(out.files.front()).lexically_relative(dir).parent_path()) {
    std::string folder = part.string();
    size_t eq = folder.find('=');
    if (eq != std::string::npos && eq > 0) out.partition_keys.push_back(folder.substr(0, eq));
  }
  return out;
}

}  // namespace

Result<std::string> TrinoType(std::string_view duckdb_type) {
  auto parsed = lake::SchemaType::Parse(duckdb_type);
  if (!parsed.ok()) return InvalidArgument("cannot map DuckDB type '" + std::string(duckdb_type) + "'");
  return ToTrino(*parsed, duckdb_type);
}

Result<std::string> CreateTableDdl(const DdlOptions& o) {
  if (o.dialect != "trino" && o.dialect != "presto") {
    return InvalidArgument("unknown dialect '" + o.dialect + "': expected trino or presto");
  }
  EL_RETURN_IF_ERROR(lake::CheckLakeFormat(o.lake_dir, false));
  fs::path lake_dir = fs::absolute(fs::path(o.lake_dir)).lexically_normal();
  // A table folder, or an event type's folder inside its topic's table.
  EL_ASSIGN_OR_RETURN(std::optional<lake::TableRef> ref, lake::FindReaderTable(lake_dir, o.table));
  fs::path dir = ref ? ref->dirs.front() : lake_dir / o.table;
  std::string relative = dir.lexically_relative(lake_dir).generic_string();
  EL_ASSIGN_OR_RETURN(TableFiles t, ScanTable(dir));
  if (t.files.empty()) return NotFound("table " + o.table + " has no Parquet files in " + o.lake_dir);
  EL_ASSIGN_OR_RETURN(duck::Database db, duck::Database::OpenInMemory());
  EL_ASSIGN_OR_RETURN(duck::Connection con, duck::Connection::Open(db));
  std::string list;
  for (const std::string& f : t.files) list += (list.empty() ? "" : ", ") + duck::QuoteLiteral(f);
  EL_ASSIGN_OR_RETURN(auto cols, con.Query("DESCRIBE SELECT * FROM read_parquet([" + list +
                                           "], hive_partitioning=false, union_by_name=true)"));
  std::vector<std::string> lines;
  for (size_t r = 0; r < cols.RowCount(); ++r) {
    std::string name = cols.Text(0, r);
    if (std::find(t.partition_keys.begin(), t.partition_keys.end(), name) != t.partition_keys.end()) continue;
    EL_ASSIGN_OR_RETURN(std::string type, TrinoType(cols.Text(1, r)));
    lines.push_back("   " + TrinoIdent(name) + " " + type);
  }
  std::vector<std::string> keys;
  for (const std::string& k : t.partition_keys) {
    lines.push_back("   " + TrinoIdent(k) + " VARCHAR");  // partition columns last
    keys.push_back(TrinoLiteral(k));
  }
  std::string prefix = o.location_prefix;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::string location = o.location_prefix.empty() ? "file://" + dir.string() : prefix + "/" + relative;
  std::string with = "   external_location = " + TrinoLiteral(location) + ",\n   format = 'PARQUET'";
  if (!keys.empty()) with += fmt::format(",\n   partitioned_by = ARRAY[{}]", fmt::join(keys, ", "));
  std::string out;
  if (ref && ref->dirs.size() > 1) {
    out += "-- " + o.table + " also names the events of these folders, not in this table:\n";
    for (size_t i = 1; i < ref->dirs.size(); ++i)
      out += "--   " + ref->dirs[i].lexically_relative(lake_dir).generic_string() + "\n";
  }
  out += fmt::format("CREATE TABLE {}.{}.{} (\n{}\n)\nWITH (\n{}\n);\n", TrinoIdent(o.catalog),
                                TrinoIdent(o.schema), TrinoIdent(o.table), fmt::join(lines, ",\n"), with);
  if (!keys.empty()) {
    out += fmt::format("CALL {}.system.sync_partition_metadata(schema_name => {}, table_name => {}, "
                       "mode => 'FULL');\n",
                       TrinoIdent(o.catalog), TrinoLiteral(o.schema), TrinoLiteral(o.table));
  }
  return out;
}

}  // namespace el::query
