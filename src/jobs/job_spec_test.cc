#include "jobs/job_spec.h"

#include <gtest/gtest.h>

namespace el::jobs {
namespace {

TEST(JobSpecTest, ParsesSourceAndOutputs) {
  auto job = ParseJob(R"(
name = "j"
[source]
topics = ["a", "b"]
from = { 0 = 5, 2 = 7 }
to = 100
follow = true
event_time = "ts"
time_zone = "Europe/Berlin"
max_record_bytes = 10
[[output]]
table = "t1"
partition_by = ["dt", "hour"]
mode = "append"
[[output]]
table = "t2"
sql = "SELECT k, xs FROM t1"
unnest = "xs"
parent_key = ["k"]
)", "test");
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->name, "j");
  EXPECT_EQ(job->topics, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(job->from.kind, RangeSpec::Kind::kPerPartition);
  EXPECT_EQ(job->from.partitions, (std::map<int32_t, int64_t>{{0, 5}, {2, 7}}));
  EXPECT_EQ(job->to.kind, RangeSpec::Kind::kOffset);
  EXPECT_EQ(job->to.value, 100);
  EXPECT_TRUE(job->follow);
  EXPECT_EQ(job->event_time.field, "ts");
  EXPECT_EQ(job->event_time.time_zone, "Europe/Berlin");
  EXPECT_EQ(job->max_record_bytes, 10);
  ASSERT_EQ(job->outputs.size(), 2u);
  EXPECT_EQ(job->outputs[0].sql, "SELECT * FROM source");
  EXPECT_EQ(job->outputs[0].partition_by, (std::vector<std::string>{"dt", "hour"}));
  EXPECT_EQ(job->outputs[0].mode, WriteMode::kAppend);
  EXPECT_EQ(job->outputs[1].unnest, "xs");
  EXPECT_EQ(job->outputs[1].parent_key, (std::vector<std::string>{"k"}));
}

TEST(JobSpecTest, ParsesTimestampsAsUtcMillis) {
  auto r = ParseRangeText("2018-01-23T14:23:19.082Z", true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, RangeSpec::Kind::kTimestamp);
  EXPECT_EQ(r->value, 1516717399082);
  r = ParseRangeText("2018-01-23T16:23:19.082+02:00", true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->value, 1516717399082);
  r = ParseRangeText("1516717399082ms", true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->value, 1516717399082);
  EXPECT_FALSE(ParseRangeText("2018-13-01", true).ok());
  EXPECT_FALSE(ParseRangeText("2018-01-01", false).ok());
  EXPECT_EQ(ParseRangeText("earliest", true)->kind, RangeSpec::Kind::kEarliest);
}

TEST(JobSpecTest, RejectsBadFiles) {
  const char* bad[] = {
      "[source]\ntopic = 'x'\n",                                      // no outputs
      "[[output]]\ntable = 't'\n",                                      // no source
      "[source]\ntopic = 'x'\nfoo = 1\n[[output]]\ntable = 't'\n",      // unknown key
      "[source]\ntopic = 'x'\n[[output]]\ntable = '_t'\n",              // hidden table name
      "[source]\ntopic = 'x'\n[[output]]\ntable = 't'\n[[output]]\ntable = 't'\n",  // twice
      "[source]\ntopic = 'x'\nto = 'earliest'\n[[output]]\ntable = 't'\n",
      "[source]\ntopic = 'x'\n[[output]]\ntable = 't'\nmode = 'sometimes'\n",
      "[source\n",
      "[source]\ntopic = 'x'\n[[output]]\ntable = 't'\nsql = ' '\n",             // no SQL
      "name = '../up'\n[source]\ntopic = 'x'\n[[output]]\ntable = 't'\n",      // a path
      "name = '.hidden'\n[source]\ntopic = 'x'\n[[output]]\ntable = 't'\n",
      "[source]\ntopic = 'a/b'\n[[output]]\ntable = 't'\n",                      // no topic name
      "[source]\ntopics = ['ok', '']\n[[output]]\ntable = 't'\n",
  };
  for (const char* text : bad) {
    auto job = ParseJob(text, "bad.toml");
    EXPECT_FALSE(job.ok()) << text;
    if (!job.ok()) {
      EXPECT_EQ(job.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace el::jobs
