#!/usr/bin/python3
"""test_files — files and no silent ends in QEMU: hostile programs against the
read-only system files and the quotas, a null call and an empty RET.

    /usr/bin/python3 tests/qemu/test_files.py [--build DIR] [--timeout S] [-k SUBSTRING]

`make check-qemu` runs it after `make all`. One boot of build/pxos.img with
three test programs added to the ramdisk under /test (tests/programs/):
  - replace: opens /apps/ls and /boot/sh for writing, creates, removes them,
    and renames an impostor from /tmp over /apps/ls: every attempt fails with
    "read-only file system", and `ls` still works;
  - fillfs: fills /tmp until its byte quota, then its file quota (df shows it
    full, nothing more can be made there); /home goes on working (cp, then the
    copy runs by its bare name); after `rm` of two files fillfs can write again;
  - nullcall: a call through a null function pointer, and (`nullcall ret`) a
    RET from an empty stack: each ends with its fault and reason in the kernel
    log (fault 9, fault 10) and in the shell's report, and the shell goes on.
Then `exit`: init ends, the monitor's `exit` powers off with status 0 (no
kernel errors). Logs: build/tests/qemu/files-session/.
Last line: "files: N passed, N failed".
"""

import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pxqemu  # noqa: E402

CFG = {}
PROMPT = r"sh\$ "
PROGRAMS = ("replace", "fillfs", "nullcall")
QUOTA = r"then: quota of /home or /tmp used up"


def test_image(build):
    """The disk image with /test/replace, /test/fillfs and /test/nullcall."""
    stage = os.path.join(build, "tests", "qemu", "variants", "files-rootfs")
    shutil.rmtree(stage, ignore_errors=True)
    shutil.copytree(os.path.join(build, "rootfs"), stage)
    os.makedirs(os.path.join(stage, "test"))
    for name in PROGRAMS:
        shutil.copy(os.path.join(build, "tests", "programs", name + ".pxe"), os.path.join(stage, "test", name))
    ramdisk = stage + ".png"
    subprocess.run([os.path.join(build, "tools", "pxfs"), "build", ramdisk, stage],
                   check=True, stdout=subprocess.DEVNULL)
    dst = os.path.join(build, "tests", "qemu", "variants", "files.img")
    return pxqemu.make_variant(os.path.join(build, "pxos.img"), dst, replace={"/pxos/pixelfs.png": ramdisk})


class FilesTests(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.vm = pxqemu.Qemu(test_image(CFG["build"]), "files-session", build=CFG["build"])
        self.addCleanup(self.vm.close)

    def expect(self, pattern, timeout=None):
        return self.vm.expect(pattern, timeout or CFG["timeout"])

    def command(self, line, *patterns):
        """Type `line`, wait for each pattern in turn, then the next prompt;
        returns the output in between (escape sequences removed)."""
        start = len(self.vm.output)
        self.vm.send(line + "\r")
        for p in patterns:
            self.expect(p)
        end = self.expect(PROMPT).start()
        return pxqemu.strip_ansi(self.vm.output[start:end])

    def test_files_session(self):
        vm = self.vm
        self.expect(r"init: started the shell /boot/sh as pid \d+")
        self.expect(PROMPT)

        # A program replacing the system's files for everyone: refused, each way.
        out = self.command("/test/replace", r"replace: /boot/sh: read-only file system")
        self.assertEqual(len(re.findall(r"replace: /apps/ls: read-only file system", out)), 5, out)
        self.assertEqual(len(re.findall(r"replace: /boot/sh: read-only file system", out)), 4, out)
        self.assertNotIn("SUCCEEDED", out)
        self.assertNotRegex(out, r"sh: /test/replace \(pid \d+\) exited")
        out = self.command("ls /apps", r"program +\d+ swarm")
        self.assertRegex(out, r"program +\d+ ls\r?\n")
        self.command("ls", r"dir +- apps/")

        # RAM-file exhaustion: /tmp's bytes, then its files; nothing more there.
        self.command("/test/fillfs /tmp/f", r"fillfs: made 9 files, 524288 bytes; " + QUOTA)
        self.command("/test/fillfs /tmp/e 0", r"fillfs: made 7 files, 0 bytes; " + QUOTA)
        self.command("df", r"(?m)^/tmp +16 +16 +524288 +524288\r?$")
        self.command("/test/fillfs /tmp/x 0", r"fillfs: made 0 files, 0 bytes; " + QUOTA)
        # /home is not touched by /tmp's quota, and the system goes on.
        self.command("cp /apps/hello hi")
        self.command("hi", r"hello: Hello, world! from a pxVM process")
        # rm gives the room back.
        self.command("rm /tmp/f0 /tmp/e0")
        self.command("/test/fillfs /tmp/g", r"fillfs: made 2 files, 65536 bytes; " + QUOTA)
        self.command("df", r"(?m)^/home +1 +48 +\d+ +524288\r?$")

        # No silent ends.
        out = self.command("/test/nullcall", r"nullcall: calling through a null function pointer",
                           r"pid (\d+) \(nullcall\) stopped by fault 9: jump or call to a null pointer",
                           r"sh: /test/nullcall \(pid \d+\) stopped by fault 9")
        self.assertNotIn("still running after", out)
        self.command("/test/nullcall ret", r"nullcall: returning from _start with an empty stack",
                     r"pid (\d+) \(nullcall\) stopped by fault 10: RET on an empty stack",
                     r"sh: /test/nullcall \(pid \d+\) stopped by fault 10")
        self.command("echo still here", r"(?m)^still here\r?$")

        vm.send("exit\r")
        self.expect(r"init: the shell exited with status 0")
        self.expect(r"pxmon> ")
        text = pxqemu.strip_ansi(vm.output)
        self.assertNotRegex(text, r"\] ERROR ", "no kernel errors during the session")
        vm.send("exit\r")
        self.assertEqual(vm.wait_exit(60), (0 << 1) | 1)


if __name__ == "__main__":
    sys.exit(pxqemu.test_main("files", __doc__, CFG, (FilesTests,),
                              need=["tools/pxfs", "rootfs"] + ["tests/programs/%s.pxe" % p for p in PROGRAMS]))
