#include "jobs/record_buffer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace el::jobs {
namespace {

struct Seen {
  int32_t partition;
  int64_t offset;
  int64_t ts;
  bool has_key;
  std::string key;
  std::string value;
};

std::vector<Seen> ReadAll(RecordBuffer& buffer) {
  std::vector<Seen> out;
  Status st = buffer.ForEach([&](const RecordMeta& m, std::string_view value) {
    // simdjson reads up to kPadding bytes past a value: they must be readable.
    volatile char past = value.data()[value.size() + RecordBuffer::kPadding - 1];
    (void)past;
    out.push_back(
        {m.partition, m.offset, m.timestamp_ms, m.has_key, std::string(m.key), std::string(value)});
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

std::string Value(int i) {
  return "{\"i\":" + std::to_string(i) + ",\"pad\":\"" + std::string(i % 500, 'x') + "\"}";
}

TEST(RecordBufferTest, ACursorOfOneTagVisitsItsRecordsOnlyInOrder) {
  auto spill = std::filesystem::temp_directory_path() / ("el_buffer_tags_" + std::to_string(::getpid()));
  RecordBuffer buffer(spill, 4 << 20);
  const int n = 40'000;  // kept, spilled and current segments
  for (int i = 0; i < n; ++i) {
    RecordMeta meta{0, i, 1000 + i, false, {}};
    meta.tag = static_cast<uint32_t>(i % 7 == 0 ? 3 : i % 2);  // tags 0, 1 and 3; none has 2
    ASSERT_TRUE(buffer.Add(meta, Value(i)).ok());
  }
  ASSERT_GT(buffer.spilled_bytes(), 0);
  ASSERT_GE(buffer.segments(), 3u);  // one kept, spilled ones, the current one
  for (uint32_t tag : {0u, 1u, 2u, 3u, 9u}) {
    std::vector<int64_t> offsets;
    RecordBuffer::Cursor cursor(buffer);
    for (size_t seg = 0; seg < buffer.segments(); ++seg) {
      ASSERT_TRUE(cursor.Open(seg, tag).ok());
      RecordMeta meta;
      std::string_view value;
      while (cursor.Next(meta, value)) {
        ASSERT_EQ(meta.tag, tag);
        ASSERT_EQ(value, Value(static_cast<int>(meta.offset)));
        offsets.push_back(meta.offset);
      }
    }
    std::vector<int64_t> want;
    for (int i = 0; i < n; ++i) {
      if (static_cast<uint32_t>(i % 7 == 0 ? 3 : i % 2) == tag) want.push_back(i);
    }
    EXPECT_EQ(offsets, want) << "tag " << tag;
    EXPECT_EQ(buffer.tagged(tag), static_cast<int64_t>(want.size()));
  }
}

TEST(RecordBufferTest, KeepsOrderAcrossMemoryAndSpillFile) {
  auto spill = std::filesystem::temp_directory_path() / ("el_buffer_" + std::to_string(::getpid()));
  RecordBuffer buffer(spill, 4 << 20);
  const int n = 40'000;  // ~10 MB: one segment kept, the next ones spilled, the last in memory
  for (int i = 0; i < n; ++i) {
    std::string key = "k" + std::to_string(i);
    RecordMeta meta{i % 3, i, 1000 + i, i % 2 == 0, key};
    ASSERT_TRUE(buffer.Add(meta, Value(i)).ok());
  }
  EXPECT_EQ(buffer.size(), n);
  EXPECT_GT(buffer.spilled_bytes(), 0);
  EXPECT_TRUE(std::filesystem::exists(spill));
  for (int pass = 0; pass < 2; ++pass) {  // reading does not consume
    std::vector<Seen> seen = ReadAll(buffer);
    ASSERT_EQ(seen.size(), static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(seen[i].offset, i);
      EXPECT_EQ(seen[i].partition, i % 3);
      EXPECT_EQ(seen[i].ts, 1000 + i);
      EXPECT_EQ(seen[i].has_key, i % 2 == 0);
      EXPECT_EQ(seen[i].key, i % 2 == 0 ? "k" + std::to_string(i) : "");
      ASSERT_EQ(seen[i].value, Value(i));
    }
  }
  buffer.Clear();
  EXPECT_EQ(buffer.size(), 0);
  EXPECT_FALSE(std::filesystem::exists(spill));
  EXPECT_TRUE(ReadAll(buffer).empty());
}

TEST(RecordBufferTest, RecordLargerThanASegment) {
  auto spill =
      std::filesystem::temp_directory_path() / ("el_buffer_big_" + std::to_string(::getpid()));
  RecordBuffer buffer(spill, 1 << 20);
  std::string big = "\"" + std::string(9 << 20, 'y') + "\"";
  ASSERT_TRUE(buffer.Add({0, 1, 5, false, {}}, "{}").ok());
  ASSERT_TRUE(buffer.Add({0, 2, 5, true, ""}, big).ok());
  ASSERT_TRUE(buffer.Add({0, 3, 5, false, {}}, "[]").ok());
  std::vector<Seen> seen = ReadAll(buffer);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].value, "{}");
  EXPECT_EQ(seen[1].value, big);
  EXPECT_TRUE(seen[1].has_key);
  EXPECT_EQ(seen[1].key, "");
  EXPECT_EQ(seen[2].value, "[]");
}

}  // namespace
}  // namespace el::jobs
