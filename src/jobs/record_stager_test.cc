#include "jobs/record_stager.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>

namespace el::jobs {
namespace {

// A spill file of this test process (tag keeps tests apart).
std::filesystem::path TempPath(const std::string& tag) {
  return std::filesystem::temp_directory_path() / ("el_stager_" + tag + std::to_string(::getpid()));
}

// The staged records, one line each: {"_partition","_offset","_ts","_key","v":<staged text>}.
std::string ReadAll(RecordStager& stager) {
  std::string out;
  Status st = stager.records().ForEach([&](const RecordMeta& m, std::string_view value) {
    out += "{\"_partition\":" + std::to_string(m.partition) + ",\"_offset\":" + std::to_string(m.offset) +
           ",\"_ts\":" + std::to_string(m.timestamp_ms) + ",\"_key\":";
    if (m.has_key) {
      AppendJsonString(out, m.key);
    } else {
      out += "null";
    }
    out += ",\"v\":" + std::string(value) + "}\n";
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok());
  return out;
}

TEST(RecordStagerTest, GoodRecordsBecomeLinesBadOnesDeadLetters) {
  auto path = TempPath("");
  std::optional<RecordStager> stager;
  stager.emplace("ev", path, 1 << 20);
  RecordMeta meta{0, 7, 1000, true, "k1"};
  ASSERT_TRUE(stager->Add(meta, "{\"Host\":\"a\",\n \"n\":2.0,\"x\":[1,{\"y\":null}]}").ok());
  meta.offset = 8;
  meta.has_key = false;
  ASSERT_TRUE(stager->Add(meta, "{\"host\":\"b\",\"HOST\":\"c\",\"_offset\":5,\"s\":\"q\\\"\\n\"}").ok());
  meta.offset = 9;
  ASSERT_TRUE(stager->Add(meta, "{not json").ok());
  meta.offset = 10;
  ASSERT_TRUE(stager->Add(meta, "[1,2]").ok());
  meta.offset = 11;
  ASSERT_TRUE(stager->Add(meta, "").ok());
  meta.offset = 12;
  ASSERT_TRUE(stager->Add(meta, std::string_view("\xff\xfe", 2)).ok());
  ASSERT_TRUE(stager->Finish().ok());
  EXPECT_EQ(stager->good(), 2);
  ASSERT_EQ(stager->dead_letters().size(), 4u);
  EXPECT_EQ(stager->dead_letters()[0].offset, 9);
  EXPECT_EQ(stager->dead_letters()[0].raw, "{not json");
  EXPECT_NE(stager->dead_letters()[0].error.find("invalid JSON"), std::string::npos);
  EXPECT_EQ(stager->dead_letters()[1].error, "JSON value is not an object");
  EXPECT_EQ(stager->dead_letters()[2].error, "empty value");
  EXPECT_EQ(stager->dead_letters()[3].raw, "\\xFF\\xFE");
  EXPECT_EQ(ReadAll(*stager),
            "{\"_partition\":0,\"_offset\":7,\"_ts\":1000,\"_key\":\"k1\","
            "\"v\":{\"Host\":\"a\",\n \"n\":2.0,\"x\":[1,{\"y\":null}]}}\n"
            "{\"_partition\":0,\"_offset\":8,\"_ts\":1000,\"_key\":null,"
            "\"v\":{\"Host\":\"b\",\"Host_2\":\"c\",\"_offset_value\":5,\"s\":\"q\\\"\\n\"}}\n");
  EXPECT_EQ(stager->schema().SqlType(),
            "STRUCT(\"Host\" VARCHAR, \"n\" DOUBLE, \"x\" JSON[], \"Host_2\" VARCHAR, \"_offset_value\" BIGINT, "
            "\"s\" VARCHAR)");
}

TEST(RecordStagerTest, NumbersBeyond64BitsLandAsText) {
  auto path = TempPath("big_");
  std::optional<RecordStager> stager;
  stager.emplace("ev", path, 1 << 20);
  RecordMeta meta{0, 1, 1000, false, ""};
  ASSERT_TRUE(stager->Add(meta, R"({"big":-9223372036854775809,"f":[1e400,2],"ok":7})").ok());
  meta.offset = 2;
  ASSERT_TRUE(stager->Add(meta, R"({"bad":01e400})").ok());  // malformed: stays a dead letter
  ASSERT_TRUE(stager->Finish().ok());
  EXPECT_EQ(stager->good(), 1);
  ASSERT_EQ(stager->dead_letters().size(), 1u);
  EXPECT_EQ(stager->dead_letters()[0].raw, R"({"bad":01e400})");
  EXPECT_NE(stager->dead_letters()[0].error.find("invalid JSON"), std::string::npos);
  EXPECT_EQ(ReadAll(*stager),
            "{\"_partition\":0,\"_offset\":1,\"_ts\":1000,\"_key\":null,"
            "\"v\":{\"big\":\"-9223372036854775809\",\"f\":[\"1e400\",2],\"ok\":7}}\n");
  EXPECT_EQ(stager->schema().SqlType(), "STRUCT(\"big\" VARCHAR, \"f\" JSON[], \"ok\" BIGINT)");
}

TEST(RecordStagerTest, ValuesThatNeedNoRewritingGoInAsSent) {
  auto path = TempPath("as_is_");
  std::optional<RecordStager> stager;
  stager.emplace("ev", path, 1 << 20);
  RecordMeta meta{0, 1, 5, false, ""};
  // Canonical keys, one line: the text as sent (spaces, escapes and number spellings kept).
  ASSERT_TRUE(stager->Add(meta, R"({ "Host" : "a\tb", "n":1.50, "o":{"k":[1e3, -0]} })").ok());
  meta.offset = 2;
  // "host" is spelled "Host" in this table, and a nested key repeats: rewritten.
  ASSERT_TRUE(stager->Add(meta, R"({"host":"b","o":{"k":[2],"K":3}})").ok());
  meta.offset = 3;
  ASSERT_TRUE(stager->Add(meta, R"({"Host":"c","o":{"k":[4],"K":5}})").ok());
  ASSERT_TRUE(stager->Finish().ok());
  EXPECT_EQ(ReadAll(*stager),
            "{\"_partition\":0,\"_offset\":1,\"_ts\":5,\"_key\":null,"
            "\"v\":{ \"Host\" : \"a\\tb\", \"n\":1.50, \"o\":{\"k\":[1e3, -0]} }}\n"
            "{\"_partition\":0,\"_offset\":2,\"_ts\":5,\"_key\":null,"
            "\"v\":{\"Host\":\"b\",\"o\":{\"k\":[2],\"k_2\":3}}}\n"
            "{\"_partition\":0,\"_offset\":3,\"_ts\":5,\"_key\":null,"
            "\"v\":{\"Host\":\"c\",\"o\":{\"k\":[4],\"k_2\":5}}}\n");
  // The types are observed once whichever way a record goes.
  EXPECT_EQ(stager->schema().SqlType(),
            "STRUCT(\"Host\" VARCHAR, \"n\" DOUBLE, \"o\" STRUCT(\"k\" DOUBLE[], \"k_2\" BIGINT))");
}

TEST(RecordStagerTest, Utf8Helpers) {
  EXPECT_EQ(ToValidUtf8("h\xc3\xa9"), "h\xc3\xa9");
  EXPECT_EQ(ToValidUtf8("a\xc3"), "a\\xC3");
  std::string out;
  AppendJsonString(out, "a\"\\\x01");
  EXPECT_EQ(out, "\"a\\\"\\\\\\u0001\"");
}

}  // namespace
}  // namespace el::jobs

namespace el::jobs {
namespace {

TEST(RecordStagerTest, GroupsRecordsByPartitionAndTypeWithTheirFields) {
  auto dir = std::filesystem::temp_directory_path() / ("el_groups_" + std::to_string(::getpid()));
  RecordStager stager("t", dir / "spill", 1 << 20);
  stager.set_group_field("event_type");
  auto add = [&](int32_t partition, std::string_view value) {
    ASSERT_TRUE(stager.Add({partition, 0, 0, false, {}}, value).ok());
  };
  add(0, R"({"event_type":"buy","item":"sword","price":null})");
  add(0, R"({"Event_Type":"buy","price":3})");
  add(1, R"({"event_type":"buy"})");
  add(0, R"({"event_type":"","x":1})");
  add(0, R"({"event_type":null,"y":1})");
  add(0, R"({"z":1})");
  ASSERT_TRUE(stager.Finish().ok());
  ASSERT_TRUE(stager.grouped());
  const auto& g = stager.groups();
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[0].partition, 0);
  EXPECT_EQ(g[0].type, "buy");
  EXPECT_EQ(g[0].columns, (std::set<std::string>{"event_type", "item", "price"}));
  EXPECT_EQ(g[1].partition, 1);
  EXPECT_EQ(g[1].type, "buy");
  EXPECT_FALSE(g[2].type.has_value());  // "", null and absent alike
  EXPECT_EQ(g[2].columns, (std::set<std::string>{"event_type", "x", "y", "z"}));
  std::vector<uint32_t> tags;
  ASSERT_TRUE(stager.records().ForEach([&](const RecordMeta& m, std::string_view) {
    tags.push_back(m.tag);
    return Status::Ok();
  }).ok());
  EXPECT_EQ(tags, (std::vector<uint32_t>{0, 0, 1, 2, 2, 2}));
  // A type that is not text: the groups no longer name the types.
  add(0, R"({"event_type":5})");
  ASSERT_TRUE(stager.Finish().ok());
  EXPECT_FALSE(stager.grouped());
}

}  // namespace
}  // namespace el::jobs
