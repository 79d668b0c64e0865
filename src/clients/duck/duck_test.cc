#include "clients/duck/duck.h"

#include <gtest/gtest.h>

namespace el::duck {
namespace {

TEST(DuckTest, QueryReadsTypedCells) {
  auto db = Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  auto con = Connection::Open(*db);
  ASSERT_TRUE(con.ok());
  auto res = con->Query("SELECT 42 AS n, 'x''y' AS s, NULL::INT AS z, {'a': 1, 'b': 'q'} AS st");
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->ColumnCount(), 4u);
  EXPECT_EQ(res->RowCount(), 1u);
  EXPECT_EQ(res->ColumnName(1), "s");
  EXPECT_EQ(res->Int(0, 0), 42);
  EXPECT_EQ(res->Text(1, 0), "x'y");
  EXPECT_TRUE(res->IsNull(2, 0));
  EXPECT_EQ(res->StructFieldNames(3), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(res->StructFieldNames(0).empty());
}

TEST(DuckTest, FailedQueryReturnsErrorAndConnectionStaysUsable) {
  auto db = Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  auto con = Connection::Open(*db);
  ASSERT_TRUE(con.ok());
  auto bad = con->Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("no_such_table"), std::string::npos);
  EXPECT_TRUE(con->Exec("CREATE TABLE t (a INT); INSERT INTO t VALUES (1), (2)").ok());
  auto res = con->Query("SELECT sum(a) FROM t");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->Int(0, 0), 3);
}

// Statements run through DuckDB's pending API keep their errors' classes: a file DuckDB cannot
// read or write is an I/O error at prepare time and while running, a wrong value is not.
TEST(DuckTest, ErrorsKeepTheirClassWhilePreparingAndRunning) {
  auto db = Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  auto con = Connection::Open(*db);
  ASSERT_TRUE(con.ok());
  auto missing = con->Query("SELECT * FROM read_parquet('/nonexistent/el/x.parquet')");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kIOError) << missing.status().ToString();
  Status unwritable = con->Exec("COPY (SELECT range AS n FROM range(100000)) TO '/proc/el-no-such/x.parquet' (FORMAT parquet)");
  ASSERT_FALSE(unwritable.ok());
  EXPECT_EQ(unwritable.code(), StatusCode::kIOError) << unwritable.ToString();
  auto cast = con->Query("SELECT CAST('x' || range AS INTEGER) FROM range(100000)");
  ASSERT_FALSE(cast.ok());
  EXPECT_EQ(cast.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(cast.status().message().find("Conversion Error"), std::string::npos) << cast.status().ToString();
  auto big = con->Query("SELECT count(*) FROM (SELECT range % 7 AS k FROM range(3000000)) GROUP BY ALL ORDER BY 1");
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->Int(0, 0), 3000000);
}

TEST(DuckTest, HasTableSeesTablesNotViews) {
  auto db = Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  auto con = Connection::Open(*db);
  ASSERT_TRUE(con.ok());
  EXPECT_FALSE(con->HasTable("t"));
  ASSERT_TRUE(con->Exec("CREATE TABLE t (a INT); CREATE VIEW v AS SELECT 1").ok());
  EXPECT_TRUE(con->HasTable("t"));
  EXPECT_FALSE(con->HasTable("v"));
  ASSERT_TRUE(con->Exec("DROP TABLE t").ok());
  EXPECT_FALSE(con->HasTable("t"));
}

TEST(DuckTest, AppenderWritesRows) {
  auto db = Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  auto con = Connection::Open(*db);
  ASSERT_TRUE(con.ok());
  ASSERT_TRUE(con->Exec("CREATE TABLE t (s VARCHAR, i INTEGER, b BIGINT, ts TIMESTAMP)").ok());
  EXPECT_FALSE(Appender::Create(*con, "missing").ok());
  auto app = Appender::Create(*con, "t");
  ASSERT_TRUE(app.ok());
  ASSERT_TRUE(app->AppendText("hello").ok());
  ASSERT_TRUE(app->AppendInt32(7).ok());
  ASSERT_TRUE(app->AppendInt64(1LL << 40).ok());
  ASSERT_TRUE(app->AppendTimestampMicros(1'000'000).ok());
  ASSERT_TRUE(app->EndRow().ok());
  ASSERT_TRUE(app->AppendNull().ok());
  ASSERT_TRUE(app->AppendNull().ok());
  ASSERT_TRUE(app->AppendNull().ok());
  ASSERT_TRUE(app->AppendNull().ok());
  ASSERT_TRUE(app->EndRow().ok());
  ASSERT_TRUE(app->Close().ok());
  auto res = con->Query("SELECT count(*), max(b), CAST(max(ts) AS VARCHAR) FROM t");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->Int(0, 0), 2);
  EXPECT_EQ(res->Int(1, 0), 1LL << 40);
  EXPECT_EQ(res->Text(2, 0), "1970-01-01 00:00:01");
}

TEST(DuckTest, Quoting) {
  EXPECT_EQ(QuoteIdent("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
}

}  // namespace
}  // namespace el::duck
