# copy — copy a buffer of 4096 32-bit words argv[1] times (default 3000), a
# word at a time; prints the sum of the copied words mod 2^32. The algorithm
# of copy.pxs and copy.lua in Python (make bench; no slice copy: that is C).
import sys

M32 = 4294967296
WORDS = 4096


def main(runs):
    src = [0] * WORDS
    dst = [0] * WORDS
    x = 1
    for i in range(WORDS):
        x = (x * 1664525 + 1013904223) % M32
        src[i] = x
    for _ in range(runs):
        for i in range(WORDS):
            dst[i] = src[i]
    total = 0
    for i in range(WORDS):
        total += dst[i]
    print("copy: %d" % (total % M32))


main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
