#!/usr/bin/env python3
"""Dask's side of the cluster-jobs scenario (bench/Skein.Bench, Scenarios/ClusterJobsScenario.cs).

A LocalCluster of 2 worker processes (1 thread each) on 127.0.0.1; the same workloads as Skein's:
  * --tasks N independent no-op tasks submitted at once (client.map, pure=False), timed from submitting to the last
    result gathered: tasks/s;
  * a chain of --chain M no-op tasks, each taking the one before as its argument (so Dask must wait for it), timed
    from submitting the first to the last result: time per hop.
One warm-up round of each (smaller), then --reps measured rounds; the median is reported. Prints one JSON line last.
Needs `distributed` (Debian: python3-distributed).
"""
import argparse
import json
import statistics
import sys
import time


def noop(*_):
    return 0


def run_independent(client, count):
    start = time.perf_counter()
    futures = client.map(noop, range(count), pure=False)
    client.gather(futures)
    return time.perf_counter() - start


def run_chain(client, length):
    start = time.perf_counter()
    future = client.submit(noop, pure=False)
    for _ in range(length - 1):
        future = client.submit(noop, future, pure=False)
    future.result()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--chain", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()

    import distributed
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        run_independent(client, min(args.tasks, 2000))
        run_chain(client, min(args.chain, 100))
        independent, chain = [], []
        for _ in range(args.reps):
            independent.append(run_independent(client, args.tasks))
            chain.append(run_chain(client, args.chain))
            print(f"round: {args.tasks / independent[-1]:.0f} tasks/s, {chain[-1] * 1000 / args.chain:.3f} ms per hop",
                  file=sys.stderr)

    rates = sorted(args.tasks / t for t in independent)
    print(json.dumps({
        "version": distributed.__version__,
        "tasks": args.tasks,
        "tasks_per_s": statistics.median(rates),
        "hop_ms": statistics.median(chain) * 1000 / args.chain,
        "spread": f"median of {len(rates)} ({rates[0]:,.0f}–{rates[-1]:,.0f}/s)",
    }))


if __name__ == "__main__":
    main()
