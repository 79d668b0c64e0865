// SchemaEntry: a table's schema version file (lake/schema_history.h) and the column types in it
// (lake/schema_type.h), as read from a lake that anything may have written. A version that parses
// must print and parse back to itself; every type text that parses must print and parse back to
// itself, and merging must only move up: merging either input into a merge changes nothing.
#include <string>
#include <vector>

#include "fuzz/entries.h"
#include "lake/schema_history.h"
#include "lake/schema_type.h"

namespace el::fuzz {
namespace {

constexpr size_t kMaxTypesChecked = 8;

Status CheckType(const std::string& text, std::vector<lake::SchemaType>& parsed) {
  Result<lake::SchemaType> type = lake::SchemaType::Parse(text);
  if (!type.ok()) return Status::Ok();
  std::string printed = type->ToString();
  Result<lake::SchemaType> again = lake::SchemaType::Parse(printed);
  if (!again.ok() || !(*again == *type) || again->ToString() != printed) {
    return Internal("type text does not survive printing: " + text.substr(0, 200));
  }
  parsed.push_back(std::move(type).value());
  return Status::Ok();
}

Status CheckMerges(const std::vector<lake::SchemaType>& types) {
  for (size_t i = 0; i < types.size(); ++i) {
    for (size_t j = i; j < types.size(); ++j) {
      const lake::SchemaType& a = types[i];
      const lake::SchemaType& b = types[j];
      lake::SchemaType merged = lake::MergeTypes(a, b);
      if (!(lake::MergeTypes(merged, a) == merged) || !(lake::MergeTypes(merged, b) == merged)) {
        return Internal("merging " + a.ToString() + " and " + b.ToString() + " into " +
                        merged.ToString() + " does not stay put");
      }
      if (lake::CompareTypes(merged, merged) != lake::TypeChange::kSame) {
        return Internal("a type differs from itself: " + merged.ToString());
      }
      if (lake::CompareTypes(a, merged) != lake::TypeChange::kSame) {
        (void)lake::ConvertExpr("v", a, merged);
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status SchemaEntry(Input data) {
  std::string text(reinterpret_cast<const char*>(data.data()), data.size());
  std::vector<lake::SchemaType> types;
  Result<lake::SchemaVersion> version = lake::ParseSchemaVersion(text);
  if (!version.ok()) {
    // Not a version file: the bytes as one type text (lines as several).
    size_t start = 0;
    while (start <= text.size() && types.size() < kMaxTypesChecked) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      EL_RETURN_IF_ERROR(CheckType(text.substr(start, end - start), types));
      start = end + 1;
    }
    return CheckMerges(types);
  }
  std::string printed = lake::SchemaVersionJson(*version);
  Result<lake::SchemaVersion> again = lake::ParseSchemaVersion(printed);
  if (!again.ok() || again->version != version->version || again->created != version->created ||
      again->columns != version->columns || again->changes != version->changes) {
    return Internal("a schema version does not survive printing");
  }
  for (const lake::SchemaColumn& c : version->columns) {
    if (types.size() == kMaxTypesChecked) break;
    EL_RETURN_IF_ERROR(CheckType(c.type, types));
  }
  EL_RETURN_IF_ERROR(CheckMerges(types));
  std::vector<lake::SchemaColumn> merged = lake::MergeColumns(version->columns, version->columns);
  if (lake::MergeColumns(merged, version->columns) != merged) {
    return Internal("merging a version's columns into their merge changes it");
  }
  return Status::Ok();
}

}  // namespace el::fuzz
