#include "query/format.h"

#include <algorithm>

#include "base/json_text.h"

namespace el::query {
namespace {

// Display width in code points (UTF-8 continuation bytes do not count).
size_t Width(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void Pad(std::string& out, std::string_view s, size_t width) {
  out += s;
  out.append(width - std::min(width, Width(s)), ' ');
}

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Result<Format> ParseFormat(std::string_view text) {
  if (text == "table") return Format::kTable;
  if (text == "csv") return Format::kCsv;
  if (text == "json") return Format::kJson;
  return InvalidArgument("bad format '" + std::string(text) + "': expected table, csv or json");
}

std::string FormatAsTable(const ResultTable& t) {
  std::vector<size_t> widths;
  for (const auto& c : t.columns) widths.push_back(Width(c));
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], row[c] ? Width(*row[c]) : size_t{4});
    }
  }
  std::string out;
  auto line = [&](auto cell) {
    for (size_t c = 0; c < widths.size(); ++c) {
      out += c == 0 ? " " : " | ";
      Pad(out, cell(c), widths[c]);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  };
  line([&](size_t c) -> std::string_view { return t.columns[c]; });
  for (size_t c = 0; c < widths.size(); ++c) {
    out += c == 0 ? "-" : "-+-";
    out.append(widths[c], '-');
  }
  out += "-\n";
  for (const auto& row : t.rows) {
    line([&](size_t c) -> std::string_view {
      return c < row.size() && row[c] ? std::string_view(*row[c]) : std::string_view("NULL");
    });
  }
  out += "(" + std::to_string(t.rows.size()) + (t.rows.size() == 1 ? " row)\n" : " rows)\n");
  return out;
}

std::string FormatAsCsv(const ResultTable& t) {
  std::string out;
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (c > 0) out += ',';
    out += CsvField(t.columns[c]);
  }
  out += "\r\n";
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += ',';
      if (row[c]) out += CsvField(*row[c]);
    }
    out += "\r\n";
  }
  return out;
}

std::string FormatAsJson(const ResultTable& t) {
  std::string out = "[";
  for (size_t r = 0; r < t.rows.size(); ++r) {
    out += r == 0 ? "\n" : ",\n";
    const auto& row = t.rows[r];
    if (t.rows_are_json_objects) {
      out += row.empty() || !row[0] ? "null" : *row[0];
      continue;
    }
    out += '{';
    for (size_t c = 0; c < row.size() && c < t.columns.size(); ++c) {
      if (c > 0) out += ',';
      out += JsonString(t.columns[c]) + ":";
      bool literal = c < t.json_literal.size() && t.json_literal[c];
      out += !row[c] ? "null" : literal ? *row[c] : JsonString(*row[c]);
    }
    out += '}';
  }
  out += t.rows.empty() ? "]\n" : "\n]\n";
  return out;
}

std::string FormatResult(const ResultTable& table, Format format) {
  switch (format) {
    case Format::kTable: return FormatAsTable(table);
    case Format::kCsv: return FormatAsCsv(table);
    case Format::kJson: return FormatAsJson(table);
  }
  return FormatAsTable(table);
}

}  // namespace el::query
