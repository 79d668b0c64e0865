#pragma once
// SchemaType: a column type of a lake table as a tree (leaf, STRUCT, LIST), parsed from and
// printed as DuckDB type text, with the lake's rules for type changes:
//   - Merge: the type both values fit in exactly. Integers widen to BIGINT, numbers to DOUBLE,
//     DATE to TIMESTAMP, text-like types (DATE, TIMESTAMP, TIME, UUID) meeting VARCHAR become
//     VARCHAR; STRUCTs merge field by field (new fields appended), LISTs by element; anything
//     else becomes JSON at the innermost place where the two differ. A string and a number never
//     share a text column: "42" and 42 stay distinguishable as JSON text '"42"' and '42'.
//   - Compare: whether data written as `from` is read as `to` without a rewrite (the same, or
//     `to` only adds STRUCT fields), or must be rewritten (a leaf type changed).
//   - ConvertExpr: the SQL that turns a `from` value into a `to` value exactly (JSON via
//     to_json, STRUCT field by field with NULL for new fields, LIST element by element).
// Pure code, no I/O. Threading: values are immutable after parsing.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace el::lake {

class SchemaType {
 public:
  enum class Kind { kLeaf, kStruct, kList };

  // Parses DuckDB type text: `BIGINT`, `VARCHAR[]`, `STRUCT("a b" BIGINT, c VARCHAR[])`,
  // `DECIMAL(18,3)`, `MAP(VARCHAR, BIGINT)` (kept as a leaf). Errors: InvalidArgument.
  static Result<SchemaType> Parse(std::string_view text);
  static SchemaType Leaf(std::string name);
  static SchemaType List(SchemaType element);
  static SchemaType Struct(std::vector<std::pair<std::string, SchemaType>> fields);

  Kind kind() const { return kind_; }
  const std::string& leaf() const { return leaf_; }  // kLeaf: the type name, e.g. BIGINT
  const SchemaType& element() const { return children_.front().second; }  // kList
  const std::vector<std::pair<std::string, SchemaType>>& fields() const {
    return children_;
  }  // kStruct

  // DuckDB type text; struct field names are always double-quoted.
  std::string ToString() const;
  bool operator==(const SchemaType& other) const;

 private:
  Kind kind_ = Kind::kLeaf;
  std::string leaf_;
  // kStruct: the fields in order; kList: one entry holding the element (name unused).
  std::vector<std::pair<std::string, SchemaType>> children_;
};

// The type that holds every value of `a` and of `b` exactly (rules above).
SchemaType MergeTypes(const SchemaType& a, const SchemaType& b);

enum class TypeChange {
  kSame,      // identical
  kAdditive,  // `to` only adds STRUCT fields (at any depth): files of `from` are read as they are
  kRewrite,   // a leaf type differs: files holding `from` must be rewritten as `to`
};
TypeChange CompareTypes(const SchemaType& from, const SchemaType& to);

// A SQL expression that converts `expr` (a value of type `from`) to type `to`, exactly and never
// failing, for `to` == MergeTypes(from, x) for some x. `depth` names lambda variables of nested
// lists apart.
std::string ConvertExpr(const std::string& expr, const SchemaType& from, const SchemaType& to,
                        int depth = 0);

// Double-quoted SQL identifier ("" doubles a quote).
std::string QuoteName(std::string_view name);

}  // namespace el::lake
