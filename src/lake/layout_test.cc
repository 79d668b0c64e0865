#include "lake/layout.h"

#include <gtest/gtest.h>

#include <fstream>

#include "base/test_dirs.h"
#include "lake/progress.h"
#include "lake/recovery.h"

namespace el::lake {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

TEST(LayoutTest, HiveValuesEncodeWhatFileNamesCannotHoldAndDecodeBack) {
  EXPECT_EQ(HiveValue("purchase_sword"), "purchase_sword");
  EXPECT_EQ(HiveValue("a/b=c"), "a%2Fb%3Dc");
  EXPECT_EQ(HiveValue("sp ace%"), "sp%20ace%25");
  EXPECT_EQ(HiveValue("\xC3\x9Cn"), "%C3%9Cn");  // UTF-8 bytes, as DuckDB writes them
  EXPECT_EQ(HiveValue(std::nullopt), kHiveNull);
  EXPECT_EQ(HiveValue(""), kHiveNull);
  for (std::string raw :
       {"purchase_sword", "a/b=c", "sp ace%", "\xC3\x9Cn", "x:y?*", "%41", "_hidden", ".dot"}) {
    EXPECT_EQ(ParseHiveValue(HiveValue(raw)), raw) << raw;
  }
  EXPECT_EQ(ParseHiveValue(kHiveNull), std::nullopt);
  EXPECT_EQ(ParseHiveValue("bad%zz%4"), "bad%zz%4");  // not an escape: kept
  // Long values stay valid file names and distinct; no escape is cut in half.
  std::string a = HiveValue(std::string(150, '/') + "a"),
              b = HiveValue(std::string(150, '/') + "b");
  EXPECT_LE(a.size(), kMaxHiveValue);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.substr(a.size() - 9, 1), "~");
  EXPECT_EQ(a.substr(0, a.size() - 9).size() % 3, 0u);
}

TEST(LayoutTest, TypeTableNames) {
  EXPECT_EQ(TypeTableName("events", std::string("Purchase Sword")), "events_purchase_sword");
  EXPECT_EQ(TypeTableName("events", std::nullopt), "");
  EXPECT_EQ(TypeTableName("events", std::string("dead_letter")),
            "");  // the dead-letter table's name
}

TEST(LayoutTest, FormatsAreRecordedRefusedAndDetected) {
  fs::path lake = test::FreshTestDir("el_layout_test");
  EXPECT_EQ(*ReadLakeFormat(lake), 0);
  EXPECT_TRUE(CheckLakeFormat(lake, false).ok());
  EXPECT_EQ(*ReadLakeFormat(lake), 0);  // a job or a reader records nothing
  ASSERT_TRUE(CheckLakeFormat(lake, true).ok());
  EXPECT_EQ(*ReadLakeFormat(lake), kLakeFormat);

  fs::path old = test::FreshTestDir("el_layout_test_old");
  Write(old / "_progress" / "events" / "0.next", "5\n");
  EXPECT_EQ(*ReadLakeFormat(old), 1);
  EXPECT_TRUE(CheckLakeFormat(old, false).ok());  // readable as it is
  Status st = CheckLakeFormat(old, true);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("eventlake convert --lake " + old.string()), std::string::npos)
      << st.message();

  Write(lake / "_format", "3\n");
  st = CheckLakeFormat(lake, false);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("newer eventlake"), std::string::npos) << st.message();
  Write(lake / "_format", "two\n");
  EXPECT_EQ(ReadLakeFormat(lake).status().code(), StatusCode::kDataLoss);
}

TEST(LayoutTest, ReaderTablesAreFoldersAndEventTypes) {
  fs::path lake = test::FreshTestDir("el_layout_test");
  fs::create_directories(lake / "events" / "event_type=buy" / "_schema");
  fs::create_directories(lake / "events" / "event_type=Buy" / "_schema");  // same sanitized name
  fs::create_directories(lake / "events" / "event_type=a%2Fb" / "_schema");
  fs::create_directories(lake / "events" / ("event_type=" + std::string(kHiveNull)) / "_schema");
  fs::create_directories(lake / "events" / "dt=2024-01-01");  // no history: not a type
  fs::create_directories(lake / "events_dead_letter");
  auto tables = ListReaderTables(lake);
  ASSERT_TRUE(tables.ok());
  std::vector<std::string> names;
  for (const TableRef& t : *tables) names.push_back(t.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"events", "events_a_b", "events_buy", "events_dead_letter"}));
  EXPECT_EQ((*tables)[0].type_key, "event_type");
  EXPECT_FALSE((*tables)[0].is_type);
  EXPECT_TRUE((*tables)[2].is_type);
  EXPECT_EQ((*tables)[2].dirs.size(), 2u);
  auto types = ListTypeFolders(lake, "events");
  ASSERT_TRUE(types.ok());
  ASSERT_EQ(types->size(), 4u);
  EXPECT_EQ((*types)[0].value, "Buy");  // sorted by folder name
  EXPECT_EQ((*types)[1].value, std::nullopt);
  EXPECT_EQ((*types)[2].value, "a/b");
  EXPECT_EQ((*types)[3].table, "events_buy");
  auto found = FindReaderTable(lake, "events_a_b");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->dirs.front(), lake / "events" / "event_type=a%2Fb");
  EXPECT_FALSE(FindReaderTable(lake, "nope")->has_value());
}

// Format 2: the progress records alone commit; files of the topic's table past them are removed.
TEST(LayoutTest, Format2CommitsThroughProgressRecords) {
  fs::path lake = test::FreshTestDir("el_layout_test");
  ASSERT_TRUE(WriteLakeFormat(lake, 2).ok());
  Write(lake / "events" / "event_type=a" / "events+0+0-9.parquet", "x");
  Write(lake / "events" / "event_type=b" / "events+0+0-9.parquet", "x");
  Write(lake / "events" / "event_type=a" / "events+0+10-19.parquet",
        "x");  // published, never recorded
  Write(lake / "_progress" / "events" / "0.next", "10\n");
  EXPECT_EQ(*TopicCommitted(lake, "events"), (NextOffsets{{0, 10}}));
  auto next = RecoverTopic(lake, "events");
  ASSERT_TRUE(next.ok()) << next.status().message();
  EXPECT_EQ(*next, (NextOffsets{{0, 10}}));
  EXPECT_FALSE(fs::exists(lake / "events" / "event_type=a" / "events+0+10-19.parquet"));
  EXPECT_TRUE(fs::exists(lake / "events" / "event_type=a" / "events+0+0-9.parquet"));
  EXPECT_TRUE(fs::exists(lake / "events" / "event_type=b" / "events+0+0-9.parquet"));
}

}  // namespace
}  // namespace el::lake
