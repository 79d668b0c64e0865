#include "query/shell/completion.h"

#include <gtest/gtest.h>

#include "base/test_dirs.h"
#include "query/session.h"

namespace el::query::shell {
namespace {

using Words = std::vector<std::string>;

const Catalog kCatalog{{"SELECT", "SET", "FROM", "SEQUENCE"},
                       {"events", "sword_purchases"},
                       {"event_type", "user_id", "Host"}};

TEST(CompletionTest, KeywordsTakeTheCaseOfTheWord) {
  EXPECT_EQ(Complete(kCatalog, "", "SE"), (Words{"SELECT", "SEQUENCE", "SET"}));
  EXPECT_EQ(Complete(kCatalog, "", "sel"), Words{"select"});
  EXPECT_EQ(Complete(kCatalog, "SELECT 1 ", "fr"), Words{"from"});
}

TEST(CompletionTest, TablesAndColumns) {
  EXPECT_EQ(Complete(kCatalog, "SELECT * FROM ", "ev"), (Words{"event_type", "events"}));
  EXPECT_EQ(Complete(kCatalog, "SELECT ", "us"), Words{"user_id"});
  EXPECT_EQ(Complete(kCatalog, "SELECT ", "ho"), Words{"Host"});
  EXPECT_EQ(Complete(kCatalog, "SELECT e.", "user"), Words{"user_id"});
  EXPECT_TRUE(Complete(kCatalog, "SELECT ", "zz").empty());
}

TEST(CompletionTest, DotCommandsAndTheirArguments) {
  EXPECT_EQ(Complete(kCatalog, ".", "s"), Words{"schema"});
  EXPECT_EQ(Complete(kCatalog, ".", "t"), (Words{"tables", "timer"}));
  EXPECT_EQ(Complete(kCatalog, ".mode ", "j"), (Words{"json", "jsonlines"}));
  EXPECT_EQ(Complete(kCatalog, ".timer ", "o"), (Words{"off", "on"}));
  EXPECT_EQ(Complete(kCatalog, ".schema ", "sw"), Words{"sword_purchases"});
}

TEST(CompletionTest, CatalogComesFromDuckDb) {
  auto session = Session::Open(test::FreshTestDir("el_completion_test").string());
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  ASSERT_TRUE(
      session->connection().Exec("CREATE TABLE purchases(item VARCHAR, price DOUBLE)").ok());
  auto catalog = LoadCatalog(session->connection());
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  EXPECT_EQ(Complete(*catalog, "SELECT * FROM ", "purch"), Words{"purchases"});
  EXPECT_EQ(Complete(*catalog, "SELECT ", "pric"), Words{"price"});
  EXPECT_EQ(Complete(*catalog, "", "SELEC"), Words{"SELECT"});
}

}  // namespace
}  // namespace el::query::shell
