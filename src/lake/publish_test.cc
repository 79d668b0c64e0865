#include "lake/publish.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <optional>

#include "io/fault.h"
#include "lake/listing.h"

namespace el::lake {
namespace {

namespace fs = std::filesystem;

class PublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = fs::temp_directory_path() /
            ("el_publish_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(lake_);
    auto db = duck::Database::OpenInMemory();
    ASSERT_TRUE(db.ok());
    db_.emplace(std::move(*db));
    auto con = duck::Connection::Open(*db_);
    ASSERT_TRUE(con.ok());
    con_.emplace(std::move(*con));
  }
  void TearDown() override { fs::remove_all(lake_); }

  // Stages one file `name` holding `select` and publishes it into table t as typed `columns`.
  Result<int64_t> TryLand(const std::string& name, const std::string& select,
                          std::vector<SchemaColumn> columns) {
    fs::path staging = lake_ / "_staging" / "k" / name / "t";
    fs::create_directories(staging);
    EL_RETURN_IF_ERROR(con_->Exec("COPY (" + select + ") TO " +
                                  duck::QuoteLiteral((staging / name).string()) +
                                  " (FORMAT parquet)"));
    return PublishTable(*con_, TablePublish{staging, lake_ / "t", std::move(columns), false,
                                            lake_ / "_staging" / "k" / name / "_scratch", {}});
  }
  void Land(const std::string& name, const std::string& select, std::vector<SchemaColumn> columns) {
    auto n = TryLand(name, select, std::move(columns));
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(*n, 1);
  }

  // Every row of table t as text, read by DuckDB from the files alone, ordered by `order`.
  std::vector<std::string> Rows(const std::string& columns, const std::string& order) {
    auto res = con_->Query("SELECT CAST(" + columns + " AS VARCHAR) FROM read_parquet(" +
                           duck::QuoteLiteral((lake_ / "t" / "**" / "*.parquet").string()) +
                           ", union_by_name=true) ORDER BY " + order);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    std::vector<std::string> out;
    if (!res.ok()) return out;
    for (size_t r = 0; r < res->RowCount(); ++r)
      out.push_back(res->IsNull(0, r) ? "NULL" : res->Text(0, r));
    return out;
  }

  fs::path lake_;
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> con_;  // declared after db_: destroyed first
};

ino_t Inode(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}

TEST_F(PublishTest, StringThenNumberStaysReadableAndExact) {
  Land("t+0+0-0.parquet", "SELECT 1 AS k, 'u1' AS userId UNION ALL SELECT 2, '42'",
       {{"k", "INTEGER"}, {"userId", "VARCHAR"}});
  Land("t+0+1-1.parquet", "SELECT 3 AS k, '42'::JSON AS userId",
       {{"k", "INTEGER"}, {"userId", "JSON"}});
  EXPECT_EQ(Rows("userId", "k"), (std::vector<std::string>{"\"u1\"", "\"42\"", "42"}));
  auto history = ReadSchemaHistory(lake_ / "t");
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ(history->back().changes, std::vector<std::string>{"userId VARCHAR -> JSON"});
  EXPECT_EQ(*ReadConformedVersion(lake_ / "t"), 2);
  // A lander that cast its batch before the change publishes after it: its file is rewritten too.
  Land("t+0+2-2.parquet", "SELECT 4 AS k, 'late' AS userId",
       {{"k", "INTEGER"}, {"userId", "VARCHAR"}});
  EXPECT_EQ(Rows("userId", "k").back(), "\"late\"");
  EXPECT_EQ(ReadSchemaHistory(lake_ / "t")->size(), 2u);
}

TEST_F(PublishTest, NestedFieldsChangeInsideStructsAndLists) {
  Land("t+0+0-0.parquet", "SELECT 1 AS k, {'a': 'x'} AS s, [{'q': 1}] AS l",
       {{"k", "INTEGER"}, {"s", "STRUCT(a VARCHAR)"}, {"l", "STRUCT(q INTEGER)[]"}});
  Land("t+0+1-1.parquet", "SELECT 2 AS k, {'a': 7, 'b': true} AS s, [{'q': 2}] AS l",
       {{"k", "INTEGER"}, {"s", "STRUCT(a INTEGER, b BOOLEAN)"}, {"l", "STRUCT(q INTEGER)[]"}});
  EXPECT_EQ(Rows("s", "k"),
            (std::vector<std::string>{"{'a': '\"x\"', 'b': NULL}", "{'a': 7, 'b': true}"}));
  EXPECT_EQ(ReadSchemaHistory(lake_ / "t")->back().columns[1].type,
            "STRUCT(\"a\" JSON, \"b\" BOOLEAN)");
  Land("t+0+2-2.parquet",
       "SELECT 3 AS k, NULL::STRUCT(a JSON, b BOOLEAN) AS s, [{'q': 'text'}] AS l",
       {{"k", "INTEGER"}, {"s", "STRUCT(a JSON, b BOOLEAN)"}, {"l", "STRUCT(q VARCHAR)[]"}});
  EXPECT_EQ(Rows("l", "k"),
            (std::vector<std::string>{"[{'q': 1}]", "[{'q': 2}]", "[{'q': '\"text\"'}]"}));
  EXPECT_EQ(Rows("s", "k").back(), "NULL");  // a NULL struct stays NULL
}

TEST_F(PublishTest, AddedColumnsAndStructFieldsRewriteNothing) {
  Land("t+0+0-0.parquet", "SELECT 1 AS k, {'a': 1} AS s",
       {{"k", "INTEGER"}, {"s", "STRUCT(a INTEGER)"}});
  ino_t before = Inode(lake_ / "t" / "t+0+0-0.parquet");
  Land("t+0+1-1.parquet", "SELECT 2 AS k, {'a': 2, 'b': 'x'} AS s, 'new' AS n",
       {{"k", "INTEGER"}, {"s", "STRUCT(a INTEGER, b VARCHAR)"}, {"n", "VARCHAR"}});
  EXPECT_EQ(Inode(lake_ / "t" / "t+0+0-0.parquet"), before);
  EXPECT_EQ(Rows("n", "k"), (std::vector<std::string>{"NULL", "new"}));
  EXPECT_EQ(Rows("s", "k"), (std::vector<std::string>{"{'a': 1, 'b': NULL}", "{'a': 2, 'b': x}"}));
}

TEST_F(PublishTest, TablesWithoutConformedRecordAreCheckedFileByFile) {
  // A table written before files were conformed: VARCHAR in one file, JSON in the schema.
  fs::create_directories(lake_ / "t" / "dt=2024-01-01");
  ASSERT_TRUE(
      con_->Exec("COPY (SELECT 1 AS k, 'u1' AS userId) TO " +
                 duck::QuoteLiteral((lake_ / "t" / "dt=2024-01-01" / "t+0+9-9.parquet").string()) +
                 " (FORMAT parquet)")
          .ok());
  ASSERT_TRUE(WriteSchemaVersion(lake_ / "t",
                                 {1, "x", {{"k", "INTEGER"}, {"userId", "VARCHAR"}}, {"created"}})
                  .ok());
  ASSERT_TRUE(
      WriteSchemaVersion(lake_ / "t", {2, "x", {{"k", "INTEGER"}, {"userId", "JSON"}}, {"x"}})
          .ok());
  Land("t+0+1-1.parquet", "SELECT 2 AS k, '5'::JSON AS userId",
       {{"k", "INTEGER"}, {"userId", "JSON"}});
  EXPECT_EQ(Rows("userId", "k"), (std::vector<std::string>{"\"u1\"", "5"}));
  EXPECT_EQ(*ReadConformedVersion(lake_ / "t"), 2);
}

// A publish that dies in the middle of rewriting the table (here: the second rename fails) leaves
// each file whole in one type or the other; the next publish finishes the rewrite.
TEST_F(PublishTest, RewriteInterruptedHalfWayIsFinishedByTheNextPublish) {
  for (int i = 0; i < 3; ++i) {
    Land("t+1+" + std::to_string(i) + "-" + std::to_string(i) + ".parquet",
         "SELECT " + std::to_string(i) + " AS k, 'u' AS userId",
         {{"k", "INTEGER"}, {"userId", "VARCHAR"}});
  }
  int renames = 0;
  io::SetFaultHook([&](io::FileOp op, const std::string& path) {
    return op == io::FileOp::kRename && path.find("rewrite-") != std::string::npos && ++renames == 2
               ? IOError("rename: No space left on device")
               : Status::Ok();
  });
  auto failed = TryLand("t+0+1-1.parquet", "SELECT 3 AS k, '1'::JSON AS userId",
                        {{"k", "INTEGER"}, {"userId", "JSON"}});
  io::SetFaultHook(nullptr);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("No space left"), std::string::npos);
  EXPECT_EQ(ListDataFilesRecursive(lake_ / "t")->size(), 3u);  // the batch was not published
  Land("t+0+2-2.parquet", "SELECT 4 AS k, '2'::JSON AS userId",
       {{"k", "INTEGER"}, {"userId", "JSON"}});
  EXPECT_EQ(Rows("userId", "k"), (std::vector<std::string>{"\"u\"", "\"u\"", "\"u\"", "2"}));
  EXPECT_EQ(*ReadConformedVersion(lake_ / "t"), 2);
}

}  // namespace
}  // namespace el::lake
