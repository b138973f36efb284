#!/usr/bin/env bash
# Live latency benchmark (hub): a Release server (SQLite, synchronous=FULL) and Node with the official SignalR client on the
# same machine. Prints publish → live receive and MarkRead on one device → change on another, p50/p90/p99.
# Usage: benchmarks/live.sh [seconds] [publishRate] [markReadRate] [users]   (defaults 30 1000 500 100)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release --nologo -v:q src/OrleansNotifications.Server | grep -E " error |rror\(s\)" || true
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
CONFIGURATION=Release node benchmarks/live/latency.mjs "$@"
