#include "query/format.h"

#include <gtest/gtest.h>

namespace el::query {
namespace {

ResultTable Sample() {
  ResultTable t;
  t.columns = {"name", "n"};
  t.rows = {{"a,b", "1"}, {std::nullopt, "22"}, {"q\"x", std::nullopt}};
  t.json_literal = {false, true};
  return t;
}

TEST(FormatTest, Table) {
  EXPECT_EQ(FormatAsTable(Sample()),
            " name | n\n"
            "------+------\n"
            " a,b  | 1\n"
            " NULL | 22\n"
            " q\"x  | NULL\n"
            "(3 rows)\n");
}

TEST(FormatTest, Csv) {
  EXPECT_EQ(FormatAsCsv(Sample()), "name,n\r\n\"a,b\",1\r\n,22\r\n\"q\"\"x\",\r\n");
}

TEST(FormatTest, Json) {
  EXPECT_EQ(FormatAsJson(Sample()),
            "[\n{\"name\":\"a,b\",\"n\":1},\n{\"name\":null,\"n\":22},\n{\"name\":\"q\\\"x\",\"n\":null}\n]\n");
  ResultTable objects;
  objects.columns = {"j"};
  objects.rows = {{"{\"a\":1}"}};
  objects.rows_are_json_objects = true;
  EXPECT_EQ(FormatAsJson(objects), "[\n{\"a\":1}\n]\n");
  EXPECT_EQ(FormatAsJson(ResultTable{}), "[]\n");
}

TEST(FormatTest, ParseFormat) {
  EXPECT_EQ(*ParseFormat("csv"), Format::kCsv);
  EXPECT_FALSE(ParseFormat("xml").ok());
}

}  // namespace
}  // namespace el::query
