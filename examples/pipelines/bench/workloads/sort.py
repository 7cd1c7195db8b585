"""A workload: sorts SIZE random numbers ITERATIONS times and prints each iteration's time.

    python3 sort.py SIZE [ITERATIONS]

Each line reads "iteration N: T ms". The first iterations pay for growing the interpreter's memory pools, as a JIT's
first iterations pay for compiling: that is the warm-up a benchmark drops before it aggregates.
"""
import random
import sys
import time

size = int(sys.argv[1])
iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 8
rng = random.Random(size)
for iteration in range(1, iterations + 1):
    start = time.perf_counter()
    numbers = [rng.random() for _ in range(size)]
    numbers.sort()
    elapsed = (time.perf_counter() - start) * 1000
    print(f"iteration {iteration}: {elapsed:.3f} ms", flush=True)
