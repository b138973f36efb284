#!/usr/bin/env bash
# Publish benchmark: a Release server on an embedded SQLite file in a temp directory (durable: synchronous=FULL), and the
# load generator as a separate process on the same machine. Prints one line per scenario. Each publish goes to one of
# 10,000 users at random (add --round-robin 1 to a bench line for the order used before the fifth session).
# Each scenario first warms the server up for 20 s (JIT tiering settles), then measures for the given duration.
# Usage: benchmarks/run.sh [duration-seconds]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-60}"
source benchmarks/server.sh
start_server

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; server and load generator on the same machine"
bench publish "http://127.0.0.1:$port" "$key" --concurrency 256 --duration "$duration" --warmup 20
bench publish "http://127.0.0.1:$port" "$key" --concurrency 64 --duration "$duration" --warmup 20
bench publish "http://127.0.0.1:$port" "$key" --rate 5000 --duration "$duration" --warmup 20
# Half the target rate: the latency at a load this machine sustains with users at random (5,000/s is above it).
bench publish "http://127.0.0.1:$port" "$key" --rate 2500 --duration "$duration" --warmup 20
echo "server RSS: $(ps -o rss= -p $server | awk '{printf "%.0f MiB", $1/1024}'); database: $(du -sh "$data" | cut -f1)"
kill $server; wait $server 2>/dev/null || true

# The storage engine alone, same schema and rows, for the ratio.
bench sqlite-baseline "$data/baseline.db" --rows 1000000
