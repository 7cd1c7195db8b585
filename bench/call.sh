#!/usr/bin/env bash
# skein call, one process per call against one `skein call --stdin` for a whole batch: wall and CPU time per call,
# on a local cluster of one node hosting the example services (examples/services), echo.Echo("hi") each time.
# Usage: bench/call.sh [one-shot calls] [batch calls]   (defaults: 20 and 2000)
# Builds in Release: skein published twice (ReadyToRun, as dotnet pack and dotnet publish now build it, and plain
# with -p:PublishReadyToRun=false) and the example services; the cluster runs on the ReadyToRun build.
set -euo pipefail
cd "$(dirname "$0")/.."
single=${1:-20}
batch=${2:-2000}

tmp=$(mktemp -d)
up_pid=
up_fd=
cleanup() {
  if [[ -n $up_pid ]]; then
    kill -TERM "$up_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$up_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$up_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT

echo "building (Release)…" >&2
dotnet publish src/Skein.Cli -c Release -o "$tmp/r2r" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
dotnet publish src/Skein.Cli -c Release -p:PublishReadyToRun=false -o "$tmp/plain" >>"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
dotnet build examples/services -c Release -o "$tmp/services" >>"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }

echo "date: $(date -u '+%Y-%m-%d %H:%M') UTC; nproc $(nproc); load $(cut -d' ' -f1-3 /proc/loadavg)"
state="$tmp/state"
mkdir -p "$state"
exec {up_fd}< <(exec "$tmp/r2r/skein" up --nodes 1 --state "$state" --module "$tmp/services/Skein.Examples.Services.dll" 2>"$tmp/up.err")
up_pid=$!
while IFS= read -r -t 60 line <&"$up_fd"; do [[ $line == "cluster up at"* ]] && break; done
[[ ${line:-} == "cluster up at"* ]] || { echo "the cluster did not come up" >&2; cat "$tmp/up.err" >&2; exit 1; }
# The node registers its services just after joining: wait until a call answers.
for _ in $(seq 100); do "$tmp/r2r/skein" call echo Echo '["hi"]' --state "$state" >/dev/null 2>&1 && break; sleep 0.2; done

# Wall and CPU (user + sys of the processes) time of a command, in ms: "WALL CPU".
measure() {
  local start end cpu0 cpu1 me=$BASHPID
  cpu0=$(awk '{ print $16 + $17 }' "/proc/$me/stat")
  start=$(date +%s%N)
  "$@"
  end=$(date +%s%N)
  cpu1=$(awk '{ print $16 + $17 }' "/proc/$me/stat")
  echo "$(( (end - start) / 1000000 )) $(( (cpu1 - cpu0) * 1000 / $(getconf CLK_TCK) ))"
}
one_shots() {
  local build=$1
  for _ in $(seq "$single"); do "$tmp/$build/skein" call echo Echo '["hi"]' --state "$state" >/dev/null; done
}
for _ in $(seq "$batch"); do echo '{"service": "echo", "method": "Echo", "args": ["hi"]}'; done >"$tmp/requests"
run_batch() { "$tmp/r2r/skein" call --stdin --state "$state" <"$tmp/requests" >"$tmp/answers"; }

one_shots r2r  # warm the page cache
read -r plain_wall plain_cpu < <(measure one_shots plain)
read -r r2r_wall r2r_cpu < <(measure one_shots r2r)
read -r batch_wall batch_cpu < <(measure run_batch)
answered=$(grep -c '"ok":true' "$tmp/answers" || true)
[[ $answered == "$batch" ]] || { echo "the batch answered $answered of $batch requests" >&2; exit 1; }

per() { awk -v t="$1" -v n="$2" 'BEGIN { printf "%.2f", t / n }'; }
echo
echo "one-shot, plain build:      $(per "$plain_wall" "$single") ms wall, $(per "$plain_cpu" "$single") ms CPU per call ($single calls)"
echo "one-shot, ReadyToRun build: $(per "$r2r_wall" "$single") ms wall, $(per "$r2r_cpu" "$single") ms CPU per call ($single calls)"
echo "--stdin batch (ReadyToRun): $(per "$batch_wall" "$batch") ms wall, $(per "$batch_cpu" "$batch") ms CPU per call ($batch calls in one process, start-up included)"
echo "ratio, one-shot ReadyToRun / batch, per call: $(awk -v a="$r2r_wall" -v n="$single" -v b="$batch_wall" -v m="$batch" 'BEGIN { printf "%.0f", (a / n) / (b / m) }')x wall," \
  "$(awk -v a="$r2r_cpu" -v n="$single" -v b="$batch_cpu" -v m="$batch" 'BEGIN { if (b == 0) print "n/a"; else printf "%.0f", (a / n) / (b / m) }')x CPU"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
