#!/usr/bin/env bash
# Operations checks that need no Docker engine or Kubernetes cluster; scripts/test.sh runs them and
# counts every line of CHECKS_FILE ("PASS name" / "FAIL name: why") in its closing line.
#   1. promtool validates the alert rules rendered from each kustomize overlay;
#   2. the Dockerfile's publish step (scripts/publish.sh) on a clean copy of the sources, then the
#      published silo and API start against PG_CONN/REDIS_CONN and answer /health/ready;
#   3. every curl in the README and docs runs as written against `dotnet run --project Client.Api`;
#   4. a local cluster (cluster-up.sh) with traffic, scraped by a real Prometheus every second;
#      every Grafana panel's query must return data (scripts/check_dashboards.py).
# usage: check-ops.sh WORK_DIR CHECKS_FILE   (needs PG_CONN and REDIS_CONN, as test.sh exports)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=lib.sh
source scripts/lib.sh
work=$1
checks=$2
mkdir -p "$work"
: >>"$checks"
pass() { echo "PASS $1" >>"$checks"; }
fail() { echo "FAIL $1: $2" >>"$checks"; echo "FAIL $1: $2" >&2; }

pids=()
cluster_dir="$work/cluster"
cleanup_ops() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [[ -d "$cluster_dir" ]] && CLUSTER_DIR="$cluster_dir" bash scripts/cluster-down.sh >/dev/null 2>&1
}
trap cleanup_ops EXIT

wait_http() { # url seconds
  for _ in $(seq $(($2 * 4))); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.25; done
  return 1
}

if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then
    echo "installing prometheus (for promtool and the dashboard check) with apt-get" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
  fi
fi

# 1. Alert rules, as each overlay renders them.
for overlay in dev prod; do
  if ! command -v kubectl >/dev/null; then fail "alert rules ($overlay) pass promtool" "kubectl is not installed"; continue; fi
  kubectl kustomize "k8s/overlays/$overlay" >"$work/$overlay.yaml" 2>"$work/$overlay.err" \
    && python3 - "$work/$overlay.yaml" "$work/rules-$overlay.yml" <<'PY'
import sys, yaml
rule = next(d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d.get("kind") == "PrometheusRule")
yaml.safe_dump(rule["spec"], open(sys.argv[2], "w"))
PY
  if out=$(promtool check rules "$work/rules-$overlay.yml" 2>&1); then pass "alert rules ($overlay) pass promtool"
  else fail "alert rules ($overlay) pass promtool" "$(echo "$out" | tr '\n' ' ')"; fi
done

# 2. The Dockerfile's publish step, on a clean copy of the tracked sources (what `COPY . .` sees).
src="$work/src"
mkdir -p "$src"
git ls-files -co --exclude-standard -z | grep -zv '^tests/' | xargs -0 cp --parents -t "$src" 2>/dev/null
if (cd "$src" && bash scripts/publish.sh "$work/publish" 0.0.0-check) >"$work/publish.log" 2>&1; then
  pass "Dockerfile publish step (scripts/publish.sh)"
  silo_http=$(free_port)
  (cd "$work/publish/silo" && exec env ConnectionStrings__Postgres="$PG_CONN" ConnectionStrings__Redis="$REDIS_CONN" \
    Orleans__ClusterId=publish-check Orleans__ServiceId=publish-check Orleans__AdvertisedIPAddress=127.0.0.1 \
    Orleans__SiloPort="$(free_port)" Orleans__GatewayPort="$(free_port)" Urls="http://127.0.0.1:$silo_http" \
    dotnet OrleansAgents.Silo.dll >"$work/published-silo.log" 2>&1) &
  pids+=($!)
  if wait_http "http://127.0.0.1:$silo_http/health/ready" 60; then pass "published silo answers /health/ready"
  else fail "published silo answers /health/ready" "see $work/published-silo.log: $(tail -3 "$work/published-silo.log" | tr '\n' ' ')"; fi
  api_http=$(free_port)
  # Production environment: without a signing key and an admin password the API must refuse to start.
  (cd "$work/publish/api" && env ConnectionStrings__Redis="$REDIS_CONN" Orleans__ClusterId=publish-check \
    Orleans__ServiceId=publish-check Urls="http://127.0.0.1:$(free_port)" Orleans__ManagementPort="$(free_port)" timeout 60 dotnet OrleansAgents.Api.dll >"$work/published-api-unconfigured.log" 2>&1)
  code=$?
  if [[ $code -eq 2 ]] && grep -q "Security:SigningKeys" "$work/published-api-unconfigured.log" && grep -q "Security:BootstrapAdminPassword" "$work/published-api-unconfigured.log"; then
    pass "published API refuses to start without a signing key and an admin password, naming both"
  else fail "published API refuses to start without a signing key and an admin password, naming both" "exit $code: $(tail -3 "$work/published-api-unconfigured.log" | tr '\n' ' ')"; fi
  (cd "$work/publish/api" && exec env ConnectionStrings__Redis="$REDIS_CONN" Orleans__ClusterId=publish-check \
    Orleans__ServiceId=publish-check Urls="http://127.0.0.1:$api_http" Orleans__ManagementPort="$(free_port)" \
    Security__SigningKeys__0__Id=check Security__SigningKeys__0__Key="$(head -c 48 /dev/urandom | base64 | tr -d '\n')" \
    Security__BootstrapAdminPassword="publish-check-admin-password" dotnet OrleansAgents.Api.dll >"$work/published-api.log" 2>&1) &
  pids+=($!)
  if wait_http "http://127.0.0.1:$api_http/health/ready" 60; then pass "published API (client mode) answers /health/ready"
  else fail "published API (client mode) answers /health/ready" "$(tail -3 "$work/published-api.log" | tr '\n' ' ')"; fi
  # Stop them now (the silo leaves gracefully) so the cluster below has the CPU to itself.
  cleanup_ops; pids=()
else
  fail "Dockerfile publish step (scripts/publish.sh)" "$(tail -5 "$work/publish.log" | tr '\n' ' ')"
fi

# 3. Every curl in README.md, docs/api.md and docs/security.md runs as written against the API of
#    `dotnet run --project Client.Api` (the Release build test.sh made; scripts/check_docs.py).
if [[ -f Client.Api/bin/Release/net10.0/OrleansAgents.Api.dll ]]; then
  python3 scripts/check_docs.py "$root/Client.Api/bin/Release/net10.0/OrleansAgents.Api.dll" "$work/docs" "$checks" \
    || fail "docs curl check runs" "scripts/check_docs.py exited $?"
else
  fail "docs curl check runs" "Client.Api is not built in Release"
fi

# 4. Dashboards against real data.
offset=$(python3 - <<'PY'
import socket, random
def free(p):
    s = socket.socket()
    try: s.bind(("127.0.0.1", p)); return True
    except OSError: return False
    finally: s.close()
for _ in range(200):
    o = random.randrange(2000, 20000, 10)
    if all(free(b + o) for b in (8080, 8081, 8082, 8083, 11111, 11112, 30000, 30001)): print(o); break
PY
)
# test.sh exports PGPORT/REDISPORT for its own instances; the cluster starts its own.
# The silos get an extra tier "ops" so the main traffic is not throttled (the rate-limit panels
# get their rejections from one caller on the free tier, below).
# The skills need something to call: an OpenAI-compatible fake for llm.chat, and the API's own
# health endpoint as the allow-listed target of http.request.
llm_port=$(free_port)
python3 scripts/fake_llm.py "$llm_port" >"$work/fake-llm.log" 2>&1 &
pids+=($!)
if ! env -u PGPORT -u REDISPORT CLUSTER_DIR="$cluster_dir" PORT_OFFSET="$offset" \
  RateLimiting__Tiers__ops__PerMinute=1000000 RateLimiting__Tiers__ops__PerHour=100000000 \
  RateLimiting__Tiers__ops__PerDay=100000000 RateLimiting__Tiers__ops__AiTokensPerDay=100000000 \
  Skills__Http__AllowedUrls__0="http://127.0.0.1:$((8080 + offset))/health/" \
  Skills__Llm__DefaultProvider=ops Skills__Llm__Providers__ops__Endpoint="http://127.0.0.1:$llm_port/v1" \
  Skills__Llm__Providers__ops__Model=ops-model Skills__Llm__Providers__ops__RequestsPerMinute=100000 \
  Skills__Llm__Prices__0__Provider=ops Skills__Llm__Prices__0__Model='*' \
  Skills__Llm__Prices__0__InputPerMillion=1 Skills__Llm__Prices__0__OutputPerMillion=2 \
  bash scripts/cluster-up.sh >"$work/cluster-up.log" 2>&1; then
  fail "local cluster for the dashboard check starts" "$(tail -5 "$work/cluster-up.log" | tr '\n' ' ')"
  exit 0
fi
api=$((8080 + offset)); silo1=$((8081 + offset)); silo2=$((8082 + offset)); api_management=$((8083 + offset))
prom_port=$(free_port)
cat >"$work/prometheus.yml" <<YML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  # Same job names and labels (namespace, pod) as the ServiceMonitor gives in Kubernetes.
  - job_name: orleans-agents-silo
    static_configs:
      - {targets: ["127.0.0.1:$silo1"], labels: {namespace: local, pod: orleans-agents-silo-1}}
      - {targets: ["127.0.0.1:$silo2"], labels: {namespace: local, pod: orleans-agents-silo-2}}
  - job_name: orleans-agents-api
    static_configs:
      - {targets: ["127.0.0.1:$api_management"], labels: {namespace: local, pod: orleans-agents-api-1}}
YML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus-data" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
(
  # Every /api call is authenticated: log in as the bootstrap admin (cluster-up wrote its password),
  # move the admin to the unthrottled tier, and create a free-tier user who runs into its limit.
  admin_password=$(awk '/^password /{print $2}' "$cluster_dir/admin")
  login() { curl -s -XPOST "http://127.0.0.1:$api/api/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])'; }
  token=$(login admin "$admin_password")
  curl() { command curl -H "Authorization: Bearer $token" "$@"; }
  curl -s -o /dev/null -XPUT "http://127.0.0.1:$api/api/rate-limits/admin/tier" -H 'content-type: application/json' -d '{"tier":"ops"}'
  curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/users" -H 'content-type: application/json' \
    -d '{"name":"ops-free-caller","password":"ops-free-caller-password","roles":["viewer"],"tier":"free"}'
  free_token=$(login ops-free-caller ops-free-caller-password)
  # A breaker is isolated so the breaker panels have a state and a transition to show.
  curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/circuit-breakers/ops:check/isolate" -H 'content-type: application/json' -d '{"reason":"ops check"}'
  # An agent for tasks: routed echo tasks succeed; one that times out is retried, then dead-lettered.
  curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/agents" -H 'content-type: application/json' \
    -d '{"id":"ops-tasks","name":"Ops tasks","capabilities":["ops","http","llm"],"maxConcurrentTasks":4}'
  # A workflow (fan-out and join over echo steps) promoted to active, for production runs below.
  curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/workflows" -H 'content-type: application/json' -d '{
    "id":"ops-digest","name":"Ops digest","goal":"Fan out two echo steps and join them",
    "steps":[{"id":"fetch","capability":"ops","skill":"echo","input":{"n":"{{ input.n }}"}},
             {"id":"left","capability":"ops","skill":"echo","input":{"v":"{{ steps.fetch.output.n }}"},"dependsOn":["fetch"]},
             {"id":"right","capability":"ops","skill":"echo","input":{"v":"{{ steps.fetch.output.n }}"},"dependsOn":["fetch"]},
             {"id":"join","capability":"ops","skill":"echo","input":{"l":"{{ steps.left.output.v }}","r":"{{ steps.right.output.v }}"},"dependsOn":["left","right"]}]}'
  for action in validate stage activate; do
    curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/workflows/ops-digest/$action"
  done
  # A hosted agent on the fake provider (priced above), so the cost panels per model and per user have series.
  curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/agents" -H 'content-type: application/json' \
    -d '{"id":"ops-hosted","name":"Ops hosted","model":{"provider":"ops"}}'
  conversation=$(curl -s -XPOST "http://127.0.0.1:$api/api/agents/ops-hosted/conversations" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin).get("id", ""))' 2>/dev/null)
  # The free-tier caller (10 requests a minute) starts over its limit at once, so 429s are
  # there however slowly the loop below goes on a loaded machine.
  for _ in $(seq 14); do command curl -s -o /dev/null -H "Authorization: Bearer $free_token" "http://127.0.0.1:$api/api/agents?limit=1"; done
  # Traffic for the whole window: registrations, reads, a miss (404), listings, heartbeats, and
  # one free-tier caller who runs into its limit (429s).
  i=0
  while :; do
    i=$((i + 1))
    curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/agents" -H 'content-type: application/json' \
      -d "{\"id\":\"ops-check-$i\",\"name\":\"Ops check $i\",\"capabilities\":[\"search\"],\"maxConcurrentTasks\":2}"
    curl -s -o /dev/null "http://127.0.0.1:$api/api/agents/ops-check-$i"
    curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/agents/ops-check-$i/heartbeat" -H 'content-type: application/json' -d '{"activeTasks":1}'
    curl -s -o /dev/null "http://127.0.0.1:$api/api/agents/missing-$i"
    curl -s -o /dev/null "http://127.0.0.1:$api/api/agents?capability=search&limit=5"
    for _ in 1 2 3; do command curl -s -o /dev/null -H "Authorization: Bearer $free_token" "http://127.0.0.1:$api/api/agents?limit=1"; done
    curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/agents/ops-tasks/heartbeat" -H 'content-type: application/json' -d '{}'
    curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/tasks" -H 'content-type: application/json' \
      -d "{\"capability\":\"ops\",\"skill\":\"echo\",\"input\":{\"n\":$i,\"delayMs\":50},\"priority\":\"high\"}"
    curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/agents/ops-tasks/tasks" -H 'content-type: application/json' \
      -d '{"skill":"echo","input":{"delayMs":2000},"timeoutSeconds":0.2,"maxAttempts":2,"priority":"low"}'
    curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/agents/ops-tasks/tasks" -H 'content-type: application/json' \
      -d "{\"skill\":\"http.request\",\"input\":{\"method\":\"GET\",\"url\":\"http://127.0.0.1:$api/health/live\"}}"
    curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/agents/ops-tasks/tasks" -H 'content-type: application/json' \
      -d '{"skill":"llm.chat","input":{"prompt":"status?"}}'
    curl -s -o /dev/null -XPUT "http://127.0.0.1:$api/api/agents/ops-tasks/memory/ops/run-$((i % 5))" -H 'content-type: application/json' \
      -d "{\"value\":{\"i\":$i},\"tags\":[\"ops\"],\"ttlSeconds\":600}"
    curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/workflows/ops-digest/runs" -H 'content-type: application/json' \
      -d "{\"mode\":\"production\",\"input\":{\"n\":$i}}"
    if ((i % 3 == 0)) && [[ -n $conversation ]]; then
      curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/conversations/$conversation/messages" -H 'content-type: application/json' \
        -d "{\"content\":\"status $i?\"}"
    fi
    if ((i % 5 == 0)); then
      curl -s -o /dev/null "http://127.0.0.1:$api/api/workflows?q=digest"
      curl -s -o /dev/null "http://127.0.0.1:$api/api/workflows/statistics"
    fi
    # Trust, swarms and consensus: ratings, a recompute, a small optimisation, a one-agent round.
    curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/agents/ops-check-$i/ratings" -H 'content-type: application/json' \
      -d "{\"outcome\":\"$( ((i % 3 == 0)) && echo unsatisfied || echo satisfied)\"}"
    curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/swarms/consensus" -H 'content-type: application/json' \
      -d "{\"capability\":\"ops\",\"skill\":\"echo\",\"input\":{\"answer\":42},\"agents\":1,\"quorum\":1,\"deadlineSeconds\":10}"
    if ((i % 4 == 1)); then
      curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/trust/recompute"
      curl -s -o /dev/null -XPOST "http://127.0.0.1:$api/api/swarms/optimizations" -H 'content-type: application/json' \
        -d "{\"function\":\"sphere\",\"dimensions\":5,\"swarmSize\":10,\"iterations\":100,\"seed\":$i}"
      curl -s -o /dev/null "http://127.0.0.1:$api/api/collective/network?limit=50"
    fi
    sleep 0.1
  done
) &
pids+=($!)
if ! wait_http "http://127.0.0.1:$prom_port/-/ready" 30; then
  fail "Prometheus starts" "$(tail -3 "$work/prometheus.log" | tr '\n' ' ')"
  exit 0
fi
# Enough 1 s scrapes for rate() over the 30 s window and for the agents gauge (refreshed every 10 s).
sleep 12
python3 scripts/check_dashboards.py "http://127.0.0.1:$prom_port" "$checks" grafana/dashboards/*.json --rules "$work/rules-prod.yml" || true
exit 0
