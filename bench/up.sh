#!/usr/bin/env bash
# Local cluster start: `skein up --nodes N` from start until "cluster up at" (all nodes joined), and the idle
# memory (VmRSS) of each node process and of the `skein up` process (coordinator) once the cluster is up.
# Usage: bench/up.sh [runs] [nodes]   (defaults: 7 runs, 4 nodes; IDLE_SECONDS=3 before reading memory)
#        SKEIN_BIN=path/to/skein bench/up.sh   measures that build (a publish, ReadyToRun…) instead of building one
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
nodes=${2:-4}
idle=${IDLE_SECONDS:-3}
ready_timeout=30

tmp=$(mktemp -d)
up_pid=
up_fd=
sleep_pid=

# Stops the cluster of the current run, if any: SIGTERM to `skein up` (it stops its nodes), then waits; whatever
# is still there after 10 s — `skein up` or a node it started — is killed by its process id.
stop_cluster() {
  [[ -n $up_pid ]] || return 0
  local children
  children=$(pgrep -P "$up_pid" || true)
  kill -TERM "$up_pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$up_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$up_pid" 2>/dev/null; then
    echo "skein up (process $up_pid) did not stop within 10 s of SIGTERM; killing it and its nodes" >&2
    kill -KILL "$up_pid" 2>/dev/null || true
  fi
  wait "$up_pid" 2>/dev/null || true
  for child in $children; do kill -KILL "$child" 2>/dev/null || true; done
  if [[ -n $up_fd ]]; then exec {up_fd}<&-; fi
  up_pid=
  up_fd=
}
cleanup() {
  if [[ -n $sleep_pid ]]; then kill "$sleep_pid" 2>/dev/null || true; fi
  stop_cluster
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -n ${SKEIN_BIN:-} ]]; then
  skein=$SKEIN_BIN
else
  echo "building skein (Release)…" >&2
  dotnet build -c Release src/Skein.Cli >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
  skein=src/Skein.Cli/bin/Release/net10.0/skein
fi
[[ -x $skein ]] || { echo "no apphost at $skein" >&2; exit 1; }

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "date: $(date -u '+%Y-%m-%d %H:%M') UTC; nproc $(nproc); load $(cut -d' ' -f1-3 /proc/loadavg); skein: $skein"
: >"$tmp/start-ms"
: >"$tmp/node-kib"
: >"$tmp/up-kib"
for run in $(seq "$runs"); do
  state="$tmp/state-$run"
  mkdir -p "$state"
  start=$(date +%s%N)
  exec {up_fd}< <(exec "$skein" up --nodes "$nodes" --state "$state" 2>"$tmp/up-$run.err")
  up_pid=$!
  ready=
  while IFS= read -r -t "$ready_timeout" line <&"$up_fd"; do
    if [[ $line == "cluster up at"* ]]; then
      ready=$(date +%s%N)
      break
    fi
  done
  if [[ -z $ready ]]; then
    echo "run $run: the cluster was not up within ${ready_timeout} s" >&2
    cat "$tmp/up-$run.err" >&2
    exit 1
  fi
  ms=$(( (ready - start) / 1000000 ))
  echo "$ms" >>"$tmp/start-ms"

  # Let the nodes go idle (first heartbeats sent), as a user would find them. In the background so that a signal
  # is handled at once, not after the sleep.
  sleep "$idle" &
  sleep_pid=$!
  wait "$sleep_pid"
  sleep_pid=
  node_pids=$(pgrep -P "$up_pid" -f ' node ' || true)
  count=$(wc -w <<<"$node_pids")
  if (( count != nodes )); then
    echo "run $run: expected $nodes node processes under skein up ($up_pid), found $count" >&2
    exit 1
  fi
  line_rss=
  for pid in $node_pids; do
    kib=$(rss_kib "$pid")
    echo "$kib" >>"$tmp/node-kib"
    line_rss+=" $(( kib / 1024 ))"
  done
  up_kib=$(rss_kib "$up_pid")
  echo "$up_kib" >>"$tmp/up-kib"
  echo "run $run: up in $ms ms; node RSS MiB:$line_rss; skein up (coordinator) $(( up_kib / 1024 )) MiB"
  stop_cluster
done

read -r min max < <(sort -n "$tmp/start-ms" | awk 'NR == 1 { min = $1 } { max = $1 } END { print min, max }')
echo
echo "skein up --nodes $nodes, $runs runs: start median $(median <"$tmp/start-ms") ms (min $min, max $max)"
echo "idle node RSS: median $(median <"$tmp/node-kib" | awk '{ printf "%.1f", $1 / 1024 }') MiB over $(wc -l <"$tmp/node-kib") nodes;" \
  "skein up (coordinator) median $(median <"$tmp/up-kib" | awk '{ printf "%.1f", $1 / 1024 }') MiB"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
