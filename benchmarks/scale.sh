#!/usr/bin/env bash
# Performance at scale, every standard scenario in one run, ending with a table (docs/BENCHMARKS.md explains each figure):
#   publish throughput on SQLite and on PostgreSQL, each against its storage engine alone (raw SQLite inserts; pgbench)
#   with the same rows; 10,000 hub connections: publish → live change at 1,000/s, MarkRead → change on another device,
#   relay flat out, each against a bare ASP.NET Core SignalR hub (benchmarks/BareSignalR); connections held (20,000 over
#   HTTP/2) and server memory per connection; fan-out (a publish to a user with 10 devices).
# Everything (servers, PostgreSQL, load generator) runs on this machine, on loopback.
# Usage: benchmarks/scale.sh [seconds-per-scenario]   (default 60 for publish throughput, half that for the live scenarios)
# Every server's managed heap is on huge pages when the script can reserve them (as root; benchmarks/huge-pages.sh, as
# deploy/README.md recommends), and the publish → live scenario runs once more with the service's heap on ordinary pages.
# HUGE_PAGES=0 keeps every heap on ordinary pages.
# PAUSE_MEMORY_MONITOR=1 (as root) adds a diagnosis at the end: the publish → live scenario again, for the service and the bare
# hub, with the VM's DAMON memory monitor paused (benchmarks/memory-monitor.sh); the standard figures keep it as it comes.
set -uo pipefail
cd "$(dirname "$0")/.."
duration="${1:-60}"
live_duration=$((duration / 2))
out="$(mktemp -d)"
pg_bin="${PG_BIN:-/usr/lib/postgresql/15/bin}"
key="bench-admin-key"
. benchmarks/memory-monitor.sh
. benchmarks/huge-pages.sh
pids=()
cleanup() { memory_monitor_resume; huge_pages_release; for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; [ -d "$out/pg" ] && as_pg "$pg_bin/pg_ctl" -D "$out/pg/data" -m fast stop >/dev/null 2>&1; rm -rf "$out"; }
trap cleanup EXIT
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
bench() { dotnet benchmarks/OrleansNotifications.Benchmarks/bin/Release/net10.0/OrleansNotifications.Benchmarks.dll "$@"; }
wait_ready() { for _ in $(seq 150); do curl -sf "$1" >/dev/null && return 0; sleep 0.2; done; echo "not ready: $1"; exit 1; }

for project in src/OrleansNotifications.Server benchmarks/OrleansNotifications.Benchmarks benchmarks/BareSignalR; do
  dotnet build -c Release --nologo -v:q "$project" | grep -E " error |rror\(s\)" || true
done

# The service on SQLite (durable: synchronous=FULL), with an HTTP/2-only endpoint for WebSockets over HTTP/2.
start_service() { # <port> <h2 port> [extra args]
  local port="$1" h2="$2"; shift 2
  mkdir -p "$out/data-$port"
  env "${heap_env[@]}" dotnet src/OrleansNotifications.Server/bin/Release/net10.0/OrleansNotifications.Server.dll --urls "http://127.0.0.1:$port" \
    --Notifications:Cluster:InternalUrl="http://127.0.0.1:$h2" --Notifications:DataDirectory="$out/data-$port" \
    --Notifications:AdminKey="$key" --Notifications:RateLimit:PermitsPerSecond=0 --Logging:LogLevel:Default=Warning "$@" \
    >"$out/service-$port.log" 2>&1 &
  service=$!; pids+=("$service")
  wait_ready "http://127.0.0.1:$port/health/ready"
}
start_bare() { # <port> <h2 port>
  env "${huge_heap_env[@]}" dotnet benchmarks/BareSignalR/bin/Release/net10.0/BareSignalR.dll --Kestrel:Endpoints:h1:Url="http://127.0.0.1:$1" \
    --Kestrel:Endpoints:h2:Url="http://127.0.0.1:$2" --Kestrel:Endpoints:h2:Protocols=Http2 >"$out/bare.log" 2>&1 &
  bare=$!; pids+=("$bare")
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && break; sleep 0.2; done
}
stop() { kill "$1"; wait "$1" 2>/dev/null; }
# The server's own counters (GET /metrics): bytes allocated and publishes so far, to report allocations per publish.
counters() { curl -s -H "Authorization: Bearer $key" "http://127.0.0.1:$1/metrics" | awk '
  /^dotnet_gc_heap_total_allocated_bytes_total / { a = $2 } /^notifications_publish_duration_seconds_count / { p = $2 }
  END { printf "%.0f %.0f", a, p }'; }
per_publish() { awk -v b="$1" -v a="$2" 'BEGIN { split(b, x, " "); split(a, y, " "); if (y[2] > x[2]) printf "%.1f", (y[1] - x[1]) / (y[2] - x[2]) / 1024; else print "?" }'; }

huge_pages_reserve
heap_env=("${huge_heap_env[@]}") # the service's; the row on ordinary pages empties it for one server
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -r); server, PostgreSQL and load generator together"

echo "== publish throughput, SQLite (flat out, 256 in flight, ${duration} s after 20 s warm-up)"
start_service 5401 5451
before="$(counters 5401)"
sqlite_publish="$(bench publish http://127.0.0.1:5401 "$key" --concurrency 256 --duration "$duration" --warmup 20 | tail -1)"; echo "$sqlite_publish"
sqlite_alloc="$(per_publish "$before" "$(counters 5401)")"; echo "server allocations: $sqlite_alloc KiB per publish"
stop "$service"
sqlite_base="$(bench sqlite-baseline "$out/baseline.db" --rows 500000 | tail -1)"; echo "$sqlite_base"

echo "== publish throughput, PostgreSQL 15 (one node, flat out, 256 in flight)"
mkdir -p "$out/pg"; [ "$(id -u)" -eq 0 ] && { chmod 755 "$out"; chown postgres "$out/pg"; }
as_pg "$pg_bin/initdb" -D "$out/pg/data" -U postgres -A trust >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$out/pg/data" -l "$out/pg/log" -w -o "-p 5498 -c listen_addresses=127.0.0.1 -k $out/pg" start >/dev/null
as_pg "$pg_bin/createdb" -h 127.0.0.1 -p 5498 -U postgres notifications
start_service 5402 5452 --Notifications:Storage:Provider=PostgreSql \
  --Notifications:Storage:ConnectionString="Host=127.0.0.1;Port=5498;Username=postgres;Database=notifications"
pg_publish="$(bench publish http://127.0.0.1:5402 "$key" --concurrency 256 --duration "$duration" --warmup 20 | tail -1)"; echo "$pg_publish"
stop "$service"
pg_base="$("$pg_bin/pgbench" -h 127.0.0.1 -p 5498 -U postgres -n -c 16 -j 2 -T "$duration" -f benchmarks/pgbench-publish.sql notifications 2>&1 | grep -E "^tps")"
echo "pgbench, the same rows one publish writes, 16 clients: $pg_base"

# 10,000 clients (5,000 users × 2 devices) and publishes at 1,000/s, then whatever else the options ask for.
live_10k() { # <port> <server pid> [more options]
  bench live "http://127.0.0.1:$1" "$key" --connections 10000 --devices 2 --rate 1000 --duration "$live_duration" --warmup 10 \
    --server-pid "$2" "${@:3}"
}
echo "== 10,000 hub connections (5,000 users × 2 devices), the service on SQLite, against a bare SignalR hub"
start_service 5403 5453
before="$(counters 5403)"
service_live="$(live_10k 5403 "$service" --sync-rate 500 --flat-out 64)"; echo "$service_live"
live_alloc="$(per_publish "$before" "$(counters 5403)")"; echo "server allocations: $live_alloc KiB per publish, its two live changes included"
stop "$service"
start_bare 5404 5454
bare_live="$(live_10k 5404 "$bare" --sync-rate 500 --flat-out 64)"; echo "bare SignalR: $bare_live"
stop "$bare"

echo "== 20,000 connections held (WebSockets over HTTP/2: this sandbox allows 20,000 open files per process)"
start_service 5405 5455
held="$(bench live http://127.0.0.1:5405 "$key" --hub-url http://127.0.0.1:5455 --http2 1 --connections 20000 --devices 2 --rate 1000 \
  --duration 10 --warmup 5 --server-pid "$service")"; echo "$held"
stop "$service"
start_bare 5406 5456
bare_held="$(bench live http://127.0.0.1:5406 "$key" --hub-url http://127.0.0.1:5456 --http2 1 --connections 20000 --devices 2 --rate 0 \
  --server-pid "$bare")"; echo "bare SignalR: $bare_held"
stop "$bare"

echo "== fan-out: 1,000 publishes/s, each to a user with 10 devices (100 users × 10)"
start_service 5407 5457
fanout="$(bench live http://127.0.0.1:5407 "$key" --connections 1000 --devices 10 --rate 1000 --duration "$live_duration" --warmup 10 --server-pid "$service")"
echo "$fanout"
stop "$service"

if [ ${#huge_heap_env[@]} -gt 0 ]; then
  echo "== publish → live change at 1,000/s, 10,000 clients, the service's heap on ordinary pages (as without huge pages)"
  heap_env=()
  start_service 5410 5460
  ordinary_live="$(live_10k 5410 "$service")"; echo "$ordinary_live"
  stop "$service"
  heap_env=("${huge_heap_env[@]}")
fi

if [ "${PAUSE_MEMORY_MONITOR:-0}" = 1 ]; then
  echo "== diagnosis: publish → live change at 1,000/s, 10,000 clients, with the machine's DAMON memory monitor paused"
  if memory_monitor_pause; then
    start_service 5408 5458
    paused_live="$(live_10k 5408 "$service")"; echo "$paused_live"
    stop "$service"
    start_bare 5409 5459
    bare_paused_live="$(live_10k 5409 "$bare")"; echo "bare SignalR: $bare_paused_live"
    stop "$bare"
    memory_monitor_resume
  fi
fi

line() { grep -E "$1" <<<"$2" | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
sq="$(sed -n 's/.*: \([0-9]*\) acknowledged.*/\1/p' <<<"$sqlite_publish")"
sqb="$(sed -n 's/.*: \([0-9]*\) publishes\/s on average.*/\1/p' <<<"$sqlite_base")"
pq="$(sed -n 's/.*: \([0-9]*\) acknowledged.*/\1/p' <<<"$pg_publish")"
pqb="$(sed -n 's/tps = \([0-9]*\).*/\1/p' <<<"$pg_base")"
relay="$(sed -n 's/.*, \([0-9]*\) changes\/s delivered.*/\1/p' <<<"$service_live")"
bare_relay="$(sed -n 's/.*, \([0-9]*\) changes\/s delivered.*/\1/p' <<<"$bare_live")"
pub_line="$(line "publish → live" "$service_live")"; bare_pub_line="$(line "publish → live" "$bare_live")"
ack_line="$(line "sent → acknowledged" "$service_live")"; bare_ack_line="$(line "sent → acknowledged" "$bare_live")"
sync_line="$(line "state sync" "$service_live")"; bare_sync_line="$(line "state sync" "$bare_live")"
held_line="$(line "hub connections" "$held")"; bare_held_line="$(line "hub connections" "$bare_held")"
fan_line="$(line "publish → live" "$fanout")"
p() { sed -n "s/.*$1 \([0-9.]*\) ms.*/\1/p" <<<"$2"; }
paused() { sed -n "s/.*$1 GC paused it [0-9]* ms (\([0-9.]*\)% of the time).*/\1/p" <<<"$2"; } # <whose> <line>
slow() { sed -n 's/.*over 15 ms: \([0-9.]*\)% here, \([0-9.]*\)% in the server.*/\1 \/ \2/p' <<<"$1"; }
relay_cpu() { sed -n 's/.*the server used \([0-9.]*\) cores (\([0-9]*\) µs per publish).*/\2 (\1)/p' <<<"$1"; }
kib() { sed -n 's/.*: \([0-9.]*\) KiB per connection.*/\1/p' <<<"$1"; }
open_count() { sed -n 's/^hub connections: \([0-9]*\) open.*/\1/p' <<<"$1"; }

echo
echo "The servers' managed heaps on $([ ${#huge_heap_env[@]} -gt 0 ] && echo "huge pages" || echo "ordinary pages") (benchmarks/huge-pages.sh)."
echo
echo "| scenario | this service | baseline | ratio | target |"
echo "|---|---|---|---|---|"
echo "| publish, SQLite (durable), /s | ${sq:-?} | ${sqb:-?} (raw SQLite inserts) | $(ratio "${sq:-0}" "${sqb:-0}") | ≥ 10,000 |"
echo "| publish, PostgreSQL, /s | ${pq:-?} | ${pqb:-?} (pgbench, same rows) | $(ratio "${pq:-0}" "${pqb:-0}") | ≥ 8,000 |"
echo "| publish → live change at 1,000/s, 10,000 clients: p50 / p99 / p99.9 ms | $(p p50 "$pub_line") / $(p p99 "$pub_line") / $(p p99.9 "$pub_line") | $(p p50 "$bare_pub_line") / $(p p99 "$bare_pub_line") / $(p p99.9 "$bare_pub_line") (bare SignalR) | | p99 ≤ 15 |"
echo "| … of which the publish itself, sent → acknowledged: p50 / p99 ms | $(p p50 "$ack_line") / $(p p99 "$ack_line") | $(p p50 "$bare_ack_line") / $(p p99 "$bare_ack_line") (bare SignalR) | | |"
echo "| … publishes that took over 15 ms, % (sent → acknowledged / in the server's own request timing) | $(slow "$ack_line") | $(slow "$bare_ack_line") (bare SignalR) | | |"
echo "| the server's GC pauses while measuring that, % of the time | $(paused "server's" "$pub_line") | $(paused "server's" "$bare_pub_line") | | |"
echo "| the load generator's own GC pauses while measuring that, % of the time | $(paused "own" "$pub_line") | $(paused "own" "$bare_pub_line") | | |"
if [ -n "${ordinary_live:-}" ]; then
  ordinary_line="$(line "publish → live" "$ordinary_live")"
  echo "| publish → live change as above, the service's heap on ordinary pages: p50 / p99 / p99.9 ms | $(p p50 "$ordinary_line") / $(p p99 "$ordinary_line") / $(p p99.9 "$ordinary_line") | | | |"
fi
if [ -n "${paused_live:-}" ]; then
  paused_line="$(line "publish → live" "$paused_live")"; bare_paused_line="$(line "publish → live" "$bare_paused_live")"
  echo "| publish → live change as above, the VM's memory monitor paused (diagnosis): p50 / p99 / p99.9 ms | $(p p50 "$paused_line") / $(p p99 "$paused_line") / $(p p99.9 "$paused_line") | $(p p50 "$bare_paused_line") / $(p p99 "$bare_paused_line") / $(p p99.9 "$bare_paused_line") (bare SignalR) | | |"
fi
echo "| state sync (MarkRead → other device) at 500/s: p50 / p99 ms | $(p p50 "$sync_line") / $(p p99 "$sync_line") | $(p p50 "$bare_sync_line") / $(p p99 "$bare_sync_line") (bare SignalR) | | |"
echo "| relay flat out, changes delivered/s (durable storage included) | ${relay:-?} | ${bare_relay:-?} (bare SignalR) | $(ratio "${relay:-0}" "${bare_relay:-0}") | ≥ 0.5 |"
echo "| … the server's CPU per relayed publish, µs (cores used) | $(relay_cpu "$service_live") | $(relay_cpu "$bare_live") (bare SignalR) | | |"
echo "| connections held on one node | $(open_count "$held_line") | $(open_count "$bare_held_line") (bare SignalR) | | 20,000 |"
echo "| server memory per connection, KiB | $(kib "$held_line") | $(kib "$bare_held_line") (bare SignalR) | | ≤ 40 KB |"
echo "| server allocations per publish, KiB (SQLite flat out / with 2 live devices) | $sqlite_alloc / $live_alloc | | | |"
echo "| fan-out: publish → each of 10 devices at 1,000 publishes/s: p50 / p99 ms | $(p p50 "$fan_line") / $(p p99 "$fan_line") | | | |"
