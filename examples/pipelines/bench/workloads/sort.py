"""A workload: sorts SIZE random numbers, REPEAT times over, and prints the time it took.

    python3 sort.py SIZE [REPEAT]

It prints one line, "time: T ms". Each invocation is a fresh interpreter: the first ones of a series also pay for
cold caches (the interpreter's files, the CPU's), which is the warm-up the study drops before it aggregates.
"""
import random
import sys
import time

size = int(sys.argv[1])
repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 1
rng = random.Random(size)
start = time.perf_counter()
for _ in range(repeat):
    numbers = [rng.random() for _ in range(size)]
    numbers.sort()
elapsed = (time.perf_counter() - start) * 1000
print(f"sorted {size} numbers {repeat} times")
print(f"time: {elapsed:.3f} ms")
