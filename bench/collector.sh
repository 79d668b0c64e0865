#!/usr/bin/env bash
# Collector benchmark (not run by ctest). In one run, with wrk, 50 keep-alive connections:
#   1. nginx, one worker, answering GET /purchase_a_sword with the same fixed body (the HTTP ceiling);
#   2. eventlake collect -> eventlake broker (acks=all), GET /purchase_a_sword;
#   3. the same collector, POST /v1/batch with 100 events per request;
#   4. the same collector, GET /purchase_a_sword from STORM_CONNECTIONS (2000) connections opened at
#      once (tail latency while a connection storm is accepted).
# Prints requests/s, events/s, p99 latency and the ratio to nginx, checks that the topic holds at least
# every event answered 2xx, and writes bench/results/collector-<UTC date>.txt.
# Usage: bench/collector.sh [BUILD_DIR | path/to/eventlake]   (default: build)
#   (env: DURATION=10s CONNECTIONS=50 THREADS=2 IO_THREADS=2 LINGER_MS=0 COLLECT_ARGS="...", NOTE="...",
#    BENCH_DATA_PARENT as in bench/lib.sh; BENCH_OUT=FILE writes the report there instead)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_arg="${1:-build}"
[ -f "$build_arg" ] && build_arg="$(dirname "$build_arg")"
bench_setup collector "$build_arg"
root="$repo"
duration="${DURATION:-10s}"
conns="${CONNECTIONS:-50}"
threads="${THREADS:-2}"
# The producer's linger.ms: with a pipelining broker, 0 gives the lowest latency per request and
# therefore the most requests/s from 50 waiting clients; the broker's group commit still batches fsyncs.
linger_ms="${LINGER_MS:-0}"
tmp="$work"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true  # wrk holds a descriptor per connection of the storm run
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  bench_cleanup
}
trap cleanup EXIT

wait_file() { for _ in $(seq 300); do [ -s "$1" ] && return 0; sleep 0.05; done; echo "no $1" >&2; exit 1; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# nginx: one worker, no master, fixed body.
nginx_port="$(free_port)"
mkdir -p "$tmp/nginx"
cat > "$tmp/nginx/nginx.conf" <<CONF
worker_processes 1;
master_process off;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /purchase_a_sword { default_type "text/plain; charset=utf-8"; return 200 "Sword Purchased!\n"; }
  }
}
CONF
/usr/sbin/nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" &
pids+=($!)

start_broker
"$bin" collect --brokers "$brokers" --listen 127.0.0.1:0 --port-file "$tmp/collect.port" \
  --io-threads "${IO_THREADS:-2}" --linger-ms "$linger_ms" ${COLLECT_ARGS:-} > "$tmp/collect.log" 2>&1 &
pids+=($!)
wait_file "$tmp/collect.port"
http="http://127.0.0.1:$(cat "$tmp/collect.port")"
curl -sf "$http/purchase_a_sword" > /dev/null  # creates the topic, warms the producer

run_wrk() {  # name url [script] (env: CONNS overrides the connection count)
  local name="$1" url="$2" script="${3:-}"
  local args=(-t"$threads" -c"${CONNS:-$conns}" -d"$duration" --timeout 10s --latency)
  [ -n "$script" ] && args+=(-s "$script")
  wrk "${args[@]}" "$url" > "$tmp/$name.wrk" 2>&1
}
rps() { awk '/^Requests\/sec/ {print $2}' "$tmp/$1.wrk"; }
p99() { awk '$1=="99%" {print $2}' "$tmp/$1.wrk"; }
max_latency() { awk '$1=="Latency" {print $4}' "$tmp/$1.wrk"; }
total() { awk '/requests in/ {print $1}' "$tmp/$1.wrk"; }
non2xx() { awk '/Non-2xx/ {print $5}' "$tmp/$1.wrk" | grep . || echo 0; }

run_wrk nginx "http://127.0.0.1:$nginx_port/purchase_a_sword"
run_wrk sword "$http/purchase_a_sword"
run_wrk batch "$http/v1/batch" "$root/bench/collector_batch.lua"
storm_conns="${STORM_CONNECTIONS:-2000}"
CONNS="$storm_conns" run_wrk storm "$http/purchase_a_sword"
metrics="$(curl -sf "$http/metrics")"
acked_events="$(echo "$metrics" | awk '$1=="eventlake_collector_events_total" {print $2}')"
in_topic="$(/usr/bin/python3 - "$brokers" <<'PY'
import sys
from kafka import KafkaConsumer, TopicPartition
c = KafkaConsumer(bootstrap_servers=sys.argv[1])
parts = [TopicPartition("events", p) for p in c.partitions_for_topic("events")]
print(sum(c.end_offsets(parts).values()))
c.close()
PY
)"
answered_2xx=$(( $(total sword) - $(non2xx sword) + ( $(total batch) - $(non2xx batch) ) * 100 + $(total storm) - $(non2xx storm) + 1 ))

report="$tmp/report.txt"
{
  echo "eventlake collector benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(uname -r), load average $(cut -d" " -f1-3 /proc/loadavg)"
  echo "wrk -t$threads -c$conns -d$duration (keep-alive); collector --io-threads ${IO_THREADS:-2} --linger-ms $linger_ms ${COLLECT_ARGS:-}, broker acks=all"
  printf '%-34s %12s %12s %10s %8s\n' "run" "requests/s" "events/s" "p99" "non-2xx"
  printf '%-34s %12s %12s %10s %8s\n' "nginx 1 worker GET /purchase_a_sword" "$(rps nginx)" "-" "$(p99 nginx)" "$(non2xx nginx)"
  printf '%-34s %12s %12s %10s %8s\n' "collector GET /purchase_a_sword" "$(rps sword)" "$(rps sword)" "$(p99 sword)" "$(non2xx sword)"
  printf '%-34s %12s %12.0f %10s %8s\n' "collector POST /v1/batch x100" "$(rps batch)" "$(echo "$(rps batch) * 100" | bc)" "$(p99 batch)" "$(non2xx batch)"
  printf '%-34s %12s %12s %10s %8s   (max %s)\n' "collector GET, $storm_conns connections" "$(rps storm)" "$(rps storm)" "$(p99 storm)" "$(non2xx storm)" "$(max_latency storm)"
  echo "ratio collector/nginx requests/s: $(echo "scale=3; $(rps sword) / $(rps nginx)" | bc)"
  echo "events answered 2xx: $answered_2xx; acknowledged (collector metrics): $acked_events; records in topic: $in_topic"
  if [ "$in_topic" -ge "$answered_2xx" ]; then echo "check: every answered event is in the topic"; else echo "check FAILED: topic holds fewer records than answered events"; fi
} | tee "$report"
mkdir -p "$root/bench/results"
if [ -n "${BENCH_OUT:-}" ]; then  # an experiment: its own file, the day's results untouched
  { [ -n "${NOTE:-}" ] && echo "$NOTE"; cat "$report"; } > "$BENCH_OUT"
  echo "wrote $BENCH_OUT"
  exit 0
fi
# The day's results file keeps earlier runs below the new one (NOTE="..." adds a line on top).
out="$root/bench/results/collector-$(date -u +%Y-%m-%d).txt"
{
  [ -n "${NOTE:-}" ] && echo "$NOTE"
  cat "$report"
  if [ -s "$out" ]; then echo; echo "----- earlier runs -----"; cat "$out"; fi
} > "$out.new"
mv "$out.new" "$out"
