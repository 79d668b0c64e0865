#pragma once
// JsonType: the DuckDB type of a JSON field, inferred over every record while the stager walks
// it (jobs/record_stager.h), so that DuckDB's read_json gets `columns={...}` and makes no
// inference pass of its own. The lattice per field:
//   null < BOOLEAN; BIGINT < DOUBLE; strings: DATE (all YYYY-MM-DD), TIMESTAMP (all ISO 8601
//   date-times without a numeric offset, optional fraction and Z), else VARCHAR; objects merge
//   field-wise into STRUCT (fields in order of first appearance); arrays into LIST of the merged
//   element type; anything else mixed (boolean and number, string and number, object and
//   array...) becomes JSON. A field only ever null, an object without fields and the element of
//   arrays only ever empty are JSON, as DuckDB's own inference has them.
// UUIDs and times of day stay VARCHAR (no sniffing: portable to Spark and Trino).
// Threading: one thread per tree (trees of different threads meet through Merge). Lifetime:
// children are owned by their parent.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace el::jobs {

class JsonType {
 public:
  enum class Kind : uint8_t { kNull, kBoolean, kBigint, kDouble, kDate, kTimestamp, kVarchar, kStruct, kList, kJson };

  Kind kind() const { return kind_; }
  void ObserveBoolean() { Observe(Kind::kBoolean); }
  void ObserveInteger() { Observe(Kind::kBigint); }
  void ObserveDouble() { Observe(Kind::kDouble); }
  void ObserveString(std::string_view text);
  // An object value: returns false when this field is JSON (its fields need no walk); else the
  // fields are then reported one by one through Field().
  bool ObserveObject();
  // The node of field `name` of the object just observed (created on first sight).
  JsonType* Field(std::string_view name);
  // An array value: the element node to report each item to, or nullptr when this field is JSON.
  JsonType* ObserveArray();
  // Widens this type by `other`, the type of records observed after this one's (a chunk staged
  // on another thread): the result is the type one tree observing both runs of records in order
  // would have (the lattice above is a join, and fields keep their order of first appearance:
  // this one's, then `other`'s new ones). `other` is left empty.
  void Merge(JsonType&& other);

  // DuckDB type text, e.g. BIGINT, STRUCT("kind" VARCHAR, "price" DOUBLE), VARCHAR[], JSON.
  std::string SqlType() const;
  // Fields of a STRUCT, in order of first appearance (empty for other kinds).
  const std::vector<std::pair<std::string, std::unique_ptr<JsonType>>>& fields() const { return fields_; }
  // The element type of a LIST (null for other kinds).
  const JsonType* element() const { return kind_ == Kind::kList ? element_.get() : nullptr; }

 private:
  void Observe(Kind kind);
  void BecomeJson();

  Kind kind_ = Kind::kNull;
  std::vector<std::pair<std::string, std::unique_ptr<JsonType>>> fields_;
  std::unordered_map<std::string, size_t> index_;  // field name -> position in fields_
  size_t next_hint_ = 0;                           // fields usually come in the same order
  std::unique_ptr<JsonType> element_;
};

// True for YYYY-MM-DD, and for YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z] (`date_only` tells which).
bool IsIsoDateTime(std::string_view text, bool* date_only);
// Microseconds since 1970-01-01 of a date or date-time that IsIsoDateTime accepts (fractions
// beyond microseconds are cut, as DuckDB's cast does; a final Z is UTC); nullopt otherwise.
std::optional<int64_t> IsoMicros(std::string_view text);

}  // namespace el::jobs
