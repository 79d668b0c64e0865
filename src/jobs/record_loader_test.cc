#include "jobs/record_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "jobs/record_scan.h"
#include "jobs/record_stager.h"

namespace el::jobs {
namespace {

namespace fs = std::filesystem;

// Loads `values` through the stager and LoadRecords into el_typed, and the same staged records
// through DuckDB's own read_json with the stager's types into el_json (the NDJSON path the
// loader replaces), and returns the rows that differ between the two.
class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("el_loader_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    db_.emplace(std::move(duck::Database::OpenInMemory().value()));
    con_.emplace(std::move(duck::Connection::Open(*db_).value()));
    ASSERT_TRUE(con_->Exec("SET TimeZone = 'UTC'").ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Stage(const std::vector<std::string>& values) {
    stager_.emplace("ev", dir_ / "spill", budget_);
    stager_->set_group_field(group_field_);
    int64_t offset = 0;
    for (const std::string& v : values) {
      std::string key = "k" + std::to_string(offset);
      ASSERT_TRUE(stager_
                      ->Add({static_cast<int32_t>(offset % 2), offset, 1700000000000 + offset,
                             offset % 3 != 0, key},
                            v)
                      .ok());
      ++offset;
    }
    ASSERT_TRUE(stager_->Finish().ok());
    ASSERT_TRUE(stager_->dead_letters().empty()) << stager_->dead_letters()[0].error;
  }

  // Rows of el_typed not in el_json plus rows of el_json not in el_typed.
  int64_t Differences() {
    const JsonType& schema = stager_->schema();
    fs::path ndjson = dir_ / "records.ndjson";
    {
      std::ofstream out(ndjson);
      simdjson::dom::parser parser;
      Status st = stager_->records().ForEach([&](const RecordMeta& m, std::string_view value) {
        std::string key = "null";
        if (m.has_key) {
          key.clear();
          AppendJsonString(key, m.key);
        }
        simdjson::dom::element doc;  // one line each (the staged text may span lines)
        EXPECT_FALSE(parser.parse(value.data(), value.size(), false).get(doc));
        out << fmt::format(
                   R"({{"_topic":"ev","_partition":{},"_offset":{},"_ts":{},"_key":{},"v":{}}})",
                   m.partition, m.offset, m.timestamp_ms, key, simdjson::minify(doc))
            << "\n";
        return Status::Ok();
      });
      EXPECT_TRUE(st.ok());
    }
    std::string select = "_topic, _partition, _offset, epoch_ms(_ts) AS _timestamp, _key";
    for (const auto& [name, type] : schema.fields())
      select += fmt::format(", v.{0} AS {0}", duck::QuoteIdent(name));
    std::string v_type = schema.fields().empty() ? "JSON" : schema.SqlType();
    Status st = con_->Exec(
        fmt::format("CREATE OR REPLACE TABLE el_json AS SELECT {} FROM read_json({}, "
                    "format='newline_delimited', records=true, "
                    "columns={{'_topic': 'VARCHAR', '_partition': 'INTEGER', '_offset': 'BIGINT', "
                    "'_ts': 'BIGINT', "
                    "'_key': 'VARCHAR', 'v': {}}})",
                    select, duck::QuoteLiteral(ndjson.string()), duck::QuoteLiteral(v_type)));
    EXPECT_TRUE(st.ok()) << st.ToString();
    st = LoadRecords(*db_, *con_, "el_typed", "ev", schema, stager_->records(), threads_);
    EXPECT_TRUE(st.ok()) << st.ToString();
    auto n = con_->Query(
        "SELECT (SELECT count(*) FROM (SELECT * FROM el_typed EXCEPT ALL SELECT * FROM el_json)) + "
        "(SELECT count(*) FROM (SELECT * FROM el_json EXCEPT ALL SELECT * FROM el_typed)) + "
        "abs((SELECT count(*) FROM el_typed) - (SELECT count(*) FROM el_json))");
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok()) return -1;
    return n->Int(0, 0) + ScanDifferences();
  }

  // The record scan (jobs/record_scan.h) over every group against el_typed: rows that differ, plus
  // rows whose group is not their partition's and type's.
  int64_t ScanDifferences() {
    auto scan = RecordScan::Open(*con_, &*db_, "ev", stager_->schema(), stager_->records());
    EXPECT_TRUE(scan.ok()) << scan.status().ToString();
    if (!scan.ok()) return -1;
    std::vector<std::string> parts;
    int64_t misplaced = 0;
    // Ungrouped (a type that is not text), the tags before that record name groups and the rest
    // are 0: every tag so far still covers every record once.
    for (size_t g = 0; g < std::max<size_t>(1, stager_->groups().size()); ++g) {
      std::string rel = (*scan)->Relation(static_cast<uint32_t>(g));
      parts.push_back("SELECT * FROM " + rel);
      if (!stager_->grouped()) continue;
      const RecordStager::Group& group = stager_->groups()[g];
      bool has_field = false;
      for (const auto& [name, t] : stager_->schema().fields())
        has_field = has_field || name == group_field_;
      std::string field = duck::QuoteIdent(group_field_);
      std::string type =
          !has_field ? "true"
          : group.type
              ? fmt::format("CAST({} AS VARCHAR) = {}", field, duck::QuoteLiteral(*group.type))
              : fmt::format("NULLIF(CAST({} AS VARCHAR), '') IS NULL", field);
      auto bad =
          con_->Query(fmt::format("SELECT count(*) FROM {} WHERE _partition <> {} OR NOT ({})", rel,
                                  group.partition, type));
      EXPECT_TRUE(bad.ok()) << bad.status().ToString();
      misplaced += bad.ok() ? bad->Int(0, 0) : 1;
    }
    std::string all = fmt::format("({})", fmt::join(parts, " UNION ALL "));
    auto n = con_->Query(fmt::format(
        "SELECT (SELECT count(*) FROM (SELECT * FROM el_typed EXCEPT ALL SELECT * FROM {0})) + "
        "(SELECT count(*) FROM (SELECT * FROM {0} EXCEPT ALL SELECT * FROM el_typed)) + "
        "abs((SELECT count(*) FROM el_typed) - (SELECT count(*) FROM {0}))",
        all));
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? n->Int(0, 0) + misplaced : -1;
  }

  std::string Types(const std::string& table) {
    auto r = con_->Query(
        "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM "
        "information_schema.columns WHERE table_name = " +
        duck::QuoteLiteral(table));
    return r.ok() ? r->Text(0, 0) : r.status().ToString();
  }

  fs::path dir_;
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> con_;
  std::optional<RecordStager> stager_;
  size_t threads_ = 1;
  size_t budget_ = 1 << 20;
  std::string group_field_ = "c0";
};

TEST_F(LoaderTest, EdgeCasesLoadAsDuckDbReadsThem) {
  group_field_ = "s";
  Stage({
      R"({"s":"a","n":1,"d":1.5,"b":true,"day":"2024-02-29","ts":"2024-01-01T10:11:12.1234567Z","o":{"x":1,"y":[1,2]},"l":[{"k":"v"},{"k":null,"m":2}]})",
      R"({"n":2.25,"s":"\u00e9\n\"q\"","o":{"y":[],"z":"new"},"mixed":1,"l":[],"ll":[[1],[2,3],[]]})",
      R"({"mixed":"text","o":null,"day":null,"ts":"1969-07-20 20:17:40","nested":{"a":{"b":{"c":[true,false,null]}}}})",
      R"({"mixed":{"k":[1,"two",null]},"only_null":null,"empty_obj":{},"empty_list":[],"big":18446744073709551615})",
      R"({"Case":"one","case_2":"two","l":[{"K":"upper"}],"_offset":7,"":"empty"})",
      R"({"ts":"0001-01-01T00:00:00","day":"9999-12-31","d":-0.0,"n":-9223372036854775808})",
      R"({"multi":
         "line","o":{"x":3}})",
      R"({})",
  });
  EXPECT_EQ(Differences(), 0);
  EXPECT_EQ(Types("el_typed"), Types("el_json"));
}

TEST_F(LoaderTest, NoFieldsAtAll) {
  Stage({"{}", "{}"});
  EXPECT_EQ(Differences(), 0);
  EXPECT_EQ(
      Types("el_typed"),
      "_topic VARCHAR, _partition INTEGER, _offset BIGINT, _timestamp TIMESTAMP, _key VARCHAR");
}

// Random records over a small vocabulary of field names and value shapes: every type of the
// lattice, widening, JSON fallback, nesting and missing fields, against DuckDB's own reading.
TEST_F(LoaderTest, RandomRecordsLoadAsDuckDbReadsThem) {
  std::mt19937 rng(7);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  std::function<std::string(int)> value = [&](int depth) -> std::string {
    switch (pick(depth > 2 ? 9 : 11)) {
      case 0:
        return "null";
      case 1:
        return pick(2) ? "true" : "false";
      case 2:
        return std::to_string(static_cast<int64_t>(rng()) - (1LL << 31));
      case 3:
        return fmt::format("{}", (static_cast<double>(rng()) / 7.0) - 1e8);
      case 4:
        return fmt::format("\"2024-0{}-1{}\"", 1 + pick(9), pick(10));
      case 5:
        return fmt::format("\"2024-03-0{}T0{}:00:00.{}Z\"", 1 + pick(9), pick(10), pick(1000000));
      case 6:
        return fmt::format("\"word {}\"", pick(100));
      case 7:
        return fmt::format("\"{}\"", pick(2) ? "2024-13-01" : "12:00");
      case 8:
        return "\"\\ud83d\\ude00 \\t\"";
      case 9: {
        std::string out = "{";
        int n = pick(4);
        for (int i = 0; i < n; ++i)
          out += fmt::format("{}\"f{}\":{}", i ? "," : "", pick(5), value(depth + 1));
        return out + "}";
      }
      default: {
        std::string out = "[";
        int n = pick(4);
        for (int i = 0; i < n; ++i) out += (i ? "," : "") + value(depth + 1);
        return out + "]";
      }
    }
  };
  for (int round = 0; round < 20; ++round) {
    std::vector<std::string> values;
    int fields = 1 + pick(6);
    for (int r = 0; r < 3000; ++r) {
      std::string out = "{";
      bool first = true;
      for (int f = 0; f < fields; ++f) {
        if (pick(4) == 0) continue;
        // Each field keeps to a shape most of the time, so that types are mostly not JSON.
        out += fmt::format("{}\"c{}\":{}", first ? "" : ",", f,
                           pick(20) == 0 ? value(0) : value(3 + (f % 2)));
        first = false;
      }
      values.push_back(out + "}");
    }
    Stage(values);
    ASSERT_EQ(Differences(), 0) << "round " << round << ": " << stager_->schema().SqlType();
    EXPECT_EQ(Types("el_typed"), Types("el_json"));
  }
}

TEST_F(LoaderTest, SegmentsLoadOnSeveralThreadsInOrder) {
  threads_ = 3;
  budget_ = 4 << 20;  // ~20 MB of records: some segments kept, some read back from the spill file
  std::vector<std::string> values;
  for (int i = 0; i < 60'000; ++i) {
    values.push_back(fmt::format(R"({{"i":{},"pad":"{}","o":{{"k":[{}]}}}})", i,
                                 std::string(300, 'a' + i % 26), i % 7));
  }
  group_field_ = "pad";
  Stage(values);
  ASSERT_TRUE(stager_->grouped());
  EXPECT_EQ(stager_->groups().size(), 26u);  // 26 pads (each in one partition: i % 2, i % 26)
  ASSERT_GT(stager_->records().segments(), 3u);
  EXPECT_GT(stager_->records().spilled_bytes(), 0);
  EXPECT_EQ(Differences(), 0);
  auto r = con_->Query(
      "SELECT count(*), count(*) FILTER (WHERE _offset <> i OR _offset <> prev + 1) FROM "
      "(SELECT _offset, i, lag(_offset, 1, -1) OVER () AS prev FROM el_typed)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Int(0, 0), 60'000);
  EXPECT_EQ(r->Int(1, 0), 0);  // rows in record order, whichever thread loaded them
  ASSERT_TRUE(con_->HasTable("el_typed_part_2"));
  ASSERT_TRUE(DropRecords(*con_, "el_typed").ok());
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(con_->HasTable(fmt::format("el_typed_part_{}", i))) << i;
  EXPECT_FALSE(con_->Query("SELECT * FROM el_typed").ok());
}

TEST_F(LoaderTest, TheScanRegistersOnceWhetherItsDatabaseIsNamedOrNot) {
  Stage({R"({"c0":"a","n":1})", R"({"c0":"b","n":2})"});
  // without the database (the catalog decides), twice, then with it: every scan reads the records
  std::vector<const duck::Database*> dbs = {nullptr, nullptr, &*db_};
  for (const duck::Database* db : dbs) {
    auto scan = RecordScan::Open(*con_, db, "ev", stager_->schema(), stager_->records());
    ASSERT_TRUE(scan.ok()) << scan.status().ToString();
    std::vector<std::string> groups;
    for (size_t g = 0; g < std::max<size_t>(1, stager_->groups().size()); ++g)
      groups.push_back("SELECT * FROM " + (*scan)->Relation(static_cast<uint32_t>(g)));
    auto n = con_->Query(fmt::format("SELECT count(*) FROM ({})", fmt::join(groups, " UNION ALL ")));
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(n->Int(0, 0), 2);
  }
  auto functions = con_->Query("SELECT count(*) FROM duckdb_functions() WHERE function_name = 'el_records'");
  ASSERT_TRUE(functions.ok());
  EXPECT_EQ(functions->Int(0, 0), 1);
}

TEST(IsoMicrosTest, AsDuckDbCasts) {
  EXPECT_EQ(IsoMicros("1970-01-01"), 0);
  EXPECT_EQ(IsoMicros("1970-01-02T00:00:01.5Z"), 86'401'500'000LL);
  EXPECT_EQ(IsoMicros("1969-12-31 23:59:59.9999999"), -1);
  EXPECT_EQ(IsoMicros("2024-02-30"), std::nullopt);
  EXPECT_EQ(IsoMicros("2024-01-01T24:00:00"), std::nullopt);
}

}  // namespace
}  // namespace el::jobs
