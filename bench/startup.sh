#!/usr/bin/env bash
# Whole-process time of `skein run` on a one-task job, for a plain and a ReadyToRun published build.
# Usage: bench/startup.sh [runs]   (uses hyperfine when installed, else a timed loop)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

dotnet publish src/Skein.Cli -c Release -p:PublishReadyToRun=false -o "$out/plain" >/dev/null
dotnet publish src/Skein.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out/r2r" >/dev/null
mkdir -p "$out/job"
printf 'name: one\ntasks:\n  only: { run: "true" }\n' > "$out/job/job.yaml"
cd "$out/job"

for build in plain r2r; do
  if command -v hyperfine >/dev/null; then
    hyperfine -N -w 3 -r "$runs" --export-markdown "$out/$build.md" "$out/$build/skein run job.yaml" >/dev/null
    echo "$build: $(sed -n 3p "$out/$build.md")"
  else
    "$out/$build/skein" run job.yaml >/dev/null
    start=$(date +%s%N)
    for _ in $(seq "$runs"); do "$out/$build/skein" run job.yaml >/dev/null; done
    end=$(date +%s%N)
    echo "$build: mean $(( (end - start) / runs / 1000000 )) ms over $runs runs"
  fi
done
