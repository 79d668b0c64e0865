#include "query/table_needs.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "lake/layout.h"
#include "query/sql_text.h"

namespace el::query {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Words and quoted identifiers of `sql`, lower-cased.
std::set<std::string> Words(std::string_view sql) {
  std::set<std::string> out;
  std::string word;
  for (size_t i = 0; i <= sql.size(); ++i) {
    char c = i < sql.size() ? sql[i] : ' ';
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80) != 0) {
      word += c;
      continue;
    }
    if (!word.empty()) out.insert(Lower(word));
    word.clear();
    if (c == '"') {
      std::string quoted;
      for (++i; i < sql.size(); ++i) {
        if (sql[i] == '"' && i + 1 < sql.size() && sql[i + 1] == '"') {
          quoted += '"';
          ++i;
        } else if (sql[i] == '"') {
          break;
        } else {
          quoted += sql[i];
        }
      }
      out.insert(Lower(quoted));
    }
  }
  return out;
}

std::string_view Str(const element& e, const char* key) {
  std::string_view v;
  if (e.is_object() && e.get_object()[key].get(v) == simdjson::SUCCESS) return v;
  return {};
}

// A constant's value as text; nullopt for NULL or a non-constant.
std::optional<std::string> ConstantText(const element& e) {
  if (Str(e, "class") == "CAST") return ConstantText(e["child"].value_unsafe());
  if (Str(e, "class") != "CONSTANT") return std::nullopt;
  element value;
  if (e["value"].get(value) != simdjson::SUCCESS) return std::nullopt;
  bool is_null = true;
  if (value["is_null"].get(is_null) != simdjson::SUCCESS || is_null) return std::nullopt;
  element v;
  if (value["value"].get(v) != simdjson::SUCCESS) return std::nullopt;
  switch (v.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(v.get_string().value_unsafe());
    case simdjson::dom::element_type::INT64:
      return std::to_string(v.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64:
      return std::to_string(v.get_uint64().value_unsafe());
    case simdjson::dom::element_type::DOUBLE:
      return simdjson::to_string(v);
    case simdjson::dom::element_type::BOOL:
      return v.get_bool().value_unsafe() ? "true" : "false";
    default:
      return std::nullopt;
  }
}

// A column reference's names, lower-cased; empty for anything else.
std::vector<std::string> ColumnNames(const element& e) {
  std::vector<std::string> out;
  simdjson::dom::array names;
  if (Str(e, "class") != "COLUMN_REF" || e["column_names"].get(names) != simdjson::SUCCESS)
    return out;
  for (element n : names) out.push_back(Lower(n.get_string().value_unsafe()));
  return out;
}

struct Ref {
  std::string table;  // lower case
  std::string alias;  // lower case: the alias, else the table name
};

// The conjuncts `col = constant` / `col IN (...)` of `where` that apply to `ref`.
TableNeed ConstraintOf(const element& where, const Ref& ref, bool only_item) {
  TableNeed need;
  std::vector<element> conjuncts{where};
  for (size_t i = 0; i < conjuncts.size(); ++i) {
    element c = conjuncts[i];
    simdjson::dom::array children;
    if (Str(c, "type") == "CONJUNCTION_AND" && c["children"].get(children) == simdjson::SUCCESS) {
      for (element child : children) conjuncts.push_back(child);
      continue;
    }
    std::vector<std::string> column;
    std::set<std::string> values;
    if (Str(c, "type") == "COMPARE_EQUAL") {
      element l = c["left"].value_unsafe(), r = c["right"].value_unsafe();
      if (ColumnNames(l).empty()) std::swap(l, r);
      column = ColumnNames(l);
      auto v = ConstantText(r);
      if (!v) continue;
      values.insert(*v);
    } else if (Str(c, "type") == "COMPARE_IN" && c["children"].get(children) == simdjson::SUCCESS &&
               children.size() >= 2) {
      bool all = true;
      for (size_t k = 1; k < children.size(); ++k) {
        auto v = ConstantText(children.at(k).value_unsafe());
        if (!v) all = false;
        if (v) values.insert(*v);
      }
      if (!all) continue;
      column = ColumnNames(children.at(0).value_unsafe());
    }
    std::string name;
    if (column.size() == 1 && only_item) name = column[0];
    if (column.size() == 2 && column[0] == ref.alias) name = column[1];
    if (name.empty() || values.empty()) continue;
    need.allowed.try_emplace(name, std::move(values));  // a second filter on it: the first holds
  }
  return need;
}

class Walker {
 public:
  // Table (lower case) -> the combined need of its references so far.
  std::map<std::string, TableNeed> needs;

  void Walk(const element& e) {
    if (e.is_array()) {
      simdjson::dom::array items = e.get_array().value_unsafe();
      for (element child : items) Walk(child);
      return;
    }
    if (!e.is_object()) return;
    std::string_view type = Str(e, "type");
    if (type == "BASE_TABLE") {
      Add(Lower(Str(e, "table_name")), TableNeed{});
      return;
    }
    if (type == "SELECT_NODE") {
      SelectNode(e);
      return;
    }
    object fields = e.get_object().value_unsafe();
    for (auto field : fields) Walk(field.value);
  }

 private:
  void Add(const std::string& table, TableNeed need) {
    auto [it, first] = needs.try_emplace(table, need);
    if (first) return;
    auto& allowed = it->second.allowed;
    for (auto a = allowed.begin(); a != allowed.end();) {
      auto other = need.allowed.find(a->first);
      if (other == need.allowed.end()) {
        a = allowed.erase(a);
      } else {
        a->second.insert(other->second.begin(), other->second.end());
        ++a;
      }
    }
  }

  // The plain tables of a FROM (through joins of the plain kinds).
  void DirectRefs(const element& from, std::vector<Ref>& out, bool& other_items) {
    std::string_view type = Str(from, "type");
    if (type == "BASE_TABLE") {
      std::string table = Lower(Str(from, "table_name"));
      std::string alias = Lower(Str(from, "alias"));
      out.push_back(Ref{table, alias.empty() ? table : alias});
      return;
    }
    std::string_view ref_type = Str(from, "ref_type");
    if (type == "JOIN" && (ref_type == "REGULAR" || ref_type == "CROSS" || ref_type == "NATURAL")) {
      DirectRefs(from["left"].value_unsafe(), out, other_items);
      DirectRefs(from["right"].value_unsafe(), out, other_items);
      return;
    }
    other_items = true;
  }

  // Walks a FROM, leaving out the direct table references (recorded by SelectNode).
  void WalkFrom(const element& from, bool direct) {
    std::string_view type = Str(from, "type");
    if (direct && type == "BASE_TABLE") return;
    std::string_view ref_type = Str(from, "ref_type");
    if (direct && type == "JOIN" &&
        (ref_type == "REGULAR" || ref_type == "CROSS" || ref_type == "NATURAL")) {
      object fields = from.get_object().value_unsafe();
      for (auto field : fields) {
        bool side = field.key == "left" || field.key == "right";
        if (side)
          WalkFrom(field.value, true);
        else
          Walk(field.value);
      }
      return;
    }
    Walk(from);
  }

  void SelectNode(const element& node) {
    element from, where;
    bool has_from = node["from_table"].get(from) == simdjson::SUCCESS;
    bool has_where = node["where_clause"].get(where) == simdjson::SUCCESS && where.is_object();
    if (has_from) {
      std::vector<Ref> refs;
      bool other_items = false;
      DirectRefs(from, refs, other_items);
      bool only_item = refs.size() == 1 && !other_items;
      for (const Ref& ref : refs)
        Add(ref.table, has_where ? ConstraintOf(where, ref, only_item) : TableNeed{});
      WalkFrom(from, true);
    }
    object fields = node.get_object().value_unsafe();
    for (auto field : fields) {
      if (field.key != "from_table") Walk(field.value);
    }
  }
};

// The needs of one statement from its parse tree; nullopt when DuckDB cannot serialize it.
std::optional<std::map<std::string, TableNeed>> ParsedNeeds(duck::Connection& con,
                                                            const std::string& statement) {
  auto res = con.Query("SELECT json_serialize_sql(" + duck::QuoteLiteral(statement) + ")");
  if (!res.ok() || res->RowCount() != 1 || res->IsNull(0, 0)) return std::nullopt;
  std::string json = res->Text(0, 0);
  simdjson::dom::parser parser;
  element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) return std::nullopt;
  bool error = true;
  if (doc["error"].get(error) != simdjson::SUCCESS || error) return std::nullopt;
  Walker w;
  w.Walk(doc["statements"].value_unsafe());
  return w.needs;
}

bool NumberText(const std::string& s, double& out) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(out);
}

bool DatePrefix(const std::string& s) {
  if (s.size() < 10) return false;
  for (size_t i = 0; i < 10; ++i) {
    bool dash = i == 4 || i == 7;
    if (dash ? s[i] != '-' : !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

bool ValueMatches(const std::string& folder, const std::string& constant) {
  if (folder == constant) return true;
  double a = 0, b = 0;
  if (NumberText(folder, a) && NumberText(constant, b)) return a == b;
  return DatePrefix(folder) && DatePrefix(constant) && folder.compare(0, 10, constant, 0, 10) == 0;
}

}  // namespace

std::map<std::string, TableNeed> TablesNeeded(duck::Connection& con, std::string_view sql,
                                              const std::vector<std::string>& tables) {
  std::map<std::string, std::optional<TableNeed>> by_lower;  // nullopt: not named yet
  std::set<std::string> words = Words(sql);
  for (const std::string& t : tables) {
    if (words.count(Lower(t)) > 0) by_lower.emplace(Lower(t), std::nullopt);
  }
  for (const std::string& statement : SplitStatements(sql)) {
    auto parsed = ParsedNeeds(con, statement);
    std::set<std::string> here = Words(statement);
    for (auto& [table, need] : by_lower) {
      if (here.count(table) == 0) continue;
      TableNeed found;  // a statement without a parse tree, or naming it elsewhere: everything
      if (parsed) {
        auto it = parsed->find(table);
        if (it != parsed->end()) found = it->second;
      }
      if (!need) {
        need = found;
        continue;
      }
      for (auto a = need->allowed.begin(); a != need->allowed.end();) {
        auto other = found.allowed.find(a->first);
        if (other == found.allowed.end()) {
          a = need->allowed.erase(a);
        } else {
          a->second.insert(other->second.begin(), other->second.end());
          ++a;
        }
      }
    }
  }
  std::map<std::string, TableNeed> out;
  for (const std::string& t : tables) {
    auto it = by_lower.find(Lower(t));
    if (it != by_lower.end()) out[t] = it->second.value_or(TableNeed{});
  }
  return out;
}

bool FoldersMayMatch(const TableNeed& need, const std::vector<std::string>& folders) {
  for (const std::string& f : folders) {
    size_t eq = f.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    auto it = need.allowed.find(Lower(f.substr(0, eq)));
    if (it == need.allowed.end()) continue;
    std::optional<std::string> value = lake::ParseHiveValue(std::string_view(f).substr(eq + 1));
    if (!value) return false;  // null: equal to no constant
    bool any = std::any_of(it->second.begin(), it->second.end(),
                           [&](const std::string& c) { return ValueMatches(*value, c); });
    if (!any) return false;
  }
  return true;
}

}  // namespace el::query
