# sieve — the sieve of Eratosthenes up to 50000, run argv[1] times (default
# 100): the algorithm of sieve.pxs and sieve.lua in Python (make bench): clear,
# cross out the multiples of each prime i from i*i on, count what is left of
# 2..LIMIT, element by element (no slice assignment: that would be C). The
# flags are a bytearray (a list of 50001 would take 400 KB, more than a pxOS
# Python process's 256 KiB heap).
import sys

LIMIT = 50000


def main(runs):
    s = bytearray(LIMIT + 1)
    count = 0
    for _ in range(runs):
        for i in range(1, LIMIT + 1):
            s[i] = 0
        i = 2
        while i * i <= LIMIT:
            if s[i] == 0:
                for j in range(i * i, LIMIT + 1, i):
                    s[j] = 1
            i += 1
        count = LIMIT - 1
        for k in range(2, LIMIT + 1):
            count -= s[k]
    print("sieve: %d" % count)


main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
