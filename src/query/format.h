#pragma once
// Output formatting for query results. Pure functions over an in-memory table of text cells.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace el::query {

enum class Format { kTable, kCsv, kJson };

// Parses "table" | "csv" | "json". Errors: InvalidArgument.
Result<Format> ParseFormat(std::string_view text);

struct ResultTable {
  std::vector<std::string> columns;
  // Cells as text; nullopt is SQL NULL. For JSON output a cell may hold JSON text, see below.
  std::vector<std::vector<std::optional<std::string>>> rows;
  // JSON output: when set, rows hold one cell each: a complete JSON object per row.
  bool rows_are_json_objects = false;
  // JSON output without row objects: columns whose text is a JSON literal (numbers, booleans).
  std::vector<bool> json_literal;
};

// Aligned columns with a header and a "(N rows)" footer; NULL shown as "NULL".
std::string FormatAsTable(const ResultTable& table);
// RFC 4180: header line, CRLF line ends, fields quoted when they hold , " CR or LF; NULL is empty.
std::string FormatAsCsv(const ResultTable& table);
// One JSON array of objects (column name -> value).
std::string FormatAsJson(const ResultTable& table);
std::string FormatResult(const ResultTable& table, Format format);

}  // namespace el::query
