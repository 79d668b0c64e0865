#!/usr/bin/env bash
# Console cost benchmark (not run by ctest; the logic is in bench/console.py): the collector's
# requests/s in one `eventlake up` with no console page open and with pages open on Live events and
# the Overview, alternating in the same run. Prints both, their ratio (target >= 0.98: an open
# console costs the collector under 2%) and writes bench/results/console-<UTC date>.txt.
#
# Usage: bench/console.sh [BUILD_DIR]   (default: build)
# Env: DURATION (10s per wrk run), ROUNDS (2), TABS (3), CONNECTIONS (50), THREADS (2),
#      BENCH_OUT (results file), BENCH_DATA_PARENT as in bench/lib.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_setup console "${1:-build}"
wrk_setup
out=${BENCH_OUT:-$here/results/console-$(date -u +%Y-%m-%d).txt}
/usr/bin/python3 "$here/console.py" --work "$work" --out "$out" --duration "${DURATION:-10s}" \
  --rounds "${ROUNDS:-2}" --tabs "${TABS:-3}" --connections "${CONNECTIONS:-50}" \
  --threads "${THREADS:-2}" --command "bench/console.sh $*"
