#!/usr/bin/env bash
# Runs bench/Workflows.Bench against a throwaway PostgreSQL on 127.0.0.1 (Release build).
# Extra arguments go to the benchmark, e.g. bash bench/workflows.sh --seconds 30
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib.sh
dir=$(mktemp -d /tmp/orleans-agents-wfbench.XXXXXX)
start_services "$dir" >"$dir/services.log" 2>&1 || { cat "$dir/services.log"; exit 1; }
trap 'stop_services "$dir" >/dev/null 2>&1; rm -rf "$dir"' EXIT
dotnet run --project bench/Workflows.Bench -c Release -- --postgres "$PG_CONN" "$@"
