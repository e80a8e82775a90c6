# loop — the sum 1 + 2 + ... + N modulo 2^32, N = argv[1] (default 2*10^7):
# the algorithm of loop.pxs and loop.lua in Python, for pxOS's Python guests,
# MicroPython's unix port and CPython alike (make bench). The sum fits in 64
# bits and is reduced once at the end.
import sys


def main(n):
    s = 0
    for i in range(1, n + 1):
        s += i
    print("loop: %d" % (s % 4294967296))


main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000000)
