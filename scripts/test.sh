#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite (unit + integration) with ctest.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cd "$root/build"
ctest --output-on-failure --timeout 300 -j 2 "$@"
