# Dependency pins (Debian 12 packages; DuckDB from scripts/setup.sh into .deps/duckdb).
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka>=2.0.2)
find_package(simdjson REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(ZLIB REQUIRED)
if(EL_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()

set(EL_DUCKDB_DIR "${PROJECT_SOURCE_DIR}/.deps/duckdb" CACHE PATH "DuckDB 1.4.4 C library and header")
if(NOT EXISTS "${EL_DUCKDB_DIR}/lib/libduckdb.so" OR NOT EXISTS "${EL_DUCKDB_DIR}/include/duckdb.h")
  message(FATAL_ERROR "DuckDB not found in ${EL_DUCKDB_DIR}: run scripts/setup.sh")
endif()
add_library(duckdb SHARED IMPORTED GLOBAL)
set_target_properties(duckdb PROPERTIES
  IMPORTED_LOCATION "${EL_DUCKDB_DIR}/lib/libduckdb.so"
  INTERFACE_INCLUDE_DIRECTORIES "${EL_DUCKDB_DIR}/include")
# Kafka batch codecs the lander's fetch client decompresses (zlib above).
pkg_check_modules(KAFKA_CODECS REQUIRED IMPORTED_TARGET libzstd liblz4 snappy)
