#!/usr/bin/env python3
"""The Python client's side of the client comparison (Skein.Bench.Rpc --python-client): calls echo.Echo through the
skein package's Client (sdk/python) for a while at each concurrency level, and prints one JSON line per level:
{"callers": N, "calls": C, "seconds": S, "p50_us": ..., "p99_us": ...}.

    python3 pyclient_bench.py --address HOST:PORT --token-file PATH --callers 1,16 --warmup 1 --duration 3
"""

import argparse
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "sdk", "python")))

from skein import Client  # noqa: E402


def run(client, callers, seconds, text):
    """Every caller (a thread) calls as fast as it can until the window closes; returns (calls, seconds, latencies)."""
    latencies = [[] for _ in range(callers)]
    start = threading.Barrier(callers + 1)
    stop_at = [0.0]

    def caller(index):
        mine = latencies[index]
        start.wait()
        end = stop_at[0]
        while True:
            began = time.perf_counter()
            if began >= end:
                return
            if client.call("echo", "Echo", text) != text:
                raise AssertionError("the echo came back different")
            mine.append(time.perf_counter() - began)

    threads = [threading.Thread(target=caller, args=(i,), daemon=True) for i in range(callers)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return sum(len(l) for l in latencies), elapsed, sorted(x for l in latencies for x in l)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--callers", default="1,16")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--length", type=int, default=32)
    options = parser.parse_args()
    with open(options.token_file, encoding="utf-8") as f:
        token = f.read().strip()
    text = "x" * options.length
    with Client(options.address, token) as client:
        for callers in (int(c) for c in options.callers.split(",")):
            if options.warmup > 0:
                run(client, callers, options.warmup, text)
            calls, seconds, latencies = run(client, callers, options.duration, text)
            pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1e6 if latencies else 0.0  # noqa: E731
            print(json.dumps({"callers": callers, "calls": calls, "seconds": seconds, "p50_us": pick(0.5), "p99_us": pick(0.99)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
