#!/usr/bin/env bash
# File-size figures per project for docs/architecture.md ("Measured"): number of .cs files, median and
# 90th-percentile lines per file, and files over 250 lines (STYLE.md: split before ~250). Usage:
#   bash scripts/code-metrics.sh [repo-dir]
# Duplicate pairs come from the library's tool: `duplicates --seconds 120 | head -1` (whole tree).
set -euo pipefail
cd "${1:-.}"
sizes=$(mktemp)
trap 'rm -f "$sizes"' EXIT
for p in Grains.Interfaces Grains Hosting.Defaults Silo Client.Api tests/Client.Api.Tests tests/Grains.Tests tests/Deploy.Tests tests/Shared; do
  [ -d "$p" ] || continue
  find "$p" -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*' -print0 | xargs -0 wc -l | grep -v ' total$' | awk '{print $1}' | sort -n > "$sizes"
  n=$(wc -l < "$sizes")
  med=$(awk -v n="$n" 'NR==int((n+1)/2){print}' "$sizes")
  p90=$(awk -v n="$n" 'BEGIN{k=int(n*0.9+0.999)} NR==k{print}' "$sizes")
  over=$(awk '$1>250' "$sizes" | wc -l)
  printf '%-24s files %4d  median %4d  p90 %4d  >250 %3d\n' "$p" "$n" "$med" "$p90" "$over"
done
