#include "query/session.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

namespace el::query {
namespace {

namespace fs = std::filesystem;

TEST(SplitStatementsTest, RespectsQuotesAndComments) {
  EXPECT_EQ(SplitStatements("select 1; select ';' -- x;\n; /* ; */ select \"a;b\";  ;"),
            (std::vector<std::string>{"select 1", " select ';' -- x;\n", " /* ; */ select \"a;b\""}));
  EXPECT_TRUE(SplitStatements(" -- only a comment\n ").empty());
}

TEST(SessionTest, ViewsOverLakeTablesAndNestedOutput) {
  fs::path lake = fs::temp_directory_path() / ("el_query_test_" + std::to_string(::getpid()));
  fs::remove_all(lake);
  fs::create_directories(lake / "ev" / "_staging-1");
  fs::create_directories(lake / "_staging");
  {
    auto s = Session::Open(lake.string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_TRUE(s->Tables().empty());
    std::string base = (lake / "ev").string();
    auto r = s->Run("COPY (SELECT 1 AS a, {'k': 'v'} AS st, [1,2] AS l) TO '" + base +
                    "/f1.parquet'; COPY (SELECT 2 AS a, 'x' AS b) TO '" + base +
                    "/f2.parquet'; COPY (SELECT 99 AS a) TO '" + base + "/_staging-1/f3.parquet'",
                    Format::kTable);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    auto t = s->Run("SELECT a, b, st, l FROM ev ORDER BY a", Format::kCsv);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(s->Tables(), std::vector<std::string>{"ev"});
    EXPECT_EQ(FormatAsCsv(*t), "a,b,st,l\r\n1,,{'k': v},\"[1, 2]\"\r\n2,x,,\r\n");
    auto j = s->Run("SELECT a, st FROM ev ORDER BY a", Format::kJson);
    ASSERT_TRUE(j.ok());
    EXPECT_EQ(FormatAsJson(*j), "[\n{\"a\":1,\"st\":{\"k\":\"v\"}},\n{\"a\":2,\"st\":null}\n]\n");
    auto e = s->Run("SELECT * FROM nope", Format::kTable);
    EXPECT_FALSE(e.ok());
  }
  fs::remove_all(lake);
}

// A view is made again when its table gained a file or a file was rewritten in place (another
// type, as a type change or compaction does), and kept otherwise.
TEST(SessionTest, ViewsFollowNewAndRewrittenFiles) {
  fs::path lake = fs::temp_directory_path() / ("el_query_views_" + std::to_string(::getpid()));
  fs::remove_all(lake);
  fs::create_directories(lake / "ev");
  std::string f1 = (lake / "ev" / "f1.parquet").string();
  {
    auto s = Session::Open(lake.string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto sum = [&] {
      auto t = s->Run("SELECT sum(a)::VARCHAR || ' ' || typeof(any_value(a)) FROM ev", Format::kCsv);
      EXPECT_TRUE(t.ok()) << t.status().ToString();
      return t.ok() && !t->rows.empty() && t->rows[0][0] ? *t->rows[0][0] : std::string();
    };
    ASSERT_TRUE(s->Run("COPY (SELECT 1 AS a) TO '" + f1 + "'", Format::kCsv).ok());
    EXPECT_EQ(sum(), "1 INTEGER");
    EXPECT_EQ(sum(), "1 INTEGER");  // nothing changed: the same view
    ASSERT_TRUE(s->Run("COPY (SELECT 2 AS a) TO '" + (lake / "ev" / "f2.parquet").string() + "'", Format::kCsv).ok());
    EXPECT_EQ(sum(), "3 INTEGER");
    fs::last_write_time(f1, fs::last_write_time(f1) - std::chrono::seconds(5));
    ASSERT_TRUE(s->Run("COPY (SELECT 40::BIGINT AS a) TO '" + f1 + "'", Format::kCsv).ok());
    EXPECT_EQ(sum(), "42 BIGINT");
  }
  fs::remove_all(lake);
}

// A file DuckDB cannot read (truncated, another tool's) fails the statements that read its table,
// naming the file; every other table stays queryable.
TEST(SessionTest, UnreadableFileFailsOnlyItsTable) {
  fs::path lake = fs::temp_directory_path() / ("el_query_broken_" + std::to_string(::getpid()));
  fs::remove_all(lake);
  fs::create_directories(lake / "good");
  fs::create_directories(lake / "bad");
  {
    auto s = Session::Open(lake.string());
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(s->Run("COPY (SELECT 1 AS a) TO '" + (lake / "good" / "f.parquet").string() + "'", Format::kCsv).ok());
    std::ofstream(lake / "bad" / "truncated.parquet") << "PAR1 not really";
    auto good = s->Run("SELECT a FROM good", Format::kCsv);
    ASSERT_TRUE(good.ok()) << good.status().ToString();
    EXPECT_EQ(FormatAsCsv(*good), "a\r\n1\r\n");
    auto bad = s->Run("SELECT * FROM bad", Format::kCsv);
    ASSERT_FALSE(bad.ok());
    EXPECT_FALSE(s->Run("SELECT count(*) FROM bad", Format::kCsv).ok());
    EXPECT_NE(bad.status().message().find("truncated.parquet"), std::string::npos) << bad.status().ToString();
    EXPECT_NE(bad.status().message().find("table bad"), std::string::npos) << bad.status().ToString();
  }
  fs::remove_all(lake);
}

}  // namespace
}  // namespace el::query
