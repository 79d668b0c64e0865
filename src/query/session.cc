#include "query/session.h"

#include "lake/layout.h"
#include "lake/listing.h"
#include "lake/schema_history.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace el::query {
namespace {

namespace fs = std::filesystem;

std::string FirstWord(const std::string& statement) {
  std::string word;
  for (char c : statement) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      break;
    }
  }
  return word;
}

bool IsQuery(const std::string& statement) {
  static const char* kWords[] = {"SELECT", "WITH",     "FROM",      "VALUES", "TABLE",
                                 "SHOW",   "DESCRIBE", "SUMMARIZE", "PIVOT",  "UNPIVOT"};
  std::string first = FirstWord(statement);
  return std::any_of(std::begin(kWords), std::end(kWords),
                     [&](const char* w) { return first == w; });
}

bool IsJsonLiteralType(duckdb_type t) {
  switch (t) {
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_HUGEINT:
      return true;
    default:
      return false;
  }
}

ResultTable ToTable(duck::QueryResult& res) {
  ResultTable t;
  for (size_t c = 0; c < res.ColumnCount(); ++c) {
    t.columns.push_back(res.ColumnName(c));
    t.json_literal.push_back(IsJsonLiteralType(res.ColumnType(c)));
  }
  for (size_t r = 0; r < res.RowCount(); ++r) {
    std::vector<std::optional<std::string>> row;
    for (size_t c = 0; c < res.ColumnCount(); ++c) {
      row.push_back(res.IsNull(c, r) ? std::nullopt : std::optional<std::string>(res.Text(c, r)));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

// `SELECT CAST(NULL AS T) AS c, ... WHERE false` over the latest schema versions of the table's
// folders; "" when none is known.
std::string KnownColumns(const lake::TableRef& table) {
  std::vector<std::string> items;
  std::set<std::string> seen;
  for (const fs::path& dir : table.dirs) {
    auto latest = lake::ReadLatestSchema(dir);
    if (!latest.ok() || !latest->has_value()) continue;
    for (const lake::SchemaColumn& c : (*latest)->columns) {
      if (!seen.insert(c.name).second) continue;
      items.push_back("CAST(NULL AS " + c.type + ") AS " + duck::QuoteIdent(c.name));
    }
  }
  if (items.empty()) return "";
  return fmt::format("SELECT {} WHERE false", fmt::join(items, ", "));
}

// A data file's path, size and modification time: a file rewritten in place (a type change,
// compaction) changes its stamp; one that cannot be read never matches an earlier stamp.
std::string FileStamp(const fs::path& f) {
  std::error_code ec;
  auto size = fs::file_size(f, ec);
  auto time = ec ? fs::file_time_type{} : fs::last_write_time(f, ec);
  if (ec) return "?;";
  return fmt::format("{}:{}:{};", f.string(), size, time.time_since_epoch().count());
}

}  // namespace

Result<Session> Session::Open(std::string lake_dir) {
  EL_ASSIGN_OR_RETURN(duck::Database db, duck::Database::OpenInMemory());
  EL_ASSIGN_OR_RETURN(duck::Connection con, duck::Connection::Open(db));
  EL_RETURN_IF_ERROR(lake::CheckLakeFormat(lake_dir, false));
  Session session(std::move(lake_dir), std::move(db), std::move(con), nullptr);
  EL_RETURN_IF_ERROR(session.RefreshViews());
  return session;
}

Result<Session> Session::Open(std::unique_ptr<LakeSource> source) {
  EL_ASSIGN_OR_RETURN(duck::Database db, duck::Database::OpenInMemory());
  EL_ASSIGN_OR_RETURN(duck::Connection con, duck::Connection::Open(db));
  EL_RETURN_IF_ERROR(source->Prepare(con, ""));
  std::string dir = source->dir().string();
  EL_RETURN_IF_ERROR(lake::CheckLakeFormat(dir, false));
  Session session(std::move(dir), std::move(db), std::move(con), std::move(source));
  EL_RETURN_IF_ERROR(session.RefreshViews());
  return session;
}

Status Session::RefreshViews(std::string_view sql) {
  if (source_ && !sql.empty()) EL_RETURN_IF_ERROR(source_->Prepare(con_, sql));
  std::vector<std::string> names;
  EL_ASSIGN_OR_RETURN(auto tables, lake::ListReaderTables(lake_dir_));
  for (const lake::TableRef& table : tables) {
    std::string list;
    std::string stamps;
    for (const fs::path& dir : table.dirs) {
      EL_ASSIGN_OR_RETURN(auto files, lake::ListDataFilesRecursive(dir));
      for (const fs::path& f : files) {
        list += (list.empty() ? "" : ", ") + duck::QuoteLiteral(f.string());
        stamps += FileStamp(f);
      }
    }
    if (list.empty()) continue;
    const std::string& name = table.name;
    std::string view = "CREATE OR REPLACE VIEW " + duck::QuoteIdent(name) + " AS ";
    std::string select =
        "SELECT * FROM read_parquet([" + list + "], hive_partitioning=true, union_by_name=true)";
    if (!table.type_key.empty()) {
      // The event type is the folder's text (never guessed as a number), null for events without
      // one.
      std::string key = duck::QuoteIdent(table.type_key);
      select = fmt::format(
          "SELECT * REPLACE (NULLIF({0}, {1}) AS {0}) FROM read_parquet([{2}], "
          "hive_partitioning=true, "
          "union_by_name=true, hive_types={{{3}: VARCHAR}})",
          key, duck::QuoteLiteral(lake::kHiveNull), list, duck::QuoteLiteral(table.type_key));
    }
    std::string known = source_ ? KnownColumns(table) : "";
    // Making a view reads every file's footer: skipped when neither the statement nor a file
    // changed since the last one (a one-shot query opens the session and runs at once; a shell
    // runs many statements between landings).
    std::string made_from = select + known + stamps;
    names.push_back(name);
    if (auto it = view_sources_.find(name); it != view_sources_.end() && it->second == made_from &&
                                            made_from.find("?;") == std::string::npos) {
      continue;
    }
    view_sources_[name] = made_from;
    Status st = Status::Ok();
    // Files fetched for a query may be a pruned few: the table's latest columns (NULL where a file
    // lacks them) keep the view's columns those of the whole table.
    if (!known.empty()) st = con_.Exec(view + select + " UNION ALL BY NAME " + known);
    if (known.empty() || !st.ok()) st = con_.Exec(view + select);
    if (!st.ok()) {
      // A table DuckDB cannot read (a truncated file, a file of another format) fails only the
      // statements that read it, with DuckDB's message naming the file; the other tables stay
      // queryable.
      std::string message = st.message().substr(0, st.message().find('\n'));
      EL_RETURN_IF_ERROR(con_.Exec(view + "SELECT 1 AS unreadable WHERE error(" +
                                   duck::QuoteLiteral("table " + name + ": " + message) +
                                   ") IS NULL"));
    }
  }
  std::sort(names.begin(), names.end());
  views_ = std::move(names);
  return Status::Ok();
}

Result<ResultTable> Session::Run(std::string_view sql, Format format) {
  std::vector<std::string> statements = SplitStatements(sql);
  if (statements.empty()) return InvalidArgument("no SQL statement given");
  EL_RETURN_IF_ERROR(RefreshViews(sql));
  for (size_t i = 0; i + 1 < statements.size(); ++i) EL_RETURN_IF_ERROR(con_.Exec(statements[i]));
  return RunLast(statements.back(), format);
}

Result<ResultTable> Session::RunLast(const std::string& statement, Format format) {
  if (IsQuery(statement)) {
    // Wrapped so that DuckDB renders nested values (STRUCT, LIST) as text or JSON.
    std::string wrapped =
        format == Format::kJson
            ? "SELECT CAST(to_json(el_q) AS VARCHAR) FROM (\n" + statement + "\n) AS el_q"
            : "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (\n" + statement + "\n) AS el_q";
    auto res = con_.Query(wrapped);
    if (res.ok()) {
      ResultTable t = ToTable(*res);
      t.rows_are_json_objects = format == Format::kJson;
      return t;
    }
  }
  EL_ASSIGN_OR_RETURN(duck::QueryResult res, con_.Query(statement));
  return ToTable(res);
}

}  // namespace el::query
