#!/usr/bin/python3
"""test_snapshot — the monitor's `snapshot` in QEMU (docs/snapshots.md):

    /usr/bin/python3 tests/qemu/test_snapshot.py [--build DIR] [-k SUBSTRING]

One boot with pxbridge on the serial line (as `make run`): the shell starts
`swarm 3 0 &` (drawers that never end) and `organism.py 300 &` (a Python
process), and the monitor is opened with its hot key, which freezes the
processes. `snapshot` is typed without Enter, a QMP/HMP screendump is taken,
then Enter: the kernel takes the picture before it echoes anything, makes the
PNG (screen as RGB, state in pxSt) and streams it as SNAPSHOT frames;
pxbridge writes it under its --snapshots directory with a timestamped name
through a temporary file. Checked:
  - the monitor reports the bytes sent and their CRC-32; pxbridge's log names
    the file; it exists with that CRC, and no temporary file is left;
  - its picture is the screen: pixel for pixel the whole screendump, the
    console region with the typed command and its cursor included — 8-bit RGB;
  - `pxfs snapshot` lists the processes (init, sh, swarm and its drawers,
    organism.py);
  - `pxsim --resume` goes on from it on the host: swarm's drawers run on
    (the run stops at --max-steps with them alive); organism.py, whose state
    is the kernel's native pointers, ends "not resumable" there (another
    binary: its code's CRC-32 differs), the rest going on;
  - `continue` lets the machine run on after the snapshot; the shell's
    `snapshot` program (system call SNAPSHOT) gets one taken between quanta
    and sent in the background, saved by pxbridge; a second within 10 s is
    refused;
  - a boot with `resume = \\pxos\\resume.png` in boot.cfg goes on from it
    in QEMU: init is not started again, the shell (still reading) runs `ps`,
    which lists the snapshot's swarm and its drawers under their pids;
    organism.py goes on where it was (the identical kernel, its memory at the
    same addresses): it is not started again and ends with its summary of
    300 frames;
  - a boot with a damaged snapshot (truncated) refuses it with the reason and
    boots normally;
  - without pxbridge: "snapshot: not sent: no host bridge".
Logs: build/tests/qemu/snapshot-*/. Last line: "snapshot: N passed, N failed".
"""
import glob
import os
import re
import subprocess
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pxqemu  # noqa: E402
import unittest  # noqa: E402

CFG = {}


class SnapshotTests(unittest.TestCase):
    def open_monitor(self, vm):
        vm.send("\x1c")
        vm.expect(r"monitor: hot key \(Ctrl-\\\): debug monitor", 60)
        vm.expect(r"pxmon> ", 30)

    def test_snapshot_over_the_bridge(self):
        snaps = os.path.join(CFG["build"], "tests", "qemu", "snapshot-files")
        os.makedirs(snaps, exist_ok=True)
        for f in glob.glob(os.path.join(snaps, "*")) + glob.glob(os.path.join(snaps, ".*")):
            os.unlink(f)
        vm = pxqemu.BridgeQemu(CFG["img"], "snapshot-bridge", CFG["pxbridge"],
                               bridge_args=["--offline", "--snapshots", snaps], build=CFG["build"])
        self.addCleanup(vm.close)
        vm.expect(r"sh\$ ", 120)
        vm.send("swarm 3 0 &\r")
        vm.expect(r"swarm: 3 drawers", 60)
        vm.send("organism.py 300 &\r")
        m = vm.expect(r"spawned pid (\d+) /apps/organism\.py", 60)
        org_pid = int(m.group(1))
        time.sleep(2)  # a few frames: organism.py is mid-run, blocked in its sleep or computing
        self.open_monitor(vm)
        # The screendump while the command is typed, Enter after it: the
        # kernel takes the picture before echoing the Enter.
        vm.send("snapshot")
        vm.expect(r"snapshot", 30)
        time.sleep(1.5)  # the screen console draws the echo at its next poll
        shot = vm.screendump(os.path.join(vm.dir, "before.png"))
        vm.send("\r")
        m = vm.expect(r"snapshot: (\d+) bytes sent in (\d+) ms, crc32 ([0-9a-f]{8})", 300)
        vm.expect(r"pxmon> ", 30)
        size, crc = int(m.group(1)), int(m.group(3), 16)
        log = ""
        for _ in range(50):
            log = vm.log_text()
            if "snapshot saved" in log:
                break
            time.sleep(0.1)
        saved = re.search(r"snapshot saved: (\S+) \((\d+) bytes", log)
        self.assertIsNotNone(saved, log[-2000:])
        path = saved.group(1)
        self.assertTrue(re.search(r"/\d{8}-\d{6}(-\d+)?\.png$", path), path)
        data = open(path, "rb").read()
        self.assertEqual(len(data), size)
        self.assertEqual(zlib.crc32(data) & 0xFFFFFFFF, crc)
        self.assertEqual([f for f in os.listdir(snaps) if f.endswith(".tmp")], [])
        # The picture is the screen (8-bit RGB), all of it.
        self.assertEqual(data[24:26], b"\x08\x02")  # IHDR: depth 8, colour type 2
        pic = pxqemu.Image.from_png(data)
        self.assertEqual((pic.width, pic.height), (shot.width, shot.height))
        diff = [y for y in range(shot.height) if pic.row(y) != shot.row(y)]
        self.assertEqual(diff, [], "rows of the snapshot's picture differ from the screendump")
        self.assertNotEqual(sum(len(set(pic.row(y))) for y in range(0, pic.height, 50)), 0)
        # pxfs reads it; pxsim resumes it.
        out = subprocess.run([os.path.join(CFG["build"], "tools", "pxfs"), "snapshot", path],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        for name in ("init", "sh", "swarm"):
            self.assertRegex(out.stdout, r"(?m)^ +\d+ +\d+ \w+ .* %s$" % name)
        self.assertGreaterEqual(len(re.findall(r"(?m) swarm$", out.stdout)), 4, out.stdout)
        self.assertRegex(out.stdout, r"(?m)^ +%d +\d+ \w+ .* organism\.py$" % org_pid)
        steps = int(re.search(r"clock \d+ us, (\d+) instructions", out.stdout).group(1))
        r = subprocess.run([os.path.join(CFG["build"], "tools", "pxsim"), "--fs",
                            os.path.join(CFG["build"], "pixelfs.png"), "--resume", path,
                            "--max-steps", str(steps + 3000000)], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 124, r.stderr[-1000:])
        self.assertIn("resumed", r.stderr)
        self.assertRegex(r.stderr, r"stopped after \d+ instructions with [4-9] processes alive")
        self.assertRegex(r.stderr, r"Python pid %d \(organism\.py\) not resumable: its code's CRC-32 was" % org_pid)
        # The machine runs on; the shell's `snapshot` (SNAPSHOT) takes one
        # between quanta and sends it in the background while it runs.
        vm.send("continue\r")
        vm.send("\r")
        vm.expect(r"sh\$ ", 60)
        vm.send("snapshot\r")
        vm.expect(r"snapshot: asked for", 60)
        m2 = vm.expect(r"snapshot: (\d+) bytes sent in (\d+) ms, crc32 ([0-9a-f]{8})", 300)
        for _ in range(50):
            if len(re.findall(r"snapshot saved: (\S+)", vm.log_text())) == 2:
                break
            time.sleep(0.1)
        second = re.findall(r"snapshot saved: (\S+) \((\d+) bytes", vm.log_text())
        self.assertEqual(len(second), 2, vm.log_text()[-1500:])
        self.assertEqual(int(second[1][1]), int(m2.group(1)))
        data2 = open(second[1][0], "rb").read()
        self.assertEqual(zlib.crc32(data2) & 0xFFFFFFFF, int(m2.group(3), 16))
        vm.send("snapshot\r")
        vm.expect(r"snapshot: one every 10 s", 60)
        vm.expect(r"sh\$ ", 60)
        self.open_monitor(vm)
        vm.send("exit\r")
        vm.wait_exit(30)
        pids = sorted(int(p) for p in re.findall(r"(?m)^ +(\d+) +\d+ \w+ .* swarm$", out.stdout))
        self.resume_in_qemu(path, data, pids, org_pid)

    def variant(self, name, resume):
        cfg = pxqemu.esp_read(CFG["img"], "/pxos/boot.cfg") + b"\nresume = \\pxos\\resume.png\n"
        dst = os.path.join(CFG["build"], "tests", "qemu", "variants", name + ".img")
        return pxqemu.make_variant(CFG["img"], dst, replace={"/pxos/boot.cfg": cfg, "/pxos/resume.png": resume})

    def resume_in_qemu(self, path, data, pids, org_pid):
        vm = pxqemu.Qemu(self.variant("snapshot-resume", data), "snapshot-resume", build=CFG["build"])
        self.addCleanup(vm.close)
        vm.expect(r"resume: went on from a snapshot taken by pxOS [^\r\n]* processes", 120)
        vm.send("ps\r")
        m = vm.expect(r"ps: (\d+) processes", 60)
        listed = vm.output[:m.start()]
        self.assertNotIn("started /boot/init", vm.output)
        got = sorted(int(p) for p in re.findall(r"(?m)^ +(\d+) +\d+ .*swarm\s*$", listed))
        self.assertEqual(got, pids, listed[-1500:])
        self.assertRegex(listed, r"(?m)^ +%d +\d+ .*organism\.py\s*$" % org_pid)
        vm.expect(r"sh\$ ", 60)
        # organism.py goes on where it was and ends with its summary.
        vm.expect(r"organism\.py: 300 frames, \d+ meetings", 240)
        self.assertNotIn("not resumable", vm.output)
        self.assertNotIn("spawned pid %d" % org_pid, vm.output)
        self.open_monitor(vm)
        vm.send("exit\r")
        vm.wait_exit(30)
        # A damaged one is refused and the machine boots normally.
        vm = pxqemu.Qemu(self.variant("snapshot-damaged", data[:len(data) // 2]), "snapshot-damaged",
                         build=CFG["build"])
        self.addCleanup(vm.close)
        vm.expect(r"resume: snapshot refused: [^\r\n]*truncated[^\r\n]*; booting normally", 120)
        vm.expect(r"started /boot/init as pid 1", 60)
        vm.expect(r"sh\$ ", 120)
        self.open_monitor(vm)
        vm.send("exit\r")
        vm.wait_exit(30)

    def test_no_bridge(self):
        vm = pxqemu.Qemu(CFG["img"], "snapshot-nobridge", build=CFG["build"])
        self.addCleanup(vm.close)
        vm.expect(r"sh\$ ", 120)
        self.open_monitor(vm)
        vm.send("snapshot\r")
        vm.expect(r"snapshot: not sent: no host bridge", 120)
        vm.expect(r"pxmon> ", 30)
        vm.send("exit\r")
        vm.wait_exit(30)


def main():
    def suites(cfg):
        cfg["pxbridge"] = os.path.join(cfg["build"], "tools", "pxbridge")
        return (SnapshotTests,)
    return pxqemu.test_main("snapshot", __doc__, CFG, suites,
                            need=("tools/pxbridge", "tools/pxsim", "tools/pxfs", "pixelfs.png"))


if __name__ == "__main__":
    sys.exit(main())
