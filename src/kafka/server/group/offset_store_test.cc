// OffsetStore: commits survive reopen, the latest commit wins, a torn or corrupt tail is dropped and
// the file is compacted on open.
#include "kafka/server/group/offset_store.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace el::kafka::group {
namespace {

class OffsetStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/el_offsets_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path() const { return dir_ + "/" + OffsetStore::kFileName; }
  std::unique_ptr<OffsetStore> Open() {
    auto s = OffsetStore::Open(dir_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  static OffsetCommitEntry E(std::string topic, int32_t p, int64_t off, std::optional<std::string> md = {}) {
    return {{std::move(topic), p}, {off, -1, std::move(md), 1234}};
  }
  std::string dir_;
};

TEST_F(OffsetStoreTest, CommitsSurviveReopenAndLatestWins) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Commit("g1", {E("t", 0, 5, "meta"), E("t", 1, 7)}).ok());
    ASSERT_TRUE(s->Commit("g1", {E("t", 0, 9)}).ok());
    ASSERT_TRUE(s->Commit("g2", {E("u", 3, 1)}).ok());
    EXPECT_EQ(s->Get("g1", {"t", 0})->offset, 9);
  }
  auto s = Open();
  EXPECT_EQ(s->Get("g1", {"t", 0})->offset, 9);
  EXPECT_EQ(s->Get("g1", {"t", 1})->offset, 7);
  EXPECT_FALSE(s->Get("g1", {"t", 1})->metadata.has_value());
  EXPECT_EQ(s->Get("g2", {"u", 3})->offset, 1);
  EXPECT_FALSE(s->Get("g3", {"t", 0}).has_value());
  EXPECT_EQ(s->GetAll("g1").size(), 2u);
  EXPECT_EQ(s->Groups(), (std::vector<std::string>{"g1", "g2"}));
  auto size = std::filesystem::file_size(Path());
  EXPECT_EQ(size, OffsetStore::EncodeRecord("g1", E("t", 0, 9)).size() +
                      OffsetStore::EncodeRecord("g1", E("t", 1, 7)).size() +
                      OffsetStore::EncodeRecord("g2", E("u", 3, 1)).size())
      << "compacted on open";
}

TEST_F(OffsetStoreTest, TornAndCorruptTailsAreDropped) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Commit("g", {E("t", 0, 1)}).ok());
    ASSERT_TRUE(s->Commit("g", {E("t", 0, 2)}).ok());
  }
  auto full = std::filesystem::file_size(Path());
  {
    std::ofstream out(Path(), std::ios::app | std::ios::binary);
    auto rec = OffsetStore::EncodeRecord("g", E("t", 0, 3));
    out.write(reinterpret_cast<const char*>(rec.data()), static_cast<std::streamsize>(rec.size() - 3));
  }
  EXPECT_EQ(Open()->Get("g", {"t", 0})->offset, 2);
  EXPECT_EQ(std::filesystem::file_size(Path()), full / 2) << "compaction keeps one record";
  {
    std::fstream f(Path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10);
    f.put('\xff');
  }
  auto s = Open();
  EXPECT_FALSE(s->Get("g", {"t", 0}).has_value()) << "the corrupt record is not trusted";
  ASSERT_TRUE(s->Commit("g", {E("t", 0, 4)}).ok());
  EXPECT_EQ(Open()->Get("g", {"t", 0})->offset, 4);
}

}  // namespace
}  // namespace el::kafka::group
