# fib — recursive Fibonacci, fib(n) with n = argv[1] (default 30): the
# algorithm of fib.pxs and fib.lua in Python (make bench).
import sys


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


print("fib: %d" % (fib(int(sys.argv[1]) if len(sys.argv) > 1 else 30) % 4294967296))
