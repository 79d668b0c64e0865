#pragma once
// DuckDB column types as the shell needs them: a name to show, and how to align and print values.
// Threading: free functions over C API type handles the caller owns.
#include <duckdb.h>

#include <string>

namespace el::query::shell {

// The SQL name of a type: "BIGINT", "DECIMAL(18,3)", "VARCHAR[]", "STRUCT(a INTEGER, b VARCHAR)",
// "MAP(VARCHAR, BIGINT)", an alias such as "JSON" when the type has one.
std::string TypeName(duckdb_logical_type type);
// Numbers: right-aligned, bare JSON literals.
bool IsNumeric(duckdb_type type);
// Types whose values the C API cannot give as text (nested ones): the query is run again cast to
// VARCHAR.
bool IsNested(duckdb_type type);

}  // namespace el::query::shell
