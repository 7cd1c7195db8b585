#!/usr/bin/env bash
# skein test against running the same experiment scripts directly (issue "skein test" §6).
# Usage: bench/test-suite.sh [experiments] [parallelism] [runs]      (defaults: 200 2 3)
#
# Builds skein (Release), writes a suite of N trivial experiments (shell scripts that note when they started and
# exit 0), then for each run, alternating: `xargs -P PARALLELISM` running the scripts directly, and
# `skein test` on the embedded default of 2 nodes with `parallelism: PARALLELISM`. Prints per-experiment times and
# their ratio, and the time from starting `skein test` to the first experiment starting.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-200}
parallelism=${2:-2}
runs=${3:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build -c Release src/Skein.Cli -v quiet -nologo >/dev/null
skein=$PWD/src/Skein.Cli/bin/Release/net10.0/skein

mkdir -p "$work/suite/trivial"
printf 'name: trivial\ndescription: experiments that only exit 0\n' > "$work/suite/trivial/suite.yaml"
for i in $(seq -f '%04g' "$count"); do
  printf '#!/bin/sh\ndate +%%s%%N >> "$STARTS"\nexit 0\n' > "$work/suite/trivial/e$i.sh"
  chmod +x "$work/suite/trivial/e$i.sh"
done
cat > "$work/bench.yaml" <<YAML
name: bench
suites: [suite]
cluster: { nodes: 2 }
parallelism: $parallelism
parameters: { STARTS: "$work/starts" }
YAML

now() { date +%s%N; }
ms() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1000000 }'; }
echo "date $(date -u '+%F %T') UTC, nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$count experiments, parallelism $parallelism, $runs runs (alternating)"
direct=(); runner=(); first=()
for r in $(seq "$runs"); do
  rm -f "$work/starts"
  start=$(now)
  ls "$work"/suite/trivial/*.sh | STARTS="$work/starts" xargs -P "$parallelism" -n 1 sh -c '"$0"'
  direct+=($(( $(now) - start )))

  rm -f "$work/starts"
  start=$(now)
  (cd "$work" && "$skein" test bench.yaml --state "$work/state-$r" --output none --quiet >"$work/out-$r.txt" 2>&1) \
    || { echo "skein test failed (run $r):"; cat "$work/out-$r.txt"; exit 1; }
  runner+=($(( $(now) - start )))
  first+=($(( $(sort -n "$work/starts" | head -1) - start )))
  printf 'run %d: direct %s ms, skein test %s ms (first experiment after %s ms)\n' "$r" \
    "$(ms "${direct[-1]}")" "$(ms "${runner[-1]}")" "$(ms "${first[-1]}")"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
d=$(median "${direct[@]}"); t=$(median "${runner[@]}"); f=$(median "${first[@]}")
echo
echo "| figure | median of $runs |"
echo "|---|---:|"
echo "| direct (xargs -P $parallelism), per experiment | $(awk -v a="$d" -v c="$count" 'BEGIN { printf "%.0f", a / c / 1000 }') µs |"
echo "| skein test, whole command, per experiment | $(awk -v a="$t" -v c="$count" 'BEGIN { printf "%.0f", a / c / 1000 }') µs |"
echo "| skein test after the first experiment started, per experiment | $(awk -v a="$t" -v f="$f" -v c="$count" 'BEGIN { printf "%.0f", (a - f) / c / 1000 }') µs |"
echo "| ratio direct ÷ skein test (whole command) | $(awk -v d="$d" -v t="$t" 'BEGIN { printf "%.3f", d / t }') |"
echo "| ratio direct ÷ skein test (from the first experiment) | $(awk -v d="$d" -v t="$t" -v f="$f" 'BEGIN { printf "%.3f", d / (t - f) }') |"
echo "| skein test → first experiment started (embedded cluster of 2 nodes) | $(ms "$f") ms |"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
