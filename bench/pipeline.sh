#!/usr/bin/env bash
# Pipeline benchmark (not run by ctest; the logic is in bench/pipeline.py): `eventlake up` on
# loopback under /v1/batch load from wrk at full speed (bench/collector_batch.lua, 100 events a
# request) for BENCH_SECONDS, sampling every 0.1 s the topic's end offsets and the offsets the lake
# holds. Prints events/s acknowledged and landed and their ratio (target >= 1.0x), the lake's lag
# behind the newest acknowledged event (p50, p99, max; target max <= 2 s) and the time to catch up
# after the load stops; appends the report to bench/results/pipeline-<UTC date>.txt.
#
# Usage: bench/pipeline.sh [BUILD_DIR]   (default: build)
# Env: BENCH_SECONDS (30), BENCH_CONNS (50), BENCH_UP_ARGS (extra `eventlake up` options),
#      BENCH_OUT (results file), BENCH_DATA_PARENT as in bench/lib.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_setup pipeline "${1:-build}"
wrk_setup
out=${BENCH_OUT:-$here/results/pipeline-$(date -u +%Y-%m-%d).txt}
/usr/bin/python3 "$here/pipeline.py" --work "$work" --out "$out" --seconds "${BENCH_SECONDS:-30}" \
  --connections "${BENCH_CONNS:-50}" --up-args "${BENCH_UP_ARGS:-}" \
  --command "bench/pipeline.sh $*${BENCH_UP_ARGS:+ (BENCH_UP_ARGS=$BENCH_UP_ARGS)}"
