#include "jobs/schema_history.h"

#include <unistd.h>

#include <gtest/gtest.h>

namespace el::jobs {
namespace {

namespace fs = std::filesystem;

class SchemaHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("schema_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    auto db = duck::Database::OpenInMemory();
    ASSERT_TRUE(db.ok());
    db_.emplace(std::move(*db));
    auto con = duck::Connection::Open(*db_);
    ASSERT_TRUE(con.ok());
    con_.emplace(std::move(*con));
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> con_;
};

TEST_F(SchemaHistoryTest, MergesTypes) {
  EXPECT_EQ(MergeTypes(*con_, "INTEGER", "BIGINT"), "BIGINT");
  EXPECT_EQ(MergeTypes(*con_, "BIGINT", "DOUBLE"), "DOUBLE");
  EXPECT_EQ(MergeTypes(*con_, "BIGINT", "VARCHAR"), "JSON");
  EXPECT_EQ(MergeTypes(*con_, "STRUCT(x BIGINT)", "VARCHAR"), "JSON");
  EXPECT_EQ(MergeTypes(*con_, "STRUCT(x BIGINT)", "STRUCT(x BIGINT, y VARCHAR)"), "STRUCT(x BIGINT, y VARCHAR)");
  EXPECT_EQ(MergeTypes(*con_, "BOOLEAN", "BOOLEAN"), "BOOLEAN");
  EXPECT_EQ(MergeTypes(*con_, "TIMESTAMP", "VARCHAR"), "VARCHAR");
  EXPECT_EQ(MergeTypes(*con_, "UUID", "VARCHAR"), "VARCHAR");
  EXPECT_EQ(MergeTypes(*con_, "DATE", "TIMESTAMP"), "TIMESTAMP");
  EXPECT_EQ(MergeTypes(*con_, "TIMESTAMP", "BIGINT"), "JSON");
}

TEST_F(SchemaHistoryTest, RecordsVersionsOnlyOnChange) {
  auto sel = ConformToSchema(*con_, dir_, {{"a", "INTEGER"}, {"s", "VARCHAR"}});
  ASSERT_TRUE(sel.ok()) << sel.status().ToString();
  EXPECT_EQ(*sel, "\"a\", \"s\"");
  ASSERT_TRUE(ConformToSchema(*con_, dir_, {{"a", "INTEGER"}}).ok());
  EXPECT_EQ(ReadSchemaHistory(dir_).size(), 1u);
  sel = ConformToSchema(*con_, dir_, {{"a", "DOUBLE"}, {"s", "BIGINT"}, {"n", "BOOLEAN"}});
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ(*sel, "\"a\", CAST(to_json(\"s\") AS JSON) AS \"s\", \"n\"");
  sel = ConformToSchema(*con_, dir_, {{"a", "INTEGER"}});
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ(*sel, "TRY_CAST(\"a\" AS DOUBLE) AS \"a\"");
  auto history = ReadSchemaHistory(dir_);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].changes, std::vector<std::string>{"created"});
  EXPECT_EQ(history[1].version, 2);
  EXPECT_EQ(history[1].changes,
            (std::vector<std::string>{"a INTEGER -> DOUBLE", "s VARCHAR -> JSON", "added n BOOLEAN"}));
  ASSERT_EQ(history[1].columns.size(), 3u);
  EXPECT_EQ(history[1].columns[1].type, "JSON");
}

}  // namespace
}  // namespace el::jobs
