#!/usr/bin/env bash
# Crash matrix (not run by ctest; the logic is in bench/soak.py: run_mode() per mode). On loopback,
# port 0 and port files, in two modes one after the other:
#   separate: `eventlake broker`, `eventlake collect` and `eventlake land --follow --flush-ms 100` as
#             three processes (topic `events` with SOAK_PARTITIONS partitions);
#   up:       one `eventlake up --flush-ms 100` process (its lake is DATA/lake).
# Client threads send Segment track calls (/v1/track and /v1/batch of 5-20), each event with its own
# messageId, and send a request answered non-2xx or cut off again as is, same messageIds, until it is
# answered 2xx (at most 200 attempts / 60 s). Meanwhile a random process (broker, collector, lander;
# in up mode the one process) is SIGKILLed at a random moment and restarted on the ports its first
# start got, SOAK_KILLS times per kind, in a shuffled order. Then the load stops, the lander catches
# up (the lake's files reach the topic's end offsets and the lake's count stops changing), and the
# lake's `events` table is checked by event_id (= messageId): acknowledged events lost, doubled in
# the lake, and, read from the topic with confluent-kafka, doubled in the log.
# Prints the report and writes it to bench/results/soak-<UTC date>.txt; exits 1 when an acknowledged
# event is lost or doubled in the lake (the logs of the processes are then kept under
# BENCH_DATA_PARENT). An event in the log twice is reported, not a failure: the lander lands it once.
#
# Usage: bench/soak.sh [BUILD_DIR | path/to/eventlake]   (default: build)
# Env: SOAK_KILLS (per process kind, default 100), SOAK_SEED (replays a kill schedule; printed),
#      SOAK_MODES (default separate,up), SOAK_MAX_SECONDS (kill loops of all modes, default 1800),
#      SOAK_CLIENTS (4), SOAK_PAUSE_MS (mean pause between a client's requests, 20),
#      SOAK_PARTITIONS (2), SOAK_OUT (results file), SOAK_KEEP=1 (keep the scratch directory),
#      BENCH_DATA_PARENT as in bench/lib.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_arg="${1:-build}"
[ -f "$build_arg" ] && build_arg="$(dirname "$build_arg")"
bench_setup soak "$build_arg"
export EVENTLAKE_BIN="$bin" PYTHONDONTWRITEBYTECODE=1
out=${SOAK_OUT:-$here/results/soak-$(date -u +%Y-%m-%d).txt}
py_pid=""
rc=0

# Every eventlake process soak.py started is listed in $work/pids; soak.py kills them when it ends,
# and this trap kills what is left (by pid, only while the pid is still an eventlake process).
soak_cleanup() {
  if [ -n "$py_pid" ] && kill -0 "$py_pid" 2>/dev/null; then
    kill -TERM "$py_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$py_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$py_pid" 2>/dev/null || true
  fi
  if [ -f "$work/pids" ]; then
    while read -r pid; do
      if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "^$bin "; then
        kill -KILL "$pid" 2>/dev/null || true
      fi
    done <"$work/pids"
  fi
  if [ "$rc" != 0 ] || [ "${SOAK_KEEP:-0}" = 1 ]; then
    local keep
    keep="$(dirname "$work")/soak-logs-$(date -u +%Y%m%dT%H%M%S)"
    mkdir -p "$keep"
    (cd "$work" && find . -maxdepth 2 -name '*.log' -exec cp --parents {} "$keep" \;)  # not the broker's segments
    echo "process logs kept in $keep" >&2
  fi
  if [ "${SOAK_KEEP:-0}" = 1 ]; then echo "scratch directory kept: $work" >&2; else bench_cleanup; fi
}
trap soak_cleanup EXIT
trap 'rc=130; exit 130' INT TERM

/usr/bin/python3 "$here/soak.py" --work "$work" --out "$out" --command "bench/soak.sh $* (SOAK_KILLS=${SOAK_KILLS:-100}${SOAK_SEED:+ SOAK_SEED=$SOAK_SEED}${SOAK_MODES:+ SOAK_MODES=$SOAK_MODES})" &
py_pid=$!
wait "$py_pid" || rc=$?
exit "$rc"
