#!/usr/bin/env bash
# Runs every test suite of the repository on a fresh machine and ends with one line: "N passed, N failed".
# Needs only the .NET SDK and the package sources; everything else the suites need they install or start themselves.
set -uo pipefail
cd "$(dirname "$0")"

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
passed=0
failed=0

# Warnings are errors (Directory.Build.props), so a clean build is itself a check.
if ! dotnet build OrleansNotifications.sln --nologo -v:q; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test OrleansNotifications.sln --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results"
status=$?

# End-to-end: the real server with real clients — the official @microsoft/signalr client, and Debian's Chromium driven by
# playwright-core through the web inbox. Installs what it needs (npm packages; chromium when root and it is missing).
if [ -z "${CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium package for the inbox tests"
  if [ "$(id -u)" -eq 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >"$results/apt.log" 2>&1 || cat "$results/apt.log"
  else
    echo "not root: install chromium (apt-get install chromium) or set CHROMIUM to a Chromium binary"
  fi
fi

e2e_status=0
if (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error); then
  (cd tests/e2e && node --test --test-concurrency=1 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$results/e2e.tap")
  e2e_status=$?
else
  e2e_status=1
fi

tap_count() { local n; n="$(sed -n "s/^# $1 \([0-9]*\)$/\1/p" "$results/e2e.tap" 2>/dev/null | tail -1)"; echo "${n:-0}"; }
passed=$((passed + $(tap_count pass)))
e2e_failed=$(( $(tap_count fail) + $(tap_count cancelled) ))
# A suite that could not start or crashed still counts as a failure.
if [ "$e2e_status" -ne 0 ] && [ "$e2e_failed" -eq 0 ]; then
  e2e_failed=1
fi
failed=$((failed + e2e_failed))

for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx")"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

# A test host that crashed may leave no counters: never report success without results.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
