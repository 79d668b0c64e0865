#include "query/shell/completion.h"

#include <algorithm>
#include <cctype>

#include "query/shell/dot_commands.h"
#include "query/shell/render.h"

namespace el::query::shell {
namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

Result<std::vector<std::string>> Column0(duck::Connection& con, const std::string& sql) {
  EL_ASSIGN_OR_RETURN(duck::QueryResult res, con.Query(sql));
  std::vector<std::string> out;
  for (size_t r = 0; r < res.RowCount(); ++r) out.push_back(res.Text(0, r));
  return out;
}

void AddMatches(std::vector<std::string>& out, const std::vector<std::string>& names,
                std::string_view word) {
  for (const std::string& n : names) {
    if (StartsWithNoCase(n, word)) out.push_back(n);
  }
}

std::string Trimmed(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string_view::npos ? "" : std::string(s.substr(b, e - b + 1));
}

}  // namespace

Result<Catalog> LoadCatalog(duck::Connection& con) {
  Catalog c;
  EL_ASSIGN_OR_RETURN(c.keywords, Column0(con, "SELECT keyword_name FROM duckdb_keywords()"));
  EL_ASSIGN_OR_RETURN(c.tables, Column0(con,
                                        "SELECT table_name FROM duckdb_tables() WHERE NOT internal "
                                        "UNION SELECT view_name FROM duckdb_views() WHERE NOT "
                                        "internal"));
  EL_ASSIGN_OR_RETURN(
      c.columns,
      Column0(con, "SELECT DISTINCT column_name FROM duckdb_columns() WHERE NOT internal"));
  for (std::string& k : c.keywords) {
    std::transform(k.begin(), k.end(), k.begin(),
                   [](unsigned char ch) { return std::toupper(ch); });
  }
  return c;
}

std::vector<std::string> Complete(const Catalog& catalog, std::string_view before,
                                  std::string_view word) {
  std::vector<std::string> out;
  std::string line = Trimmed(before);
  if (line == ".") {
    for (const std::string& name : DotCommandNames()) AddMatches(out, {name.substr(1)}, word);
  } else if (!line.empty() && line[0] == '.') {
    std::string command = line.substr(0, line.find_first_of(" \t"));
    if (command == ".mode") AddMatches(out, ModeNames(), word);
    if (command == ".timer") AddMatches(out, {"on", "off"}, word);
    if (command == ".schema") AddMatches(out, catalog.tables, word);
  } else {
    AddMatches(out, catalog.tables, word);
    AddMatches(out, catalog.columns, word);
    bool lower = !word.empty() && std::islower(static_cast<unsigned char>(word[0]));
    for (const std::string& k : catalog.keywords) {
      if (!StartsWithNoCase(k, word)) continue;
      std::string cased = k;
      if (lower) {
        std::transform(cased.begin(), cased.end(), cased.begin(),
                       [](unsigned char ch) { return std::tolower(ch); });
      }
      out.push_back(cased);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace el::query::shell
