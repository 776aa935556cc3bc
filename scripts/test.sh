#!/usr/bin/env bash
# The README's test command: starts a throwaway PostgreSQL and Redis on 127.0.0.1, applies the
# schema migration, runs every test project in the solution against them, stops what it
# started, and prints "N passed, N failed, N skipped" from the real results.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=lib.sh
source scripts/lib.sh

work=$(mktemp -d /tmp/orleans-agents-test.XXXXXX)
cleanup() { stop_services "$work"; rm -rf "$work"; }
trap cleanup EXIT

start_services "$work"
echo "PostgreSQL on 127.0.0.1:$PGPORT, Redis on 127.0.0.1:$REDISPORT" >&2

dotnet build Orleans.Agents.sln -c Release --nologo -v q -clp:ErrorsOnly

# The migration runs through the real command, as an operator would run it.
ConnectionStrings__Postgres="$PG_CONN" dotnet run --project Silo -c Release --no-build -- migrate

export AGENTS_TEST_POSTGRES="$PG_CONN" AGENTS_TEST_REDIS="$REDIS_CONN"
results="$work/results"
status=0
# The console's browser tests (tests/Console.Tests) drive Debian's Chromium through Playwright.
command -v chromium > /dev/null || { [[ $(id -u) -eq 0 ]] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null; } || true
# One run per test project, each with its own results folder, so no TRX file overwrites another.
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx" --results-directory "$results/$name" "$@" || status=$?
done

# Dockerfile publish step, alert rules, dashboards against a real Prometheus (scripts/check-ops.sh).
bash scripts/check-ops.sh "$work/ops" "$results/ops-checks.txt" || status=$?
# Chaos suite, short profile: silo SIGKILLs under load on the services above (fresh database).
CHAOS_NO_BUILD=1 bash scripts/chaos.sh short "$results/chaos-checks.txt" || status=$?

# Interop: the official TypeScript MCP SDK against a real embedded API (npm ci + tests/interop/run.sh).
bash tests/interop/run.sh "$results/interop-checks.txt" || status=$?

# Every bench with tiny parameters, on the same PostgreSQL/Redis (bench/smoke.sh): one PASS/FAIL line each.
bash bench/smoke.sh "$results/bench-checks.txt" --no-build || status=$?

py=0
python3 - "$results" <<'PY' || py=$?
import sys, glob, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = glob.glob(sys.argv[1] + "/**/*.trx", recursive=True)
for f in files:
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed", 0))
    failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    skipped += int(c.get("notExecuted", 0))
# Operations, chaos, interop and bench smoke checks write one "PASS name" / "FAIL name: why" line each.
for f in glob.glob(sys.argv[1] + "/*-checks.txt"):
    for line in open(f):
        passed += line.startswith("PASS ")
        failed += line.startswith("FAIL ")
if not files:
    print("no test results were written", file=sys.stderr)
    failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
PY
exit $(( status != 0 ? status : py ))
