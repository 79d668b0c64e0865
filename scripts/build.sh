#!/usr/bin/env bash
# Configures and builds eventlake into build/ (Release with debug info by default): every target,
# unit tests included; with --run only the eventlake binary (what `eventlake up` needs); with
# --package the binary and its Debian package, build/eventlake_<version>_<arch>.deb (CPack).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
type="${EL_BUILD_TYPE:-RelWithDebInfo}"
case "${1:-}" in
  --run|--package)
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$type" -DEL_BUILD_TESTS=OFF >/dev/null
    cmake --build build -j "$(nproc)" --target eventlake
    if [ "$1" = --package ]; then
      (cd build && cpack -G DEB)
    fi
    ;;
  "")
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$type" -DEL_BUILD_TESTS=ON >/dev/null
    cmake --build build -j "$(nproc)"
    ;;
  *) echo "usage: build.sh [--run|--package]" >&2; exit 2 ;;
esac
