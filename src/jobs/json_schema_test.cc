#include "jobs/json_schema.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

namespace el::jobs {
namespace {

// Walks a parsed value into `node` the way the stager does.
void Walk(simdjson::dom::element value, JsonType* node) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::OBJECT: {
      if (!node->ObserveObject()) return;
      simdjson::dom::object object = value.get_object().value_unsafe();
      for (auto field : object) Walk(field.value, node->Field(field.key));
      return;
    }
    case element_type::ARRAY: {
      JsonType* element = node->ObserveArray();
      if (element == nullptr) return;
      simdjson::dom::array array = value.get_array().value_unsafe();
      for (auto item : array) Walk(item, element);
      return;
    }
    case element_type::STRING: node->ObserveString(value.get_string().value_unsafe()); return;
    case element_type::INT64: node->ObserveInteger(); return;
    case element_type::UINT64:
    case element_type::DOUBLE: node->ObserveDouble(); return;
    case element_type::BOOL: node->ObserveBoolean(); return;
    case element_type::NULL_VALUE: return;
  }
}

std::string Infer(const std::vector<std::string>& records) {
  simdjson::dom::parser parser;
  JsonType root;
  for (const std::string& r : records) Walk(parser.parse(r).value(), &root);
  return root.SqlType();
}

// The records observed in runs (records [cuts[i], cuts[i+1]) into a tree of their own), the
// trees merged in order.
std::string InferMerged(const std::vector<std::string>& records, std::vector<size_t> cuts) {
  simdjson::dom::parser parser;
  JsonType root;
  cuts.insert(cuts.begin(), 0);
  cuts.push_back(records.size());
  for (size_t c = 0; c + 1 < cuts.size(); ++c) {
    JsonType part;
    for (size_t i = cuts[c]; i < cuts[c + 1]; ++i) Walk(parser.parse(records[i]).value(), &part);
    root.Merge(std::move(part));
    EXPECT_EQ(part.kind(), JsonType::Kind::kNull);
  }
  return root.SqlType();
}

// Every way of cutting `records` into runs gives the type of the serial walk.
void ExpectMergeLikeSerial(const std::vector<std::string>& records) {
  std::string serial = Infer(records);
  for (uint32_t mask = 0; mask < (1u << (records.size() - 1)); ++mask) {
    std::vector<size_t> cuts;
    for (size_t i = 1; i < records.size(); ++i) {
      if ((mask & (1u << (i - 1))) != 0) cuts.push_back(i);
    }
    EXPECT_EQ(InferMerged(records, cuts), serial) << "cut mask " << mask;
  }
}

TEST(JsonSchemaTest, MergesScalarsStructsAndLists) {
  EXPECT_EQ(Infer({R"({"event_type":"a","n":1,"nested":{"x":1}})", R"({"event_type":"b","n":"one","extra":[1,2]})",
                   R"({"event_type":"a","n":2.5,"nested":{"x":2,"y":"new"}})"}),
            R"(STRUCT("event_type" VARCHAR, "n" JSON, "nested" STRUCT("x" BIGINT, "y" VARCHAR), "extra" BIGINT[]))");
  EXPECT_EQ(Infer({R"({"i":1,"d":1,"b":true,"s":"x"})", R"({"i":null,"d":2.5,"b":false,"s":null})"}),
            R"(STRUCT("i" BIGINT, "d" DOUBLE, "b" BOOLEAN, "s" VARCHAR))");
  EXPECT_EQ(Infer({R"({"bn":true,"o":{"a":1},"l":[1]})", R"({"bn":1,"o":[1],"l":["x"]})"}),
            R"(STRUCT("bn" JSON, "o" JSON, "l" JSON[]))");
  EXPECT_EQ(Infer({R"({"q":"say \"hi\"","items":[{"id":1},{"id":2,"tags":["a"]}]})"}),
            R"(STRUCT("q" VARCHAR, "items" STRUCT("id" BIGINT, "tags" VARCHAR[])[]))");
}

TEST(JsonSchemaTest, NullsEmptiesAndFieldOrder) {
  EXPECT_EQ(Infer({R"({"z":null,"e":{},"a":[],"n":[null]})"}), R"(STRUCT("z" JSON, "e" JSON, "a" JSON[], "n" JSON[]))");
  EXPECT_EQ(Infer({R"({"b":1,"a":2})", R"({"a":3,"c":4,"b":5})"}), R"(STRUCT("b" BIGINT, "a" BIGINT, "c" BIGINT))");
  EXPECT_EQ(Infer({R"({"a\"b":1})"}), R"(STRUCT("a""b" BIGINT))");
}

TEST(JsonSchemaTest, DatesAndTimestamps) {
  EXPECT_EQ(Infer({R"({"t":"2018-01-01T12:00:02.794Z","d":"2018-01-02","u":"2f328442-a585-4b90-a0bd-08c3af1344ed"})",
                   R"({"t":"2018-01-01 12:00:03","d":"2020-02-29","u":"2f328442-a585-4b90-a0bd-08c3af1344ee"})"}),
            R"(STRUCT("t" TIMESTAMP, "d" DATE, "u" VARCHAR))");
  EXPECT_EQ(Infer({R"({"t":"2018-01-01T12:00:00Z"})", R"({"t":"2018-01-02"})"}), R"(STRUCT("t" VARCHAR))");
  bool date_only = false;
  EXPECT_TRUE(IsIsoDateTime("2018-01-01T12:00:00.123456789Z", &date_only));
  EXPECT_FALSE(date_only);
  EXPECT_TRUE(IsIsoDateTime("2024-02-29", &date_only));
  EXPECT_TRUE(date_only);
  for (const char* bad : {"2018-01-02T12:00:00+02:00", "2018-01-02T12:00:00-05", "2019-02-29", "2018-13-01",
                          "2018-01-01T24:00:00", "2018-01-01T12:00", "2018-01-01T12:00:00.", "12:30:00",
                          "2018-01-01X12:00:00", "2018-01-01T12:00:00.1234567890"}) {
    EXPECT_FALSE(IsIsoDateTime(bad, &date_only)) << bad;
  }
}

TEST(JsonSchemaTest, MergeWidensAsTheSerialWalk) {
  // Widening (BIGINT -> DOUBLE, DATE -> TIMESTAMP -> VARCHAR), the JSON fallback (absorbing),
  // nulls, new fields in later runs, nested structs and lists, empty arrays and objects.
  ExpectMergeLikeSerial({R"({"n":1,"t":"2018-01-02","o":{"a":1}})", R"({"n":2.5,"t":"2018-01-02 10:00:00"})",
                         R"({"n":null,"t":"x","o":{"b":[1]},"new":true})", R"({"o":{"a":2.0,"b":[]}})"});
  ExpectMergeLikeSerial({R"({"a":null})", R"({"a":{}})", R"({"a":{"x":1}})", R"({"a":[1]})", R"({"a":{"y":2}})"});
  ExpectMergeLikeSerial({R"({"l":[]})", R"({"l":[[1],[]]})", R"({"l":[[2.5,null]]})", R"({"l":[["s"]]})"});
  ExpectMergeLikeSerial({R"({"b":true})", R"({"b":1})", R"({"b":false})"});
  ExpectMergeLikeSerial({R"({"z":1,"y":2})", R"({"x":1,"z":2})", R"({"w":{"q":1},"y":"s"})", R"({"w":{"p":1,"q":[]}})"});
  ExpectMergeLikeSerial({R"({"d":"2020-02-29"})", R"({"d":"2020-03-01"})", R"({"d":null})", R"({"d":1})"});
}

TEST(JsonSchemaTest, MergeOfRandomRunsEqualsSerial) {
  const std::vector<std::string> values = {"1", "2.5", "true", "null", "\"s\"", "\"2018-01-01\"",
                                           "\"2018-01-01T00:00:00Z\"", "[]", "[1]", "[\"x\",null]",
                                           "{}", "{\"k\":1}", "{\"k\":\"v\",\"m\":[2.5]}", "[{\"k\":true}]"};
  const std::vector<std::string> keys = {"a", "b", "c", "d"};
  uint64_t seed = 12345;
  auto next = [&](size_t n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>((seed >> 33) % n);
  };
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> records;
    for (size_t r = 0, n = 2 + next(10); r < n; ++r) {
      std::string rec = "{";
      for (size_t f = 0, fields = next(4); f < fields; ++f) {
        if (f > 0) rec += ",";
        rec += "\"" + keys[next(keys.size())] + "\":" + values[next(values.size())];
      }
      records.push_back(rec + "}");
    }
    std::vector<size_t> cuts;
    for (size_t i = 1; i < records.size(); ++i) {
      if (next(3) == 0) cuts.push_back(i);
    }
    EXPECT_EQ(InferMerged(records, cuts), Infer(records)) << "round " << round;
  }
}

}  // namespace
}  // namespace el::jobs
