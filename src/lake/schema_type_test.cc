#include "lake/schema_type.h"

#include <gtest/gtest.h>

#include <string>

namespace el::lake {
namespace {

SchemaType T(const std::string& text) {
  auto t = SchemaType::Parse(text);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status().ToString();
  return t.ok() ? *t : SchemaType::Leaf("?");
}

std::string Merge(const std::string& a, const std::string& b) {
  return MergeTypes(T(a), T(b)).ToString();
}

TEST(SchemaTypeTest, ParsesAndPrintsDuckDbTypeText) {
  EXPECT_EQ(T("BIGINT").ToString(), "BIGINT");
  EXPECT_EQ(T("VARCHAR[][]").ToString(), "VARCHAR[][]");
  EXPECT_EQ(T("STRUCT(a BIGINT, \"b c\" VARCHAR[])").ToString(),
            "STRUCT(\"a\" BIGINT, \"b c\" VARCHAR[])");
  EXPECT_EQ(T("STRUCT(\"q\"\"x\" STRUCT(y DOUBLE))[]").ToString(),
            "STRUCT(\"q\"\"x\" STRUCT(\"y\" DOUBLE))[]");
  EXPECT_EQ(T("DECIMAL(18,3)").ToString(), "DECIMAL(18,3)");
  EXPECT_EQ(T("MAP(VARCHAR, BIGINT)").kind(), SchemaType::Kind::kLeaf);
  EXPECT_EQ(T("TIMESTAMP WITH TIME ZONE").ToString(), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(T("INTEGER[3]").kind(), SchemaType::Kind::kLeaf);
  EXPECT_EQ(T("STRUCT()").fields().size(), 0u);
  for (const char* bad :
       {"", "STRUCT(a", "STRUCT(a BIGINT", "BIGINT[", "STRUCT(\"a BIGINT)", "BIGINT)",
        // duplicate field names (DuckDB compares them without case), names that are no type
        "STRUCT(a BIGINT, A VARCHAR)", "BIG*INT", "STRUCT(a BIG\xff)"}) {
    EXPECT_FALSE(SchemaType::Parse(bad).ok()) << bad;
  }
  // Nesting from a file written by anything is bounded, not a stack overflow.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "STRUCT(a ";
  EXPECT_FALSE(SchemaType::Parse(deep + "BIGINT" + std::string(100000, ')')).ok());
  std::string nested = "BIGINT";
  for (int i = 0; i < 60; ++i) nested = "STRUCT(a " + nested + ")";
  EXPECT_TRUE(SchemaType::Parse(nested).ok());
}

TEST(SchemaTypeTest, MergeWidensNumbersAndText) {
  EXPECT_EQ(Merge("INTEGER", "BIGINT"), "BIGINT");
  EXPECT_EQ(Merge("BIGINT", "DOUBLE"), "DOUBLE");
  EXPECT_EQ(Merge("UBIGINT", "BIGINT"), "DOUBLE");
  EXPECT_EQ(Merge("DATE", "TIMESTAMP"), "TIMESTAMP");
  EXPECT_EQ(Merge("DATE", "VARCHAR"), "VARCHAR");
  EXPECT_EQ(Merge("BOOLEAN", "BOOLEAN"), "BOOLEAN");
}

TEST(SchemaTypeTest, StringsAndNumbersNeverShareTextColumn) {
  EXPECT_EQ(Merge("VARCHAR", "BIGINT"), "JSON");
  EXPECT_EQ(Merge("BOOLEAN", "BIGINT"), "JSON");
  EXPECT_EQ(Merge("VARCHAR", "STRUCT(a BIGINT)"), "JSON");
  EXPECT_EQ(Merge("VARCHAR[]", "VARCHAR"), "JSON");
  EXPECT_EQ(Merge("JSON", "STRUCT(a BIGINT)"), "JSON");
}

TEST(SchemaTypeTest, NestedTypesMergeWhereTheyDiffer) {
  EXPECT_EQ(Merge("STRUCT(a VARCHAR, b BIGINT)", "STRUCT(b DOUBLE, c BOOLEAN)"),
            "STRUCT(\"a\" VARCHAR, \"b\" DOUBLE, \"c\" BOOLEAN)");
  EXPECT_EQ(Merge("STRUCT(a VARCHAR)", "STRUCT(a BIGINT)"), "STRUCT(\"a\" JSON)");
  EXPECT_EQ(Merge("STRUCT(a BIGINT)[]", "STRUCT(b VARCHAR)[]"),
            "STRUCT(\"a\" BIGINT, \"b\" VARCHAR)[]");
  EXPECT_EQ(Merge("BIGINT[]", "VARCHAR[]"), "JSON[]");
}

TEST(SchemaTypeTest, CompareTellsAdditiveFromRewrite) {
  EXPECT_EQ(CompareTypes(T("BIGINT"), T("BIGINT")), TypeChange::kSame);
  EXPECT_EQ(CompareTypes(T("STRUCT(a BIGINT)"), T("STRUCT(a BIGINT, b VARCHAR)")),
            TypeChange::kAdditive);
  EXPECT_EQ(CompareTypes(T("STRUCT(a BIGINT)[]"), T("STRUCT(a BIGINT, b VARCHAR)[]")),
            TypeChange::kAdditive);
  EXPECT_EQ(CompareTypes(T("STRUCT(a BIGINT)"), T("STRUCT(a DOUBLE, b VARCHAR)")),
            TypeChange::kRewrite);
  EXPECT_EQ(CompareTypes(T("VARCHAR"), T("JSON")), TypeChange::kRewrite);
  EXPECT_EQ(CompareTypes(T("BIGINT"), T("DOUBLE")), TypeChange::kRewrite);
  EXPECT_EQ(CompareTypes(T("STRUCT(a BIGINT, b VARCHAR)"), T("STRUCT(a BIGINT)")),
            TypeChange::kRewrite);
}

TEST(SchemaTypeTest, ConvertExpressions) {
  EXPECT_EQ(ConvertExpr("x", T("BIGINT"), T("BIGINT")), "x");
  EXPECT_EQ(ConvertExpr("x", T("VARCHAR"), T("JSON")), "to_json(x)");
  EXPECT_EQ(ConvertExpr("x", T("BIGINT"), T("DOUBLE")), "CAST(x AS DOUBLE)");
  EXPECT_EQ(ConvertExpr("x", T("BIGINT[]"), T("JSON[]")),
            "list_transform(x, lambda el_x0: to_json(el_x0))");
  EXPECT_EQ(ConvertExpr("x", T("STRUCT(\"it's\" VARCHAR)"), T("STRUCT(\"it's\" JSON, n BIGINT)")),
            "CASE WHEN x IS NULL THEN NULL ELSE {'it''s': to_json(struct_extract(x, 'it''s')), "
            "'n': NULL::BIGINT} END");
}

}  // namespace
}  // namespace el::lake
