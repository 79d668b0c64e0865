#include "lake/store_lake.h"

#include <gtest/gtest.h>

#include "base/test_dirs.h"
#include "objstore/local_store.h"
#include "objstore/test_keys.h"

namespace el::lake {
namespace {
namespace fs = std::filesystem;

struct Fixture {
  fs::path dir = test::FreshTestDir("store_lake");
  objstore::LocalStore store{dir / "lake"};
  fs::path local = dir / "local";
};

TEST(StoreLake, CommitPublishesFilesThenRecords) {
  Fixture f;
  StoreLake lake(f.store, {"ev", "ev", "a-1", "", {}});
  ASSERT_TRUE(lake.ReadProgress().ok());
  BatchCommit b;
  b.files = {
      {test::WriteTestFile(f.local, "x.parquet", "data0"), "ev/event_type=a/ev+0+0-9.parquet"},
      {test::WriteTestFile(f.local, "y.parquet", "data1"), "ev/event_type=b/ev+1+0-4.parquet"}};
  b.metadata = {{test::WriteTestFile(f.local, "v1.json", "{}"), "ev/_schema/v1.json"}};
  b.next = {{0, 10}, {1, 5}};
  ASSERT_TRUE(lake.CommitBatch(b).ok());
  EXPECT_EQ(test::StoreKeys(f.store),
            (std::vector<std::string>{"_progress/ev/0.next", "_progress/ev/1.next",
                                      "ev/_schema/v1.json", "ev/event_type=a/ev+0+0-9.parquet",
                                      "ev/event_type=b/ev+1+0-4.parquet"}));
  EXPECT_EQ(*f.store.Get("_progress/ev/0.next"), "10\nowner=a-1 epoch=0\n");
  EXPECT_TRUE(f.store.ListUploads()->empty());
  EXPECT_EQ(*lake.ReadProgress(), (NextOffsets{{0, 10}, {1, 5}}));
  // The next batch moves the records on.
  BatchCommit c;
  c.files = {
      {test::WriteTestFile(f.local, "z.parquet", "data2"), "ev/event_type=a/ev+0+10-19.parquet"}};
  c.next = {{0, 20}};
  ASSERT_TRUE(lake.CommitBatch(c).ok());
  EXPECT_EQ(*f.store.Get("_progress/ev/0.next"), "20\nowner=a-1 epoch=0\n");
}

TEST(StoreLake, AnotherLanderCommittingFirstFencesTheBatch) {
  Fixture f;
  StoreLake a(f.store, {"ev", "ev", "a-1", "", {}});
  StoreLake b(f.store, {"ev", "ev", "b-2", "", {}});
  ASSERT_TRUE(a.ReadProgress().ok());
  ASSERT_TRUE(b.ReadProgress().ok());
  BatchCommit first;
  first.files = {{test::WriteTestFile(f.local, "x.parquet", "x"), "ev/ev+0+0-9.parquet"}};
  first.next = {{0, 10}};
  ASSERT_TRUE(b.CommitBatch(first).ok());
  BatchCommit late;
  late.files = {{test::WriteTestFile(f.local, "y.parquet", "y"), "ev/ev+0+0-4.parquet"}};
  late.next = {{0, 5}};
  Status st = a.CommitBatch(late);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  // Nothing of the late batch is visible, nor left as an upload or a manifest.
  EXPECT_EQ(test::StoreKeys(f.store),
            (std::vector<std::string>{"_progress/ev/0.next", "ev/ev+0+0-9.parquet"}));
  EXPECT_TRUE(f.store.ListUploads()->empty());
  EXPECT_EQ(*f.store.Get("_progress/ev/0.next"), "10\nowner=b-2 epoch=0\n");
}

TEST(StoreLake, AClaimFencesTheLanderThatHadThePartition) {
  Fixture f;
  StoreLake zombie(f.store, {"ev", "ev", "z-1", "", {}});
  std::set<int32_t> both = {0, 1};
  ASSERT_TRUE(zombie.Recover(&both).ok());
  // Partition 1 had no record: the claim writes one without an offset.
  EXPECT_EQ(*f.store.Get("_progress/ev/1.next"), "none\nowner=z-1 epoch=1\n");
  BatchCommit first;
  first.files = {{test::WriteTestFile(f.local, "x.parquet", "x"), "ev/ev+0+0-9.parquet"}};
  first.next = {{0, 10}};
  ASSERT_TRUE(zombie.CommitBatch(first).ok());
  EXPECT_EQ(*f.store.Get("_progress/ev/0.next"), "10\nowner=z-1 epoch=1\n");
  ASSERT_TRUE(zombie.ReadProgress().ok());

  // The group hands both partitions to another lander: its recovery claims them (same offsets).
  StoreLake owner(f.store, {"ev", "ev", "n-2", "", {}});
  auto next = owner.Recover(&both);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, (NextOffsets{{0, 10}}));
  EXPECT_EQ(*f.store.Get("_progress/ev/0.next"), "10\nowner=n-2 epoch=2\n");
  EXPECT_EQ(*f.store.Get("_progress/ev/1.next"), "none\nowner=n-2 epoch=2\n");

  // The old owner's batch fails its ownership check, whether it read the records before the
  // claim or after it (the offsets did not change; the owner did).
  BatchCommit late;
  late.files = {{test::WriteTestFile(f.local, "y.parquet", "y"), "ev/ev+0+10-14.parquet"}};
  late.next = {{0, 15}};
  EXPECT_EQ(zombie.CommitBatch(late).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(zombie.ReadProgress().ok());
  EXPECT_EQ(zombie.CommitBatch(late).code(), StatusCode::kFailedPrecondition);
  BatchCommit fresh;  // a first batch of partition 1: the claim's `none` record fences it too
  fresh.files = {{test::WriteTestFile(f.local, "z.parquet", "z"), "ev/ev+1+0-4.parquet"}};
  fresh.next = {{1, 5}};
  EXPECT_EQ(zombie.CommitBatch(fresh).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(test::StoreKeys(f.store),
            (std::vector<std::string>{"_progress/ev/0.next", "_progress/ev/1.next",
                                      "ev/ev+0+0-9.parquet"}));
  EXPECT_TRUE(f.store.ListUploads()->empty());
  // The new owner commits on its claim.
  BatchCommit mine;
  mine.files = {{test::WriteTestFile(f.local, "w.parquet", "w"), "ev/ev+1+0-7.parquet"}};
  mine.next = {{1, 8}};
  ASSERT_TRUE(owner.CommitBatch(mine).ok());
  EXPECT_EQ(*f.store.Get("_progress/ev/1.next"), "8\nowner=n-2 epoch=2\n");

  // The old owner retrying after its failed batch (no take-over) leaves the partitions alone:
  // no claim, and the new owner's batch published but not committed yet stays.
  ASSERT_TRUE(f.store.Put("ev/ev+1+8-9.parquet", "in flight").ok());
  auto retry = zombie.Recover(&both, /*take_over=*/false);
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_TRUE(retry->empty());
  EXPECT_EQ(*f.store.Get("_progress/ev/1.next"), "8\nowner=n-2 epoch=2\n");
  EXPECT_TRUE(f.store.Head("ev/ev+1+8-9.parquet").ok());
}

TEST(ProgressRecord, ReadsRecordsWithAndWithoutOwner) {
  auto plain = ParseProgressRecord("42\n");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->next, 42);
  EXPECT_EQ(plain->owner, "");
  auto owned = ParseProgressRecord("42\nowner=host-7-123 epoch=3\n");
  ASSERT_TRUE(owned.ok());
  EXPECT_EQ(owned->next, 42);
  EXPECT_EQ(owned->owner, "host-7-123");
  EXPECT_EQ(owned->epoch, 3);
  EXPECT_EQ(ProgressRecordText(*owned), "42\nowner=host-7-123 epoch=3\n");
  auto none = ParseProgressRecord("none\nowner=h-1-2 epoch=1\n");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->next.has_value());
  EXPECT_EQ(ProgressRecordText(*none), "none\nowner=h-1-2 epoch=1\n");
  for (const char* bad :
       {"", "x\n", "-1\n", "4\nowner=a\n", "4\nowner= epoch=1\n", "4\nepoch=1 owner=a\n"})
    EXPECT_EQ(ParseProgressRecord(bad).status().code(), StatusCode::kDataLoss) << bad;
}

TEST(StoreLake, RecoveryRemovesWhatADeadLanderLeft) {
  Fixture f;
  StoreLake old(f.store, {"ev", "ev", "dead-1", "", {}});
  ASSERT_TRUE(old.ReadProgress().ok());
  BatchCommit b;
  b.files = {{test::WriteTestFile(f.local, "x.parquet", "x"), "ev/t=a/ev+0+0-9.parquet"}};
  b.next = {{0, 10}};
  ASSERT_TRUE(old.CommitBatch(b).ok());
  // A crash after publishing (past the record), one after uploading (a manifest and its upload),
  // and an upload started before its manifest was written.
  ASSERT_TRUE(f.store.Put("ev/t=a/ev+0+10-19.parquet", "published, not committed").ok());
  ASSERT_TRUE(f.store.Put("ev_dead_letter/ev+0+10-19.parquet", "published, not committed").ok());
  auto up =
      f.store.StartUpload("ev/t=b/ev+0+10-19.parquet", test::WriteTestFile(f.local, "u", "u"));
  ASSERT_TRUE(up.ok());
  ASSERT_TRUE(
      f.store.Put("_staging/ev/dead-1-2/batch.json", ManifestJson({"dead-1", {0}, {*up}})).ok());
  auto orphan =
      f.store.StartUpload("ev/t=c/ev+0+10-19.parquet", test::WriteTestFile(f.local, "o", "o"));
  ASSERT_TRUE(orphan.ok());
  // A file of another topic and one of a partition not being recovered stay.
  ASSERT_TRUE(f.store.Put("other/other+0+10-19.parquet", "x").ok());
  ASSERT_TRUE(f.store.Put("ev/t=a/ev+1+0-9.parquet", "x").ok());

  StoreLake fresh(f.store, {"ev", "ev", "new-2", "", {}});
  std::set<int32_t> mine = {0};
  auto next = fresh.Recover(&mine);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, (NextOffsets{{0, 10}}));
  EXPECT_EQ(test::StoreKeys(f.store),
            (std::vector<std::string>{"_progress/ev/0.next", "ev/t=a/ev+0+0-9.parquet",
                                      "ev/t=a/ev+1+0-9.parquet", "other/other+0+10-19.parquet"}));
  EXPECT_TRUE(f.store.ListUploads()->empty());
}

TEST(StoreLake, TheClaimFencesTheOldLanderBeforeTheCleanupRuns) {
  Fixture f;
  StoreLake old(f.store, {"ev", "ev", "old-1", "", {}});
  ASSERT_TRUE(old.ReadProgress().ok());
  BatchCommit b;
  b.files = {{test::WriteTestFile(f.local, "x.parquet", "x"), "ev/t=a/ev+0+0-9.parquet"}};
  b.next = {{0, 10}, {1, 4}};
  ASSERT_TRUE(old.CommitBatch(b).ok());
  ASSERT_TRUE(f.store.Put("ev/t=a/ev+0+10-19.parquet", "published, not committed").ok());
  ASSERT_TRUE(f.store.Put("ev/t=a/ev+1+4-9.parquet", "another partition's").ok());

  StoreLake fresh(f.store, {"ev", "ev", "new-2", "", {}});
  std::set<int32_t> mine = {0};
  auto claimed = fresh.ClaimForRecovery(&mine);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_EQ(claimed->Progress(), (NextOffsets{{0, 10}}));
  EXPECT_EQ(*f.store.Get("_progress/ev/0.next"), "10\nowner=new-2 epoch=1\n");
  // Claimed, not yet cleaned: the old lander can no longer commit the partition.
  EXPECT_TRUE(f.store.Get("ev/t=a/ev+0+10-19.parquet").ok());
  BatchCommit late;
  late.files = {{test::WriteTestFile(f.local, "y.parquet", "y"), "ev/t=a/ev+0+10-19.parquet"}};
  late.next = {{0, 20}};
  EXPECT_EQ(old.CommitBatch(late).code(), StatusCode::kFailedPrecondition);

  ASSERT_TRUE(fresh.CleanUp(*claimed).ok());
  EXPECT_EQ(test::StoreKeys(f.store, "ev/"),
            (std::vector<std::string>{"ev/t=a/ev+0+0-9.parquet", "ev/t=a/ev+1+4-9.parquet"}));
  EXPECT_TRUE(f.store.ListUploads()->empty());
}

TEST(StoreLake, ExactCommitReplacesTablesAndRecords) {
  Fixture f;
  StoreLake lake(f.store, {"ev", "ev", "a-1", "", {}});
  ASSERT_TRUE(lake.ReadProgress().ok());
  BatchCommit b;
  b.files = {{test::WriteTestFile(f.local, "x", "x"), "ev/ev+0+0-9.parquet"},
             {test::WriteTestFile(f.local, "y", "y"), "ev/ev+1+0-9.parquet"}};
  b.next = {{0, 10}, {1, 10}};
  ASSERT_TRUE(lake.CommitBatch(b).ok());
  BatchCommit again;
  again.files = {{test::WriteTestFile(f.local, "z", "z"), "ev/ev+0+0-4.parquet"}};
  again.next = {{0, 5}};
  again.exact = true;
  again.replace_tables = {"ev"};
  ASSERT_TRUE(lake.CommitBatch(again).ok());
  EXPECT_EQ(test::StoreKeys(f.store),
            (std::vector<std::string>{"_progress/ev/0.next", "ev/ev+0+0-4.parquet"}));
}

TEST(StoreLake, PullMetadataFetchesFormatAndSchemas) {
  Fixture f;
  for (const char* k :
       {"_format", "ev/_schema/v1.json", "ev/event_type=a/_schema/v1.json",
        "ev/event_type=a/ev+0+0-9.parquet", "ev/dt=1/x.parquet", "_progress/ev/0.next"})
    ASSERT_TRUE(f.store.Put(k, "1").ok());
  StoreLake lake(f.store, {"ev", "ev", "a-1", "", {}});
  auto keys = lake.PullMetadata(f.local);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, (std::vector<std::string>{"_format", "ev/_schema/v1.json",
                                             "ev/event_type=a/_schema/v1.json"}));
  EXPECT_TRUE(fs::exists(f.local / "ev/event_type=a/_schema/v1.json"));
  EXPECT_FALSE(fs::exists(f.local / "ev/event_type=a/ev+0+0-9.parquet"));
}

TEST(StoreLake, ASchemaVersionIsCreatedOnce) {
  Fixture f;
  StoreLake a(f.store, {"ev", "ev", "a-1", "", {}});
  StoreLake b(f.store, {"ev", "ev", "b-2", "", {}});
  ASSERT_TRUE(a.ReadProgress().ok());
  BatchCommit first;
  first.files = {{test::WriteTestFile(f.local, "x", "x"), "ev/ev+0+0-9.parquet"}};
  first.metadata = {{test::WriteTestFile(f.local, "va", "{\"a\":1}"), "ev/_schema/v2.json"}};
  first.next = {{0, 10}};
  ASSERT_TRUE(a.CommitBatch(first).ok());
  ASSERT_TRUE(b.ReadProgress().ok());
  BatchCommit other;  // the same version made from another mirror
  other.files = {{test::WriteTestFile(f.local, "y", "y"), "ev/ev+1+0-9.parquet"}};
  other.metadata = {{test::WriteTestFile(f.local, "vb", "{\"b\":1}"), "ev/_schema/v2.json"}};
  other.next = {{1, 10}};
  Status st = b.CommitBatch(other);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_EQ(*f.store.Get("ev/_schema/v2.json"), "{\"a\":1}");
  EXPECT_EQ(test::StoreKeys(f.store),
            (std::vector<std::string>{"_progress/ev/0.next", "ev/_schema/v2.json",
                                      "ev/ev+0+0-9.parquet"}));
  EXPECT_TRUE(f.store.ListUploads()->empty());
  // The same content again (a retried batch) is fine.
  other.metadata = {{f.local / "va", "ev/_schema/v2.json"}};
  EXPECT_TRUE(b.CommitBatch(other).ok());
}

TEST(StoreLake, ManifestRoundTripsAndRefusesGarbage) {
  objstore::Upload up{"ev/a \"q\".parquet", "id/1", {}};
  auto m = ParseManifest(ManifestJson({"host-1-2", {0, 3}, {up}}));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->lander, "host-1-2");
  EXPECT_EQ(m->partitions, (std::set<int32_t>{0, 3}));
  ASSERT_EQ(m->uploads.size(), 1u);
  EXPECT_EQ(m->uploads[0].key, up.key);
  EXPECT_EQ(m->uploads[0].upload_id, "id/1");
  EXPECT_FALSE(ParseManifest("not json").ok());
  EXPECT_FALSE(ParseManifest("{\"lander\":1}").ok());
  EXPECT_FALSE(ParseManifest("{\"lander\":\"x\",\"partitions\":[-1],\"uploads\":[]}").ok());
}

}  // namespace
}  // namespace el::lake
