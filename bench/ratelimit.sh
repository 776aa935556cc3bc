#!/usr/bin/env bash
# Runs bench/RateLimit.Bench against a throwaway redis-server on 127.0.0.1 (Release build).
# Extra arguments go to the benchmark, e.g. bash bench/ratelimit.sh --seconds 10
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib.sh
command -v redis-server >/dev/null || ensure_packages
dir=$(mktemp -d /tmp/orleans-agents-bench.XXXXXX)
port=$(free_port)
redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$dir" --pidfile "$dir/redis.pid" \
  --logfile "$dir/redis.log" --save "" --appendonly no
trap 'kill "$(cat "$dir/redis.pid")" 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
dotnet run --project bench/RateLimit.Bench -c Release -- --redis "127.0.0.1:$port" "$@"
