#!/usr/bin/env bash
# Installs every build, test and benchmark dependency of eventlake, idempotently.
#   Debian packages via apt-get; DuckDB 1.4.4 (libduckdb.so + duckdb.h) from pinned npm packages into .deps/;
#   the console's front-end libraries (pinned npm packages, unpacked into .deps/console and built into
#   the binary); Node.js clients for the tests (Segment's SDK, KafkaJS) into .deps/node.
# With --run: only what building and running eventlake needs (no test or benchmark tools).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
run_only=0
case "${1:-}" in
  --run) run_only=1 ;;
  "") ;;
  *) echo "usage: setup.sh [--run]" >&2; exit 2 ;;
esac

packages=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates file
  libboost1.81-dev librdkafka-dev libsimdjson-dev zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev
  libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev libedit-dev
  libcurl4-openssl-dev libssl-dev
)
if [ "$run_only" = 0 ]; then
  packages+=(
    libgtest-dev libgmock-dev libbenchmark-dev
    kcat python3 python3-kafka python3-lz4 python3-confluent-kafka python3-pytest python3-prometheus-client python3-pexpect
    chromium chromium-driver python3-selenium
    wrk nginx-light
    systemd debootstrap
    ceph-mon ceph-osd radosgw ceph-common python3-boto3
  )
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node.js and npm fetch DuckDB; use the ones on PATH if present (Debian's npm conflicts with NodeSource's).
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if ! $sudo apt-get update -qq ||
     ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
    echo "setup: apt-get could not install: ${missing[*]}" >&2
    exit 1
  fi
fi

# DuckDB: the C library from @duckdb/node-bindings-linux-x64, the header from duckdb (same release).
duck="$root/.deps/duckdb"
lib_pkg="@duckdb/node-bindings-linux-x64@1.4.4-r.4"
hdr_pkg="duckdb@1.4.4"
if [ ! -f "$duck/lib/libduckdb.so" ] || [ ! -f "$duck/include/duckdb.h" ]; then
  tmp="$(mktemp -d)"
  if ! (cd "$tmp" && npm pack --loglevel=error "$lib_pkg" "$hdr_pkg" >/dev/null); then
    echo "setup: could not fetch DuckDB ($lib_pkg, $hdr_pkg) from the npm registry; see npm's error above" >&2
    exit 1
  fi
  mkdir -p "$duck/lib" "$duck/include"
  tar -xzf "$tmp"/duckdb-node-bindings-linux-x64-1.4.4-r.4.tgz -C "$tmp" package/libduckdb.so
  mv "$tmp/package/libduckdb.so" "$duck/lib/"
  tar -xzf "$tmp"/duckdb-1.4.4.tgz -C "$tmp" package/src/duckdb/src/include/duckdb.h
  mv "$tmp/package/src/duckdb/src/include/duckdb.h" "$duck/include/"
  rm -rf "$tmp"
fi

# The console's front-end libraries (src/console/CMakeLists.txt embeds them; licences in
# src/console/assets/LICENSES.md): the npm packages' own browser builds, unpacked as published.
console_deps="$root/.deps/console"
console_packages=(uplot@1.6.32 codemirror@5.65.21 tabulator-tables@6.3.1)
for spec in "${console_packages[@]}"; do
  name="${spec%@*}" version="${spec##*@}"
  dir="$console_deps/$name-$version"
  grep -qs "\"version\": \"$version\"" "$dir/package/package.json" && continue
  tmp_pack="$(mktemp -d)"
  if ! (cd "$tmp_pack" && npm pack --loglevel=error "$spec" >/dev/null) ||
     ! mkdir -p "$dir" || ! tar -xzf "$tmp_pack/$name-$version.tgz" -C "$dir"; then
    echo "setup: could not fetch the console's front-end package $spec from the npm registry; see npm's error above" >&2
    rm -rf "$tmp_pack" "$dir"
    exit 1
  fi
  rm -rf "$tmp_pack"
done

if [ "$run_only" = 1 ]; then
  echo "dependencies to build and run ready (DuckDB in $duck, console libraries in $console_deps)"
  exit 0
fi

# Real Node.js clients for the integration tests: Segment's analytics SDK (pointed at the collector)
# and KafkaJS (against the broker). Pinned; analytics-node 2.2.1 still runs on Debian 12's Node.js 18.
node_deps="$root/.deps/node"
node_packages=(@segment/analytics-node@2.2.1 kafkajs@2.2.4)
node_missing=()
for spec in "${node_packages[@]}"; do
  name="${spec%@*}" version="${spec##*@}"
  grep -qs "\"version\": \"$version\"" "$node_deps/node_modules/$name/package.json" || node_missing+=("$spec")
done
if [ "${#node_missing[@]}" -gt 0 ]; then
  mkdir -p "$node_deps"
  if ! npm install --loglevel=error --no-save --no-audit --no-fund --prefix "$node_deps" "${node_packages[@]}" >/dev/null; then
    echo "setup: could not install ${node_packages[*]} from the npm registry; see npm's error above" >&2
    exit 1
  fi
fi
echo "dependencies ready (DuckDB in $duck, Node.js packages in $node_deps)"
