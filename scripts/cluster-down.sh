#!/usr/bin/env bash
# Stops what cluster-up.sh started: API and silos (SIGTERM, so silos leave the cluster
# gracefully), then PostgreSQL and Redis, and removes the state folder.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=lib.sh
source scripts/lib.sh
dir=${CLUSTER_DIR:-/tmp/orleans-agents-cluster}
[[ -d "$dir" ]] || { echo "no cluster at $dir"; exit 0; }

if [[ -f "$dir/pids" ]]; then
  # API first (tac: reverse start order), then the silos.
  for pid in $(tac "$dir/pids"); do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $(cat "$dir/pids"); do
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  done
fi
PG_VERSION_DIR=$(find_pg_bin || true)
stop_services "$dir"
rm -rf "$dir"
echo "cluster stopped"
