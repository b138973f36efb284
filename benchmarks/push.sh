#!/usr/bin/env bash
# Push delivery benchmark: a Release server (SQLite, synchronous=FULL) whose FCM, APNs and Web Push traffic goes to fast
# loopback fakes run by the benchmark process. Per provider: deliveries/s with publishes flat out, and publish → provider
# request latency at a fixed rate.
# Usage: benchmarks/push.sh [seconds] [rate] [users]   (defaults 20 500 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-20}"; rate="${2:-500}"; users="${3:-1000}"
port=5099; fake1=5201; fake2=5202; key="bench-admin-key"
data="$(mktemp -d)"

for project in src/OrleansNotifications.Server benchmarks/OrleansNotifications.Benchmarks; do
  dotnet build -c Release --nologo -v:q "$project" | grep -E " error |rror\(s\)" || true
done

# The fakes are on loopback and plain HTTP, which production refuses: allow them for this run only.
dotnet src/OrleansNotifications.Server/bin/Release/net10.0/OrleansNotifications.Server.dll \
  --urls "http://127.0.0.1:$port" --Notifications:DataDirectory="$data" --Notifications:AdminKey="$key" \
  --Notifications:RateLimit:PermitsPerSecond=0 --Logging:LogLevel:Default=Warning \
  --Notifications:Push:WebPush:AllowInsecureEndpoints=true \
  --Notifications:Push:FcmBaseUrl="http://127.0.0.1:$fake1" --Notifications:Push:ApnsProductionUrl="http://127.0.0.1:$fake2" \
  >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done

echo "machine: $(nproc) cores; server, fakes and load generator on the same machine; $users users with one subscription each"
dotnet benchmarks/OrleansNotifications.Benchmarks/bin/Release/net10.0/OrleansNotifications.Benchmarks.dll push "http://127.0.0.1:$port" "$key" \
  --fake-http1-port $fake1 --fake-http2-port $fake2 --rate "$rate" --duration "$duration" --warmup 5 --users "$users"
