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
  - watching execution and imperfect mode in the monitor (docs/watching.md),
    with /apps/mutants running: `imperfect PID` shows the mode it set on its
    genome table, `watch PID` starts watching, `who PID 0xeffc` names the
    CALL that wrote its top stack word; on a QMP screendump with watching
    on, the tile's pixels are its memory words (`mem`), the watch pane
    beside it shows the pc (`regs`) and the tile's frame has the pc ticks;
    `watch PID off` ends it; bits were flipped and `imperfect PID 0` stops.
Logs: build/tests/qemu/hv-*/. Last line: "hv: N passed, N failed".
"""

import os
import re
import sys
import time
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


class WatchTests(HvCase):
    def capture(self, vm, line):
        """Send a monitor command; its output up to the next prompt."""
        start = len(vm.output)
        vm.send(line + "\r")
        m = self.expect(vm, PROMPT)
        return vm.output[start:m.start()].replace("\r\n", "\n")

    def memory(self, vm, pid, addr, length):
        """Bytes [addr, addr + length) of process pid, from the monitor's `mem`."""
        out = self.capture(vm, "mem %d 0x%x 0x%x" % (pid, addr, length))
        data = bytearray()
        for m in re.finditer(r"(?m)^  ([0-9a-f]{4})  ((?:[0-9a-f]{2} +){16})\|", out):
            self.assertEqual(int(m.group(1), 16), addr + len(data), out[-400:])
            data += bytes(int(h, 16) for h in m.group(2).split())
        self.assertEqual(len(data), length, out[-400:])
        return bytes(data)

    def test_watch_who_and_imperfect_in_the_monitor(self):
        vm = self.boot("hv-watch", cmdline="seed=5")
        self.to_monitor(vm)
        vm.send("run /apps/mutants 100000\r")
        pid = int(self.expect(vm, r"pid (\d+) started; back to the scheduler").group(1))
        time.sleep(1)
        vm.send("\x1c")
        self.expect(vm, PROMPT)
        self.command(vm, "imperfect %d" % pid, r"pid %d \(mutants\): 60 flips per million instructions in "
                     r"0x0bfc\.\.0x0c3b; \d+ so far" % pid)
        # Faster flips on the same table (so some happen however slow the
        # machine runs); set from the monitor with its range.
        self.command(vm, "imperfect %d 20000 0x0bfc 0x0c3c" % pid, r"pid %d \(mutants\): 20000 flips per million "
                     r"instructions in 0x0bfc\.\.0x0c3b" % pid)
        self.command(vm, "imperfect %d 5 0x0c3c 0x0bfc" % pid, r"LO < HI <= 0x10000")
        self.command(vm, "who %d 0xeffc" % pid, r"is not watched, so nothing was logged")
        self.command(vm, "watch %d" % pid, r"pid %d \(mutants\): watching pc writes code log; 0 writes logged"
                     % pid)
        self.command(vm, "watch", r"pid %d \(mutants\): watching pc writes code log" % pid)
        vm.send("continue\r")
        time.sleep(2)
        vm.send("\x1c")
        self.expect(vm, PROMPT)
        out = self.capture(vm, "who %d 0xeffc" % pid)
        self.assertRegex(out, r"pid %d \(mutants\) word 0xeffc = 0x0000[0-9a-f]{4}, at step \d+: [1-8] writes?, "
                              r"newest first" % pid)
        self.assertRegex(out, r"step \d+ \(run began at [0-9.]+ s\): 0x0[0-9a-f]{3} CALL 0x0[0-9A-F]{3} "
                              r"\(word 0x[0-9a-f]{8}\) stored 4 bytes at 0xeffc; word 0xeffc became")

        # The screen as the monitor shows it (the processes are stopped).
        img = vm.screendump(os.path.join(CFG["build"], "tests", "qemu", "hv-watch.png"))
        rec = pxqemu.read_vram_record(img)
        regs = self.capture(vm, "regs %d" % pid)
        slot = int(re.search(r"slot (\d+)", regs).group(1))
        pc = int(re.search(r"PC +([0-9a-f]{8})  ", regs).group(1), 16)
        tx, ty = rec["slot"][slot]["tile"]
        cx, cy = rec["slot"][slot]["canvas"]
        # The tile is the memory, word for word, watching or not: the program
        # and its genome table, and the stack the pane shows as written.
        for addr, length in ((0x0000, 0x1000), (0xEC00, 0x400)):
            mem = self.memory(vm, pid, addr, length)
            for i in range(0, length, 4):
                k = (addr + i) // 4
                self.assertEqual(img.get_pixel(tx + k % 128, ty + k // 128), tuple(mem[i:i + 3]),
                                 "tile pixel of word 0x%04x with watching on" % (addr + i))
        # Beside it, the pane: the pc's word white in a cyan square, and the
        # pc's column and row ticked on the tile's frame.
        k = pc // 4
        self.assertEqual(img.get_pixel(cx + k % 128, cy + k // 128), (255, 255, 255), "pc 0x%04x" % pc)
        if k // 128 >= 2:
            self.assertEqual(img.get_pixel(cx + k % 128, cy + k // 128 - 2), (0, 255, 255))
        self.assertEqual(img.get_pixel(tx + k % 128, ty - 1), (255, 255, 255), "pc tick above the tile")
        self.assertEqual(img.get_pixel(tx - 1, ty + k // 128), (255, 255, 255), "pc tick left of the tile")

        self.command(vm, "watch %d off" % pid, r"pid %d \(mutants\): not watched" % pid)
        self.command(vm, "who %d 0xeffc" % pid, r"is not watched")
        self.command(vm, "who %d 0x10000" % pid, r"not an address of a process's memory")
        self.command(vm, "watch %d colour" % pid, r"usage: watch PID")
        self.command(vm, "imperfect %d 2000000" % pid, r"imperfect: RATE is 0\.\.1000000")
        m = self.command(vm, "imperfect %d 0" % pid, r"pid %d \(mutants\): imperfect mode off; (\d+) bits flipped "
                         r"before" % pid)
        self.assertGreater(int(m.group(1)), 0, "20000 flips per million instructions for 2 s")
        self.command(vm, "kill %d" % pid, r"pid %d killed" % pid)
        vm.send("exit\r")
        vm.wait_exit(CFG["timeout"])


def main():
    return pxqemu.test_main("hv", __doc__, CFG, (SeedTests, SessionTests, SourceTests, BridgeTests, WatchTests),
                            need=("tools/pxbridge",))


if __name__ == "__main__":
    sys.exit(main())
