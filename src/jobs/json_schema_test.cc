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

}  // namespace
}  // namespace el::jobs
