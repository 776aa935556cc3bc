#!/usr/bin/env bash
# Runs every bench in bench/ with tiny parameters (seconds each), so a bench that no longer starts,
# crashes or fails its own result check is caught by scripts/test.sh. Each bench still prints its
# figures and the ratio against its peer; the figures mean nothing at this size.
# Usage: bash bench/smoke.sh RESULTS-FILE [--no-build]
# Writes one "PASS bench-<name>" or "FAIL bench-<name>: why" line per bench to RESULTS-FILE.
# Reuses AGENTS_TEST_POSTGRES / AGENTS_TEST_REDIS (fresh databases, fresh cluster ids) when set,
# else starts its own throwaway PostgreSQL and Redis.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=../scripts/lib.sh
source scripts/lib.sh
results=${1:?usage: bench/smoke.sh RESULTS-FILE [--no-build]}
build=1; [[ ${2:-} == --no-build ]] && build=0
mkdir -p "$(dirname "$results")"; : >"$results"
work=$(mktemp -d /tmp/orleans-agents-smoke.XXXXXX)
cleanup() { [[ -n ${own_services:-} ]] && stop_services "$work" >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT

if [[ -z ${AGENTS_TEST_POSTGRES:-} || -z ${AGENTS_TEST_REDIS:-} ]]; then
  own_services=1
  start_services "$work" >"$work/services.log" 2>&1 || { cat "$work/services.log" >&2; echo "FAIL bench-services: PostgreSQL/Redis did not start" >>"$results"; exit 1; }
  export AGENTS_TEST_POSTGRES="$PG_CONN" AGENTS_TEST_REDIS="$REDIS_CONN"
fi
ensure_packages
if ((build)); then dotnet build Orleans.Agents.sln -c Release --nologo -v q -clp:ErrorsOnly || exit 1; fi

# A fresh database on the shared server, so a bench never sees another run's rows.
fresh_db() {
  local name="smoke_$1_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  local host port
  host=$(sed -n 's/.*Host=\([^;]*\).*/\1/p' <<<"$AGENTS_TEST_POSTGRES")
  port=$(sed -n 's/.*Port=\([^;]*\).*/\1/p' <<<"$AGENTS_TEST_POSTGRES")
  "$PG_VERSION_DIR/psql" -h "$host" -p "$port" -U postgres -qc "CREATE DATABASE $name" >/dev/null
  sed "s/Database=[^;]*/Database=$name/" <<<"$AGENTS_TEST_POSTGRES"
}

dll() { echo "bench/$1/bin/Release/net10.0/$1.dll"; }
# name -> command with tiny parameters. A bench folder without an entry here fails the smoke run.
declare -A cmd=(
  [RateLimit.Bench]="dotnet $(dll RateLimit.Bench) --redis $AGENTS_TEST_REDIS --smoke --users 100 --concurrency 16"
  [Breakers.Bench]="dotnet $(dll Breakers.Bench) --smoke"
  [Tasks.Bench]="dotnet $(dll Tasks.Bench) --seconds 1 --warmup 1 --concurrency 8 --agents 2"
  [Workflows.Bench]="dotnet $(dll Workflows.Bench) --postgres \"$(fresh_db wf)\" --seconds 2 --warmup 1 --concurrency 4"
  [Trust.Bench]="dotnet $(dll Trust.Bench) compare --agents 300 --runs 1"
  [Swarms.Bench]="dotnet $(dll Swarms.Bench) --swarm 8 --iterations 100 --repeat 1 --dimensions 5"
  [Consensus.Bench]="dotnet $(dll Consensus.Bench) --rounds 10 --agents 5 --warmup 2"
  [Cluster.Bench]="bash bench/cluster.sh --smoke --no-build"
  [Capacity.Bench]="dotnet $(dll Capacity.Bench) --agents 500"
  [Workers.Bench]="dotnet $(dll Workers.Bench) --tasks 200 --submitters 4 --workers 2 --agents 2 --max 8"
  [Conversations.Bench]="dotnet $(dll Conversations.Bench) --turns 5 --warmup 2 --conversations 20 --concurrency 4"
)

# 300 s is a guard against a hung bench on a loaded machine; on a quiet 2-core machine each takes seconds.
started=$SECONDS
for project in bench/*/*.csproj; do
  name=$(basename "$project" .csproj)
  short=bench-$(tr '[:upper:]' '[:lower:]' <<<"${name%.Bench}")
  log="$work/$name.log"
  if [[ -z ${cmd[$name]:-} ]]; then
    echo "FAIL $short: no smoke command in bench/smoke.sh" | tee -a "$results"
    continue
  fi
  t0=$SECONDS
  echo "== $name: ${cmd[$name]//$AGENTS_TEST_POSTGRES/...}" >&2
  timeout 300 bash -c "${cmd[$name]}" >"$log" 2>&1
  rc=$?
  # The figures and the ratio against the peer, as the bench prints them.
  grep -iE 'ratio|/s|ms' "$log" | grep -v '^\s*$' | tail -n 12 >&2
  if ((rc == 124)); then
    why="timed out after 300 s"
  elif ((rc != 0)); then
    why="exit code $rc: $(grep -m1 -E 'FAILED|Exception|error' "$log" | cut -c1-200)"
  elif ! grep -qi 'ratio' "$log"; then
    why="printed no ratio against its peer"
  else
    why=""
  fi
  if [[ -z $why ]]; then
    echo "PASS $short ($((SECONDS - t0)) s)" | tee -a "$results"
  else
    echo "FAIL $short: $why" | tee -a "$results"
    tail -n 25 "$log" >&2
  fi
done
echo "bench smoke run: $((SECONDS - started)) s" >&2
! grep -q '^FAIL ' "$results"
