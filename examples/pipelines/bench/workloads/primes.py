"""A workload: counts the primes below LIMIT with a sieve, ITERATIONS times, and prints each iteration's time.

    python3 primes.py LIMIT [ITERATIONS]

Each line reads "iteration N: T ms" (and the count, so a wrong sieve shows).
"""
import sys
import time

limit = int(sys.argv[1])
iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 8
for iteration in range(1, iterations + 1):
    start = time.perf_counter()
    sieve = bytearray([1]) * limit
    sieve[0:2] = b"\x00\x00"
    for n in range(2, int(limit ** 0.5) + 1):
        if sieve[n]:
            sieve[n * n::n] = bytes(len(range(n * n, limit, n)))
    count = sum(sieve)
    elapsed = (time.perf_counter() - start) * 1000
    print(f"iteration {iteration}: {elapsed:.3f} ms ({count} primes)", flush=True)
