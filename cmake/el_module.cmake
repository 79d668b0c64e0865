# el_module(NAME <name> SRCS <files...> DEPS <targets...> [TESTS <files...>] [TEST_DEPS <targets...>])
# Creates static library el_<name> (alias el::<name>) with include root src/, and, when tests are on,
# a gtest binary <name>_test from TESTS registered with ctest under the label "unit".
function(el_module)
  cmake_parse_arguments(M "" "NAME" "SRCS;DEPS;TESTS;TEST_DEPS" ${ARGN})
  add_library(el_${M_NAME} STATIC ${M_SRCS})
  add_library(el::${M_NAME} ALIAS el_${M_NAME})
  target_include_directories(el_${M_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(el_${M_NAME} PUBLIC ${M_DEPS})
  el_warnings(el_${M_NAME})
  if(EL_BUILD_TESTS AND M_TESTS)
    add_executable(${M_NAME}_test ${M_TESTS})
    target_link_libraries(${M_NAME}_test PRIVATE el_${M_NAME} ${M_TEST_DEPS} GTest::gtest_main)
    el_warnings(${M_NAME}_test)
    el_unit_test(${M_NAME}_test 60)
  endif()
endfunction()

# Registers gtest binary `target` with ctest (label "unit", per-test `timeout` seconds) and adds it
# to the `unit_tests` target, which builds every unit test (scripts/sanitize.sh builds only those).
function(el_unit_test target timeout)
  include(GoogleTest)
  gtest_discover_tests(${target} PROPERTIES LABELS unit TIMEOUT ${timeout})
  set_property(GLOBAL APPEND PROPERTY EL_UNIT_TESTS ${target})
endfunction()

function(el_warnings target)
  # -Wrestrict: GCC 12 reports impossible overlaps inside libstdc++'s std::string at -O2 (GCC bug
  # 105329), which -Werror would turn into build failures.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(EL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(EL_SANITIZE)
    # Undefined behaviour stops the test (instead of a message on a passing run).
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all
                           -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
