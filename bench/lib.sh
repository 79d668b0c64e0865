# Shared by the bench/*.sh scripts; sourced, not run.
#
# bench_setup NAME [BUILD_DIR]: sets `here`, `repo`, `bin` (BUILD_DIR/eventlake, default build) and
#   `work` (a fresh temp dir under BENCH_DATA_PARENT, default bench/tmp), creates bench/results, and
#   installs an EXIT trap that stops the broker started by start_broker and removes `work`.
# wrk_setup: for a run driven by wrk and a Python script: exits when wrk is missing, raises the
#   descriptor limit (wrk holds one per connection) and exports EVENTLAKE_BIN for the harness.
# start_broker: starts `eventlake broker` on 127.0.0.1:0 with its data in $work/data; sets
#   `broker_pid` and `brokers` (HOST:PORT) once it listens, or exits with its log.
bench_setup() {
  local name=$1 build=${2:-build}
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  repo=$(cd "$here/.." && pwd)
  [[ "$build" = /* ]] || build="$repo/$build"
  bin="$build/eventlake"
  [ -x "$bin" ] || { echo "missing $bin: build the eventlake target first" >&2; exit 1; }
  local parent=${BENCH_DATA_PARENT:-$here/tmp}
  mkdir -p "$parent" "$here/results"
  work=$(mktemp -d "$parent/$name-bench.XXXXXX")
  broker_pid=""
  trap bench_cleanup EXIT
}

bench_cleanup() {
  if [ -n "$broker_pid" ] && kill -0 "$broker_pid" 2>/dev/null; then
    kill "$broker_pid"; wait "$broker_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}

start_broker() {
  "$bin" broker --data "$work/data" --listen 127.0.0.1:0 --port-file "$work/port" >"$work/broker.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
  [ -s "$work/port" ] || { echo "broker did not start:" >&2; cat "$work/broker.log" >&2; exit 1; }
  brokers="127.0.0.1:$(cat "$work/port")"
}

wrk_setup() {
  command -v wrk >/dev/null || { echo "wrk is missing: bash scripts/setup.sh installs it" >&2; exit 1; }
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  export EVENTLAKE_BIN="$bin" PYTHONDONTWRITEBYTECODE=1
}
