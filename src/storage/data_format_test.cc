#include "storage/data_format.h"

#include <gtest/gtest.h>

#include "io/dir.h"
#include "storage/log_manager.h"
#include "storage/test_batches.h"
#include "storage/test_temp_dir.h"

namespace el::storage {
namespace {

std::string FormatText(const std::string& dir) {
  auto file = io::File::Open(dir + "/" + kLogFormatFile, io::File::Mode::kReadOnly);
  EL_CHECK(file.ok());
  std::vector<uint8_t> buf(256);
  auto got = (*file)->ReadAt(FilePos(0), buf);
  EL_CHECK(got.ok());
  return std::string(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*got));
}

TEST(DataFormatTest, ANewDirectoryRecordsTheCurrentVersion) {
  testing::TempDir tmp;
  std::string dir = tmp.path() + "/data";
  {
    auto m = LogManager::Open(dir);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ASSERT_TRUE((*m)->Close().ok());
  }
  EXPECT_EQ(FormatText(dir), "eventlake-log-format " + std::to_string(kLogFormatVersion) + "\n");
  auto version = ReadLogFormat(dir);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, kLogFormatVersion);
}

TEST(DataFormatTest, ADirectoryWithoutTheFileIsVersionOneAndKeepsItsData) {
  testing::TempDir tmp;
  std::string dir = tmp.path() + "/data";
  {
    auto m = LogManager::Open(dir);
    ASSERT_TRUE(m.ok());
    ASSERT_TRUE((*m)->CreateTopic("events", 1).ok());
    auto log = (*m)->Get("events", 0);
    ASSERT_TRUE(log->Append(testing::MakeValueBatch(2), true).ok());
    ASSERT_TRUE((*m)->Close().ok());
  }
  // As written by an eventlake from before format versions.
  ASSERT_TRUE(io::RemoveFile(dir + "/" + kLogFormatFile).ok());
  auto version = ReadLogFormat(dir);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 1);
  auto m = LogManager::Open(dir);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)->Get("events", 0)->high_watermark().value(), 2);
  EXPECT_TRUE(io::Exists(dir + "/" + kLogFormatFile));
}

TEST(DataFormatTest, ANewerVersionIsRefusedAndTheDirectoryLeftAlone) {
  testing::TempDir tmp;
  std::string dir = tmp.path() + "/data";
  {
    auto m = LogManager::Open(dir);
    ASSERT_TRUE(m.ok());
    ASSERT_TRUE((*m)->Close().ok());
  }
  std::string newer = "eventlake-log-format " + std::to_string(kLogFormatVersion + 1) + "\n";
  ASSERT_TRUE(io::WriteFileDurably(dir + "/" + kLogFormatFile, newer).ok());
  auto m = LogManager::Open(dir);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(
      m.status().message().find("log format version " + std::to_string(kLogFormatVersion + 1)),
      std::string::npos)
      << m.status().message();
  EXPECT_NE(m.status().message().find(dir), std::string::npos);
  EXPECT_TRUE(
      io::Exists(dir + "/.clean_shutdown"));  // not touched: the newer version still opens it clean
  EXPECT_EQ(FormatText(dir), newer);
}

TEST(DataFormatTest, AFormatFileThatIsNotOneIsRefused) {
  testing::TempDir tmp;
  for (const char* text : {"", "eventlake-log-format \n", "eventlake-log-format 1x\n", "format 1\n",
                           "eventlake-log-format 0\n", "eventlake-log-format -3\n"}) {
    ASSERT_TRUE(io::WriteFileDurably(tmp.path() + "/" + kLogFormatFile, text).ok());
    auto version = ReadLogFormat(tmp.path());
    ASSERT_FALSE(version.ok()) << text;
    EXPECT_EQ(version.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(version.status().message().find("does not hold a log format version"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace el::storage
