#!/usr/bin/python3
"""test_persist — /home kept through pxbridge, in QEMU: a file written with
`edit` is in pxbridge's directory, and after a reboot it is back in /home.

    /usr/bin/python3 tests/qemu/test_persist.py [--build DIR] [--timeout S] [-k SUBSTRING]

`make check-qemu` runs it after `make all`. pxbridge keeps /home in
build/tests/qemu/persist-home/ (emptied first) for both boots:
  1. boot with pxbridge (--offline): `edit hi.txt` types two lines (raw keys
     over the serial line: text, Enter, Backspace, an arrow), saves (Ctrl-S)
     and quits (Ctrl-Q); `cp /apps/hello prog` adds a program; the host
     directory then holds both, byte for byte, and pxbridge's log says it
     kept them; `rm prog` removes it there too;
  2. boot again with the same directory: the kernel says the file was
     restored (in the background: the shell answered first), `cat hi.txt`
     prints it, `edit hi.txt` opens it and the status line counts its lines;
  3. boot without a bridge: the first write to /home says once that files
     will not be kept, a second write says nothing more.
Logs: build/tests/qemu/persist-*/. Last line: "persist: N passed, N failed".
"""

import os
import re
import shutil
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pxqemu  # noqa: E402

CFG = {}
PROMPT = r"sh\$ "
TEXT = b"hello from edit\nkept by pxbridge\n"


class PersistTests(unittest.TestCase):
    maxDiff = None

    def bridge(self, name, home):
        vm = pxqemu.BridgeQemu(CFG["img"], name, os.path.join(CFG["build"], "tools", "pxbridge"),
                               bridge_args=("--offline", "--home", home), build=CFG["build"])
        self.addCleanup(vm.close)
        return vm

    def expect(self, vm, pattern, timeout=None):
        return vm.expect(pattern, timeout or CFG["timeout"])

    def wait_file(self, path, want, timeout=60):
        """Wait until the host file `path` holds `want` (None: is gone)."""
        deadline = time.monotonic() + timeout * pxqemu.TIMEOUT_SCALE
        got = None
        while time.monotonic() < deadline:
            try:
                with open(path, "rb") as f:
                    got = f.read()
            except FileNotFoundError:
                got = None
            if got == want:
                return
            time.sleep(0.2)
        self.fail("%s holds %r, not %r" % (path, got, want))

    def test_edit_reboot_restore(self):
        home = os.path.join(CFG["build"], "tests", "qemu", "persist-home")
        shutil.rmtree(home, ignore_errors=True)
        vm = self.bridge("persist-1", home)
        self.expect(vm, PROMPT)
        vm.send("edit hi.txt\r")
        self.expect(vm, r"new file")
        # typed as a terminal sends keys: a typo fixed with Backspace, Enter
        # as CR, the cursor moved with an arrow and End
        vm.send("hello from editt\x7f\r")
        vm.send("kept by pxbridge")
        vm.send("\x1b[A\x1b[B\x1b[F\r")
        vm.send("\x13")
        self.expect(vm, r"saved 33 bytes to hi\.txt")
        vm.send("\x11")
        self.expect(vm, PROMPT)
        vm.send("cp /apps/hello prog\r")
        self.expect(vm, PROMPT)
        self.wait_file(os.path.join(home, "hi.txt"), TEXT)
        with open(os.path.join(CFG["build"], "rootfs", "apps", "hello.pxe"), "rb") as f:
            hello = f.read()
        self.wait_file(os.path.join(home, "prog"), hello)
        log = vm.log_text()
        self.assertIn("home: kept hi.txt (33 bytes", log)
        vm.send("rm prog\r")
        self.expect(vm, PROMPT)
        self.wait_file(os.path.join(home, "prog"), None)
        leftovers = [n for n in os.listdir(home) if n.startswith(".pxhome-") or n.endswith("~ed")]
        self.assertEqual(leftovers, [], "no temporary file stays in the host directory")
        vm.close()

        vm = self.bridge("persist-2", home)
        m = self.expect(vm, r"persist: (\d+) files \((\d+) bytes\) restored into /home from the bridge in (\d+) ms")
        self.assertEqual((m.group(1), m.group(2)), ("1", "33"))
        vm.send("cat hi.txt\r")
        self.expect(vm, r"hello from edit\r?\n\r?kept by pxbridge\r?\n")
        self.expect(vm, PROMPT)
        vm.send("edit hi.txt\r")
        self.expect(vm, r" hi\.txt +line 1/3, col 1 ")
        vm.send("\x11")
        self.expect(vm, PROMPT)
        vm.close()

    def test_no_bridge_says_once(self):
        vm = pxqemu.Qemu(CFG["img"], "persist-nobridge", build=CFG["build"])
        self.addCleanup(vm.close)
        self.expect(vm, PROMPT)
        vm.send("cp /apps/hello a\r")
        self.expect(vm, r"persist: no host bridge: files written to /home stay in RAM and are lost at power-off")
        self.expect(vm, PROMPT)
        vm.send("cp /apps/hello b\r")
        self.expect(vm, PROMPT)
        vm.send("echo done\r")
        self.expect(vm, r"(?m)^done\r?$")
        self.assertEqual(vm.output.count("persist: no host bridge"), 1)


if __name__ == "__main__":
    sys.exit(pxqemu.test_main("persist", __doc__, CFG, (PersistTests,), need=("tools/pxbridge",)))
