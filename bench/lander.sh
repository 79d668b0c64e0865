#!/usr/bin/env bash
# Lander benchmark (not part of ctest). In one run, on this machine:
#   1. generates N game events (nested item objects) with `eventlake generate game-events`;
#   2. produces them to one `eventlake broker` topic with kcat (not timed);
#   3. times `eventlake land` (batch, default layout: the topic's table partitioned by event_type,
#      each event written once, each type's files with its own columns) from the broker into a
#      fresh lake, and its peak RSS;
#   4. times DuckDB's own path on the same events as an NDJSON file, through the same DuckDB C
#      library (`eventlake query` running COPY (SELECT * FROM read_json(...)) TO ... (FORMAT parquet,
#      PARTITION_BY (event_type))), and its peak RSS; with the lake's Parquet codec (zstd), so
#      both write the same kind of files;
#   5. unless BENCH_LIKE=0, also times a like-for-like `eventlake land --job` writing the shape of
#      DuckDB's COPY (one table, Hive folders by event_type) into another fresh lake;
#   6. unless BENCH_S3=0, and where Ceph's radosgw is installed, times the same batch land into an
#      S3 lake (a bucket of Ceph's RADOS gateway on loopback, started by bench/lake_s3.py),
#      alternating with landings into a local lake while the gateway runs, BENCH_ROUNDS times each,
#      and prints the ratio of their medians (target >= 0.7x).
# Steps 3 and 4 run BENCH_ROUNDS times (default 3), alternating, after the broker's log is synced
# to disk; the report gives each round's pair and uses the medians (this machine is shared).
# Prints the rates (events/s), the ratio of the default layout (row 1, the ratio that counts) and
# of the like-for-like job to DuckDB, and peak RSS (the highest of the rounds); writes the report
# to bench/results/lander-<UTC date>.txt.
#
# Usage: bench/lander.sh [BUILD_DIR]   (default: build; needs BUILD_DIR/eventlake)
# Env: BENCH_COUNT (default 1000000), BENCH_DATA_PARENT (default bench/tmp), BENCH_OUT (results
#      file), BENCH_LAND_ARGS (extra `eventlake land` options), BENCH_CODEC (DuckDB's codec,
#      default zstd as the lander's), BENCH_LIKE (0: skip the like-for-like job), BENCH_ROUNDS.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_setup lander "${1:-build}"
count=${BENCH_COUNT:-1000000}
rounds=${BENCH_ROUNDS:-3}

# run_timed NAME CMD... : runs CMD under /usr/bin/time; sets secs[NAME] and rss_mb[NAME].
declare -A secs rss_mb
run_timed() {
  local name=$1; shift
  local t="$work/time-$name.txt"
  /usr/bin/time -f "%e %M" -o "$t" "$@" >"$work/$name.out" 2>"$work/$name.err" || {
    echo "$name failed:" >&2; cat "$work/$name.err" >&2; exit 1; }
  secs[$name]=$(awk '{print $1}' "$t")
  rss_mb[$name]=$(awk '{printf "%.0f", $2/1024}' "$t")
}

"$bin" generate game-events --count "$count" --seed 42 >"$work/events.ndjson"
bytes=$(stat -c %s "$work/events.ndjson")

start_broker
topic=events
"$bin" topics create --brokers "$brokers" --topic "$topic" --partitions 1 >/dev/null 2>&1 || true
kcat -P -b "$brokers" -t "$topic" -p 0 -X linger.ms=20 -X batch.num.messages=10000 \
  -X queue.buffering.max.messages=1000000 -X queue.buffering.max.kbytes=1048576 <"$work/events.ndjson"
high=$(kcat -Q -b "$brokers" -t "$topic:0:-1" 2>/dev/null | awk '{print $NF}' || true)
sync  # the broker's writes reach the disk now, not during a timed run

# median V... : the middle value (the mean of the two middle ones for an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
# max V...
max() { printf '%s\n' "$@" | sort -g | tail -1; }

# Rounds: eventlake's landing, then DuckDB's COPY, each into a fresh folder.
declare -a land_s duck_s land_rss duck_rss
mkdir -p "$work/duck"
for r in $(seq "$rounds"); do
  rm -rf "$work/lake" "$work/duck/events"
  # shellcheck disable=SC2086
  run_timed land "$bin" land --brokers "$brokers" --lake "$work/lake" --topic "$topic" ${BENCH_LAND_ARGS:-}
  landed=$(grep -o 'landed [0-9]* events' "$work/land.out" | awk '{print $2}')
  [ "$landed" = "$count" ] || { echo "eventlake landed '$landed' of $count events:" >&2; cat "$work/land.out" "$work/land.err" >&2; exit 1; }
  run_timed duckdb "$bin" query --lake "$work/duck" \
    "COPY (SELECT * FROM read_json('$work/events.ndjson', format='newline_delimited')) TO '$work/duck/events' (FORMAT parquet, PARTITION_BY (event_type), COMPRESSION ${BENCH_CODEC:-zstd})"
  land_s+=("${secs[land]}"); duck_s+=("${secs[duckdb]}"); land_rss+=("${rss_mb[land]}"); duck_rss+=("${rss_mb[duckdb]}")
  echo "round $r: eventlake land ${secs[land]} s (peak RSS ${rss_mb[land]} MB), DuckDB COPY ${secs[duckdb]} s (${rss_mb[duckdb]} MB)" >&2
done
secs[land]=$(median "${land_s[@]}"); rss_mb[land]=$(max "${land_rss[@]}")
secs[duckdb]=$(median "${duck_s[@]}"); rss_mb[duckdb]=$(max "${duck_rss[@]}")

if [ "${BENCH_LIKE:-1}" != 0 ]; then
  cat >"$work/like.toml" <<EOF
name = "like_duckdb"
[source]
topic = "$topic"
[[output]]
table = "events_by_type"
sql = "SELECT * FROM source"
partition_by = ["event_type"]
EOF
  run_timed like "$bin" land --brokers "$brokers" --lake "$work/like-lake" --job "$work/like.toml"
  echo "eventlake land --job (one table by event_type): ${secs[like]} s, peak RSS ${rss_mb[like]} MB" >&2
fi

# The same range landed into an S3 lake: Ceph's RADOS gateway on loopback (bench/lake_s3.py, as
# the tests start it), when its packages are installed (scripts/setup.sh installs them for the
# tests). BENCH_S3=0 skips it.
if [ "${BENCH_S3:-1}" != 0 ] && command -v radosgw >/dev/null; then
  EVENTLAKE_BIN="$bin" /usr/bin/python3 "$here/lake_s3.py" --land-from "$brokers" "$topic" "$rounds" \
    >"$work/s3.out" 2>"$work/s3.err" || { echo "landing into the S3 lake failed:" >&2; cat "$work/s3.err" >&2; exit 1; }
  mapfile -t s3_s < <(awk '/^s3 /{print $2}' "$work/s3.out")
  mapfile -t s3_rss < <(awk '/^s3 /{print $3}' "$work/s3.out")
  mapfile -t s3_local_s < <(awk '/^local /{print $2}' "$work/s3.out")
  secs[s3]=$(median "${s3_s[@]}"); rss_mb[s3]=$(max "${s3_rss[@]}")
  s3_local=$(median "${s3_local_s[@]}")
  grep -q "landed $count events" "$work/s3.out" || { echo "the S3 lake did not land $count events:" >&2; cat "$work/s3.out" >&2; exit 1; }
  echo "eventlake land into S3: ${secs[s3]} s, peak RSS ${rss_mb[s3]} MB" >&2
fi

duck_rows=$("$bin" query --lake "$work/duck" --format csv \
  "SELECT count(*) FROM read_parquet('$work/duck/events/**/*.parquet', hive_partitioning=true)" | tail -1 | tr -dc 0-9)
[ "$duck_rows" = "$count" ] || { echo "DuckDB wrote $duck_rows of $count rows" >&2; exit 1; }

el_rate=$(awk -v n="$count" -v s="${secs[land]}" 'BEGIN{printf "%.0f", n/s}')
duck_rate=$(awk -v n="$count" -v s="${secs[duckdb]}" 'BEGIN{printf "%.0f", n/s}')
ratio=$(awk -v a="$el_rate" -v b="$duck_rate" 'BEGIN{printf "%.2f", a/b}')
el_mb=$(du -sm "$work/lake" | awk '{print $1}')
duck_mb=$(du -sm "$work/duck" | awk '{print $1}')
report="$work/report.txt"
{
  echo "eventlake lander benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(uname -r)"
  echo "events: $count game events, $((bytes / 1000000)) MB NDJSON (topic high watermark ${high:-?})"
  echo "eventlake land summary: $(cat "$work/land.out")"
  echo "rounds (eventlake land / DuckDB COPY seconds, alternating): $(for i in "${!land_s[@]}"; do printf '%s/%s ' "${land_s[$i]}" "${duck_s[$i]}"; done)"
  [ -n "${s3_s[*]:-}" ] && echo "S3 lake rounds (local lake / S3 lake seconds, alternating, the gateway running): $(for i in "${!s3_s[@]}"; do printf '%s/%s ' "${s3_local_s[$i]}" "${s3_s[$i]}"; done)"
  echo "medians below (peak RSS: the highest round)"
  printf "%-28s %10s %12s %12s %10s\n" path seconds events/s "peak RSS MB" "lake MB"
  printf "%-28s %10s %12s %12s %10s\n" "eventlake land (broker)" "${secs[land]}" "$el_rate" "${rss_mb[land]}" "$el_mb"
  if [ -n "${secs[like]:-}" ]; then
    like_rate=$(awk -v n="$count" -v s="${secs[like]}" 'BEGIN{printf "%.0f", n/s}')
    printf "%-28s %10s %12s %12s %10s\n" "eventlake job, DuckDB shape" "${secs[like]}" "$like_rate" "${rss_mb[like]}" \
      "$(du -sm "$work/like-lake" | awk '{print $1}')"
  fi
  if [ -n "${secs[s3]:-}" ]; then
    s3_rate=$(awk -v n="$count" -v s="${secs[s3]}" 'BEGIN{printf "%.0f", n/s}')
    printf "%-28s %10s %12s %12s %10s\n" "eventlake land (S3 lake)" "${secs[s3]}" "$s3_rate" "${rss_mb[s3]}" "-"
  fi
  printf "%-28s %10s %12s %12s %10s\n" "DuckDB read_json+COPY" "${secs[duckdb]}" "$duck_rate" "${rss_mb[duckdb]}" "$duck_mb"
  echo "ratio eventlake default layout/DuckDB: ${ratio}x (target >= 1.0x; peak RSS target < 1024 MB)"
  if [ -n "${like_rate:-}" ]; then
    echo "ratio eventlake job in DuckDB's shape/DuckDB: $(awk -v a="$like_rate" -v b="$duck_rate" 'BEGIN{printf "%.2f", a/b}')x"
  fi
  if [ -n "${s3_rate:-}" ]; then
    echo "ratio eventlake S3 lake/local lake: $(awk -v a="$s3_local" -v b="${secs[s3]}" 'BEGIN{printf "%.2f", a/b}')x (target >= 0.7x; Ceph's gateway on loopback; medians of the alternating rounds above)"
  fi
  echo "codec: ${BENCH_CODEC:-zstd} for DuckDB; the lander writes zstd"
} >"$report"
cat "$report"
out=${BENCH_OUT:-$here/results/lander-$(date -u +%Y-%m-%d).txt}
{ [ -s "$out" ] && echo; cat "$report"; } >>"$out"  # appended: a day's runs side by side
echo "wrote $out"
