#include "lake/schema_type.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>

namespace el::lake {
namespace {

bool IsInteger(const std::string& t) {
  return t == "TINYINT" || t == "SMALLINT" || t == "INTEGER" || t == "BIGINT" || t == "UTINYINT" ||
         t == "USMALLINT" || t == "UINTEGER";
}
bool IsNumber(const std::string& t) {
  return IsInteger(t) || t == "UBIGINT" || t == "HUGEINT" || t == "FLOAT" || t == "DOUBLE" ||
         t.rfind("DECIMAL", 0) == 0;
}
// Types the stager or DuckDB find in strings; VARCHAR holds every value of them as text.
bool IsTextLike(const std::string& t) {
  return t == "VARCHAR" || t == "DATE" || t == "TIMESTAMP" || t == "TIME" || t == "UUID";
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Recursive-descent reader of DuckDB type text.
class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Result<SchemaType> Run() {
    EL_ASSIGN_OR_RETURN(SchemaType t, Type());
    SkipSpace();
    if (pos_ != s_.size()) return Bad();
    return t;
  }

 private:
  Status Bad() const { return InvalidArgument("cannot read type '" + std::string(s_) + "'"); }
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

  Result<SchemaType> Type() {
    // Nesting is bounded: type text may come from any file in the lake.
    if (++depth_ > kMaxDepth)
      return InvalidArgument("type nests deeper than " + std::to_string(kMaxDepth));
    EL_ASSIGN_OR_RETURN(SchemaType t, Base());
    --depth_;
    while (Eat('[')) {
      size_t start = pos_;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      std::string size(s_.substr(start, pos_ - start));
      if (!Eat(']')) return Bad();
      // A fixed-size ARRAY (T[3]) stays a leaf of its own: only LISTs merge element-wise.
      t = size.empty() ? SchemaType::List(std::move(t))
                       : SchemaType::Leaf(t.ToString() + "[" + size + "]");
    }
    return t;
  }

  // A type name up to '(', ',', ')', '[' (inner spaces kept: "TIMESTAMP WITH TIME ZONE").
  std::string Word() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < s_.size() && std::string_view("(),[").find(s_[pos_]) == std::string_view::npos)
      ++pos_;
    std::string w(s_.substr(start, pos_ - start));
    while (!w.empty() && w.back() == ' ') w.pop_back();
    return w;
  }

  // The text of a balanced "(...)" starting at pos_ (for MAP, DECIMAL, UNION parameters).
  Result<std::string> Parenthesized() {
    size_t start = pos_;
    int depth = 0;
    bool quoted = false;
    for (; pos_ < s_.size(); ++pos_) {
      char c = s_[pos_];
      if (c == '"') quoted = !quoted;
      if (quoted) continue;
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) {
        ++pos_;
        return std::string(s_.substr(start, pos_ - start));
      }
    }
    return Bad();
  }

  Result<std::string> FieldName() {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '"') {
      std::string name;
      for (++pos_; pos_ < s_.size(); ++pos_) {
        if (s_[pos_] == '"') {
          if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '"') {
            name += '"';
            ++pos_;
            continue;
          }
          ++pos_;
          return name;
        }
        name += s_[pos_];
      }
      return Bad();
    }
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ' ') ++pos_;
    if (start == pos_) return Bad();
    return std::string(s_.substr(start, pos_ - start));
  }

  Result<SchemaType> Base() {
    std::string word = Word();
    if (word.empty()) return Bad();
    for (char c : word) {  // type names: letters, digits, '_' and inner spaces
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ' ') return Bad();
    }
    if (Upper(word) == "STRUCT" && Eat('(')) {
      std::vector<std::pair<std::string, SchemaType>> fields;
      if (!Eat(')')) {
        do {
          EL_ASSIGN_OR_RETURN(std::string name, FieldName());
          for (const auto& field : fields) {  // DuckDB refuses duplicate names, in any case
            if (Upper(field.first) == Upper(name)) return Bad();
          }
          EL_ASSIGN_OR_RETURN(SchemaType t, Type());
          fields.emplace_back(std::move(name), std::move(t));
        } while (Eat(','));
        if (!Eat(')')) return Bad();
      }
      return SchemaType::Struct(std::move(fields));
    }
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '(') {
      EL_ASSIGN_OR_RETURN(std::string params, Parenthesized());
      word += params;
    }
    return SchemaType::Leaf(std::move(word));
  }

  static constexpr int kMaxDepth = 64;
  std::string_view s_;
  size_t pos_ = 0;
  int depth_ = 0;
};

SchemaType Json() { return SchemaType::Leaf("JSON"); }

std::string QuoteText(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

SchemaType MergeLeaves(const std::string& a, const std::string& b) {
  if (IsInteger(a) && IsInteger(b)) return SchemaType::Leaf("BIGINT");
  if (IsNumber(a) && IsNumber(b)) return SchemaType::Leaf("DOUBLE");
  if ((a == "DATE" && b == "TIMESTAMP") || (a == "TIMESTAMP" && b == "DATE"))
    return SchemaType::Leaf("TIMESTAMP");
  if (IsTextLike(a) && IsTextLike(b)) return SchemaType::Leaf("VARCHAR");
  return Json();
}

const SchemaType* FindField(const SchemaType& s, const std::string& name) {
  for (const auto& [n, t] : s.fields()) {
    if (n == name) return &t;
  }
  return nullptr;
}

}  // namespace

Result<SchemaType> SchemaType::Parse(std::string_view text) { return Parser(text).Run(); }

SchemaType SchemaType::Leaf(std::string name) {
  SchemaType t;
  t.kind_ = Kind::kLeaf;
  t.leaf_ = std::move(name);
  return t;
}

SchemaType SchemaType::List(SchemaType element) {
  SchemaType t;
  t.kind_ = Kind::kList;
  t.children_.emplace_back("", std::move(element));
  return t;
}

SchemaType SchemaType::Struct(std::vector<std::pair<std::string, SchemaType>> fields) {
  SchemaType t;
  t.kind_ = Kind::kStruct;
  t.children_ = std::move(fields);
  return t;
}

std::string SchemaType::ToString() const {
  switch (kind_) {
    case Kind::kLeaf:
      return leaf_;
    case Kind::kList:
      return element().ToString() + "[]";
    case Kind::kStruct: {
      std::string out = "STRUCT(";
      for (size_t i = 0; i < children_.size(); ++i) {
        if (i > 0) out += ", ";
        out += QuoteName(children_[i].first) + " " + children_[i].second.ToString();
      }
      return out + ")";
    }
  }
  return leaf_;
}

bool SchemaType::operator==(const SchemaType& other) const {
  return kind_ == other.kind_ && leaf_ == other.leaf_ && children_ == other.children_;
}

SchemaType MergeTypes(const SchemaType& a, const SchemaType& b) {
  if (a == b) return a;
  using Kind = SchemaType::Kind;
  if (a.kind() == Kind::kLeaf && a.leaf() == "JSON") return a;
  if (b.kind() == Kind::kLeaf && b.leaf() == "JSON") return b;
  if (a.kind() != b.kind()) return Json();
  switch (a.kind()) {
    case Kind::kLeaf:
      return MergeLeaves(a.leaf(), b.leaf());
    case Kind::kList:
      return SchemaType::List(MergeTypes(a.element(), b.element()));
    case Kind::kStruct: {
      std::vector<std::pair<std::string, SchemaType>> fields;
      for (const auto& [name, t] : a.fields()) {
        const SchemaType* other = FindField(b, name);
        fields.emplace_back(name, other == nullptr ? t : MergeTypes(t, *other));
      }
      for (const auto& [name, t] : b.fields()) {
        if (FindField(a, name) == nullptr) fields.emplace_back(name, t);
      }
      return SchemaType::Struct(std::move(fields));
    }
  }
  return Json();
}

TypeChange CompareTypes(const SchemaType& from, const SchemaType& to) {
  if (from == to) return TypeChange::kSame;
  using Kind = SchemaType::Kind;
  if (from.kind() != to.kind() || from.kind() == Kind::kLeaf) return TypeChange::kRewrite;
  if (from.kind() == Kind::kList) return CompareTypes(from.element(), to.element());
  for (const auto& [name, t] : from.fields()) {
    const SchemaType* other = FindField(to, name);
    if (other == nullptr || CompareTypes(t, *other) == TypeChange::kRewrite)
      return TypeChange::kRewrite;
  }
  return TypeChange::kAdditive;
}

std::string ConvertExpr(const std::string& expr, const SchemaType& from, const SchemaType& to,
                        int depth) {
  if (from == to) return expr;
  using Kind = SchemaType::Kind;
  if (to.kind() == Kind::kLeaf) {
    if (to.leaf() == "JSON") return fmt::format("to_json({})", expr);
    return fmt::format("CAST({} AS {})", expr, to.leaf());
  }
  if (to.kind() == Kind::kList && from.kind() == Kind::kList) {
    std::string var = fmt::format("el_x{}", depth);
    return fmt::format("list_transform({}, lambda {}: {})", expr, var,
                       ConvertExpr(var, from.element(), to.element(), depth + 1));
  }
  if (to.kind() == Kind::kStruct && from.kind() == Kind::kStruct) {
    std::string fields;
    for (const auto& [name, t] : to.fields()) {
      const SchemaType* old = FindField(from, name);
      std::string literal = QuoteText(name);
      std::string value =
          old == nullptr
              ? fmt::format("NULL::{}", t.ToString())
              : ConvertExpr(fmt::format("struct_extract({}, {})", expr, literal), *old, t, depth);
      fields += fmt::format("{}{}: {}", fields.empty() ? "" : ", ", literal, value);
    }
    return fmt::format("CASE WHEN {0} IS NULL THEN NULL ELSE {{{1}}} END", expr, fields);
  }
  return fmt::format("CAST({} AS {})", expr, to.ToString());  // not reached for merged types
}

std::string QuoteName(std::string_view name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace el::lake
