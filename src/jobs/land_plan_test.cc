#include "jobs/land_plan.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "base/test_dirs.h"

namespace el::jobs {
namespace {

namespace fs = std::filesystem;

using Ranges = std::vector<OffsetRange>;

fs::path TempDir() { return test::FreshTestDir("el_land_plan_test"); }
void Touch(const fs::path& p) { test::TouchFile(p); }

TEST(LandPlanTest, MergeRangesJoinsTouchingAndOverlapping) {
  EXPECT_EQ(MergeRanges({{5, 9}, {0, 4}, {20, 20}, {8, 12}}), (Ranges{{0, 12}, {20, 20}}));
  EXPECT_EQ(MergeRanges({{3, 3}, {1, 1}}), (Ranges{{1, 1}, {3, 3}}));
  EXPECT_EQ(MergeRanges({}), Ranges{});
}

TEST(LandPlanTest, HeldRangesFromFileNamesAndProgress) {
  fs::path table = TempDir() / "ev";
  Touch(table / "ev+0+0-4.parquet");
  Touch(table / "dt=2024-01-01" / "ev+0+5-9.parquet");  // Hive folders count
  Touch(table / "ev+0+20-21.parquet");
  Touch(table / "ev+1+3-3.parquet");
  Touch(table / "_staging-ev-1-1" / "ev+1+4-8.parquet");  // not published: not held
  Touch(table / "other+2+0-9.parquet");                  // another topic
  auto held = *HeldRanges(table, "ev", {});
  ASSERT_EQ(held.size(), 2u);
  EXPECT_EQ(held[0], (Ranges{{0, 9}, {20, 21}}));
  EXPECT_EQ(held[1], (Ranges{{3, 3}}));
  // Progress records beyond the files extend the last range; a partition with only a record is
  // held from 0.
  held = *HeldRanges(table, "ev", {{0, 22}, {1, 6}, {2, 7}, {3, 0}});
  EXPECT_EQ(held[0], (Ranges{{0, 9}, {20, 21}}));
  EXPECT_EQ(held[1], (Ranges{{3, 5}}));
  EXPECT_EQ(held[2], (Ranges{{0, 6}}));
  EXPECT_EQ(held.count(3), 0u);
  fs::remove_all(table.parent_path());
}

TEST(LandPlanTest, AppendFromEarliestResumesWhereTheLakeEnds) {
  Ranges held{{0, 0}};
  AppendDecision d = DecideAppend(held, 0, 2, false);
  EXPECT_EQ(d.start, 1);
  EXPECT_TRUE(d.resumed);
  EXPECT_FALSE(d.overlap);
  d = DecideAppend(held, 0, 1, false);  // nothing new
  EXPECT_GE(d.start, 1);
  EXPECT_TRUE(d.resumed);
  d = DecideAppend({}, 0, 5, false);  // an empty lake starts at the start
  EXPECT_EQ(d.start, 0);
  EXPECT_FALSE(d.resumed);
  d = DecideAppend(held, 7, 9, false);  // the log's start is past the lake's end
  EXPECT_EQ(d.start, 7);
  EXPECT_FALSE(d.resumed);
  d = DecideAppend({{0, 3}, {10, 12}}, 0, 20, false);  // a gap is not filled: the end counts
  EXPECT_EQ(d.start, 13);
}

TEST(LandPlanTest, AnExplicitRangeMustNotOverlapTheLake) {
  Ranges held{{0, 4}, {10, 14}};
  EXPECT_EQ(DecideAppend(held, 3, 8, true).overlap, (OffsetRange{0, 4}));
  EXPECT_EQ(DecideAppend(held, 5, 11, true).overlap, (OffsetRange{10, 14}));
  EXPECT_EQ(DecideAppend(held, 14, 15, true).overlap, (OffsetRange{10, 14}));
  AppendDecision gap = DecideAppend(held, 5, 10, true);  // [5, 10) fits the gap
  EXPECT_FALSE(gap.overlap);
  EXPECT_EQ(gap.start, 5);
  EXPECT_FALSE(gap.resumed);
  EXPECT_FALSE(DecideAppend(held, 15, 20, true).overlap);
}

TEST(LandPlanTest, OverlapMessageNamesHolderPartitionsAndWayOut) {
  EXPECT_EQ(OverlapMessage("table ev", "ev", {{0, {0, 1}}}, 2),
            "table ev already holds offsets 0..1 of topic ev partition 0: append lands each offset "
            "once; give --from 2 to land after them, or --mode overwrite to replace what table ev holds");
  std::string two = OverlapMessage("job j", "game", {{0, {0, 9}}, {3, {5, 5}}}, 10);
  EXPECT_NE(two.find("0..9 of topic game partition 0, 5..5 of topic game partition 3"), std::string::npos);
}

TEST(LandPlanTest, DefaultGroupNameDependsOnTheLake) {
  EXPECT_EQ(Fnv1a32(""), 0x811c9dc5u);
  EXPECT_EQ(Fnv1a32("a"), 0xe40c292cu);  // the published FNV-1a test vector
  fs::path dir = TempDir();
  std::string a = DefaultGroupName("ev", (dir / "lake-a").string());
  std::string b = DefaultGroupName("ev", (dir / "lake-b").string());
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("eventlake-land-ev-", 0), 0u);
  EXPECT_EQ(a.size(), std::string("eventlake-land-ev-").size() + 8);
  // One lake, however it is spelled, is one group.
  EXPECT_EQ(a, DefaultGroupName("ev", (dir / "x" / ".." / "lake-a/").string()));
  fs::create_directories(dir / "real");
  fs::create_directory_symlink(dir / "real", dir / "link");
  EXPECT_EQ(DefaultGroupName("ev", (dir / "link").string()), DefaultGroupName("ev", (dir / "real").string()));
  std::string cwd = fs::current_path().string();
  fs::current_path(dir);
  EXPECT_EQ(DefaultGroupName("ev", "lake-a"), a);
  fs::current_path(cwd);
  EXPECT_EQ(NormalizedLakePath("s3://bucket/lake/"), "s3://bucket/lake");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace el::jobs
