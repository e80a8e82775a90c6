#!/usr/bin/python3
"""seeds.py NAME DIR — writes the seed inputs of fuzz target NAME into DIR
(tests/fuzz/build.mk; the C targets pixelfs and frame have C seed writers,
pixelfs_seeds.c and frame_seeds.c, since they need the library to encode).

  vm   16 random records (input format: tests/fuzz/fuzz_vm.c), every other one
       all system calls, the shape that reaches the kernel's argument checks
       soonest
  sse  a streamed answer, a whole answer, an error and a model list, each
       after byte 0, where tests/fuzz/fuzz_sse.c splits the body in two reads
"""
import os
import random
import sys


def vm_seeds():
    r = random.Random(7)
    for i in range(16):
        n = 6 * r.randrange(10, 200)
        yield "seed%02d" % i, bytes(
            (r.randrange(0xA0, 0x100) if j % 6 == 0 and i % 2 else r.randrange(256))
            for j in range(n))


def sse_seeds():
    yield "stream", (b'\x20data: {"choices":[{"delta":{"content":"Hel"}}]}\r\n\r\n'
                     b'data: {"choices":[{"delta":{"content":"lo \\u00e9"},"finish_reason":null}]}\n\n'
                     b'data: [DONE]\n\n')
    yield "whole", b'\x00{"choices":[{"message":{"role":"assistant","content":"yes"}}]}'
    yield "error", b'\x05data: {"error":{"message":"model not loaded"}}\n\n'
    yield "models", b'\x00{"data":[{"id":"qwen2.5-7b","object":"model"}],"models":[{"name":"llama3"}]}'


SEEDS = {"vm": vm_seeds, "sse": sse_seeds}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in SEEDS:
        print("usage: seeds.py %s DIR" % "|".join(SEEDS), file=sys.stderr)
        return 2
    os.makedirs(sys.argv[2], exist_ok=True)
    for name, data in SEEDS[sys.argv[1]]():
        with open(os.path.join(sys.argv[2], name), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
