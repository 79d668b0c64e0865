#!/usr/bin/env bash
# Quick start: installs dependencies, builds, and starts eventlake with its embedded defaults.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
exec "$root/build/eventlake" up "$@"
