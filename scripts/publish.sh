#!/usr/bin/env bash
# The publish step of the Dockerfile, runnable outside Docker (scripts/check-ops.sh runs it):
#   scripts/publish.sh OUT_DIR [VERSION]  ->  OUT_DIR/silo and OUT_DIR/api, framework-dependent.
set -euo pipefail
out=${1:?usage: publish.sh OUT_DIR [VERSION]}
version=${2:-0.0.0-dev}
common=(-c Release --nologo -v q -clp:ErrorsOnly -p:UseAppHost=false -p:Version="$version")
dotnet publish Silo/Silo.csproj "${common[@]}" -o "$out/silo"
dotnet publish Client.Api/Client.Api.csproj "${common[@]}" -o "$out/api"
