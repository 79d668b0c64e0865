#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite with ctest: unit and integration
# tests, then the unit tests again under ASan+UBSan (scripts/sanitize.sh; EL_SKIP_SANITIZE=1 skips
# that second build). Arguments go to the first ctest run. The Debian package's install test
# (ctest label `package`: debootstrap, apt, minutes) runs only with EL_PACKAGE_TEST=1.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cd "$root/build"
ctest --output-on-failure --timeout 300 -j 2 -LE package "$@"
if [ "${EL_PACKAGE_TEST:-0}" = 1 ]; then
  ctest --output-on-failure -L package
fi
if [ "${EL_SKIP_SANITIZE:-0}" != 1 ]; then
  "$root/scripts/sanitize.sh"
fi
