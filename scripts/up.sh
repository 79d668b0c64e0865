#!/usr/bin/env bash
# Quick start: installs what eventlake needs, builds the binary alone (no tests), and starts it with
# its embedded defaults.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh" --run
"$root/scripts/build.sh" --run
exec "$root/build/eventlake" up "$@"
