#!/usr/bin/env bash
# A local cluster on loopback: a throwaway PostgreSQL (from the installed server binaries) and N nodes.
#   deploy/cluster.sh start [N]    start PostgreSQL and N nodes (default 3); prints their URLs and the admin key
#   deploy/cluster.sh stop         stop every node and PostgreSQL, and delete the cluster's directory
#   deploy/cluster.sh kill I       kill -9 node I (a crash, for trying failover)
#   deploy/cluster.sh restart I    start node I again
# Environment: CLUSTER_DIR (default /tmp/orleans-notifications-cluster), BASE_PORT (default 5100: nodes on 5101.., their
# internal HTTP/2 endpoints for each other on 5151.., PostgreSQL on BASE_PORT+99), NODE_LINK (h2c, the default: nodes call
# each other on those internal endpoints; http1: on their public addresses over HTTP/1.1), CONFIGURATION (Release), SKIP_BUILD=1 to use an existing build, PG_BIN (/usr/lib/postgresql/15/bin).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${CLUSTER_DIR:-/tmp/orleans-notifications-cluster}"
base="${BASE_PORT:-5100}"
pg_port=$((base + 99))
configuration="${CONFIGURATION:-Release}"
pg_bin="${PG_BIN:-/usr/lib/postgresql/15/bin}"
dll="src/OrleansNotifications.Server/bin/$configuration/net10.0/OrleansNotifications.Server.dll"
admin_key="${ADMIN_KEY:-local-cluster-admin-key}"

# initdb and pg_ctl refuse to run as root: then they run as the postgres user, which owns the data directory.
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start_node() {
  local i="$1" port=$((base + $1)) link
  if [ "${NODE_LINK:-h2c}" = h2c ]; then link=(--Notifications:Cluster:InternalUrl="http://127.0.0.1:$((base + 50 + i))")
  else link=(--Notifications:Cluster:AdvertisedAddress="http://127.0.0.1:$port"); fi
  mkdir -p "$dir/node-$i"
  dotnet "$dll" --urls "http://127.0.0.1:$port" \
    --Notifications:DataDirectory="$dir/node-$i" --Notifications:AdminKey="$admin_key" \
    --Notifications:Storage:Provider=PostgreSql \
    --Notifications:Storage:ConnectionString="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=notifications" \
    --Notifications:Cluster:NodeName="node-$i" "${link[@]}" \
    --Logging:LogLevel:Default=Warning >"$dir/node-$i/node.log" 2>&1 &
  echo $! >"$dir/node-$i/pid"
}

wait_ready() {
  local port=$((base + $1))
  for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && return 0; sleep 0.2; done
  echo "node $1 did not become ready; its log:" >&2; cat "$dir/node-$1/node.log" >&2; return 1
}

case "${1:-}" in
  start)
    nodes="${2:-3}"
    [ "${SKIP_BUILD:-}" = 1 ] || dotnet build -c "$configuration" --nologo -v:q src/OrleansNotifications.Server | grep -E " error |rror\(s\)" || true
    mkdir -p "$dir/pg"
    if [ "$(id -u)" -eq 0 ]; then chmod 755 "$dir"; chown postgres "$dir/pg"; fi
    as_pg "$pg_bin/initdb" -D "$dir/pg/data" -U postgres -A trust >"$dir/pg/initdb.log"
    as_pg "$pg_bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w \
      -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $dir/pg" start >/dev/null
    as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres notifications
    for i in $(seq "$nodes"); do start_node "$i"; done
    for i in $(seq "$nodes"); do wait_ready "$i"; echo "node-$i http://127.0.0.1:$((base + i))"; done
    echo "PostgreSQL 127.0.0.1:$pg_port; admin key: $admin_key"
    ;;
  kill)
    kill -9 "$(cat "$dir/node-$2/pid")"
    ;;
  restart)
    start_node "$2"; wait_ready "$2"
    ;;
  stop)
    for pid in "$dir"/node-*/pid; do [ -e "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true; done
    for pid in "$dir"/node-*/pid; do [ -e "$pid" ] && while kill -0 "$(cat "$pid")" 2>/dev/null; do sleep 0.1; done; done
    [ -d "$dir/pg/data" ] && as_pg "$pg_bin/pg_ctl" -D "$dir/pg/data" -m fast stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *)
    sed -n '2,8p' "$0"; exit 2
    ;;
esac
