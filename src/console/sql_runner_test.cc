#include "console/sql_runner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "clients/duck/duck.h"
#include "console/lake_json.h"
#include "lake/schema_history.h"

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
  EXPECT_EQ((*tables)[0].partitions, 0);  // files straight in the table folder
}

TEST_F(SqlRunnerTest, CountsPartitionFolders) {
  auto db = duck::Database::OpenInMemory();
  auto con = duck::Connection::Open(*db);
  ASSERT_TRUE(con->Exec("COPY (SELECT range AS n, range % 3 AS k FROM range(9)) TO '" +
                        (dir_ / "parted").string() + "' (FORMAT parquet, PARTITION_BY (k))")
                  .ok());
  SqlRunner runner(dir_.string(), SqlLimits{});
  auto tables = runner.Tables();
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  ASSERT_EQ(tables->size(), 2u);
  EXPECT_EQ((*tables)[1].name, "parted");
  EXPECT_EQ((*tables)[1].partitions, 3);
  EXPECT_EQ((*tables)[1].rows, 9);
}

TEST_F(SqlRunnerTest, ListsDeadLettersNewestFirst) {
  std::filesystem::create_directories(dir_ / "events_dead_letter");
  auto db = duck::Database::OpenInMemory();
  auto con = duck::Connection::Open(*db);
  ASSERT_TRUE(con->Exec("COPY (SELECT 'events' AS _topic, 0 AS _partition, range AS _offset, "
                        "TIMESTAMP '2024-01-01' + INTERVAL (range) SECOND AS _timestamp, "
                        "NULL::VARCHAR AS _key, repeat('r', 5000) AS raw, 'bad ' || range AS error "
                        "FROM range(4)) TO '" +
                        (dir_ / "events_dead_letter" / "part-0.parquet").string() +
                        "' (FORMAT parquet)")
                  .ok());
  {
    std::ofstream ledger(dir_ / "events_dead_letter" / "_replayed.tsv");
    ledger << "events\t0\t0\n";
  }
  SqlRunner runner(dir_.string(), SqlLimits{});
  auto dead = runner.DeadLetters(2);
  ASSERT_TRUE(dead.ok()) << dead.status().ToString();
  ASSERT_EQ(dead->size(), 1u);
  const DeadLetterTable& t = (*dead)[0];
  EXPECT_EQ(t.table, "events_dead_letter");
  EXPECT_EQ(t.source, "events");
  EXPECT_EQ(t.rows, 4);
  EXPECT_EQ(t.replayed, 1);
  ASSERT_EQ(t.newest.size(), 2u);
  EXPECT_EQ(t.newest[0].offset, 3);
  EXPECT_EQ(t.newest[0].error, "bad 3");
  EXPECT_EQ(t.newest[0].timestamp_ms, 1704067200000 + 3000);
  EXPECT_EQ(t.newest[0].raw.size(), kDeadLetterRawMax);
  EXPECT_EQ(t.newest[1].offset, 2);
  // The overview's JSON carries the same.
  std::string json = DeadLettersJson(*dead);
  EXPECT_NE(json.find("\"source\":\"events\",\"rows\":4,\"replayed\":1"), std::string::npos)
      << json;
  // A lake without dead letters has none to list.
  std::filesystem::remove_all(dir_ / "events_dead_letter");
  auto none = runner.DeadLetters(2);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(SqlRunnerTest, SchemaHistoryAsJson) {
  lake::SchemaVersion v1{1, "2024-01-01T00:00:00Z", {{"n", "BIGINT"}}, {}};
  lake::SchemaVersion v2{2,
                         "2024-01-02T00:00:00Z",
                         {{"n", "DOUBLE"}, {"s", "VARCHAR"}},
                         {"n BIGINT -> DOUBLE", "added s VARCHAR"}};
  ASSERT_TRUE(lake::WriteSchemaVersion(dir_ / "events", v1).ok());
  ASSERT_TRUE(lake::WriteSchemaVersion(dir_ / "events", v2).ok());
  auto json = SchemaJson(dir_.string(), "events");
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_NE(json->find("\"folder\":\"events\",\"versions\":[{\"version\":1,"), std::string::npos)
      << *json;
  EXPECT_NE(json->find("\"changes\":[\"n BIGINT -> DOUBLE\",\"added s VARCHAR\"]"),
            std::string::npos)
      << *json;
  EXPECT_EQ(SchemaJson(dir_.string(), "nothing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(SchemaJson(dir_.string(), "../events").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SchemaJson(dir_.string(), "_schema").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace el::console
