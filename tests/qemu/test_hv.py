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
  - two boots with the same seed=42 draw different bridge sessions (the ID
    field of the kernel's HELLO frame on the serial line).
  - without seed=, the CPU's RDRAND seeds it (QEMU's TCG `-cpu max` has
    RDRAND, not RDSEED), and a CPU without either (`-cpu
    qemu64,-rdrand,-rdseed`) is seeded from TSC jitter.
  - with tools/pxbridge on the serial line (its scripted backend): `ask` in
    the shell prints the model's answer; the oracle demo gets yes, no and an
    answer that is neither; the organisms' meetings are decided by the oracle
    through their forked askers.
Logs: build/tests/qemu/hv-*/. Last line: "hv: N passed, N failed".
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "unit"))
import pxqemu  # noqa: E402
import pxframe  # noqa: E402

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

    def to_monitor(self, vm):
        """Boot to the shell, leave it: init ends and the monitor takes over
        (so `run` starts each program alone and comes back when it ends)."""
        self.expect(vm, r"sh: pxOS shell")
        self.expect(vm, r"sh\$ ")
        vm.send("exit\r")
        self.expect(vm, PROMPT)

    def command(self, vm, line, pattern):
        """Send a monitor command and wait for `pattern` in its output."""
        vm.send(line + "\r")
        m = self.expect(vm, pattern)
        self.expect(vm, PROMPT)
        return m


RULES = """# test_hv: scripted answers for the guest programs
rule: cooperate
reply: Yes, they should.
rule: prime
reply: yes
rule: flat
reply: No.
rule: video memory
reply: Perhaps.
rule: what is pxOS
reply: pxOS is an operating system whose processes live in the pixels of video memory.
"""


class BridgeTests(HvCase):
    def test_programs_through_the_bridge(self):
        script = os.path.join(CFG["build"], "tests", "qemu", "hv-rules.txt")
        os.makedirs(os.path.dirname(script), exist_ok=True)
        with open(script, "w") as f:
            f.write(RULES)
        vm = pxqemu.BridgeQemu(CFG["img"], "hv-bridge", os.path.join(CFG["build"], "tools", "pxbridge"),
                               bridge_args=("--script", script))
        self.addCleanup(vm.close)
        sh = r"sh\$ "
        self.expect(vm, r"sh: pxOS shell")
        self.expect(vm, sh)
        vm.send("ask what is pxOS\r")
        self.expect(vm, r"(?m)^pxOS is an operating system whose processes live in the pixels of video memory\.\r?$")
        self.expect(vm, sh)
        vm.send("oracle\r")
        self.expect(vm, r"Is 7 a prime number\? -> yes")
        self.expect(vm, r"Is the Earth flat\? -> no")
        self.expect(vm, r"video memory\? -> no answer: input/output error")
        self.expect(vm, sh)
        vm.send("organism 150\r")
        m = self.expect(vm, r"organism: 150 frames, (\d+) meetings: (\d+) cooperated, (\d+) competed; "
                            r"decided by the oracle (\d+), by a coin (\d+)")
        meetings, coop, comp, by_oracle, by_coin = (int(g) for g in m.groups())
        self.assertEqual(coop + comp, by_oracle + by_coin)
        self.assertEqual(by_coin, 0, "every answer was yes, so no coin was needed")
        self.assertEqual(comp, 0)
        self.expect(vm, sh)


class SeedTests(HvCase):
    def test_seeded_runs_repeat(self):
        vm = self.boot("hv-seed", cmdline="seed=42")
        self.expect(vm, r"rng: seeded with seed=42")
        self.to_monitor(vm)
        self.command(vm, "seed", r"seed 42 \(from seed=\)")

        def first_sample():
            vm.send("run /apps/oracle\r")
            m = self.expect(vm, r"sample mean (\d+), first sample \(16\.16\) (\d+)\r?\n")
            mean, first = int(m.group(1)), int(m.group(2))
            self.assertIn(mean, (63, 64, 65), "2000 samples of N(64, 14)")
            # No bridge: each question fails at once, and says why (the
            # kernel's bridge handshake, an APC frame, may share the line).
            self.expect(vm, r"Is 7 a prime number\? -> .*no answer: no host bridge on the serial line")
            self.expect(vm, r"Is the Earth flat\? -> .*no answer: no host bridge")
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

        vm.send("run /apps/ask what is pxOS\r")
        self.expect(vm, r"ask: no host bridge on the serial line")
        self.expect(vm, PROMPT)
        vm.send("exit\r")
        vm.wait_exit(CFG["timeout"])

    def test_bad_seed_option(self):
        vm = self.boot("hv-bad-seed", cmdline="seed=banana")
        self.expect(vm, r"WARN  rng: seed=banana is not a number .*; seeding from the hardware")
        self.expect(vm, r"rng: seeded from rdrand \(seed \d+;")
        self.to_monitor(vm)


class SessionTests(HvCase):
    def hello_session(self, name):
        """Boot with seed=42 until the kernel's first HELLO frame (bridge_init,
        kernel/bridge.c; no bridge is attached, so it goes unanswered) and
        return the frame's ID field: the kernel's bridge session number."""
        vm = self.boot(name, cmdline="seed=42")
        self.expect(vm, r"rng: seeded with seed=42")
        self.expect(vm, r"\x1b_PXB%sH[0-9A-F]{8}[^\x1b]*\x1b\\" % pxframe.VERSION.decode())
        vm.close()
        with open(vm.serial_log, "rb") as f:
            hellos = [h for h in pxframe.decode_all(f.read()) if h.kind == "H"]
        self.assertEqual(len(hellos), 1, "one HELLO at bridge_init")
        self.assertTrue(hellos[0].good, "HELLO with a bad CRC: %r" % hellos[0])
        self.assertTrue(hellos[0].payload.startswith(b"pxOS "), hellos[0])
        return hellos[0].id

    def test_session_differs_between_boots_with_one_seed(self):
        """seed=N makes the noise and oracle repeat; the bridge session must
        not repeat with it (a bridge that sees the same session after a reboot
        takes the new kernel for the old one and resumes its calls), so it
        comes from the hardware entropy source, not the seeded generator."""
        first = self.hello_session("hv-session-1")
        second = self.hello_session("hv-session-2")
        self.assertNotEqual(first, second, "two boots with seed=42 drew session %08x" % first)


class SourceTests(HvCase):
    def test_hardware_seed(self):
        # QEMU 7.2's TCG `-cpu max` (pxqemu's CPU) has RDRAND but not RDSEED:
        # hwrng tries RDSEED first, finds it absent in CPUID, takes RDRAND.
        vm = self.boot("hv-rdrand")
        m = self.expect(vm, r"rng: seeded from rdrand \(seed (\d+);")
        self.to_monitor(vm)
        self.command(vm, "seed", r"seed %s \(from rdrand\)" % m.group(1))

    def test_jitter_seed(self):
        vm = self.boot("hv-jitter", extra_args=("-cpu", "qemu64,-rdrand,-rdseed"))
        self.expect(vm, r"rng: seeded from tsc-jitter \(seed \d+;")
        self.to_monitor(vm)


def main():
    return pxqemu.test_main("hv", __doc__, CFG, (SeedTests, SessionTests, SourceTests, BridgeTests),
                            need=("tools/pxbridge",))


if __name__ == "__main__":
    sys.exit(main())
