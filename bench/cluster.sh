#!/usr/bin/env bash
# Durable task throughput in the production shape: PostgreSQL + Redis (scripts/lib.sh), two silos
# and the API in client mode with rate limiting off, all on 127.0.0.1 with free ports; then
# bench/Cluster.Bench drives it over HTTP. Extra arguments go to the driver, e.g.
#   bash bench/cluster.sh --tasks 4000 --rate 800 --closed-seconds 15
#   bash bench/cluster.sh --smoke --no-build      (what bench/smoke.sh runs)
#   bash bench/cluster.sh --silo-postgres "Max Auto Prepare=0"   (appended to the silos' connection string)
# With AGENTS_TEST_POSTGRES and AGENTS_TEST_REDIS set (scripts/test.sh), it reuses those servers
# with a fresh database and fresh cluster/service ids instead of starting its own.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=../scripts/lib.sh
source scripts/lib.sh

build=1; driver_args=(); silo_pg_extra=""
while (($#)); do
  case $1 in
    --no-build) build=0 ;;
    --silo-postgres) silo_pg_extra=";$2"; shift ;;
    *) driver_args+=("$1") ;;
  esac
  shift
done

dir=$(mktemp -d /tmp/orleans-agents-clusterbench.XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [[ -n ${own_services:-} ]] && stop_services "$dir" >/dev/null 2>&1
  rm -rf "$dir"
}
trap cleanup EXIT

id="clusterbench-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
if [[ -n ${AGENTS_TEST_POSTGRES:-} && -n ${AGENTS_TEST_REDIS:-} ]]; then
  ensure_packages
  pg_host=$(sed -n 's/.*Host=\([^;]*\).*/\1/p' <<<"$AGENTS_TEST_POSTGRES")
  pg_port=$(sed -n 's/.*Port=\([^;]*\).*/\1/p' <<<"$AGENTS_TEST_POSTGRES")
  "$PG_VERSION_DIR/psql" -h "$pg_host" -p "$pg_port" -U postgres -qc "CREATE DATABASE \"${id//-/_}\"" >/dev/null
  PG_CONN=$(sed "s/Database=[^;]*/Database=${id//-/_}/" <<<"$AGENTS_TEST_POSTGRES")
  REDIS_CONN=$AGENTS_TEST_REDIS
else
  own_services=1
  start_services "$dir" >"$dir/services.log" 2>&1 || { cat "$dir/services.log"; exit 1; }
fi

if ((build)); then dotnet build Orleans.Agents.sln -c Release --nologo -v q -clp:ErrorsOnly; fi
silo_bin="$root/Silo/bin/Release/net10.0"
api_bin="$root/Client.Api/bin/Release/net10.0"
(cd "$silo_bin" && ConnectionStrings__Postgres="$PG_CONN" dotnet OrleansAgents.Silo.dll migrate) >"$dir/migrate.log" 2>&1 \
  || { cat "$dir/migrate.log"; exit 1; }

common=(Orleans__ClusterId="$id" Orleans__ServiceId="$id" ConnectionStrings__Redis="$REDIS_CONN"
  Logging__LogLevel__Default=Warning Logging__LogLevel__Polly=Warning)
start_silo() { # n http-port
  local http=$2
  (cd "$silo_bin" && exec env "${common[@]}" ConnectionStrings__Postgres="$PG_CONN$silo_pg_extra" \
    Orleans__SiloPort="$(free_port)" Orleans__GatewayPort="$(free_port)" Orleans__AdvertisedIPAddress=127.0.0.1 \
    Urls="http://127.0.0.1:$http" dotnet OrleansAgents.Silo.dll >"$dir/silo$1.log" 2>&1) &
  pids+=($!)
}
wait_ready() { # url name
  # 240 s: on a loaded 2-core machine a silo has been seen to need over 2 minutes to join.
  for _ in $(seq 480); do
    curl -sf "$1" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  # What bench/smoke.sh shows is the tail of this output: the logs first, then which check failed.
  local f
  # The first failures with their messages (a stack trace's last frames alone do not say what failed);
  # '|| true': a log without a match must not end the dump under set -e (it stopped after migrate.log).
  for f in "$dir"/*.log; do echo "== $f (first failures)"; { grep -m 3 -A 2 -E '^(fail|crit):' "$f" || true; } | cut -c1-300; echo "== $f (warnings and errors, last lines)"; { grep -E 'warn|fail|crit|rror|xception' "$f" || true; } | tail -n 8 | cut -c1-300; echo "== $f (last lines)"; tail -n 3 "$f" | cut -c1-300; done >&2
  echo "$2 did not become ready in 240 s; its readiness answer: $(curl -s --max-time 5 "$1" || echo none)" >&2
  return 1
}
silo1=$(free_port); silo2=$(free_port)
start_silo 1 "$silo1"; start_silo 2 "$silo2"
wait_ready "http://127.0.0.1:$silo1/health/ready" silo1
wait_ready "http://127.0.0.1:$silo2/health/ready" silo2

api=$(free_port)
password=$(head -c 18 /dev/urandom | base64 | tr -d '\n/+=')
(cd "$api_bin" && exec env "${common[@]}" Urls="http://127.0.0.1:$api" Orleans__ManagementPort="$(free_port)" \
  Security__SigningKeys__0__Id=bench Security__SigningKeys__0__Key="$(head -c 48 /dev/urandom | base64 | tr -d '\n')" \
  Security__BootstrapAdminPassword="$password" RateLimiting__Enabled=false \
  dotnet OrleansAgents.Api.dll >"$dir/api.log" 2>&1) &
pids+=($!)
wait_ready "http://127.0.0.1:$api/health/ready" api

dotnet bench/Cluster.Bench/bin/Release/net10.0/Cluster.Bench.dll --api "http://127.0.0.1:$api" --password "$password" \
  --postgres "$PG_CONN" "${driver_args[@]}"
