#include "query/table_needs.h"

#include <gtest/gtest.h>

namespace el::query {
namespace {

class TableNeedsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = duck::Database::OpenInMemory();
    ASSERT_TRUE(db.ok());
    db_.emplace(std::move(*db));
    auto con = duck::Connection::Open(*db_);
    ASSERT_TRUE(con.ok());
    con_.emplace(std::move(*con));
  }
  std::map<std::string, TableNeed> Needs(const std::string& sql) {
    return TablesNeeded(*con_, sql, {"events", "events_purchase", "Other"});
  }
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> con_;  // after db_: destroyed first
};

using Allowed = std::map<std::string, std::set<std::string>>;

TEST_F(TableNeedsTest, NamesTablesAndPrunesOnEqualityAndIn) {
  auto n = Needs("SELECT count(*) FROM events WHERE event_type = 'a' AND hour IN (1, 2) AND x > 3");
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n["events"].allowed, (Allowed{{"event_type", {"a"}}, {"hour", {"1", "2"}}}));
  n = Needs("select * from EVENTS e join other o on true where e.dt = '2024-01-01' and dt = 'x'");
  ASSERT_EQ(n.size(), 2u);
  EXPECT_EQ(n["events"].allowed, (Allowed{{"dt", {"2024-01-01"}}}));  // bare dt: ambiguous
  EXPECT_TRUE(n["Other"].allowed.empty());
}

TEST_F(TableNeedsTest, EveryReferenceMustBeConstrained) {
  auto n =
      Needs("SELECT * FROM events WHERE dt = 'a' UNION ALL SELECT * FROM events WHERE dt = 'b'");
  EXPECT_EQ(n["events"].allowed, (Allowed{{"dt", {"a", "b"}}}));
  n = Needs("SELECT * FROM events WHERE dt = 'a' UNION ALL SELECT * FROM events");
  EXPECT_TRUE(n["events"].allowed.empty());
  n = Needs("SELECT (SELECT count(*) FROM events) FROM events WHERE dt = 'a'");
  EXPECT_TRUE(n["events"].allowed.empty());
  n = Needs("SELECT * FROM events WHERE dt = 'a' OR dt = 'b'");
  EXPECT_TRUE(n["events"].allowed.empty());
  n = Needs("SELECT * FROM events e ASOF JOIN other o ON e.t >= o.t WHERE e.dt = 'a'");
  EXPECT_TRUE(n["events"].allowed.empty());
  n = Needs("SELECT * FROM events WHERE dt = 'a'; SELECT * FROM events");  // two statements
  EXPECT_TRUE(n["events"].allowed.empty());
}

TEST_F(TableNeedsTest, StatementsWithoutParseTreeNameTablesByWord) {
  auto n = Needs("DESCRIBE events_purchase");
  ASSERT_EQ(n.size(), 1u);
  EXPECT_TRUE(n.count("events_purchase"));
  n = Needs("SELECT 1 FROM \"Other\" WHERE \"dt\" = 'x'");
  EXPECT_EQ(n["Other"].allowed, (Allowed{{"dt", {"x"}}}));
  EXPECT_TRUE(Needs("SELECT 42").empty());
  EXPECT_TRUE(Needs("SELEC garbage events_x").empty());
}

TEST(FoldersMayMatch, ValuesNumbersDatesAndNull) {
  TableNeed need{{{"event_type", {"a b"}}, {"hour", {"3"}}, {"dt", {"2024-01-01"}}}};
  EXPECT_TRUE(FoldersMayMatch(need, {"event_type=a%20b", "dt=2024-01-01", "hour=03"}));
  EXPECT_FALSE(FoldersMayMatch(need, {"event_type=a", "dt=2024-01-01", "hour=03"}));
  EXPECT_FALSE(FoldersMayMatch(need, {"event_type=a%20b", "hour=4"}));
  EXPECT_FALSE(FoldersMayMatch(need, {"event_type=__HIVE_DEFAULT_PARTITION__"}));
  EXPECT_TRUE(FoldersMayMatch(need, {"other=1", "plain"}));  // unconstrained folders
  TableNeed ts{{{"dt", {"2024-01-01 00:00:00"}}}};
  EXPECT_TRUE(FoldersMayMatch(ts, {"dt=2024-01-01"}));
}

}  // namespace
}  // namespace el::query
