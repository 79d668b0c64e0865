#include "jobs/batch_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include "clients/duck/duck.h"
#include "jobs/record_stager.h"

namespace el::jobs {
namespace {

namespace fs = std::filesystem;

class BatchWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("el_batch_writer_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "lake" / "_staging" / "b");
    db_.emplace(std::move(duck::Database::OpenInMemory().value()));
    con_.emplace(std::move(duck::Connection::Open(*db_).value()));
  }
  void TearDown() override { fs::remove_all(dir_); }

  BatchInput Input(RecordStager& stager, const JsonType& schema) {
    BatchInput in;
    in.topic = "ev";
    in.lake_dir = dir_ / "lake";
    in.staging_dir = dir_ / "lake" / "_staging" / "b";
    in.event_type_field = "event_type";
    in.records = &stager.records();
    in.schema = &schema;
    if (stager.grouped()) in.groups = &stager.groups();
    in.db = &*db_;
    in.dead_letters = &stager.dead_letters();
    in.ranges = {{0, 0, 2, 3}};
    return in;
  }

  // Rows of the staged topic table's files, by event type folder.
  std::string StagedRows() {
    auto r = con_->Query(
        "SELECT string_agg(event_type || ':' || n, ',' ORDER BY _offset) FROM read_parquet(" +
        duck::QuoteLiteral(
            (dir_ / "lake" / "_staging" / "b" / "ev" / "**" / "*.parquet").string()) +
        ", hive_partitioning = true, union_by_name = true)");
    return r.ok() ? r->Text(0, 0) : r.status().ToString();
  }

  fs::path dir_;
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> con_;
};

TEST_F(BatchWriterTest, TopicTableIsWrittenFromTheRecordScanByType) {
  RecordStager stager("ev", dir_ / "spill", 1 << 20);
  stager.set_group_field("event_type");
  for (int64_t i = 0; i < 3; ++i) {
    std::string value = R"({"event_type":")" + std::string(i == 1 ? "b" : "a") + R"(","n":)" +
                        std::to_string(i) + "}";
    ASSERT_TRUE(stager.Add({0, i, 0, false, {}}, value).ok());
  }
  ASSERT_TRUE(stager.Finish().ok());
  ASSERT_TRUE(stager.grouped());
  auto staged = StageBatch(*con_, Input(stager, stager.schema()));
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  ASSERT_EQ(staged->size(), 1u);
  EXPECT_EQ(staged->back().type_columns.size(), 2u);
  EXPECT_EQ(StagedRows(), "a:0,b:1,a:2");
  EXPECT_EQ(stager.records().size(), 0);  // released once written
}

// The scan writes values as the stager's types have them; a value that does not fit (which the
// stager never lets happen) fails the scan's COPY, and the batch is written from loaded records.
TEST_F(BatchWriterTest, ScanFailureFallsBackToLoadingTheRecords) {
  RecordStager stager("ev", dir_ / "spill", 1 << 20);
  stager.set_group_field("event_type");
  for (int64_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(stager
                    .Add({0, i, 0, false, {}},
                         R"({"event_type":"a","n":"text)" + std::to_string(i) + R"("})")
                    .ok());
  }
  RecordStager numbers("ev", dir_ / "spill2", 1 << 20);  // a schema in which n is a BIGINT
  ASSERT_TRUE(numbers.Add({0, 0, 0, false, {}}, R"({"event_type":"a","n":1})").ok());
  ASSERT_TRUE(stager.Finish().ok());
  ASSERT_TRUE(numbers.Finish().ok());
  auto staged = StageBatch(*con_, Input(stager, numbers.schema()));
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  EXPECT_EQ(StagedRows(), "a:text0,a:text1,a:text2");
}

}  // namespace
}  // namespace el::jobs
