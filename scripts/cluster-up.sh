#!/usr/bin/env bash
# Starts a real local cluster on loopback: PostgreSQL, Redis, two silos and the API in client
# mode. State lives in $CLUSTER_DIR (default /tmp/orleans-agents-cluster) until cluster-down.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=lib.sh
source scripts/lib.sh
dir=${CLUSTER_DIR:-/tmp/orleans-agents-cluster}
# PORT_OFFSET shifts every fixed port, so two clusters (or a test run) can share a machine.
off=${PORT_OFFSET:-0}
API_PORT=$((8080 + off))
SILO1_HTTP=$((8081 + off)); SILO2_HTTP=$((8082 + off)); API_MANAGEMENT=$((8083 + off))

if [[ -f "$dir/pids" ]]; then
  echo "a cluster is already running from $dir; run scripts/cluster-down.sh first" >&2
  exit 1
fi
mkdir -p "$dir"
start_services "$dir"
printf 'PGPORT=%s\nREDISPORT=%s\n' "$PGPORT" "$REDISPORT" >"$dir/services"

dotnet build Orleans.Agents.sln -c Release --nologo -v q -clp:ErrorsOnly
ConnectionStrings__Postgres="$PG_CONN" dotnet run --project Silo -c Release --no-build -- migrate

silo_bin="$root/Silo/bin/Release/net10.0"
api_bin="$root/Client.Api/bin/Release/net10.0"
: >"$dir/pids"
start_silo() { # n silo-port gateway-port http-port
  (cd "$silo_bin" && exec env ConnectionStrings__Postgres="$PG_CONN" ConnectionStrings__Redis="$REDIS_CONN" \
    Orleans__SiloPort="$2" Orleans__GatewayPort="$3" Orleans__AdvertisedIPAddress=127.0.0.1 \
    Urls="http://127.0.0.1:$4" dotnet OrleansAgents.Silo.dll >"$dir/silo$1.log" 2>&1) &
  echo $! >>"$dir/pids"
}
start_silo 1 $((11111 + off)) $((30000 + off)) "$SILO1_HTTP"
start_silo 2 $((11112 + off)) $((30001 + off)) "$SILO2_HTTP"

wait_ready() { # url name
  for _ in $(seq 120); do
    curl -sf "$1" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "$2 did not become ready; see $dir/*.log" >&2
  return 1
}
wait_ready "http://127.0.0.1:$SILO1_HTTP/health/ready" silo1
wait_ready "http://127.0.0.1:$SILO2_HTTP/health/ready" silo2

# The API runs as in production, so it needs a signing key and a bootstrap admin password: a
# local cluster gets fresh random ones unless you set them (they are written to $dir/admin).
signing_key=${Security__SigningKeys__0__Key:-$(head -c 48 /dev/urandom | base64 | tr -d '\n')}
admin_password=${Security__BootstrapAdminPassword:-$(head -c 18 /dev/urandom | base64 | tr -d '\n/+=')}
printf 'user admin\npassword %s\n' "$admin_password" >"$dir/admin"; chmod 600 "$dir/admin"
(cd "$api_bin" && exec env ConnectionStrings__Redis="$REDIS_CONN" Urls="http://127.0.0.1:$API_PORT" Orleans__ManagementPort="$API_MANAGEMENT" \
  Security__SigningKeys__0__Id="${Security__SigningKeys__0__Id:-local}" Security__SigningKeys__0__Key="$signing_key" \
  Security__BootstrapAdminPassword="$admin_password" \
  dotnet OrleansAgents.Api.dll >"$dir/api.log" 2>&1) &
echo $! >>"$dir/pids"
wait_ready "http://127.0.0.1:$API_PORT/health/ready" api

cat <<MSG
Cluster is up (state in $dir, logs in $dir/*.log):
  API            http://127.0.0.1:$API_PORT/api/agents  (log in: POST /api/auth/login as admin, password in $dir/admin)
  OpenAPI UI     http://127.0.0.1:$API_PORT/docs
  OpenAPI JSON   http://127.0.0.1:$API_PORT/openapi/v1.json
  Dashboard      http://127.0.0.1:$API_MANAGEMENT/dashboard  (also on each silo: :$SILO1_HTTP/dashboard, :$SILO2_HTTP/dashboard)
  Metrics        http://127.0.0.1:$API_MANAGEMENT/metrics, http://127.0.0.1:$SILO1_HTTP/metrics, http://127.0.0.1:$SILO2_HTTP/metrics
  PostgreSQL     $PG_CONN
  Redis          $REDIS_CONN
Stop it with scripts/cluster-down.sh
MSG
