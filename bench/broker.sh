#!/usr/bin/env bash
# Broker benchmark (not part of ctest). Measures, against one `eventlake broker` on this machine:
#   - produce throughput (MB/s, msgs/s) and p99 latency, acks=1 and acks=all, 100-byte and 1 KB messages
#     (librdkafka's rdkafka_performance, per-message latency from delivery reports via -l -A);
#   - consume throughput (rdkafka_performance -C from the beginning of the 1 KB acks=all topic);
#   - the disk's sequential write speed on the broker's file system (dd conv=fdatasync);
#   - the broker's peak RSS (VmHWM).
# Prints a table and writes it to bench/results/broker-<UTC date>.txt.
#
# Usage: bench/broker.sh [BUILD_DIR]   (default: build; needs BUILD_DIR/eventlake)
# Env: BENCH_DATA_PARENT (where the data dir goes, default bench/tmp), BENCH_COUNT_1K (default 300000),
#      BENCH_COUNT_100 (default 1000000), BENCH_COUNT_PIPE (default 200000), BENCH_DD_MB (default 1024), BENCH_OUT (results file).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_setup broker "${1:-build}"
count_1k=${BENCH_COUNT_1K:-300000}
count_100=${BENCH_COUNT_100:-1000000}
count_pipe=${BENCH_COUNT_PIPE:-200000}
dd_mb=${BENCH_DD_MB:-1024}
perf_bin="$work/rdkafka_performance"

bash "$repo/../shared/tools/rdkafka_performance/build.sh" "$perf_bin" >/dev/null

# --- disk: sequential write with fdatasync on the same file system as the data dir -----------------
dd_out=$(dd if=/dev/zero of="$work/dd.bin" bs=1M count="$dd_mb" conv=fdatasync 2>&1 | tail -1)
rm -f "$work/dd.bin"
# dd prints "N bytes (...) copied, S s, R MB/s"; recompute MB/s (10^6) from bytes and seconds.
disk_mbs=$(awk '{for(i=1;i<=NF;i++) if($i=="copied,") {printf "%.1f", $1/$(i+1)/1e6}}' <<<"$dd_out")

# --- broker -------------------------------------------------------------------------------------------
start_broker

# Producer settings shared by every run: let librdkafka batch as a Kafka producer would under load.
pconf=(-X linger.ms=5 -X batch.num.messages=10000 -X queue.buffering.max.messages=1000000
       -X queue.buffering.max.kbytes=1048576)

# run_produce NAME ACKS SIZE COUNT [RATE] [CONF...] -> appends a row to $rows (RATE: msgs/s limit, for
# latency; CONF: more -X settings, later ones win)
rows=()
declare -A mbs
run_produce() {
  local name=$1 acks=$2 size=$3 count=$4 rate_limit=${5:-}
  local extra=(); [ -n "$rate_limit" ] && extra=(-r "$rate_limit")
  [ $# -gt 5 ] && extra+=("${@:6}")
  local lat="$work/lat-$name.txt" log="$work/produce-$name.log"
  "$perf_bin" -P -t "$name" -p 0 -b "$brokers" -s "$size" -c "$count" -a "$acks" -l -A "$lat" \
    "${pconf[@]}" "${extra[@]}" -q >"$log" 2>&1
  # Final line: "% N messages produced (B bytes), N delivered (...), 0 failed in T ms: M msgs/s and X MB/s, ..."
  local line; line=$(grep -E 'messages produced' "$log" | tail -1)
  local rate mb
  rate=$(sed -nE 's/.* ([0-9]+) msgs\/s and ([0-9.]+) MB\/s.*/\1/p' <<<"$line")
  mb=$(sed -nE 's/.* ([0-9]+) msgs\/s and ([0-9.]+) MB\/s.*/\2/p' <<<"$line")
  local p99; p99=$(sort -n "$lat" | awk '{v[NR]=$1} END {i=int(NR*0.99); if (i<1) i=1; if (NR) printf "%.1f", v[i]/1000}')
  mbs[$name]=$mb
  rows+=("$(printf '%-22s %6s %6s %10s %12s %10s %12s' "produce $name" "$acks" "$size" "$count" "$rate" "$mb" "$p99")")
}

run_consume() {
  local topic=$1 count=$2 size=$3
  local log="$work/consume-$topic.log"
  "$perf_bin" -C -t "$topic" -p 0 -b "$brokers" -o beginning -c "$count" -q \
    -X fetch.message.max.bytes=1048576 >"$log" 2>&1
  # Final line: "% N messages (B bytes) consumed in T ms: M msgs/s (X MB/s)"
  local line; line=$(grep -E 'messages .* consumed' "$log" | tail -1)
  local rate mb
  rate=$(sed -nE 's/.*: ([0-9]+) msgs\/s \(([0-9.]+) MB\/s\).*/\1/p' <<<"$line")
  mb=$(sed -nE 's/.*: ([0-9]+) msgs\/s \(([0-9.]+) MB\/s\).*/\2/p' <<<"$line")
  mbs[consume]=$mb
  rows+=("$(printf '%-22s %6s %6s %10s %12s %10s %12s' "consume $topic" "-" "$size" "$count" "$rate" "$mb" "-")")
}

run_produce acks1-100 1 100 "$count_100"
run_produce acksall-100 -1 100 "$count_100"
run_produce acks1-1k 1 1024 "$count_1k"
run_produce acksall-1k -1 1024 "$count_1k"
run_consume acksall-1k "$count_1k" 1024
# Latency at a moderate, fixed rate (the runs above saturate the producer queue, so their p99 is mostly
# queueing in the client).
run_produce acksall-1k-at1k -1 1024 20000 1000
# Pipelined small messages at acks=all: no linger, small batches, an idempotent producer keeping 5
# produce requests in flight on its one connection; the broker's group commit shares each fdatasync.
run_produce acksall-100-pipe -1 100 "$count_pipe" "" -X linger.ms=0 -X batch.num.messages=100 \
  -X enable.idempotence=true -X max.in.flight=5

rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$broker_pid/status")
ratio_disk=$(awk -v p="${mbs[acksall-1k]}" -v d="$disk_mbs" 'BEGIN {printf "%.2f", (d > 0 ? p / d : 0)}')
ratio_consume=$(awk -v c="${mbs[consume]}" -v p="${mbs[acksall-1k]}" 'BEGIN {printf "%.2f", (p > 0 ? c / p : 0)}')

out=${BENCH_OUT:-$here/results/broker-$(date -u +%Y-%m-%d).txt}
{
  echo "eventlake broker benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(nproc) cpus, $(uname -r); data dir fs: $(df -T "$work" | awk 'NR==2 {print $2" "$1}')"
  echo "tree: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown); binary: $bin, built $(date -u -r "$bin" +%Y-%m-%dT%H:%M:%SZ)"
  echo "client: rdkafka_performance (librdkafka $(pkg-config --modversion rdkafka 2>/dev/null || echo '?')), ${pconf[*]}"
  echo
  printf '%-22s %6s %6s %10s %12s %10s %12s\n' run acks bytes messages msgs/s MB/s p99_ms
  printf '%s\n' "${rows[@]}"
  echo
  echo "disk sequential write (dd bs=1M count=$dd_mb conv=fdatasync): $disk_mbs MB/s"
  echo "produce 1 KB acks=all / disk:        $ratio_disk   (target >= 0.5)"
  echo "consume / produce 1 KB acks=all:     $ratio_consume   (target >= 2)"
  echo "broker peak RSS (VmHWM):             $((rss_kb / 1024)) MB   (target < 200 MB)"
} | tee "$out"
echo "wrote $out"
