#!/usr/bin/env bash
# Configures and builds eventlake into build/ (Release with debug info by default): every target,
# unit tests included, or with --run only the eventlake binary (what `eventlake up` needs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
type="${EL_BUILD_TYPE:-RelWithDebInfo}"
case "${1:-}" in
  --run)
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$type" -DEL_BUILD_TESTS=OFF >/dev/null
    cmake --build build -j "$(nproc)" --target eventlake
    ;;
  "")
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$type" -DEL_BUILD_TESTS=ON >/dev/null
    cmake --build build -j "$(nproc)"
    ;;
  *) echo "usage: build.sh [--run]" >&2; exit 2 ;;
esac
