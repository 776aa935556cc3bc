#!/usr/bin/env bash
# Interop tests: official protocol clients (tests/interop/*.test.mjs) against a real API.
# Installs the locked npm packages, starts Client.Api (embedded silo, Development settings so
# the dev admin exists) on free 127.0.0.1 ports, waits for /health/ready, runs `node --test`,
# stops the API, and writes one "PASS interop-<test>" / "FAIL interop-<test>" line per test to
# the results file (counted by scripts/test.sh). Needs a Release build of Client.Api.
# Usage: tests/interop/run.sh [results-file]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
results=${1:-$here/interop-checks.txt}
mkdir -p "$(dirname "$results")"
: > "$results"
work=$(mktemp -d /tmp/orleans-agents-interop.XXXXXX)
api_pid=""
llm_pid=""
cleanup() {
  if [[ -n $llm_pid ]]; then kill "$llm_pid" 2>/dev/null || true; fi
  if [[ -n $api_pid ]]; then
    # dotnet run starts the API as a child: stop the whole process group it leads.
    kill -TERM -- "-$api_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 -- "-$api_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$api_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if ! command -v npm > /dev/null && [[ $(id -u) -eq 0 ]]; then
  # A fresh machine: Debian's Node (18+) has the built-in test runner these tests use.
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm > /dev/null
fi
if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error); then
  echo "FAIL interop-npm-ci: npm ci failed" >> "$results"
  exit 1
fi

# Five free loopback ports: public, management, silo, gateway, scripted LLM.
# INTEROP_PORTS="p m s g l" pins them (e.g. to a range of one's own on a shared machine).
if [[ -n ${INTEROP_PORTS:-} ]]; then
  read -r port mgmt silo gateway llm <<< "$INTEROP_PORTS"
else
read -r port mgmt silo gateway llm < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(5)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks:
    s.close()
PY
)
fi
base="http://127.0.0.1:$port"

# Hosted agents (the A2A tests) think with the scripted provider "scripted" on loopback.
node "$here/scripted-llm.mjs" "$llm" > "$work/llm.log" 2>&1 &
llm_pid=$!

# The interop run makes a few dozen calls as one user: lift the free tier's per-minute limit,
# keeping the rate limiter itself in the path.
(cd "$root" && exec setsid env -u ConnectionStrings__Redis -u ConnectionStrings__Postgres \
  ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development \
  Urls="$base" Orleans__Mode=Embedded Orleans__ManagementPort="$mgmt" \
  Orleans__SiloPort="$silo" Orleans__GatewayPort="$gateway" Orleans__DashboardEnabled=false \
  RateLimiting__Tiers__free__PerMinute=100000 RateLimiting__Tiers__free__PerHour=1000000 \
  RateLimiting__Tiers__free__PerDay=10000000 Logging__LogLevel__Default=Warning \
  Skills__Llm__Providers__scripted__Endpoint="http://127.0.0.1:$llm/v1" Skills__Llm__Providers__scripted__Model=plain \
  Skills__Llm__Providers__scripted__RequestsPerMinute=100000 \
  dotnet run --project Client.Api -c Release --no-build --no-launch-profile > "$work/api.log" 2>&1) &
api_pid=$!

ready=0
for _ in $(seq 1 240); do
  if curl -sf "$base/health/ready" > /dev/null 2>&1; then ready=1; break; fi
  kill -0 "$api_pid" 2>/dev/null || break
  sleep 0.5
done
if [[ $ready -ne 1 ]]; then
  echo "FAIL interop-api-start: the API did not become ready on $base" >> "$results"
  tail -n 40 "$work/api.log" >&2
  exit 1
fi

status=0
(cd "$here" && AGENTS_API_URL="$base" node --test \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$work/results.tap" ./*.test.mjs) || status=$?

# Top-level TAP results ("ok 3 - name", "not ok 4 - name") become PASS/FAIL lines.
python3 - "$work/results.tap" "$results" <<'PY'
import re, sys
out = open(sys.argv[2], "a")
count = 0
for line in open(sys.argv[1]):
    m = re.match(r"^(not ok|ok) \d+ - (.*?)(\s+#\s*(SKIP|TODO).*)?$", line.rstrip("\n"))
    if not m:
        continue
    count += 1
    name = "interop-" + re.sub(r"[^a-z0-9]+", "-", m.group(2).lower()).strip("-")
    if m.group(3):
        continue
    out.write(("PASS " if m.group(1) == "ok" else "FAIL ") + name + "\n")
if count == 0:
    out.write("FAIL interop-node-test: no test results\n")
PY
if [[ $status -ne 0 ]]; then tail -n 60 "$work/api.log" >&2; fi
exit $status
