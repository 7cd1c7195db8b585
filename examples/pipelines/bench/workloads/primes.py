"""A workload: counts the primes below LIMIT with a sieve, REPEAT times over, and prints the time it took.

    python3 primes.py LIMIT [REPEAT]

It prints the count (so that a wrong sieve shows) and one line "time: T ms".
"""
import sys
import time

limit = int(sys.argv[1])
repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 1
start = time.perf_counter()
for _ in range(repeat):
    sieve = bytearray([1]) * limit
    sieve[0:2] = b"\x00\x00"
    for n in range(2, int(limit ** 0.5) + 1):
        if sieve[n]:
            sieve[n * n::n] = bytes(len(range(n * n, limit, n)))
    count = sum(sieve)
elapsed = (time.perf_counter() - start) * 1000
print(f"{count} primes below {limit}")
print(f"time: {elapsed:.3f} ms")
