#include "query/shell/column_types.h"

namespace el::query::shell {
namespace {

const char* BaseName(duckdb_type t) {
  switch (t) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_HUGEINT:
      return "HUGEINT";
    case DUCKDB_TYPE_UTINYINT:
      return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT:
      return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER:
      return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT:
      return "UBIGINT";
    case DUCKDB_TYPE_UHUGEINT:
      return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_S:
      return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return "TIMESTAMP_NS";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIME:
      return "TIME";
    case DUCKDB_TYPE_TIME_TZ:
      return "TIME WITH TIME ZONE";
    case DUCKDB_TYPE_INTERVAL:
      return "INTERVAL";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    case DUCKDB_TYPE_UUID:
      return "UUID";
    case DUCKDB_TYPE_BIT:
      return "BIT";
    case DUCKDB_TYPE_ENUM:
      return "ENUM";
    case DUCKDB_TYPE_UNION:
      return "UNION";
    case DUCKDB_TYPE_SQLNULL:
      return "\"NULL\"";
    default:
      return "?";
  }
}

// Owns a logical type handle the C API returned.
struct OwnedType {
  duckdb_logical_type t;
  ~OwnedType() { duckdb_destroy_logical_type(&t); }
};

}  // namespace

std::string TypeName(duckdb_logical_type type) {
  char* alias = duckdb_logical_type_get_alias(type);
  if (alias != nullptr) {
    std::string name = alias;
    duckdb_free(alias);
    return name;
  }
  duckdb_type id = duckdb_get_type_id(type);
  switch (id) {
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL(" + std::to_string(duckdb_decimal_width(type)) + "," +
             std::to_string(duckdb_decimal_scale(type)) + ")";
    case DUCKDB_TYPE_LIST: {
      OwnedType child{duckdb_list_type_child_type(type)};
      return TypeName(child.t) + "[]";
    }
    case DUCKDB_TYPE_ARRAY: {
      OwnedType child{duckdb_array_type_child_type(type)};
      return TypeName(child.t) + "[" + std::to_string(duckdb_array_type_array_size(type)) + "]";
    }
    case DUCKDB_TYPE_MAP: {
      OwnedType key{duckdb_map_type_key_type(type)};
      OwnedType value{duckdb_map_type_value_type(type)};
      return "MAP(" + TypeName(key.t) + ", " + TypeName(value.t) + ")";
    }
    case DUCKDB_TYPE_STRUCT: {
      std::string out = "STRUCT(";
      for (idx_t i = 0; i < duckdb_struct_type_child_count(type); ++i) {
        char* name = duckdb_struct_type_child_name(type, i);
        OwnedType child{duckdb_struct_type_child_type(type, i)};
        out += (i > 0 ? ", " : "") + std::string(name != nullptr ? name : "") + " " +
               TypeName(child.t);
        duckdb_free(name);
      }
      return out + ")";
    }
    default:
      return BaseName(id);
  }
}

bool IsNumeric(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
      return true;
    default:
      return false;
  }
}

bool IsNested(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_MAP:
    case DUCKDB_TYPE_ARRAY:
    case DUCKDB_TYPE_UNION:
    case DUCKDB_TYPE_BIT:
      return true;
    default:
      return false;
  }
}

}  // namespace el::query::shell
