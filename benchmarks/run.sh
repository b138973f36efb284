#!/usr/bin/env bash
# Publish benchmark: a Release server on an embedded SQLite file in a temp directory (durable: synchronous=FULL), and the
# load generator as a separate process on the same machine. Prints one line per scenario.
# Each scenario first warms the server up for 20 s (JIT tiering settles), then measures for the given duration.
# Usage: benchmarks/run.sh [duration-seconds]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-60}"
port=5099
key="bench-admin-key"
data="$(mktemp -d)"

for project in src/OrleansNotifications.Server benchmarks/OrleansNotifications.Benchmarks; do
  dotnet build -c Release --nologo -v:q "$project" | grep -E "error|Warn" || true
done

dotnet src/OrleansNotifications.Server/bin/Release/net10.0/OrleansNotifications.Server.dll \
  --urls "http://127.0.0.1:$port" --Notifications:DataDirectory="$data" --Notifications:AdminKey="$key" \
  --Notifications:RateLimit:PermitsPerSecond=0 --Logging:LogLevel:Default=Warning >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done

bench() { dotnet benchmarks/OrleansNotifications.Benchmarks/bin/Release/net10.0/OrleansNotifications.Benchmarks.dll publish "http://127.0.0.1:$port" "$key" "$@"; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; server and load generator on the same machine"
bench --concurrency 256 --duration "$duration" --warmup 20
bench --concurrency 64 --duration "$duration" --warmup 20
bench --rate 5000 --duration "$duration" --warmup 20
echo "server RSS: $(ps -o rss= -p $server | awk '{printf "%.0f MiB", $1/1024}'); database: $(du -sh "$data" | cut -f1)"
kill $server; wait $server 2>/dev/null || true

# The storage engine alone, same schema and rows, for the ratio.
dotnet benchmarks/OrleansNotifications.Benchmarks/bin/Release/net10.0/OrleansNotifications.Benchmarks.dll sqlite-baseline "$data/baseline.db" --rows 1000000
