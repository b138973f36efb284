# Sourced by the benchmark scripts: builds the server and the load generator in Release, then starts one server on
# 127.0.0.1:$port with a throwaway data directory ($data) and the admin key $key, stopped and removed on exit.
# Usage: start_server [extra server arguments...]   (sets $server to its process id)
# SERVER_ENV="NAME=value …" sets environment variables for the server alone (runtime settings to compare, say), not for the
# load generator.
port=5099
key="bench-admin-key"
data="$(mktemp -d)"

start_server() {
  for project in src/OrleansNotifications.Server benchmarks/OrleansNotifications.Benchmarks; do
    dotnet build -c Release --nologo -v:q "$project" | grep -E " error |rror\(s\)" || true
  done

  env ${SERVER_ENV:-} dotnet src/OrleansNotifications.Server/bin/Release/net10.0/OrleansNotifications.Server.dll \
    --urls "http://127.0.0.1:$port" --Notifications:DataDirectory="$data" --Notifications:AdminKey="$key" \
    --Notifications:RateLimit:PermitsPerSecond=0 --Logging:LogLevel:Default=Warning "$@" >"$data/server.log" 2>&1 &
  server=$!
  # Each step may fail (the script may have stopped the server itself); none may skip the removal or change the exit status.
  trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && return; sleep 0.2; done
  echo "the server did not become ready:"; cat "$data/server.log"; exit 1
}

bench() { dotnet benchmarks/OrleansNotifications.Benchmarks/bin/Release/net10.0/OrleansNotifications.Benchmarks.dll "$@"; }
