#include "objstore/local_store.h"

#include <gtest/gtest.h>

#include <fstream>

#include "base/test_dirs.h"

namespace el::objstore {
namespace {

std::vector<std::string> Keys(const ListPage& p) {
  std::vector<std::string> out;
  for (const auto& o : p.objects) out.push_back(o.key);
  return out;
}

TEST(LocalStore, PutGetRangeHeadDelete) {
  auto dir = test::FreshTestDir("localstore");
  LocalStore s(dir);
  ASSERT_TRUE(s.Put("t/dt=1/a.parquet", "0123456789").ok());
  EXPECT_EQ(*s.Get("t/dt=1/a.parquet"), "0123456789");
  EXPECT_EQ(*s.GetRange("t/dt=1/a.parquet", 2, 3), "234");
  EXPECT_EQ(*s.GetRange("t/dt=1/a.parquet", 8, 100), "89");
  EXPECT_EQ(s.GetRange("t/dt=1/a.parquet", 10, 1).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(s.Head("t/dt=1/a.parquet")->size, 10);
  EXPECT_EQ(s.Get("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s.Head("nope").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(s.Put("t/dt=1/a.parquet", "new").ok());  // replaces whole
  EXPECT_EQ(*s.Get("t/dt=1/a.parquet"), "new");
  ASSERT_TRUE(s.Delete("t/dt=1/a.parquet").ok());
  ASSERT_TRUE(s.Delete("t/dt=1/a.parquet").ok());    // missing is fine
  EXPECT_FALSE(std::filesystem::exists(dir / "t"));  // no empty folders left
  EXPECT_TRUE(std::filesystem::exists(dir));
}

TEST(LocalStore, ListInKeyOrderWithPagesAndDelimiter) {
  auto dir = test::FreshTestDir("localstore");
  LocalStore s(dir);
  for (const char* k : {"t/b", "t/a", "t/d/1", "t/d/2", "t/e/1", "u/x", "t/c"})
    ASSERT_TRUE(s.Put(k, "x").ok());
  ListOptions o;
  o.prefix = "t/";
  o.max_keys = 2;
  auto p1 = s.List(o);
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(Keys(*p1), (std::vector<std::string>{"t/a", "t/b"}));
  o.continuation_token = p1->next_token;
  auto p2 = s.List(o);
  EXPECT_EQ(Keys(*p2), (std::vector<std::string>{"t/c", "t/d/1"}));
  auto all = s.ListAll("t/");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 6u);
  ListOptions d;
  d.prefix = "t/";
  d.delimiter = "/";
  d.max_keys = 4;
  auto pd = s.List(d);
  EXPECT_EQ(Keys(*pd), (std::vector<std::string>{"t/a", "t/b", "t/c"}));
  EXPECT_EQ(pd->common_prefixes, std::vector<std::string>{"t/d/"});
  d.continuation_token = pd->next_token;
  auto pd2 = s.List(d);
  EXPECT_TRUE(Keys(*pd2).empty());
  EXPECT_EQ(pd2->common_prefixes, std::vector<std::string>{"t/e/"});
  EXPECT_EQ(pd2->next_token, "");
  ListOptions partial;
  partial.prefix = "t/d";  // not at a folder boundary
  EXPECT_EQ(Keys(*s.List(partial)), (std::vector<std::string>{"t/d/1", "t/d/2"}));
  ListOptions none;
  none.prefix = "zz/";
  EXPECT_TRUE(s.List(none)->objects.empty());
}

TEST(LocalStore, DeleteManyPutFileGetToFileAndBadKeys) {
  auto dir = test::FreshTestDir("localstore");
  LocalStore s(dir / "root");
  std::ofstream(dir / "src") << "file body";
  ASSERT_TRUE(s.PutFile("f/x", dir / "src").ok());
  ASSERT_TRUE(s.GetToFile("f/x", dir / "copy").ok());
  EXPECT_EQ(*s.Get("f/x"), "file body");
  ASSERT_TRUE(s.Put("f/y", "").ok());
  ASSERT_TRUE(s.DeleteMany({"f/x", "f/y", "f/missing"}).ok());
  EXPECT_TRUE(s.ListAll("")->empty());
  for (const char* bad : {"", "/abs", "a//b", "a/../b", "./a", "a/"})
    EXPECT_EQ(s.Put(bad, "x").code(), StatusCode::kInvalidArgument) << bad;
}

}  // namespace
}  // namespace el::objstore

namespace el::objstore {
namespace {

TEST(LocalStore, ConditionalPuts) {
  auto dir = test::FreshTestDir("localstore");
  LocalStore s(dir);
  Precondition absent;
  absent.if_absent = true;
  auto first = s.PutConditional("_progress/t/0.next", "10", absent);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(s.PutConditional("_progress/t/0.next", "11", absent).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.Head("_progress/t/0.next")->etag, *first);
  Precondition match;
  match.if_match = *first;
  auto second = s.PutConditional("_progress/t/0.next", "20", match);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(*second, *first);
  // A writer that read the first version loses.
  EXPECT_EQ(s.PutConditional("_progress/t/0.next", "21", match).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(*s.Get("_progress/t/0.next"), "20");
  Precondition stale;
  stale.if_match = "nope";
  EXPECT_EQ(s.PutConditional("_progress/t/1.next", "1", stale).status().code(),
            StatusCode::kFailedPrecondition);
  // The lock file is not an object.
  auto all = s.ListAll("");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].key, "_progress/t/0.next");
}

}  // namespace
}  // namespace el::objstore

namespace el::objstore {
namespace {

TEST(LocalStore, UploadIsInvisibleUntilCompleted) {
  auto dir = test::FreshTestDir("localstore");
  LocalStore s(dir / "root");
  std::ofstream(dir / "f") << "payload";
  auto up = s.StartUpload("t/a.parquet", dir / "f");
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(s.Head("t/a.parquet").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(s.ListAll("")->empty());
  auto listed = s.ListUploads();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0], std::make_pair(std::string("t/a.parquet"), up->upload_id));
  ASSERT_TRUE(s.CompleteUpload(*up).ok());
  EXPECT_EQ(*s.Get("t/a.parquet"), "payload");
  EXPECT_TRUE(s.ListUploads()->empty());
  EXPECT_EQ(s.CompleteUpload(*up).code(), StatusCode::kNotFound);  // done before

  auto other = s.StartUpload("t/b.parquet", dir / "f");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(s.AbortUpload("t/b.parquet", other->upload_id).ok());
  ASSERT_TRUE(s.AbortUpload("t/b.parquet", other->upload_id).ok());  // missing is fine
  EXPECT_TRUE(s.ListUploads()->empty());
  EXPECT_EQ(s.Head("t/b.parquet").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(s.AbortUpload("t/b.parquet", "../x").ok());
}

}  // namespace
}  // namespace el::objstore
