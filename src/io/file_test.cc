#include "io/file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include "io/dir.h"

namespace el::io {
namespace {

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/el_io_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { ASSERT_TRUE(RemoveAll(dir_).ok()); }
  std::string dir_;
};

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST_F(FileTest, AppendReadTruncate) {
  auto missing = File::Open(dir_ + "/f", File::Mode::kReadWrite);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  auto f = File::Open(dir_ + "/f", File::Mode::kCreate);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE((*f)->Append(Bytes("hello ")).ok());
  ASSERT_TRUE((*f)->Append(Bytes("world")).ok());
  ASSERT_TRUE((*f)->Sync().ok());
  EXPECT_EQ(*(*f)->Size(), 11u);

  std::vector<uint8_t> buf(20);
  auto n = (*f)->ReadAt(FilePos(6), buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5u);
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + 5), "world");

  ASSERT_TRUE((*f)->Truncate(5).ok());
  ASSERT_TRUE((*f)->Append(Bytes("!")).ok());  // appends land at the new end
  n = (*f)->ReadAt(FilePos(0), buf);
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + *n), "hello!");
}

TEST_F(FileTest, DirectoryHelpers) {
  ASSERT_TRUE(CreateDirs(dir_ + "/a/b").ok());
  ASSERT_TRUE(CreateDirs(dir_ + "/a/b").ok());
  ASSERT_TRUE(WriteFileDurably(dir_ + "/a/x", "content").ok());
  auto list = ListDir(dir_ + "/a");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "b");
  EXPECT_TRUE((*list)[0].is_dir);
  EXPECT_EQ((*list)[1].name, "x");
  EXPECT_FALSE((*list)[1].is_dir);
  ASSERT_TRUE(SyncDir(dir_ + "/a").ok());
  ASSERT_TRUE(Rename(dir_ + "/a/x", dir_ + "/a/y").ok());
  EXPECT_TRUE(Exists(dir_ + "/a/y"));
  ASSERT_TRUE(RemoveFile(dir_ + "/a/y").ok());
  ASSERT_TRUE(RemoveFile(dir_ + "/a/y").ok());
  ASSERT_TRUE(RemoveAll(dir_ + "/a").ok());
  EXPECT_FALSE(Exists(dir_ + "/a"));
  EXPECT_FALSE(ListDir(dir_ + "/a").ok());
}

TEST_F(FileTest, LockIsExclusive) {
  auto first = FileLock::Acquire(dir_ + "/.lock");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = FileLock::Acquire(dir_ + "/.lock");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  first->reset();
  EXPECT_TRUE(FileLock::Acquire(dir_ + "/.lock").ok());
}

}  // namespace
}  // namespace el::io
