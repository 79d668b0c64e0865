#include "query/sql_text.h"

#include <gtest/gtest.h>

namespace el::query {
namespace {

using Statements = std::vector<std::string>;

TEST(SqlTextTest, SplitsAtTopLevelSemicolons) {
  EXPECT_EQ(SplitStatements("SELECT 1 AS a; SELECT 2 AS b;"),
            (Statements{"SELECT 1 AS a", " SELECT 2 AS b"}));
  EXPECT_EQ(SplitStatements("SELECT 1"), Statements{"SELECT 1"});
  EXPECT_TRUE(SplitStatements(" ;; -- c\n /* x; */ ").empty());
}

TEST(SqlTextTest, SemicolonsInLiteralsAndCommentsDoNotSplit) {
  EXPECT_EQ(SplitStatements("SELECT 'a;b', \"c;d\" -- e;\n; SELECT /* ; */ 2"),
            (Statements{"SELECT 'a;b', \"c;d\" -- e;\n", " SELECT /* ; */ 2"}));
  EXPECT_EQ(SplitStatements("SELECT 'it''s;'; SELECT 3"),
            (Statements{"SELECT 'it''s;'", " SELECT 3"}));
  EXPECT_EQ(SplitStatements("SELECT E'a\\';b'; SELECT 4"),
            (Statements{"SELECT E'a\\';b'", " SELECT 4"}));
  EXPECT_EQ(SplitStatements("SELECT $$x;'y$$; SELECT $t$a;$$b$t$; SELECT $1"),
            (Statements{"SELECT $$x;'y$$", " SELECT $t$a;$$b$t$", " SELECT $1"}));
}

TEST(SqlTextTest, CompleteOnlyWhenTheLastStatementIsTerminated) {
  EXPECT_TRUE(IsCompleteSql("SELECT 1;"));
  EXPECT_TRUE(IsCompleteSql("SELECT 1;  -- done\n"));
  EXPECT_TRUE(IsCompleteSql("SELECT 1; SELECT 2;"));
  EXPECT_FALSE(IsCompleteSql("SELECT 1; SELECT 2"));
  EXPECT_FALSE(IsCompleteSql("SELECT 1"));
  EXPECT_FALSE(IsCompleteSql("SELECT 'a;"));
  EXPECT_FALSE(IsCompleteSql("SELECT \"a;\n"));
  EXPECT_FALSE(IsCompleteSql("SELECT $$;"));
  EXPECT_FALSE(IsCompleteSql("SELECT 1 -- ;"));
  EXPECT_FALSE(IsCompleteSql("SELECT /* ; */ 1"));
  EXPECT_FALSE(IsCompleteSql(""));
  EXPECT_FALSE(IsCompleteSql(" ; "));
}

}  // namespace
}  // namespace el::query
