#!/usr/bin/python3
"""test_hv — the random source, its seeding and the hypervisor's guest programs in QEMU.

    /usr/bin/python3 tests/qemu/test_hv.py [--build DIR] [--timeout S] [-k SUBSTRING]

Each test boots build/pxos.img (or a variant with another kernel command line)
headless, without a bridge on the serial line, and checks:
  - seed=42 on the command line seeds the generator (logged; monitor `seed`
    shows it); after `seed 7` the oracle demo's Gaussian samples repeat
    exactly, after `seed 8` they differ; with no bridge, `ask` fails at once
    with "no host bridge" and the oracle demo's questions get no answer while
    its noise histogram still runs.
  - without seed=, the CPU's RDSEED/RDRAND seed it (QEMU's `-cpu max`), and a
    CPU without them (`-cpu qemu64,-rdrand,-rdseed`) is seeded from TSC jitter.
Logs: build/tests/qemu/hv-*/. Last line: "hv: N passed, N failed".
"""

import argparse
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pxqemu  # noqa: E402

CFG = {}
PROMPT = r"pxmon> "


class HvCase(unittest.TestCase):
    def boot(self, name, cmdline=None, extra_args=()):
        image = CFG["img"]
        if cmdline is not None:
            path = os.path.join(CFG["build"], "tests", "qemu", "variants", name + ".img")
            cfg = ("# test_hv\ncmdline = %s\n" % cmdline).encode()
            pxqemu.make_variant(CFG["img"], path, replace={"/pxos/boot.cfg": cfg})
            image = path
        vm = pxqemu.Qemu(image, name, extra_args=extra_args)
        self.addCleanup(vm.close)
        return vm

    def expect(self, vm, pattern, timeout=None):
        return vm.expect(pattern, timeout or CFG["timeout"])

    def command(self, vm, line, pattern):
        """Send a monitor command and wait for `pattern` in its output."""
        vm.send(line + "\n")
        m = self.expect(vm, pattern)
        self.expect(vm, PROMPT)
        return m


class SeedTests(HvCase):
    def test_seeded_runs_repeat(self):
        vm = self.boot("hv-seed", cmdline="seed=42")
        self.expect(vm, r"rng: seeded with seed=42")
        self.expect(vm, PROMPT)
        self.command(vm, "seed", r"seed 42 \(from seed=\)")

        def first_sample():
            vm.send("run /apps/oracle\n")
            m = self.expect(vm, r"sample mean (\d+), first sample \(16\.16\) (\d+)\r?\n")
            mean, first = int(m.group(1)), int(m.group(2))
            self.assertIn(mean, (63, 64, 65), "2000 samples of N(64, 14)")
            # No bridge: each question fails at once, and says why.
            self.expect(vm, r"Is 7 a prime number\? -> no answer: no host bridge on the serial line")
            self.expect(vm, r"Is the Earth flat\? -> no answer: no host bridge")
            self.expect(vm, PROMPT)
            return first

        self.command(vm, "seed 7", r"seed 7")
        a = first_sample()
        self.command(vm, "seed 7", r"seed 7")
        b = first_sample()
        self.command(vm, "seed 8", r"seed 8")
        c = first_sample()
        self.assertEqual(a, b, "the same seed must give the same samples")
        self.assertNotEqual(a, c, "another seed must give other samples")
        self.command(vm, "seed", r"seed 8 \(from monitor\)")
        self.command(vm, "seed x", r"usage: seed \[N\]")

        vm.send("run /apps/ask what is pxOS\n")
        self.expect(vm, r"ask: no host bridge on the serial line")
        self.expect(vm, PROMPT)
        vm.send("exit\n")
        vm.wait_exit(CFG["timeout"])

    def test_bad_seed_option(self):
        vm = self.boot("hv-bad-seed", cmdline="seed=banana")
        self.expect(vm, r"WARN  rng: seed=banana is not a number .*; seeding from the hardware")
        self.expect(vm, r"rng: seeded from (rdseed|rdrand|tsc-jitter)")
        self.expect(vm, PROMPT)


class SourceTests(HvCase):
    def test_hardware_seed(self):
        vm = self.boot("hv-rdseed")  # pxqemu's -cpu max has RDRAND and RDSEED
        m = self.expect(vm, r"rng: seeded from (rdseed|rdrand) \(seed (\d+);")
        self.expect(vm, PROMPT)
        self.command(vm, "seed", r"seed %s \(from %s\)" % (m.group(2), m.group(1)))

    def test_jitter_seed(self):
        vm = self.boot("hv-jitter", extra_args=("-cpu", "qemu64,-rdrand,-rdseed"))
        self.expect(vm, r"rng: seeded from tsc-jitter \(seed \d+;")
        self.expect(vm, PROMPT)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.environ.get("BUILD") or os.path.join(repo, "build"))
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per serial marker (default 120)")
    ap.add_argument("-k", dest="filters", action="append", default=[],
                    help="run only tests whose id contains this (repeatable)")
    args = ap.parse_args()
    CFG["build"] = os.path.abspath(args.build)
    CFG["img"] = os.path.join(CFG["build"], "pxos.img")
    CFG["timeout"] = args.timeout
    if not os.path.exists(CFG["img"]):
        print("test_hv: missing %s: run `make all` first" % CFG["img"], file=sys.stderr)
        print("hv: 0 passed, 1 failed")
        return 1
    return pxqemu.run_suite("hv", (SeedTests, SourceTests), args.filters)


if __name__ == "__main__":
    sys.exit(main())
