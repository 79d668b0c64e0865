#include "console/sql_runner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "clients/duck/duck.h"

namespace el::console {
namespace {

class ReadOnlyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<duck::Database>(duck::Database::OpenInMemory().value());
    con_ = std::make_unique<duck::Connection>(duck::Connection::Open(*db_).value());
    ASSERT_TRUE(con_->Exec("CREATE TABLE t AS SELECT 1 AS a").ok());
  }
  Status Check(const std::string& sql) { return CheckReadOnly(con_->get(), sql); }

  std::unique_ptr<duck::Database> db_;
  std::unique_ptr<duck::Connection> con_;  // after db_: destroyed first
};

TEST_F(ReadOnlyTest, QueriesPass) {
  EXPECT_TRUE(Check("SELECT * FROM t").ok());
  EXPECT_TRUE(Check("  with x AS (SELECT 2) SELECT * FROM x;").ok());
  EXPECT_TRUE(Check("FROM t").ok());
  EXPECT_TRUE(Check("EXPLAIN SELECT * FROM t").ok());
  EXPECT_TRUE(Check("explain analyze SELECT count(*) FROM t").ok());
  // A PRAGMA that only reads is a table function: DuckDB plans it as a query.
  EXPECT_TRUE(Check("PRAGMA version").ok());
}

TEST_F(ReadOnlyTest, EverythingElseIsRefused) {
  for (const char* sql : {
           "INSERT INTO t VALUES (2)",
           "UPDATE t SET a = 3",
           "DELETE FROM t",
           "DROP TABLE t",
           "CREATE TABLE u (x INT)",
           "CREATE TABLE u AS SELECT 1",
           "ALTER TABLE t ADD COLUMN b INT",
           "COPY t TO '/tmp/el_console_test.csv'",
           "ATTACH ':memory:' AS other",
           "INSTALL httpfs",
           "LOAD httpfs",
           "SET threads = 1",
           "PRAGMA memory_limit = '1GB'",
           "PRAGMA enable_profiling",
           "CALL pragma_version()",
           "EXPORT DATABASE '/tmp/el_console_export'",
           "BEGIN TRANSACTION",
           "CHECKPOINT",
           "DETACH other",
           "EXPLAIN ANALYZE CREATE TABLE u AS SELECT 1",
           "EXPLAIN INSERT INTO t VALUES (1)",
       }) {
    Status st = Check(sql);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << sql;
  }
  auto rows = con_->Query("SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->Int(0, 0), 1);  // nothing ran
}

TEST_F(ReadOnlyTest, OneStatementOnly) {
  Status st = Check("SELECT 1; DROP TABLE t");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("one statement"), std::string::npos);
  EXPECT_EQ(Check("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Check("SELEC 1").code(), StatusCode::kInvalidArgument);
}

class SqlRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("el_console_lake_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "events");
    auto db = duck::Database::OpenInMemory();
    auto con = duck::Connection::Open(*db);
    ASSERT_TRUE(con->Exec("COPY (SELECT range AS n, 'x' || range AS s, TIMESTAMP '2024-01-01' + "
                          "INTERVAL (range) SECOND AS _timestamp FROM range(25)) TO '" +
                          (dir_ / "events" / "part-0.parquet").string() + "' (FORMAT parquet)")
                    .ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SqlRunnerTest, RunsAQueryOverTheLake) {
  SqlRunner runner(dir_.string(), SqlLimits{});
  auto r = runner.Run("SELECT n, s, NULL AS z FROM events ORDER BY n LIMIT 3");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->columns, (std::vector<std::string>{"n", "s", "z"}));
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_EQ(r->rows[2][1], "x2");
  EXPECT_FALSE(r->rows[0][2].has_value());
  EXPECT_FALSE(r->truncated);
}

TEST_F(SqlRunnerTest, CapsTheRows) {
  SqlRunner runner(dir_.string(), SqlLimits{std::chrono::milliseconds(10000), 10});
  auto r = runner.Run("SELECT * FROM events");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows.size(), 10u);
  EXPECT_TRUE(r->truncated);
}

TEST_F(SqlRunnerTest, RefusesWrites) {
  SqlRunner runner(dir_.string(), SqlLimits{});
  auto r = runner.Run("COPY events TO '" + (dir_ / "copy.csv").string() + "'");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "copy.csv"));
}

TEST_F(SqlRunnerTest, StopsALongQuery) {
  SqlRunner runner(dir_.string(), SqlLimits{std::chrono::milliseconds(200), 10});
  auto r = runner.Run("SELECT count(*) FROM range(1000000000000) a");
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded) << r.status().ToString();
  auto again = runner.Run("SELECT 1 AS one");  // the connection is usable afterwards
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->rows[0][0], "1");
}

TEST_F(SqlRunnerTest, ListsTables) {
  SqlRunner runner(dir_.string(), SqlLimits{});
  auto tables = runner.Tables();
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  ASSERT_EQ(tables->size(), 1u);
  EXPECT_EQ((*tables)[0].name, "events");
  EXPECT_EQ((*tables)[0].rows, 25);
  EXPECT_EQ((*tables)[0].files, 1);
  EXPECT_GT((*tables)[0].bytes, 0);
  ASSERT_TRUE((*tables)[0].last_landed_ms.has_value());
  EXPECT_EQ(*(*tables)[0].last_landed_ms, 1704067200000 + 24000);
}

}  // namespace
}  // namespace el::console
