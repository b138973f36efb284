#!/usr/bin/env bash
# Cluster benchmark on PostgreSQL: 1 node vs 3 nodes (deploy/cluster.sh: a throwaway PostgreSQL and Release nodes on
# loopback), publishing flat out through every node, and at a fixed 300/s through node 1 alone (with 3 nodes, two thirds of
# those calls go to a grain on another node: the cost of a remote call shows against the 1-node figure).
# Usage: benchmarks/cluster.sh [seconds]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-30}"
export CLUSTER_DIR="$(mktemp -d)" BASE_PORT=5300 ADMIN_KEY=bench-admin-key
trap 'deploy/cluster.sh stop >/dev/null 2>&1 || true' EXIT
dotnet build -c Release --nologo -v:q benchmarks/OrleansNotifications.Benchmarks | grep -E " error |rror\(s\)" || true
bench() { dotnet benchmarks/OrleansNotifications.Benchmarks/bin/Release/net10.0/OrleansNotifications.Benchmarks.dll publish "$@"; }

echo "machine: $(nproc) cores; PostgreSQL, every node and the load generator on the same machine"
for nodes in 1 3; do
  deploy/cluster.sh start "$nodes" >/dev/null
  urls="$(seq -s, -f "http://127.0.0.1:%g" $((BASE_PORT + 1)) $((BASE_PORT + nodes)))"
  echo "== $nodes node(s)"
  # 40 s of warm-up: three runtimes tiering up their JIT on two saturated cores, and 10,000 user activations, took longer
  # than 10 s, and the flat-out figure then measured the warm-up (419/s instead of ~1,900/s at steady state).
  bench "$urls" "$ADMIN_KEY" --concurrency 64 --duration "$duration" --warmup 40
  bench "http://127.0.0.1:$((BASE_PORT + 1))" "$ADMIN_KEY" --rate 300 --duration "$duration" --warmup 10
  if [ "$nodes" -gt 1 ]; then
    # One remote grain call against one local one: publishes one at a time to a single user through node 1, in runs of a
    # fresh app each; the user lookup says whether node 1 owns that user (local) or another node does (remote).
    declare -A seen=()
    for run in $(seq 12); do
      out="$(bench "http://127.0.0.1:$((BASE_PORT + 1))" "$ADMIN_KEY" --concurrency 1 --users 1 --duration 6 --warmup 2)"
      app="$(sed -n 's/^app: \([^ ]*\).*/\1/p' <<<"$out")"
      owner="$(curl -s -H "Authorization: Bearer $ADMIN_KEY" "http://127.0.0.1:$((BASE_PORT + 1))/v1/admin/apps/$app/users/user-0" | sed -n 's/.*"node":"\([^"]*\)".*/\1/p')"
      kind="$([ "$owner" = node-1 ] && echo local || echo remote)"
      echo "one user, one at a time, through node-1, owner $owner ($kind): $(tail -1 <<<"$out")"
      seen[$kind]=1
      [ "${seen[local]:-}" = 1 ] && [ "${seen[remote]:-}" = 1 ] && [ "$run" -ge 4 ] && break
    done
  fi
  echo "node RSS: $(for f in "$CLUSTER_DIR"/node-*/pid; do ps -o rss= -p "$(cat "$f")"; done | awk '{s+=$1} END {printf "%.0f MiB in total", s/1024}')"
  deploy/cluster.sh stop >/dev/null
  export CLUSTER_DIR="$(mktemp -d)"
done
