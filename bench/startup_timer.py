#!/usr/bin/env python3
"""Times whole commands, start to exit, in alternating rounds: the timer behind bench/startup.sh.

Each round runs every command once, in turn (the order rotates every round), so all of them see the same machine
over the same minute; the report gives each one's median wall time and CPU time (user + system, of the process and
its children, from wait4) and its ratio to the first command (the baseline), both as the ratio of medians and as the
median of the per-round ratios.

Usage: startup_timer.py [--runs N] [--warmup N] [--cwd DIR] [--markdown] NAME=COMMAND [NAME=COMMAND ...]
A COMMAND is split on spaces; its output is discarded, and a non-zero exit fails the bench.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time


def run_once(argv, cwd):
    start = time.perf_counter_ns()
    child = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = (time.perf_counter_ns() - start) / 1e6
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = child.stderr.read().decode(errors="replace")
    child.stderr.close()
    if child.returncode != 0:
        sys.exit(f"startup_timer: '{' '.join(argv)}' exited with {child.returncode}: {stderr.strip()}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def quartiles(values):
    if len(values) < 4:
        return min(values), max(values)
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--cwd", default=".")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("commands", nargs="+", metavar="NAME=COMMAND")
    args = parser.parse_args()
    commands = []
    for spec in args.commands:
        name, _, command = spec.partition("=")
        commands.append((name, command.split()))

    for _ in range(args.warmup):
        for _, argv in commands:
            run_once(argv, args.cwd)

    walls = {name: [] for name, _ in commands}
    cpus = {name: [] for name, _ in commands}
    for round_index in range(args.runs):
        shift = round_index % len(commands)
        for name, argv in commands[shift:] + commands[:shift]:
            wall, cpu = run_once(argv, args.cwd)
            walls[name].append(wall)
            cpus[name].append(cpu)

    base = commands[0][0]
    base_wall = statistics.median(walls[base])
    base_cpu = statistics.median(cpus[base])
    rows = []
    for name, argv in commands:
        wall = statistics.median(walls[name])
        cpu = statistics.median(cpus[name])
        low, high = quartiles(walls[name])
        paired = statistics.median(w / b for w, b in zip(walls[name], walls[base]))
        rows.append((name, " ".join(argv), wall, low, high, cpu, wall / base_wall, paired, cpu / base_cpu))

    print(f"{args.runs} alternating rounds after {args.warmup} warm-up rounds; ratios are to '{base}'")
    if args.markdown:
        print("| command | wall median | wall p25–p75 | CPU median | ÷ baseline (wall, medians) | ÷ baseline (wall, median of rounds) | ÷ baseline (CPU) |")
        print("|---|---|---|---|---|---|---|")
        for name, _, wall, low, high, cpu, ratio, paired, cpu_ratio in rows:
            print(f"| {name} | {wall:.0f} ms | {low:.0f}–{high:.0f} ms | {cpu:.0f} ms | {ratio:.2f} | {paired:.2f} | {cpu_ratio:.2f} |")
    else:
        print(f"{'command':<14} {'wall med':>9} {'p25':>7} {'p75':>7} {'cpu med':>8} {'÷base':>6} {'÷base/rnd':>9} {'cpu÷base':>8}")
        for name, _, wall, low, high, cpu, ratio, paired, cpu_ratio in rows:
            print(f"{name:<14} {wall:7.0f}ms {low:5.0f}ms {high:5.0f}ms {cpu:6.0f}ms {ratio:6.2f} {paired:9.2f} {cpu_ratio:8.2f}")
        for name, argv in commands:
            print(f"  {name}: {' '.join(argv)}")


if __name__ == "__main__":
    main()
