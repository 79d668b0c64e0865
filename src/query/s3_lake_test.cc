#include "query/s3_lake.h"

#include <gtest/gtest.h>

#include "base/test_dirs.h"
#include "objstore/local_store.h"
#include "query/session.h"

namespace el::query {
namespace {

namespace fs = std::filesystem;

// A lake in a LocalStore (the S3 semantics without a server): two event types of topic `events`,
// committed up to offset 4, and a file of offsets 4-5 published past the record.
class S3LakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::FreshTestDir("s3_lake");
    auto db = duck::Database::OpenInMemory();
    ASSERT_TRUE(db.ok());
    auto con = duck::Connection::Open(*db);
    ASSERT_TRUE(con.ok());
    objstore::LocalStore store(dir_ / "store");
    auto put_parquet = [&](const std::string& key, int first) {
      fs::path tmp = dir_ / "tmp.parquet";
      ASSERT_TRUE(con->Exec("COPY (SELECT range AS i FROM range(" + std::to_string(first) + ", " +
                            std::to_string(first + 2) + ")) TO '" + tmp.string() +
                            "' (FORMAT PARQUET)")
                      .ok());
      ASSERT_TRUE(store.PutFile(key, tmp).ok());
    };
    std::string schema =
        R"({"version":1,"created":"2026-01-01T00:00:00Z",)"
        R"("columns":[{"name":"i","type":"BIGINT"},{"name":"late","type":"VARCHAR"}],"changes":[]})";
    ASSERT_TRUE(store.Put("_format", "2\n").ok());
    ASSERT_TRUE(store.Put("_progress/events/0.next", "4\n").ok());
    ASSERT_TRUE(store.Put("events/_schema/v1.json", schema).ok());
    for (const char* t : {"a", "b"})
      ASSERT_TRUE(
          store.Put(std::string("events/event_type=") + t + "/_schema/v1.json", schema).ok());
    put_parquet("events/event_type=a/dt=1/events+0+0-1.parquet", 0);
    put_parquet("events/event_type=b/dt=2/events+0+2-3.parquet", 2);
    put_parquet("events/event_type=b/dt=2/events+0+4-5.parquet", 4);  // not committed
    ASSERT_TRUE(store.Put("_staging/events.lock", "").ok());
  }

  Result<Session> Open(S3Lake** lake) {
    S3LakeOptions options;
    options.cache_dir = dir_ / "cache";
    options.cache_bytes = 1 << 20;
    EL_ASSIGN_OR_RETURN(
        auto s3, S3Lake::Open(std::make_unique<objstore::LocalStore>(dir_ / "store"), options));
    *lake = s3.get();
    return Session::Open(std::move(s3));
  }

  std::string One(Session& s, const std::string& sql) {
    auto t = s.Run(sql, Format::kCsv);
    EXPECT_TRUE(t.ok()) << t.status().message();
    return t.ok() && !t->rows.empty() && t->rows[0][0] ? *t->rows[0][0] : "?";
  }

  fs::path dir_;
};

TEST_F(S3LakeTest, ReadsCommittedFilesOfTheNamedTablesOnly) {
  S3Lake* lake = nullptr;
  auto session = Open(&lake);
  ASSERT_TRUE(session.ok()) << session.status().message();
  EXPECT_EQ(session->Tables(), (std::vector<std::string>{"events", "events_a", "events_b"}));
  EXPECT_EQ(lake->last_report().files_fetched, 0);             // opening lists, fetches nothing
  EXPECT_EQ(One(*session, "SELECT sum(i) FROM events"), "6");  // 0+1+2+3: not 4 or 5
  EXPECT_EQ(lake->last_report().files_needed, 2);
  EXPECT_EQ(lake->last_report().files_uncommitted, 1);
  EXPECT_EQ(One(*session, "SELECT count(*) FROM events_b"), "2");
  EXPECT_EQ(lake->last_report().files_fetched, 0);  // the cache had it
  EXPECT_EQ(lake->last_report().cache_hits, 0);     // and the mirror still links it
}

TEST_F(S3LakeTest, PrunesByHiveFoldersAndKeepsTheTablesColumns) {
  S3Lake* lake = nullptr;
  auto session = Open(&lake);
  ASSERT_TRUE(session.ok()) << session.status().message();
  EXPECT_EQ(One(*session, "SELECT sum(i) FROM events WHERE event_type = 'a'"), "1");
  EXPECT_EQ(lake->last_report().files_needed, 1);
  EXPECT_EQ(lake->last_report().files_skipped, 1);
  // A column no fetched file has, but the table's schema does: NULL, not an error.
  EXPECT_EQ(One(*session, "SELECT count(late) FROM events WHERE dt = 1"), "0");
  // Nothing matches: the view stays (one file), the answer is empty.
  EXPECT_EQ(One(*session, "SELECT count(*) FROM events WHERE dt = 9"), "0");
}

// A compaction's merged file beside the inputs it covers (published, inputs not deleted yet): the
// rows are read once, from the merged file; the inputs are never fetched.
TEST_F(S3LakeTest, ReadsAMergedFileInsteadOfTheFilesItSupersedes) {
  objstore::LocalStore store(dir_ / "store");
  ASSERT_TRUE(store.Put("_progress/events/0.next", "6\n").ok());
  auto input = store.Get("events/event_type=b/dt=2/events+0+2-3.parquet");
  ASSERT_TRUE(input.ok());
  // The "merged" file holds 2-3's rows only here: reading its inputs too would add 2+3+4+5.
  ASSERT_TRUE(store.Put("events/event_type=b/dt=2/events+0+2-5.parquet", *input).ok());
  S3Lake* lake = nullptr;
  auto session = Open(&lake);
  ASSERT_TRUE(session.ok()) << session.status().message();
  EXPECT_EQ(One(*session, "SELECT sum(i) FROM events_b"), "5");
  EXPECT_EQ(lake->last_report().files_needed, 1);
  EXPECT_FALSE(fs::exists(lake->dir() / "events/event_type=b/dt=2/events+0+2-3.parquet"));
}

TEST_F(S3LakeTest, ANewCommitShowsUpAndAMirrorGoesWithItsLake) {
  S3Lake* lake = nullptr;
  fs::path mirror;
  {
    auto session = Open(&lake);
    ASSERT_TRUE(session.ok());
    mirror = lake->dir();
    EXPECT_EQ(One(*session, "SELECT count(*) FROM events"), "4");
    objstore::LocalStore store(dir_ / "store");
    ASSERT_TRUE(store.Put("_progress/events/0.next", "6\n").ok());  // offsets 4-5 committed
    EXPECT_EQ(One(*session, "SELECT count(*) FROM events"), "6");
    EXPECT_TRUE(fs::exists(mirror));
  }
  EXPECT_FALSE(fs::exists(mirror));
}

}  // namespace
}  // namespace el::query
