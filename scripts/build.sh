#!/usr/bin/env bash
# Configures and builds eventlake into build/ (Release with debug info by default).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
type="${EL_BUILD_TYPE:-RelWithDebInfo}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$type" -DEL_BUILD_TESTS=ON >/dev/null
cmake --build build -j "$(nproc)"
