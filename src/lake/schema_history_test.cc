#include "lake/schema_history.h"

#include <unistd.h>

#include <gtest/gtest.h>

namespace el::lake {
namespace {

namespace fs = std::filesystem;

TEST(SchemaHistoryTest, MergeColumnsNamesEveryChange) {
  std::vector<std::string> changes;
  auto merged = MergeColumns(
      {{"a", "INTEGER"}, {"s", "VARCHAR"}, {"o", "STRUCT(x BIGINT)"}},
      {{"a", "DOUBLE"}, {"s", "BIGINT"}, {"n", "BOOLEAN"}, {"o", "STRUCT(y VARCHAR)"}}, &changes);
  EXPECT_EQ(merged, (std::vector<SchemaColumn>{{"a", "DOUBLE"},
                                               {"s", "JSON"},
                                               {"o", "STRUCT(\"x\" BIGINT, \"y\" VARCHAR)"},
                                               {"n", "BOOLEAN"}}));
  EXPECT_EQ(changes, (std::vector<std::string>{
                         "a INTEGER -> DOUBLE", "s VARCHAR -> JSON", "added n BOOLEAN",
                         "o STRUCT(x BIGINT) -> STRUCT(\"x\" BIGINT, \"y\" VARCHAR)"}));
  changes.clear();
  EXPECT_EQ(MergeColumns(merged, {{"a", "BIGINT"}, {"s", "VARCHAR"}}, &changes), merged);
  EXPECT_TRUE(changes.empty());
  EXPECT_EQ(MergeTypeText("MAP(VARCHAR, BIGINT)", "MAP(VARCHAR, BIGINT)"), "MAP(VARCHAR, BIGINT)");
  EXPECT_EQ(MergeTypeText("STRUCT(", "VARCHAR"), "JSON");
  EXPECT_EQ(MergeTypeText("STRUCT(x JSON)", "STRUCT(\"x\" JSON)"), "STRUCT(x JSON)");  // no change
}

TEST(SchemaHistoryTest, VersionsAndConformedVersionRoundTrip) {
  fs::path dir = fs::temp_directory_path() / ("el_schema_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  EXPECT_TRUE(ReadSchemaHistory(dir)->empty());
  EXPECT_EQ(*ReadConformedVersion(dir), 0);
  ASSERT_TRUE(
      WriteSchemaVersion(dir, {1, "2024-01-01T00:00:00Z", {{"a", "BIGINT"}}, {"created"}}).ok());
  ASSERT_TRUE(
      WriteSchemaVersion(dir, {2, "2024-01-02T00:00:00Z", {{"a", "JSON"}}, {"a BIGINT -> JSON"}})
          .ok());
  ASSERT_TRUE(WriteConformedVersion(dir, 2).ok());
  auto history = ReadSchemaHistory(dir);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].columns, (std::vector<SchemaColumn>{{"a", "JSON"}}));
  EXPECT_EQ((*history)[1].changes, std::vector<std::string>{"a BIGINT -> JSON"});
  EXPECT_EQ(*ReadConformedVersion(dir), 2);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace el::lake
