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
