#include "jobs/store_target.h"

#include <gtest/gtest.h>

#include "base/test_dirs.h"
#include "objstore/local_store.h"
#include "objstore/test_keys.h"

namespace el::jobs {
namespace {
namespace fs = std::filesystem;

// A lander killed after publishing offsets 10-19 of partition 0 (past its record, 10) left the
// file and an unfinished upload of it; the next lander lands the same range under the same key.
// Recovery's removals run beside its reading, and must be done before its own upload starts.
TEST(StoreTargetTest, RecoveryRemovesLeftoversBeforeTheNextBatchUploadsTheSameKey) {
  fs::path dir = test::FreshTestDir("store_target");
  objstore::LocalStore bucket(dir / "bucket");
  {
    lake::StoreLake old(bucket, {"ev", "ev", "old-1", "", {}});
    ASSERT_TRUE(old.ReadProgress().ok());
    lake::BatchCommit b;
    b.files = {{test::WriteTestFile(dir / "old", "a.parquet", "rows 0-9"), "ev/ev+0+0-9.parquet"}};
    b.next = {{0, 10}};
    ASSERT_TRUE(old.CommitBatch(b).ok());
    ASSERT_TRUE(bucket.Put("ev/ev+0+10-19.parquet", "rows 10-19, never committed").ok());
    ASSERT_TRUE(
        bucket.StartUpload("ev/ev+0+10-19.parquet", test::WriteTestFile(dir / "old", "b", "stray"))
            .ok());
  }

  StoreTarget target(std::make_unique<objstore::LocalStore>(dir / "bucket"), dir / "mirrors",
                     "lake", {"ev", "ev", "new-2", "", {}});
  ASSERT_TRUE(target.Open().ok());
  auto next = target.Recover(nullptr, true);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, (lake::NextOffsets{{0, 10}}));

  StagedTable t;
  t.name = "ev";
  t.staging_dir = target.mirror() / "_staging" / "ev" / "batch-1" / "ev";
  t.table_dir = target.mirror() / "ev";
  fs::path staged =
      test::WriteTestFile(t.staging_dir, "ev+0+10-19.parquet", "rows 10-19, landed again");
  auto files = target.PendingFiles({t});
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  target.Preupload({t});
  target.WaitPreuploads();
  fs::create_directories(t.table_dir);
  fs::rename(staged, (*files)[0].local);  // the publish into the mirror
  Status st = target.Commit(*files, {t}, {{0, 20}}, false, {});
  ASSERT_TRUE(st.ok()) << st.ToString();

  EXPECT_EQ(test::StoreKeys(bucket, "ev/"),
            (std::vector<std::string>{"ev/ev+0+0-9.parquet", "ev/ev+0+10-19.parquet"}));
  EXPECT_EQ(*bucket.Get("ev/ev+0+10-19.parquet"), "rows 10-19, landed again");
  EXPECT_TRUE(bucket.ListUploads()->empty());
  EXPECT_EQ(*bucket.Get("_progress/ev/0.next"), "20\nowner=new-2 epoch=1\n");
}

}  // namespace
}  // namespace el::jobs
