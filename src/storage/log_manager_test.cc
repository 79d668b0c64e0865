#include "storage/log_manager.h"

#include <gtest/gtest.h>

#include "io/dir.h"
#include "storage/test_batches.h"
#include "storage/test_temp_dir.h"

namespace el::storage {
namespace {

using testing::MakeValueBatch;

class LogManagerTest : public ::testing::Test {
 protected:
  std::unique_ptr<LogManager> OpenManager() {
    auto m = LogManager::Open(tmp_.path() + "/data");
    EL_CHECK(m.ok());
    return std::move(m).value();
  }
  testing::TempDir tmp_;
};

TEST_F(LogManagerTest, CreateListGetAndPersist) {
  {
    auto m = OpenManager();
    EXPECT_TRUE(m->ListTopics().empty());
    ASSERT_TRUE(m->CreateTopic("events", 3).ok());
    ASSERT_TRUE(m->CreateTopic("a.b_c", 1).ok());
    EXPECT_EQ(m->CreateTopic("events", 1).code(), StatusCode::kAlreadyExists);
    auto topics = m->ListTopics();
    ASSERT_EQ(topics.size(), 2u);
    EXPECT_EQ(topics[0].name, "a.b_c");
    EXPECT_EQ(topics[1].name, "events");
    EXPECT_EQ(topics[1].partitions, 3);
    EXPECT_EQ(m->GetTopic("events")->partitions, 3);
    EXPECT_FALSE(m->GetTopic("nope").has_value());
    EXPECT_EQ(m->Get("events", 3), nullptr);
    EXPECT_EQ(m->Get("events", -1), nullptr);
    EXPECT_EQ(m->Get("nope", 0), nullptr);
    auto p2 = m->Get("events", 2);
    ASSERT_NE(p2, nullptr);
    EXPECT_EQ(p2->Append(MakeValueBatch(4), true)->value(), 0);
    ASSERT_TRUE(m->SyncAll().ok());
    ASSERT_TRUE(m->Close().ok());
    EXPECT_TRUE(io::Exists(tmp_.path() + "/data/.clean_shutdown"));
  }
  auto m = OpenManager();
  EXPECT_FALSE(io::Exists(tmp_.path() + "/data/.clean_shutdown"));  // a crash now is not clean
  EXPECT_EQ(m->GetTopic("events")->partitions, 3);
  EXPECT_EQ(m->Get("events", 2)->high_watermark().value(), 4);
  EXPECT_EQ(m->Get("events", 0)->high_watermark().value(), 0);
}

TEST_F(LogManagerTest, TopicNameValidation) {
  auto m = OpenManager();
  for (const std::string& bad :
       std::vector<std::string>{"", ".", "..", "a/b", "a b", "ü", std::string(250, 'x')}) {
    EXPECT_EQ(m->CreateTopic(bad, 1).code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(m->CreateTopic("ok", 0).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m->CreateTopic("ok", -3).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(m->CreateTopic(std::string(249, 'x'), 1).ok());
  EXPECT_TRUE(m->ListTopics().size() == 1);
}

TEST_F(LogManagerTest, TopicNamesWithDashes) {
  {
    auto m = OpenManager();
    ASSERT_TRUE(m->CreateTopic("user-events-2", 2).ok());
    ASSERT_TRUE(m->CreateTopic("user", 12).ok());  // dirs user-0 .. user-11
    ASSERT_TRUE(m->CreateTopic("user-events", 1).ok());
    ASSERT_TRUE(m->Get("user-events-2", 1)->Append(MakeValueBatch(2), false).ok());
  }
  auto m = OpenManager();
  auto topics = m->ListTopics();
  ASSERT_EQ(topics.size(), 3u);
  EXPECT_EQ(topics[0].name, "user");
  EXPECT_EQ(topics[0].partitions, 12);
  EXPECT_EQ(topics[1].name, "user-events");
  EXPECT_EQ(topics[1].partitions, 1);
  EXPECT_EQ(topics[2].name, "user-events-2");
  EXPECT_EQ(topics[2].partitions, 2);
  EXPECT_EQ(m->Get("user-events-2", 1)->high_watermark().value(), 2);
}

TEST_F(LogManagerTest, DeleteTopic) {
  auto m = OpenManager();
  ASSERT_TRUE(m->CreateTopic("gone", 2).ok());
  auto held = m->Get("gone", 0);
  ASSERT_TRUE(held->Append(MakeValueBatch(3), false).ok());
  EXPECT_EQ(m->DeleteTopic("nope").code(), StatusCode::kNotFound);
  ASSERT_TRUE(m->DeleteTopic("gone").ok());
  EXPECT_FALSE(m->GetTopic("gone").has_value());
  EXPECT_EQ(m->Get("gone", 0), nullptr);
  EXPECT_FALSE(io::Exists(tmp_.path() + "/data/gone-0"));
  EXPECT_FALSE(io::Exists(tmp_.path() + "/data/gone-1"));
  // An in-flight reader keeps working; new appends are refused.
  EXPECT_EQ(held->Read(Offset(0), 1000)->size(), MakeValueBatch(3).size());
  EXPECT_EQ(held->Append(MakeValueBatch(1), false).status().code(), StatusCode::kFailedPrecondition);
  // The name can be reused, starting empty.
  ASSERT_TRUE(m->CreateTopic("gone", 1).ok());
  EXPECT_EQ(m->Get("gone", 0)->high_watermark().value(), 0);
}

TEST_F(LogManagerTest, SecondOpenOfLockedDirFails) {
  auto m = OpenManager();
  auto second = LogManager::Open(tmp_.path() + "/data");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("another broker"), std::string::npos);
  m.reset();
  EXPECT_TRUE(LogManager::Open(tmp_.path() + "/data").ok());
}

TEST_F(LogManagerTest, IgnoresForeignEntriesAndCleansInterruptedDeletes) {
  std::string data = tmp_.path() + "/data";
  ASSERT_TRUE(io::CreateDirs(data + "/not_a_partition").ok());
  ASSERT_TRUE(io::CreateDirs(data + "/topic-x").ok());
  ASSERT_TRUE(io::CreateDirs(data + "/topic-01").ok());
  ASSERT_TRUE(io::CreateDirs(data + "/.deleted-old-0").ok());
  ASSERT_TRUE(io::WriteFileDurably(data + "/offsets-0", "a file, not a dir").ok());
  ASSERT_TRUE(io::CreateDirs(data + "/gap-1").ok());  // partition 0 missing: recreated empty
  auto m = OpenManager();
  auto topics = m->ListTopics();
  ASSERT_EQ(topics.size(), 1u);
  EXPECT_EQ(topics[0].name, "gap");
  EXPECT_EQ(topics[0].partitions, 2);
  EXPECT_NE(m->Get("gap", 0), nullptr);
  EXPECT_FALSE(io::Exists(data + "/.deleted-old-0"));
  EXPECT_TRUE(io::Exists(data + "/not_a_partition"));
}

}  // namespace
}  // namespace el::storage
