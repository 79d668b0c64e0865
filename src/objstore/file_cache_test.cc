#include "objstore/file_cache.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "base/test_dirs.h"
#include "objstore/local_store.h"

namespace el::objstore {
namespace {

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

ObjectInfo Listed(LocalStore& store, const std::string& key) { return *store.Head(key); }

TEST(FileCache, FetchesOnceThenHitsAndRefetchesANewEtag) {
  auto dir = test::FreshTestDir("file_cache");
  LocalStore store(dir / "store");
  ASSERT_TRUE(store.Put("t/dt=1/a.parquet", "aaaa").ok());
  auto cache = FileCache::Open(dir / "cache", 1000);
  ASSERT_TRUE(cache.ok()) << cache.status().message();
  auto p1 = (*cache)->Fetch(store, Listed(store, "t/dt=1/a.parquet"));
  ASSERT_TRUE(p1.ok()) << p1.status().message();
  EXPECT_EQ(Slurp(*p1), "aaaa");
  EXPECT_EQ(p1->extension(), ".parquet");
  auto p2 = (*cache)->Fetch(store, Listed(store, "t/dt=1/a.parquet"));
  EXPECT_EQ(*p1, *p2);
  EXPECT_EQ((*cache)->stats().hits, 1);
  EXPECT_EQ((*cache)->stats().misses, 1);
  ObjectInfo changed = Listed(store, "t/dt=1/a.parquet");
  changed.etag += "-2";  // what a rewritten object lists as
  auto p3 = (*cache)->Fetch(store, changed);
  ASSERT_TRUE(p3.ok());
  EXPECT_NE(*p3, *p1);
  EXPECT_EQ((*cache)->stats().misses, 2);
}

TEST(FileCache, EvictsLeastRecentlyUsedUnpinnedAndRefusesWhatCannotFit) {
  auto dir = test::FreshTestDir("file_cache");
  LocalStore store(dir / "store");
  for (const char* k : {"a", "b", "c"}) ASSERT_TRUE(store.Put(k, std::string(40, *k)).ok());
  auto cache = FileCache::Open(dir / "cache", 100);
  ASSERT_TRUE(cache.ok());
  auto a = (*cache)->Fetch(store, Listed(store, "a"));
  auto b = (*cache)->Fetch(store, Listed(store, "b"));
  ASSERT_TRUE(a.ok() && b.ok());
  // Both pinned: a third 40 bytes would pass 100.
  auto c = (*cache)->Fetch(store, Listed(store, "c"));
  EXPECT_EQ(c.status().code(), StatusCode::kResourceExhausted);
  (*cache)->Unpin(*a);
  c = (*cache)->Fetch(store, Listed(store, "c"));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(std::filesystem::exists(*a));  // evicted: least recently used and unpinned
  EXPECT_TRUE(std::filesystem::exists(*b));
  EXPECT_EQ((*cache)->stats().evictions, 1);
  EXPECT_EQ((*cache)->stats().bytes_cached, 80);
}

TEST(FileCache, ReopenKeepsEntriesAndBound) {
  auto dir = test::FreshTestDir("file_cache");
  LocalStore store(dir / "store");
  for (const char* k : {"a", "b"}) ASSERT_TRUE(store.Put(k, std::string(40, *k)).ok());
  {
    auto cache = FileCache::Open(dir / "cache", 100);
    ASSERT_TRUE(cache.ok());
    auto all = (*cache)->FetchAll(store, {Listed(store, "a"), Listed(store, "b")});
    ASSERT_TRUE(all.ok()) << all.status().message();
    EXPECT_EQ(all->size(), 2u);
  }
  auto again = FileCache::Open(dir / "cache", 100);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->stats().bytes_cached, 80);
  ASSERT_TRUE((*again)->Fetch(store, Listed(store, "a")).ok());
  EXPECT_EQ((*again)->stats().hits, 1);
  auto smaller = FileCache::Open(dir / "cache", 50);  // evicts down to the new bound
  ASSERT_TRUE(smaller.ok());
  EXPECT_LE((*smaller)->stats().bytes_cached, 50);
  EXPECT_EQ(FileCache::Open(dir / "cache", 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(FileCache, MissingObjectIsNotFoundAndLeavesNothing) {
  auto dir = test::FreshTestDir("file_cache");
  LocalStore store(dir / "store");
  auto cache = FileCache::Open(dir / "cache", 100);
  ASSERT_TRUE(cache.ok());
  ObjectInfo gone{"gone.parquet", 10, "x", ""};
  EXPECT_EQ((*cache)->Fetch(store, gone).status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*cache)->stats().bytes_cached, 0);
}

TEST(FileCache, FetchAllThatFailsLeavesNothingPinned) {
  auto dir = test::FreshTestDir("file_cache");
  LocalStore store(dir / "store");
  ASSERT_TRUE(store.Put("a", std::string(40, 'a')).ok());
  auto cache = FileCache::Open(dir / "cache", 100);
  ASSERT_TRUE(cache.ok());
  ObjectInfo gone{"gone", 10, "x", ""};
  auto all = (*cache)->FetchAll(store, {Listed(store, "a"), gone});
  EXPECT_EQ(all.status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*cache)->stats().bytes_cached, 40);
  EXPECT_EQ((*cache)->stats().bytes_pinned, 0);
}

TEST(ParseByteSize, UnitsAndErrors) {
  EXPECT_EQ(*ParseByteSize("1048576"), 1048576);
  EXPECT_EQ(*ParseByteSize("512M"), 512LL << 20);
  EXPECT_EQ(*ParseByteSize("2GiB"), 2LL << 30);
  EXPECT_EQ(*ParseByteSize("4k"), 4096);
  for (const char* bad : {"", "M", "-1", "1.5G", "3X", "99999999999999999999"})
    EXPECT_FALSE(ParseByteSize(bad).ok()) << bad;
}

}  // namespace
}  // namespace el::objstore
