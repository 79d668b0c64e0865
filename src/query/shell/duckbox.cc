#include "query/shell/duckbox.h"

#include <algorithm>
#include <cstdio>
#include <optional>

namespace el::query::shell {
namespace {

constexpr size_t kMaxColumnWidth = 20;  // before spare terminal columns widen a cut column
constexpr size_t kEllipsis = static_cast<size_t>(-1);  // the "…" column standing for hidden ones

// One line per value: control characters shown as escapes.
std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::string CellText(const std::optional<std::string>& v) { return v ? Escape(*v) : "NULL"; }

enum class Align { kLeft, kRight, kCenter };

void Put(std::string& out, std::string_view text, size_t width, Align align) {
  std::string cut = Truncate(text, width);
  size_t pad = width - std::min(width, DisplayWidth(cut));
  size_t left = align == Align::kRight ? pad : align == Align::kCenter ? pad / 2 : 0;
  out.append(left, ' ');
  out += cut;
  out.append(pad - left, ' ');
}

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

class Box {
 public:
  Box(const Table& t, size_t max_width, size_t max_rows) : t_(t), max_width_(max_width) {
    ChooseRows(max_rows);
    ChooseColumns();
    FitFooter();
  }
  std::string Draw() const;

 private:
  void ChooseRows(size_t max_rows);
  void ChooseColumns();
  void FitFooter();
  size_t InnerWidth() const;
  size_t FullWidth(size_t c) const;
  std::string Rule(std::string_view left, std::string_view mid, std::string_view right) const;
  std::string Footer() const;

  const Table& t_;
  size_t max_width_;
  std::vector<std::optional<size_t>> rows_;  // nullopt: the "·" row
  std::vector<size_t> cols_;                 // indices of t_.columns, or kEllipsis
  std::vector<size_t> widths_;               // per entry of cols_
};

void Box::ChooseRows(size_t max_rows) {
  size_t n = t_.rows.size();
  if (max_rows == 0 || n <= max_rows) {
    for (size_t r = 0; r < n; ++r) rows_.emplace_back(r);
    return;
  }
  size_t top = std::max<size_t>(1, max_rows / 2);
  size_t bottom = std::max<size_t>(1, max_rows - top);
  for (size_t r = 0; r < top; ++r) rows_.emplace_back(r);
  rows_.emplace_back(std::nullopt);
  for (size_t r = n - bottom; r < n; ++r) rows_.emplace_back(r);
}

size_t Box::FullWidth(size_t c) const {
  size_t w =
      std::max<size_t>({1, DisplayWidth(t_.columns[c].name), DisplayWidth(t_.columns[c].type)});
  for (const auto& r : rows_) {
    if (r && c < t_.rows[*r].size()) w = std::max(w, DisplayWidth(CellText(t_.rows[*r][c])));
  }
  return w;
}

void Box::ChooseColumns() {
  size_t n = t_.columns.size();
  std::vector<size_t> full(n), capped(n);
  size_t total = 1;  // the left border; each column adds its width + 3 (" x │")
  for (size_t c = 0; c < n; ++c) {
    full[c] = FullWidth(c);
    capped[c] = std::min(full[c], kMaxColumnWidth);
    total += capped[c] + 3;
  }
  std::vector<bool> keep(n, total <= max_width_);
  if (total > max_width_) {
    // Keep columns from both ends inwards while they fit beside the "…" column.
    total = 1 + 4;
    for (size_t k = 0; k < n; ++k) {
      size_t c = k % 2 == 0 ? k / 2 : n - 1 - k / 2;
      if (total + capped[c] + 3 > max_width_ && k > 0) break;
      keep[c] = true;
      total += capped[c] + 3;
    }
  }
  for (size_t c = 0; c < n; ++c) {
    if (!keep[c]) continue;
    // The "…" column goes where the hidden ones were.
    if (c > 0 && !keep[c - 1] && std::find(cols_.begin(), cols_.end(), kEllipsis) == cols_.end()) {
      cols_.push_back(kEllipsis);
      widths_.push_back(1);
    }
    cols_.push_back(c);
    widths_.push_back(capped[c]);
  }
  if (total > max_width_ && !widths_.empty()) {
    // Even one column is too wide: narrow the first one (never below 1).
    widths_[0] -= std::min(widths_[0] - 1, total - max_width_);
  } else {
    // Spare terminal columns widen the values that were cut, left to right.
    size_t spare = max_width_ - total;
    for (size_t i = 0; i < cols_.size() && spare > 0; ++i) {
      if (cols_[i] == kEllipsis) continue;
      size_t grow = std::min(spare, full[cols_[i]] - widths_[i]);
      widths_[i] += grow;
      spare -= grow;
    }
  }
}

size_t Box::InnerWidth() const {
  size_t inner = 0;
  for (size_t w : widths_) inner += w + 3;
  return inner - 3;  // between the borders: "│ " + text + " │"
}

void Box::FitFooter() {
  if (widths_.empty()) return;
  size_t need = DisplayWidth(Footer());
  size_t inner = InnerWidth();
  size_t room = max_width_ > inner + 4 ? max_width_ - inner - 4 : 0;
  if (need > inner) widths_.back() += std::min(need - inner, room);
}

std::string Box::Rule(std::string_view left, std::string_view mid, std::string_view right) const {
  std::string out(left);
  for (size_t i = 0; i < widths_.size(); ++i) {
    if (i > 0) out += mid;
    out += Repeat("─", widths_[i] + 2);
  }
  return out + std::string(right) + "\n";
}

std::string Box::Footer() const {
  size_t n = t_.rows.size();
  size_t shown_rows = std::count_if(rows_.begin(), rows_.end(), [](const auto& r) { return r; });
  bool hidden_cols = std::find(cols_.begin(), cols_.end(), kEllipsis) != cols_.end();
  std::string rows = std::to_string(n) + (n == 1 ? " row" : " rows");
  if (shown_rows < n) rows += " (" + std::to_string(shown_rows) + " shown)";
  if (!hidden_cols) return n == 0 || shown_rows < n ? rows : "";
  return rows + "  " + std::to_string(t_.columns.size()) + " columns (" +
         std::to_string(cols_.size() - 1) + " shown)";
}

std::string Box::Draw() const {
  if (t_.columns.empty()) return "";
  std::string out = Rule("┌", "┬", "┐");
  auto line = [&](auto cell) {
    out += "│";
    for (size_t i = 0; i < cols_.size(); ++i) {
      out += " ";
      auto [text, align] = cell(i);
      Put(out, text, widths_[i], align);
      out += " │";
    }
    out += "\n";
  };
  line([&](size_t i) {
    return std::pair{cols_[i] == kEllipsis ? std::string("…") : t_.columns[cols_[i]].name,
                     Align::kCenter};
  });
  line([&](size_t i) {
    return std::pair{cols_[i] == kEllipsis ? std::string() : t_.columns[cols_[i]].type,
                     Align::kCenter};
  });
  std::string footer = Footer();
  out += rows_.empty() ? Rule("├", "┴", "┤") : Rule("├", "┼", "┤");
  for (const auto& r : rows_) {
    line([&](size_t i) {
      size_t c = cols_[i];
      if (!r) return std::pair{std::string("·"), Align::kCenter};
      if (c == kEllipsis) return std::pair{std::string("…"), Align::kCenter};
      std::string text = c < t_.rows[*r].size() ? CellText(t_.rows[*r][c]) : "";
      return std::pair{text, t_.columns[c].numeric ? Align::kRight : Align::kLeft};
    });
  }
  if (footer.empty()) return out + Rule("└", "┴", "┘");
  if (!rows_.empty()) out += Rule("├", "┴", "┤");
  out += "│ ";
  Put(out, footer, InnerWidth(), Align::kLeft);
  out += " │\n";
  return out + Rule("└", "─", "┘");
}

}  // namespace

std::string RenderDuckbox(const Table& table, size_t max_width, size_t max_rows) {
  return Box(table, max_width, max_rows).Draw();
}

}  // namespace el::query::shell
