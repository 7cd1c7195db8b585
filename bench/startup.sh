#!/usr/bin/env bash
# Whole-process time of `skein run` on a one-task job, against a Python baseline, in the same minute.
#
# Usage: bench/startup.sh [runs]        (default 20 rounds)
#   STARTUP_AOT=1 bench/startup.sh      also the run path alone (bench/Skein.Bench.StartupAot), ReadyToRun and
#                                       Native AOT (needs clang; minutes to compile)
#   STARTUP_MARKDOWN=1                  print the table for RESULTS.md
#
# It publishes skein from this tree without and with ReadyToRun (as it ships; see bench/README.md), then runs
# bench/startup_timer.py: every command once per round, in rotating order, so all see the same machine; the median
# wall and CPU time of each and its ratio to the baseline. The baseline is bench/pexen_standin.py under
# /usr/bin/python3: a stand-in for pexen's scheduler running one task (pexen itself is not installed), which runs
# `true` through subprocess from a thread pool, as the job does.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-20}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
python=/usr/bin/python3
[ -x "$python" ] || python=python3

publish() { # NAME ARGS...
  local name=$1
  shift
  echo "publishing $name: dotnet publish src/Skein.Cli -c Release $*" >&2
  dotnet publish src/Skein.Cli -c Release "$@" -o "$out/$name" >"$out/$name.log" 2>&1 || { cat "$out/$name.log" >&2; exit 1; }
}

# JIT only (a build, or the portable package).
publish plain -p:PublishReadyToRun=false
# What dotnet publish and dotnet pack give by default (see src/Skein.Cli/Skein.Cli.csproj): ReadyToRun for this
# machine's runtime identifier, framework-dependent.
publish r2r
commands=("python=$python $root/bench/pexen_standin.py" "plain=$out/plain/skein run job.yaml" "r2r=$out/r2r/skein run job.yaml")
if [ "${STARTUP_AOT:-0}" = 1 ]; then
  # The run path alone (bench/Skein.Bench.StartupAot), ReadyToRun and Native AOT: what AOT gives on the same code.
  publish_probe() { # NAME ARGS...
    local name=$1
    shift
    echo "publishing $name: dotnet publish bench/Skein.Bench.StartupAot -c Release -r linux-x64 $*" >&2
    dotnet publish bench/Skein.Bench.StartupAot -c Release -r linux-x64 "$@" -o "$out/$name" >"$out/$name.log" 2>&1 || { cat "$out/$name.log" >&2; exit 1; }
  }
  publish_probe probe-r2r --self-contained false -p:PublishReadyToRun=true
  publish_probe probe-aot -p:PublishAot=true -p:TreatWarningsAsErrors=false
  echo "Native AOT of the probe: $(grep -o 'warning IL[0-9]*:.*' "$out/probe-aot.log" | sort -u | wc -l) distinct trim/AOT warnings" >&2
  commands+=("probe-r2r=$out/probe-r2r/skein-run-probe job.yaml" "probe-aot=$out/probe-aot/skein-run-probe job.yaml")
fi

mkdir -p "$out/job"
printf 'name: one\ntasks:\n  only: { run: "true" }\n' >"$out/job/job.yaml"

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  ($(nproc) cores, $(date -u '+%Y-%m-%d %H:%M:%S') UTC)"
"$python" bench/startup_timer.py --runs "$runs" --cwd "$out/job" ${STARTUP_MARKDOWN:+--markdown} "${commands[@]}"
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)  ($(date -u '+%H:%M:%S') UTC)"
