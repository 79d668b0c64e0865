#include "query/shell/render.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace el::query::shell {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

Table Numbers(size_t columns, size_t rows) {
  Table t;
  for (size_t c = 0; c < columns; ++c)
    t.columns.push_back({"column_" + std::to_string(c), "BIGINT", true});
  for (size_t r = 0; r < rows; ++r) {
    std::vector<std::optional<std::string>> row;
    for (size_t c = 0; c < columns; ++c) row.emplace_back(std::to_string(r * 100 + c));
    t.rows.push_back(std::move(row));
  }
  return t;
}

TEST(RenderTest, DisplayWidthCountsTerminalColumns) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("é"), 1u);          // two bytes, one column
  EXPECT_EQ(DisplayWidth("日本"), 4u);       // wide
  EXPECT_EQ(DisplayWidth("e\xcc\x81"), 1u);  // e + combining acute accent
  EXPECT_EQ(DisplayWidth("\xff"
                         "a"),
            2u);  // a byte that is not UTF-8 counts one
  EXPECT_EQ(DisplayWidth("🙂"), 2u);
}

TEST(RenderTest, TruncateCutsWholeCodePoints) {
  EXPECT_EQ(Truncate("abcdef", 6), "abcdef");
  EXPECT_EQ(Truncate("abcdef", 4), "abc…");
  EXPECT_EQ(Truncate("日本語", 5), "日本…");
  EXPECT_EQ(Truncate("日本語", 4), "日…");
  EXPECT_EQ(Truncate("été", 2), "é…");
}

TEST(RenderTest, DuckboxAlignsNumbersRightAndTextLeft) {
  Table t{{{"n", "INTEGER", true}, {"s", "VARCHAR"}}, {{"1", "a"}, {"22", std::nullopt}}};
  EXPECT_EQ(Render(t, {}),
            "┌─────────┬─────────┐\n"
            "│    n    │    s    │\n"
            "│ INTEGER │ VARCHAR │\n"
            "├─────────┼─────────┤\n"
            "│       1 │ a       │\n"
            "│      22 │ NULL    │\n"
            "└─────────┴─────────┘\n");
}

TEST(RenderTest, DuckboxEmptyResultSaysZeroRows) {
  Table t{{{"a", "INTEGER", true}}, {}};
  EXPECT_EQ(Render(t, {}),
            "┌─────────┐\n"
            "│    a    │\n"
            "│ INTEGER │\n"
            "├─────────┤\n"
            "│ 0 rows  │\n"
            "└─────────┘\n");
}

TEST(RenderTest, DuckboxLinesLineUpWithWideCharacters) {
  Table t{{{"name", "VARCHAR"}, {"n", "INTEGER", true}},
          {{"日本語", "1"}, {"été", "2"}, {"a\nb", "3"}}};
  std::vector<std::string> lines = Lines(Render(t, {}));
  ASSERT_EQ(lines.size(), 8u);
  for (const std::string& line : lines)
    EXPECT_EQ(DisplayWidth(line), DisplayWidth(lines[0])) << line;
  EXPECT_EQ(lines[6], "│ a\\nb    │       3 │");  // a newline in a value stays on its row
}

TEST(RenderTest, DuckboxElidesMiddleColumnsToFitTheWidth) {
  Table t = Numbers(12, 2);
  std::string out = Render(t, {Mode::kDuckbox, 60, 40});
  for (const std::string& line : Lines(out)) EXPECT_LE(DisplayWidth(line), 60u) << line;
  EXPECT_NE(out.find("column_0 "), std::string::npos) << out;
  EXPECT_NE(out.find("column_11"), std::string::npos) << out;
  EXPECT_EQ(out.find("column_6"), std::string::npos) << out;
  EXPECT_NE(out.find("│ … │"), std::string::npos) << out;
  EXPECT_NE(out.find("2 rows  12 columns (4 shown)"), std::string::npos) << out;
  // Everything fits in a wide terminal.
  EXPECT_EQ(Render(t, {Mode::kDuckbox, 200, 40}).find("…"), std::string::npos);
}

TEST(RenderTest, DuckboxCutsLongValuesUnlessThereIsRoom) {
  std::string long_text(50, 'x');
  Table t{{{"a", "VARCHAR"}, {"b", "VARCHAR"}}, {{long_text, "y"}}};
  std::string narrow = Render(t, {Mode::kDuckbox, 30, 40});
  for (const std::string& line : Lines(narrow)) EXPECT_LE(DisplayWidth(line), 30u) << line;
  EXPECT_NE(narrow.find("xxx…"), std::string::npos) << narrow;
  EXPECT_NE(Render(t, {Mode::kDuckbox, 100, 40}).find(long_text), std::string::npos);
}

TEST(RenderTest, DuckboxShowsFirstAndLastRowsBeyondMaxRows) {
  Table t = Numbers(1, 100);
  std::string out = Render(t, {Mode::kDuckbox, 80, 10});
  std::vector<std::string> lines = Lines(out);
  // 4 header lines, 5 + 1 + 5 rows, a rule, the footer, the bottom.
  ASSERT_EQ(lines.size(), 18u) << out;
  auto squash = [](std::string line) {
    line.erase(std::remove(line.begin(), line.end(), ' '), line.end());
    return line;
  };
  EXPECT_EQ(squash(lines[4]), "│0│");
  EXPECT_EQ(squash(lines[8]), "│400│");
  EXPECT_EQ(squash(lines[9]), "│·│");
  EXPECT_EQ(squash(lines[10]), "│9500│");
  EXPECT_EQ(squash(lines[14]), "│9900│");
  for (const std::string& line : lines)
    EXPECT_EQ(DisplayWidth(line), DisplayWidth(lines[0])) << line;
  EXPECT_NE(lines[16].find("100 rows (10 shown)"), std::string::npos) << out;
  EXPECT_EQ(Lines(Render(t, {Mode::kDuckbox, 80, 0})).size(), 105u);  // 0: every row
}

TEST(RenderTest, OtherModes) {
  Table t{{{"id", "INTEGER", true}, {"ok", "BOOLEAN", false, true}, {"name", "VARCHAR"}},
          {{"1", "true", "a|b"}, {"2", std::nullopt, std::nullopt}}};
  EXPECT_EQ(Render(t, {Mode::kLine}),
            "  id = 1\n  ok = true\nname = a|b\n\n  id = 2\n  ok = NULL\nname = NULL\n");
  EXPECT_EQ(Render(t, {Mode::kCsv}), "id,ok,name\r\n1,true,a|b\r\n2,,\r\n");
  EXPECT_EQ(
      Render(t, {Mode::kJson}),
      "[\n{\"id\":1,\"ok\":true,\"name\":\"a|b\"},\n{\"id\":2,\"ok\":null,\"name\":null}\n]\n");
  EXPECT_EQ(Render(t, {Mode::kJsonLines}),
            "{\"id\":1,\"ok\":true,\"name\":\"a|b\"}\n{\"id\":2,\"ok\":null,\"name\":null}\n");
  EXPECT_EQ(Render(t, {Mode::kMarkdown}),
            "| id | ok | name |\n|---:|---|---|\n| 1 | true | a\\|b |\n| 2 | NULL | NULL |\n");
}

TEST(RenderTest, ParseMode) {
  EXPECT_EQ(*ParseMode("line"), Mode::kLine);
  EXPECT_EQ(*ParseMode("box"), Mode::kDuckbox);
  EXPECT_EQ(ModeName(Mode::kJsonLines), "jsonlines");
  Result<Mode> bad = ParseMode("html");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("duckbox, line, csv, json, jsonlines, markdown"),
            std::string::npos);
}

}  // namespace
}  // namespace el::query::shell
