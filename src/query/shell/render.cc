#include "query/shell/render.h"

#include <algorithm>
#include <cstdint>

#include "base/json_text.h"
#include "query/format.h"
#include "query/shell/duckbox.h"

namespace el::query::shell {
namespace {

struct CodePoint {
  uint32_t value;
  size_t bytes;
};

// Decodes the code point at text[i]; a byte that does not start valid UTF-8 is its own unit.
CodePoint Decode(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char b = byte(i);
  size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n <= 1 || i + n > text.size()) return {b, 1};
  uint32_t v = b & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {b, 1};
    v = (v << 6) | (byte(i + k) & 0x3F);
  }
  return {v, n};
}

size_t CodePointWidth(uint32_t c) {
  if ((c >= 0x300 && c <= 0x36F) || (c >= 0x200B && c <= 0x200F) || (c >= 0xFE00 && c <= 0xFE0F)) {
    return 0;  // combining marks, zero-width spaces, variation selectors
  }
  bool wide = (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
              (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
              (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
              (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
              (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
              (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
              (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
  return wide ? 2 : 1;
}

ResultTable ToResultTable(const Table& t) {
  ResultTable out;
  for (const Column& c : t.columns) {
    out.columns.push_back(c.name);
    out.json_literal.push_back(c.numeric || c.boolean);
  }
  out.rows = t.rows;
  return out;
}

std::string RenderLine(const Table& t) {
  size_t width = 0;
  for (const Column& c : t.columns) width = std::max(width, DisplayWidth(c.name));
  std::string out;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    if (r > 0) out += '\n';
    for (size_t c = 0; c < t.columns.size() && c < t.rows[r].size(); ++c) {
      out.append(width - DisplayWidth(t.columns[c].name), ' ');
      out += t.columns[c].name + " = " + t.rows[r][c].value_or("NULL") + "\n";
    }
  }
  return out;
}

std::string RenderJsonLines(const Table& t) {
  ResultTable rt = ToResultTable(t);
  std::string out;
  for (const auto& row : t.rows) {
    rt.rows = {row};
    std::string array = FormatAsJson(rt);  // "[\n{...}\n]\n"
    size_t open = array.find('{');
    size_t close = array.rfind('}');
    out += array.substr(open, close - open + 1) + "\n";
  }
  return out;
}

std::string MarkdownCell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

std::string RenderMarkdown(const Table& t) {
  std::string out = "|";
  for (const Column& c : t.columns) out += " " + MarkdownCell(c.name) + " |";
  out += "\n|";
  for (const Column& c : t.columns) out += c.numeric ? "---:|" : "---|";
  out += "\n";
  for (const auto& row : t.rows) {
    out += "|";
    for (const auto& cell : row) out += " " + MarkdownCell(cell.value_or("NULL")) + " |";
    out += "\n";
  }
  return out;
}

struct ModeEntry {
  const char* name;
  Mode mode;
};
constexpr ModeEntry kModes[] = {
    {"duckbox", Mode::kDuckbox}, {"line", Mode::kLine},           {"csv", Mode::kCsv},
    {"json", Mode::kJson},       {"jsonlines", Mode::kJsonLines}, {"markdown", Mode::kMarkdown}};

}  // namespace

Result<Mode> ParseMode(std::string_view name) {
  if (name == "box" || name == "table") return Mode::kDuckbox;
  for (const ModeEntry& m : kModes) {
    if (name == m.name) return m.mode;
  }
  std::string names;
  for (const std::string& n : ModeNames()) names += (names.empty() ? "" : ", ") + n;
  return InvalidArgument("unknown mode '" + std::string(name) + "': expected one of " + names);
}

std::string_view ModeName(Mode mode) {
  for (const ModeEntry& m : kModes) {
    if (m.mode == mode) return m.name;
  }
  return "duckbox";
}

const std::vector<std::string>& ModeNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const ModeEntry& m : kModes) v.emplace_back(m.name);
    return v;
  }();
  return names;
}

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    CodePoint cp = Decode(text, i);
    width += CodePointWidth(cp.value);
    i += cp.bytes;
  }
  return width;
}

std::string Truncate(std::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width == 0) return "";
  size_t used = 0;
  size_t end = 0;
  while (end < text.size()) {
    CodePoint cp = Decode(text, end);
    size_t w = CodePointWidth(cp.value);
    if (used + w > width - 1) break;  // room for "…"
    used += w;
    end += cp.bytes;
  }
  return std::string(text.substr(0, end)) + "…";
}

std::string Render(const Table& table, const RenderOptions& options) {
  switch (options.mode) {
    case Mode::kDuckbox:
      return RenderDuckbox(table, options.max_width, options.max_rows);
    case Mode::kLine:
      return RenderLine(table);
    case Mode::kCsv:
      return FormatAsCsv(ToResultTable(table));
    case Mode::kJson:
      return FormatAsJson(ToResultTable(table));
    case Mode::kJsonLines:
      return RenderJsonLines(table);
    case Mode::kMarkdown:
      return RenderMarkdown(table);
  }
  return RenderDuckbox(table, options.max_width, options.max_rows);
}

}  // namespace el::query::shell
