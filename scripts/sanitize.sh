#!/usr/bin/env bash
# Builds every unit test with ASan+UBSan into build-asan/ (Debug, the quickest build; undefined
# behaviour and leaks fail the test) and runs them. Part of scripts/test.sh; arguments go to ctest.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DEL_SANITIZE=ON -DEL_BUILD_TESTS=ON >/dev/null
cmake --build build-asan -j "$(nproc)" --target unit_tests
cd build-asan
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest -L unit --output-on-failure --timeout 300 -j "$(nproc)" "$@"
