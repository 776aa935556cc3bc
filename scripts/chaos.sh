#!/usr/bin/env bash
# Chaos suite: a real cluster on loopback (PostgreSQL, Redis, N silos, the API in client mode)
# under load (tasks, workflow runs, consensus rounds, swarm optimisations, http.request tasks with a counted effect,
# an external agent's leased tasks, a free-tier user's calls, hosted-agent conversation turns) while faults hit it: a random silo SIGKILLed and started again
# after a pause, PostgreSQL and Redis restarted, the API SIGKILLed and restarted, a SIGTERM rolling
# restart of every silo; then every acknowledged id must finish (none 404, none stuck) and every
# succeeded effect must have landed, repeats only under the same key.
#
#   scripts/chaos.sh [short|long] [RESULT_FILE]
#
# short (CI, ~4 min on a loaded 2-core machine): 3 silos, 90 s of load, a fault every 10 s: 4 silo kills, one PostgreSQL
#   restart, one Redis restart, one API kill, one rolling restart.
# long: 3 silos, 10 min of load, a fault every 10 s (two silo kills between each of the others).
# CHAOS_REDIS_RESTART=wipe restarts Redis empty (no persistence, as the dev overlay's) instead of
# with its data (keep, the default).
# Prints one summary line; exit 1 on any violation. With RESULT_FILE, appends
# "PASS chaos-<profile>: <summary>" or "FAIL chaos-<profile>: <why>" to it (scripts/test.sh counts it).
# Reuses a running PostgreSQL/Redis when PGPORT and REDISPORT are set (a fresh database and service
# id each time); otherwise starts throwaway ones. Ports: CHAOS_PORT_BASE (default: free ports).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=lib.sh
source scripts/lib.sh

profile=${1:-short}
result_file=${2:-}
silos=3
watchdog=${CHAOS_WATCHDOG:-20}
case "$profile" in
  short) duration=90; kill_every=10; restart_after=5; rate=5; runs=30; rounds=15; effects=60; leased=60; scoped=30; optimizations=10
    faults=kill,pg,kill,redis,kill,api,kill,rolling ;;
  long) duration=600; kill_every=10; restart_after=5; rate=5; runs=300; rounds=100; effects=400; leased=400; scoped=200; optimizations=60
    faults=kill,kill,pg,kill,kill,redis,kill,kill,api,kill,kill,rolling ;;
  *) echo "usage: $0 [short|long] [RESULT_FILE]" >&2; exit 2 ;;
esac

dir=$(mktemp -d /tmp/orleans-agents-chaos.XXXXXX)
own_services=0
report() { # PASS|FAIL text
  [[ -n "$result_file" ]] && echo "$1 chaos-$profile: $2" >>"$result_file"
  return 0
}
cleanup() {
  if [[ -f "$dir/pids" ]]; then
    while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done <"$dir/pids"
  fi
  ((own_services)) && stop_services "$dir" >/dev/null 2>&1
  [[ -n "${CHAOS_KEEP:-}" ]] || rm -rf "$dir"
}
trap cleanup EXIT

if [[ -n "${PGPORT:-}" && -n "${REDISPORT:-}" ]]; then
  ensure_packages
else
  own_services=1
  start_services "$dir" >"$dir/services.log" 2>&1 || { cat "$dir/services.log" >&2; report FAIL "services did not start"; exit 1; }
fi
db="chaos_$(date +%s)_$$"
"$PG_VERSION_DIR/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE $db" >/dev/null
pg_conn="Host=127.0.0.1;Port=$PGPORT;Database=$db;Username=postgres;Pooling=true;Maximum Pool Size=40"
# The PostgreSQL fault restarts the server in place: find its data directory (ours or test.sh's).
pg_data=$("$PG_VERSION_DIR/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -Atc "SHOW data_directory")
redis_conn="127.0.0.1:$REDISPORT"

if [[ -z "${CHAOS_NO_BUILD:-}" ]]; then
  dotnet build Orleans.Agents.sln -c Release --nologo -v q -clp:ErrorsOnly
fi
ConnectionStrings__Postgres="$pg_conn" dotnet run --project Silo -c Release --no-build -- migrate >"$dir/migrate.log" 2>&1 \
  || { cat "$dir/migrate.log" >&2; report FAIL "migration failed"; exit 1; }

port() { # index: CHAOS_PORT_BASE+index, or a free port
  if [[ -n "${CHAOS_PORT_BASE:-}" ]]; then echo $((CHAOS_PORT_BASE + $1)); else free_port; fi
}
service_id="chaos-$$-$RANDOM"
password=$(head -c 18 /dev/urandom | base64 | tr -d '\n/+=')
key=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
# Run from a copy of the build, so a rebuild during a long run does not change a restarted silo.
mkdir -p "$dir/bin"
cp -r "$root/Silo/bin/Release/net10.0" "$dir/bin/silo"
cp -r "$root/Client.Api/bin/Release/net10.0" "$dir/bin/api"
silo_bin="$dir/bin/silo"
api_bin="$dir/bin/api"
# Short watchdog/resume periods so the check window (watchdog + 1 min) stays short.
export CHAOS_PG="$pg_conn" CHAOS_REDIS="$redis_conn" CHAOS_SERVICE="$service_id" CHAOS_WATCHDOG="$watchdog"
export CHAOS_PG_BIN="$PG_VERSION_DIR" CHAOS_PG_DATA="$pg_data" CHAOS_REDIS_RESTART="${CHAOS_REDIS_RESTART:-keep}"
python3 - "$dir/spec.json" "$silo_bin" "$api_bin" "$dir" "$password" "$key" \
  "$(for i in $(seq 0 $((silos * 3 + 3))); do port "$i"; done | tr '\n' ' ')" "$silos" "$root/scripts/fake_llm.py" <<'PY'
import json, os, sys
out, silo_bin, api_bin, d, password, key, ports, n, llm_script = sys.argv[1:]
ports = [int(p) for p in ports.split()]
n = int(n)
w = int(os.environ['CHAOS_WATCHDOG'])
wd = f"{w // 3600:02d}:{w // 60 % 60:02d}:{w % 60:02d}"
common = {"ConnectionStrings__Redis": os.environ["CHAOS_REDIS"], "Orleans__ServiceId": os.environ["CHAOS_SERVICE"],
          "Orleans__ClusterId": os.environ["CHAOS_SERVICE"], "Orleans__DashboardEnabled": "false",
          "Logging__LogLevel__Default": "Warning", "DOTNET_gcServer": "0",
          # http.request tasks deliver their effect to the driver's loopback sink.
          "Skills__Http__AllowedUrls__0": f"http://127.0.0.1:{ports[3 * n + 2]}/",
          # The driver's own calls (admin) are not what is limited: a tier far above its load.
          "RateLimiting__Tiers__chaos__PerMinute": "10000000", "RateLimiting__Tiers__chaos__PerHour": "100000000",
          "RateLimiting__Tiers__chaos__PerDay": "1000000000", "RateLimiting__Tiers__chaos__AiTokensPerDay": "1000000000",
          # Hosted-agent turns run on the scripted OpenAI-compatible endpoint the driver starts.
          "Skills__Llm__DefaultProvider": "fake", "Skills__Llm__Providers__fake__Endpoint": f"http://127.0.0.1:{ports[3 * n + 3]}/v1",
          "Skills__Llm__Providers__fake__Model": "fake-model", "Skills__Llm__Providers__fake__RequestsPerMinute": "100000"}
silos = []
for i in range(n):
    sp, gp, hp = ports[3 * i], ports[3 * i + 1], ports[3 * i + 2]
    env = dict(common, **{"ConnectionStrings__Postgres": os.environ["CHAOS_PG"], "Orleans__SiloPort": str(sp),
                          "Orleans__GatewayPort": str(gp), "Orleans__AdvertisedIPAddress": "127.0.0.1",
                          "Urls": f"http://127.0.0.1:{hp}", "Orleans__MinimumReminderPeriod": "00:00:05",
                          "Tasks__WatchdogInterval": wd, "Workflows__ResumeInterval": wd, "Swarms__WatchdogInterval": wd,
                          # chaos-lead -> chaos-mid is allowed, chaos-mid -> chaos-tail never: a lost lineage would show.
                          "Conversations__MaxDelegationDepth": "1",
                          "Logging__LogLevel__Orleans.Runtime.Silo": "Warning"})
    silos.append({"name": f"silo{i + 1}", "cwd": silo_bin, "cmd": ["dotnet", "OrleansAgents.Silo.dll"], "env": env,
                  "log": f"{d}/silo{i + 1}.log", "ready": f"http://127.0.0.1:{hp}/health/ready"})
ap, mp = ports[3 * n], ports[3 * n + 1]
api_env = dict(common, **{"Urls": f"http://127.0.0.1:{ap}", "Orleans__ManagementPort": str(mp), "RateLimiting__RoleTiers__admin": "chaos",
                          "Security__SigningKeys__0__Id": "chaos", "Security__SigningKeys__0__Key": key,
                          "Security__BootstrapAdminPassword": password, "Security__AccessTokenLifetime": "01:00:00"})
api = {"name": "api", "cwd": api_bin, "cmd": ["dotnet", "OrleansAgents.Api.dll"], "env": api_env, "log": f"{d}/api.log",
       "ready": f"http://127.0.0.1:{ap}/health/ready", "base": f"http://127.0.0.1:{ap}"}
redis = {"port": int(os.environ["CHAOS_REDIS"].rsplit(":", 1)[1]), "key": f"{os.environ['CHAOS_SERVICE']}/members/{os.environ['CHAOS_SERVICE']}",
         "restart": os.environ["CHAOS_REDIS_RESTART"]}
data = os.environ["CHAOS_PG_DATA"]
pg = {"bin": os.environ["CHAOS_PG_BIN"], "data": data, "log": os.path.join(os.path.dirname(data), "pg.log")}
json.dump({"silos": silos, "api": api, "redis": redis, "pg": pg, "sink": {"port": ports[3 * n + 2]},
           "llm": {"script": llm_script, "port": ports[3 * n + 3]}}, open(out, "w"), indent=1)
PY

echo "chaos-$profile: $silos silos, ${duration}s of load, a fault every ${kill_every}s: $faults (logs in $dir with CHAOS_KEEP=1)" >&2
status=0
python3 scripts/chaos_driver.py --spec "$dir/spec.json" --pidfile "$dir/pids" --password "$password" --name "chaos-$profile" \
  --duration "$duration" --kill-every "$kill_every" --restart-after "$restart_after" --tasks-per-second "$rate" --runs "$runs" \
  --rounds "$rounds" --effects "$effects" --leased "$leased" --scoped "$scoped" --optimizations "$optimizations" --faults "$faults" \
  --watchdog "$watchdog" "${@:3}" >"$dir/summary.txt" || status=$?
cat "$dir/summary.txt"
summary=$(grep -m1 "^chaos-$profile: " "$dir/summary.txt" | sed "s/^chaos-$profile: //" || true)
if ((status == 0)); then
  report PASS "$summary"
else
  why=$(grep -m1 "VIOLATIONS: " "$dir/summary.txt" | sed 's/.*VIOLATIONS: //' || true)
  report FAIL "${why:-driver exited with $status} | ${summary}"
fi
"$PG_VERSION_DIR/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
exit "$status"
