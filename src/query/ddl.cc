#include "query/ddl.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "clients/duck/duck.h"
#include "lake/listing.h"

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

// Recursive-descent reader of DuckDB type text that writes the Trino type as it goes.
class TypeMapper {
 public:
  explicit TypeMapper(std::string_view text) : s_(text) {}

  Result<std::string> Run() {
    EL_ASSIGN_OR_RETURN(std::string out, Type());
    SkipSpace();
    if (pos_ != s_.size()) return Bad();
    return out;
  }

 private:
  Status Bad() const { return InvalidArgument("cannot map DuckDB type '" + std::string(s_) + "'"); }
  void SkipSpace() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Result<std::string> Type() {
    EL_ASSIGN_OR_RETURN(std::string out, Base());
    while (Eat('[')) {  // LIST (T[]) and fixed-size ARRAY (T[3])
      while (pos_ < s_.size() && s_[pos_] != ']') ++pos_;
      if (!Eat(']')) return Bad();
      out = "ARRAY(" + out + ")";
    }
    return out;
  }

  // A name up to '(', ',', ')', '[' (spaces kept: "TIMESTAMP WITH TIME ZONE").
  std::string Word() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < s_.size() && std::string_view("(),[").find(s_[pos_]) == std::string_view::npos) ++pos_;
    std::string w(s_.substr(start, pos_ - start));
    while (!w.empty() && w.back() == ' ') w.pop_back();
    return w;
  }

  Result<std::string> Base() {
    std::string word = Upper(Word());
    if (word == "STRUCT") return Struct();
    if (word == "MAP") {
      if (!Eat('(')) return Bad();
      EL_ASSIGN_OR_RETURN(std::string key, Type());
      if (!Eat(',')) return Bad();
      EL_ASSIGN_OR_RETURN(std::string value, Type());
      if (!Eat(')')) return Bad();
      return "MAP(" + key + ", " + value + ")";
    }
    std::string args;
    if (Eat('(')) {  // DECIMAL(18,3), UNION(...), ENUM(...): keep the raw argument text
      int depth = 1;
      size_t start = pos_;
      while (pos_ < s_.size() && depth > 0) {
        if (s_[pos_] == '(') ++depth;
        if (s_[pos_] == ')') --depth;
        ++pos_;
      }
      if (depth != 0) return Bad();
      args = std::string(s_.substr(start, pos_ - 1 - start));
    }
    if (word.empty()) return Bad();
    return Scalar(word, args);
  }

  Result<std::string> Struct() {
    if (!Eat('(')) return Bad();
    std::vector<std::string> fields;
    do {
      SkipSpace();
      std::string name;
      if (pos_ < s_.size() && s_[pos_] == '"') {
        ++pos_;
        while (pos_ < s_.size()) {
          if (s_[pos_] == '"' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '"') {
            name += '"';
            pos_ += 2;
          } else if (s_[pos_] == '"') {
            break;
          } else {
            name += s_[pos_++];
          }
        }
        if (!Eat('"')) return Bad();
      } else {
        size_t start = pos_;
        while (pos_ < s_.size() && s_[pos_] != ' ') ++pos_;
        name = std::string(s_.substr(start, pos_ - start));
      }
      EL_ASSIGN_OR_RETURN(std::string type, Type());
      fields.push_back(TrinoIdent(name) + " " + type);
    } while (Eat(','));
    if (!Eat(')')) return Bad();
    return fmt::format("ROW({})", fmt::join(fields, ", "));
  }

  static std::string Scalar(const std::string& word, const std::string& args) {
    static const std::map<std::string, std::string> kSame = {
        {"BOOLEAN", "BOOLEAN"}, {"TINYINT", "TINYINT"}, {"SMALLINT", "SMALLINT"},
        {"INTEGER", "INTEGER"}, {"BIGINT", "BIGINT"}, {"FLOAT", "REAL"},
        {"DOUBLE", "DOUBLE"}, {"DATE", "DATE"}, {"BLOB", "VARBINARY"},
        {"UTINYINT", "SMALLINT"}, {"USMALLINT", "INTEGER"}, {"UINTEGER", "BIGINT"},
        {"UBIGINT", "DECIMAL(20,0)"}, {"HUGEINT", "DECIMAL(38,0)"}, {"UHUGEINT", "DECIMAL(38,0)"}};
    auto it = kSame.find(word);
    if (it != kSame.end()) return it->second;
    if (word == "DECIMAL") return args.empty() ? "DECIMAL(18,3)" : "DECIMAL(" + args + ")";
    if (word.rfind("TIMESTAMP", 0) == 0) return "TIMESTAMP(6)";  // lake timestamps are microseconds
    return "VARCHAR";  // VARCHAR, JSON, UUID, TIME, INTERVAL, ENUM, UNION, BIT
  }

  std::string_view s_;
  size_t pos_ = 0;
};

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

Result<std::string> TrinoType(std::string_view duckdb_type) { return TypeMapper(duckdb_type).Run(); }

Result<std::string> CreateTableDdl(const DdlOptions& o) {
  if (o.dialect != "trino" && o.dialect != "presto") {
    return InvalidArgument("unknown dialect '" + o.dialect + "': expected trino or presto");
  }
  fs::path dir = fs::absolute(fs::path(o.lake_dir) / o.table).lexically_normal();
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
  std::string location = o.location_prefix.empty() ? "file://" + dir.string() : prefix + "/" + o.table;
  std::string with = "   external_location = " + TrinoLiteral(location) + ",\n   format = 'PARQUET'";
  if (!keys.empty()) with += fmt::format(",\n   partitioned_by = ARRAY[{}]", fmt::join(keys, ", "));
  std::string out = fmt::format("CREATE TABLE {}.{}.{} (\n{}\n)\nWITH (\n{}\n);\n", TrinoIdent(o.catalog),
                                TrinoIdent(o.schema), TrinoIdent(o.table), fmt::join(lines, ",\n"), with);
  if (!keys.empty()) {
    out += fmt::format("CALL {}.system.sync_partition_metadata(schema_name => {}, table_name => {}, "
                       "mode => 'FULL');\n",
                       TrinoIdent(o.catalog), TrinoLiteral(o.schema), TrinoLiteral(o.table));
  }
  return out;
}

}  // namespace el::query
