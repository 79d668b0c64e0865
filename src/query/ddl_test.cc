#include "query/ddl.h"

#include <gtest/gtest.h>

namespace el::query {
namespace {

std::string Map(std::string_view t) {
  auto r = TrinoType(t);
  EXPECT_TRUE(r.ok()) << t;
  return r.ok() ? *r : "";
}

TEST(TrinoTypeTest, Scalars) {
  EXPECT_EQ(Map("VARCHAR"), "VARCHAR");
  EXPECT_EQ(Map("JSON"), "VARCHAR");
  EXPECT_EQ(Map("BIGINT"), "BIGINT");
  EXPECT_EQ(Map("INTEGER"), "INTEGER");
  EXPECT_EQ(Map("DOUBLE"), "DOUBLE");
  EXPECT_EQ(Map("BOOLEAN"), "BOOLEAN");
  EXPECT_EQ(Map("TIMESTAMP"), "TIMESTAMP(6)");
  EXPECT_EQ(Map("TIMESTAMP WITH TIME ZONE"), "TIMESTAMP(6)");
  EXPECT_EQ(Map("DECIMAL(18,3)"), "DECIMAL(18,3)");
  EXPECT_EQ(Map("FLOAT"), "REAL");
}

TEST(TrinoTypeTest, Nested) {
  EXPECT_EQ(Map("VARCHAR[]"), "ARRAY(VARCHAR)");
  EXPECT_EQ(Map("BIGINT[][]"), "ARRAY(ARRAY(BIGINT))");
  EXPECT_EQ(Map("STRUCT(id BIGINT, w DOUBLE)"), "ROW(\"id\" BIGINT, \"w\" DOUBLE)");
  EXPECT_EQ(Map("STRUCT(\"User-Agent\" VARCHAR, \"a \"\"q\"\"\" JSON)[]"),
            "ARRAY(ROW(\"User-Agent\" VARCHAR, \"a \"\"q\"\"\" VARCHAR))");
  EXPECT_EQ(Map("STRUCT(a STRUCT(b TIMESTAMP[], c DECIMAL(9,2)))"),
            "ROW(\"a\" ROW(\"b\" ARRAY(TIMESTAMP(6)), \"c\" DECIMAL(9,2)))");
  EXPECT_EQ(Map("MAP(VARCHAR, BIGINT[])"), "MAP(VARCHAR, ARRAY(BIGINT))");
}

TEST(TrinoTypeTest, RejectsGarbage) {
  EXPECT_FALSE(TrinoType("").ok());
  EXPECT_FALSE(TrinoType("STRUCT(a BIGINT").ok());
  EXPECT_FALSE(TrinoType("MAP(VARCHAR)").ok());
}

TEST(CreateTableDdlTest, MissingTableIsNotFound) {
  DdlOptions o;
  o.lake_dir = "/nonexistent-lake";
  o.table = "t";
  auto r = CreateTableDdl(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  o.dialect = "oracle";
  EXPECT_EQ(CreateTableDdl(o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace el::query
