#!/usr/bin/python3
"""test_make_usb — `make usb DEV=...` (iso/write-usb.sh) writes the image only
where it is safe, and refuses everything else before writing a byte.

    /usr/bin/python3 tests/qemu/test_make_usb.py [--build DIR]

Cases:
  - a file target through `make usb DEV=FILE YES=1`: the image lands at the
    start, the bytes after it are untouched, the copy is verified;
  - no DEV: a clear message; no terminal and no --yes: refused, nothing written;
    on a terminal (a pty), "no" refuses and "yes" writes;
  - a loop device whose file system is mounted: refused as in use, its backing
    file unchanged (the script ran with --yes, so only the check stood between);
  - the same loop device unmounted: refused as neither removable nor USB;
  - the disk holding / (the system disk): refused (with --dry-run as well,
    so a broken check could never write to it).
Needs root and loop devices (losetup), as `make test` has. Last line:
"make-usb: N passed, N failed".
"""

import hashlib
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pxqemu  # noqa: E402

REPO = pxqemu.REPO
SCRIPT = os.path.join(REPO, "iso", "write-usb.sh")
CFG = {}


def run(args, stdin=subprocess.DEVNULL, **kw):
    return subprocess.run(args, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw)


def digest(path, n=None):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read() if n is None else f.read(n))
    return h.hexdigest()


class WriteUsb(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.img = os.path.join(CFG["build"], "pxos.img")
        cls.size = os.path.getsize(cls.img)
        cls.tmp = tempfile.mkdtemp(prefix="pxusb-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def target(self, name, size=None, fill=b"\xaa"):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(fill * (size if size is not None else self.size + (1 << 20)))
        return path

    def script(self, *args, **kw):
        return run(["bash", SCRIPT] + list(args), **kw)

    def losetup(self, backing, partscan=False):
        r = run(["losetup", "--find", "--show"] + (["--partscan"] if partscan else []) + [backing])
        self.assertEqual(r.returncode, 0, "losetup failed (root and loop devices needed): %s" % r.stdout)
        dev = r.stdout.strip()
        self.addCleanup(run, ["losetup", "-d", dev])
        return dev

    # -- files ---------------------------------------------------------------

    def test_make_usb_file_target(self):
        t = self.target("stick.img")
        r = run(["make", "--no-print-directory", "-C", REPO, "usb", "BUILD=" + CFG["build"], "DEV=" + t, "YES=1"])
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("regular file, not a device", r.stdout)
        self.assertIn("verified: %s holds the image (%d bytes)" % (t, self.size), r.stdout)
        self.assertEqual(digest(t, self.size), digest(self.img))
        with open(t, "rb") as f:
            f.seek(self.size)
            self.assertEqual(f.read(), b"\xaa" * (1 << 20), "bytes past the image must stay")

    def test_no_dev(self):
        r = run(["make", "--no-print-directory", "-C", REPO, "usb", "BUILD=" + CFG["build"]])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no target: give DEV=/dev/sdX", r.stdout)

    def test_no_terminal_no_yes_refused(self):
        t = self.target("quiet.img")
        before = digest(t)
        r = self.script(self.img, t)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("no terminal to ask on", r.stdout)
        self.assertEqual(digest(t), before)

    def answer_on_tty(self, target, answer):
        """Run the script on a pseudo-terminal, answer the question; (status, output)."""
        master, slave = pty.openpty()
        p = subprocess.Popen(["bash", SCRIPT, self.img, target], stdin=slave, stdout=slave, stderr=slave)
        os.close(slave)
        out, sent, deadline = b"", False, time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            if not sent and b"Type yes to go on" in out:
                os.write(master, answer.encode() + b"\n")
                sent = True
            if p.poll() is not None and not ready:
                break
        os.close(master)
        return p.wait(30), out.decode(errors="replace")

    def test_terminal_answers(self):
        t = self.target("asked.img")
        before = digest(t)
        status, out = self.answer_on_tty(t, "no")
        self.assertEqual(status, 1, out)
        self.assertIn("Everything on it will be lost", out)
        self.assertIn("not confirmed (answer was 'no'): nothing written", out)
        self.assertEqual(digest(t), before)
        status, out = self.answer_on_tty(t, "yes")
        self.assertEqual(status, 0, out)
        self.assertEqual(digest(t, self.size), digest(self.img))

    # -- block devices -------------------------------------------------------

    def test_mounted_then_fixed_loop_device(self):
        backing = self.target("loopdisk.img", size=self.size + (8 << 20), fill=b"\x00")
        dev = self.losetup(backing)
        r = run(["mkfs.ext2", "-q", dev])
        self.assertEqual(r.returncode, 0, r.stdout)
        mnt = os.path.join(self.tmp, "mnt")
        os.makedirs(mnt, exist_ok=True)
        r = run(["mount", dev, mnt])
        self.assertEqual(r.returncode, 0, r.stdout)
        mounted = True
        try:
            with open(os.path.join(mnt, "keep.txt"), "w") as f:
                f.write("precious\n")
            run(["sync"])
            before = digest(backing)
            r = self.script("--yes", self.img, dev)
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertRegex(r.stdout, r"%s is in use: %s is mounted on %s" % (dev, dev, mnt))
            self.assertEqual(digest(backing), before, "a refused write must leave the disk alone")
            run(["umount", mnt])
            mounted = False
            before = digest(backing)  # unmounting updated the superblock
            r = self.script("--yes", self.img, dev)
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertIn("is neither removable nor on USB", r.stdout)
            self.assertIn("%s: " % dev, r.stdout)  # model, size and bus were shown first
            self.assertEqual(digest(backing), before)
        finally:
            if mounted:
                run(["umount", mnt])

    def test_system_disk_refused(self):
        src = run(["findmnt", "-no", "SOURCE", "/"]).stdout.strip()
        if not src.startswith("/dev/"):  # an overlay root: the disk under /usr or swap, else /boot
            src = run(["findmnt", "-no", "SOURCE", "--target", "/usr"]).stdout.strip()
        self.assertTrue(os.path.exists(src) and os.path.realpath(src).startswith("/dev/"),
                        "no block device holds / or /usr here (%r): cannot prove the refusal" % src)
        disk = run(["lsblk", "-npdo", "PKNAME", src]).stdout.strip() or src
        for target in sorted({src, disk}):
            if run(["lsblk", "-dno", "TYPE", target]).stdout.strip() not in ("disk", "loop"):
                continue
            r = self.script("--yes", "--dry-run", self.img, target)
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertIn("is a system disk", r.stdout)
            return
        self.fail("neither %s nor %s is a whole disk" % (src, disk))


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.environ.get("BUILD") or os.path.join(REPO, "build"))
    a = ap.parse_args()
    CFG["build"] = os.path.abspath(a.build)
    if not os.path.isfile(os.path.join(CFG["build"], "pxos.img")):
        print("make-usb: no %s/pxos.img: run `make all` first" % CFG["build"], file=sys.stderr)
        print("make-usb: 0 passed, 1 failed")
        sys.exit(1)
    status = pxqemu.run_suite("make-usb", (WriteUsb,))
    sys.exit(status)
