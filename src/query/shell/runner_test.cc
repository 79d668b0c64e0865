#include "query/shell/runner.h"

#include <gtest/gtest.h>

#include "base/test_dirs.h"

namespace el::query::shell {
namespace {

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Session::Open(test::FreshTestDir("el_runner_test").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    session_.emplace(std::move(*s));
  }
  // Runs `sql`; returns each statement's table (nullopt for statements without rows).
  Status Run(const std::string& sql, std::vector<std::optional<Table>>* tables) {
    Runner runner(*session_, interrupt_);
    return runner.Run(sql, [&](const StatementOutcome& o) { tables->push_back(o.table); });
  }

  std::optional<Session> session_;
  volatile std::sig_atomic_t interrupt_ = 0;
};

TEST_F(RunnerTest, EveryStatementGivesItsOwnResult) {
  std::vector<std::optional<Table>> tables;
  ASSERT_TRUE(
      Run("SELECT 1 AS a; CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (7); SELECT 2 AS b;"
          "SELECT * FROM t",
          &tables)
          .ok());
  ASSERT_EQ(tables.size(), 5u);
  ASSERT_TRUE(tables[0] && tables[3] && tables[4]);
  EXPECT_FALSE(tables[1]);  // CREATE and INSERT print nothing
  EXPECT_FALSE(tables[2]);
  EXPECT_EQ(tables[0]->columns[0].name, "a");
  EXPECT_EQ(tables[0]->columns[0].type, "INTEGER");
  EXPECT_TRUE(tables[0]->columns[0].numeric);
  EXPECT_EQ(tables[3]->rows, (std::vector<std::vector<std::optional<std::string>>>{{"2"}}));
  EXPECT_EQ(tables[4]->rows, (std::vector<std::vector<std::optional<std::string>>>{{"7"}}));
}

TEST_F(RunnerTest, NestedValuesPrintAsText) {
  std::vector<std::optional<Table>> tables;
  ASSERT_TRUE(
      Run("SELECT {'k': 1} AS s, [1, 2] AS l, NULL::INTEGER[] AS n, 'x' AS v", &tables).ok());
  ASSERT_TRUE(tables.at(0));
  const Table& t = *tables[0];
  EXPECT_EQ(t.columns[0].type, "STRUCT(k INTEGER)");
  EXPECT_EQ(t.columns[1].type, "INTEGER[]");
  EXPECT_EQ(t.rows.at(0),
            (std::vector<std::optional<std::string>>{"{'k': 1}", "[1, 2]", std::nullopt, "x"}));
}

TEST_F(RunnerTest, ErrorsKeepDuckDbsLinesAndCaret) {
  std::vector<std::optional<Table>> tables;
  Status st = Run("SELECT 1 AS a; SELECT nosuch FROM (SELECT 1 AS a); SELECT 3", &tables);
  EXPECT_EQ(tables.size(), 1u);  // the first statement ran, the one after the error did not
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("Binder Error"), std::string::npos) << st.message();
  // The caret stands under the column DuckDB names, on the line after "LINE 1: ...".
  std::string message = st.message();
  size_t line = message.find("LINE 1: ");
  ASSERT_NE(line, std::string::npos) << message;
  size_t eol = message.find('\n', line);
  std::string text = message.substr(line, eol - line);
  std::string caret = message.substr(eol + 1);
  EXPECT_EQ(caret.find_first_not_of(' '), text.find("nosuch")) << message;

  st = Run("SELEC 1", &tables);
  EXPECT_NE(st.message().find("Parser Error: syntax error at or near \"SELEC\"\n"),
            std::string::npos)
      << st.message();
}

TEST_F(RunnerTest, ExplainIsMarked) {
  Runner runner(*session_, interrupt_);
  std::vector<StatementOutcome> outcomes;
  ASSERT_TRUE(runner
                  .Run("EXPLAIN SELECT 1; SELECT 1",
                       [&](const StatementOutcome& o) { outcomes.push_back(o); })
                  .ok());
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_TRUE(outcomes[0].explain);
  EXPECT_FALSE(outcomes[1].explain);
  EXPECT_NE(outcomes[0].table->rows.at(0).back()->find("PROJECTION"), std::string::npos);
}

TEST_F(RunnerTest, AnInterruptStopsTheStatement) {
  interrupt_ = 1;
  std::vector<std::optional<Table>> tables;
  Status st = Run("SELECT sum(i) FROM range(10000000000000) t(i); SELECT 2", &tables);
  EXPECT_EQ(st.code(), StatusCode::kCancelled) << st.ToString();
  EXPECT_TRUE(tables.empty());
}

}  // namespace
}  // namespace el::query::shell
