#!/usr/bin/env bash
# Push delivery benchmark: a Release server (SQLite, synchronous=FULL) whose FCM, APNs and Web Push traffic goes to fast
# loopback fakes run by the benchmark process. Per provider: deliveries/s with publishes flat out, and publish → provider
# request latency at a fixed rate.
# Usage: benchmarks/push.sh [seconds] [rate] [users]   (defaults 20 500 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-20}"; rate="${2:-500}"; users="${3:-1000}"
fake1=5201; fake2=5202
source benchmarks/server.sh
# The fakes are on loopback and plain HTTP, which production refuses: allow them for this run only.
start_server --Notifications:Push:WebPush:AllowInsecureEndpoints=true \
  --Notifications:Push:Fcm:BaseUrl="http://127.0.0.1:$fake1" --Notifications:Push:Apns:BaseUrl="http://127.0.0.1:$fake2"

echo "machine: $(nproc) cores; server, fakes and load generator on the same machine; $users users with one subscription each"
bench push "http://127.0.0.1:$port" "$key" \
  --fake-http1-port $fake1 --fake-http2-port $fake2 --rate "$rate" --duration "$duration" --warmup 5 --users "$users"
