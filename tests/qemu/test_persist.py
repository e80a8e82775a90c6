#!/usr/bin/python3
"""test_persist — /home kept through pxbridge, in QEMU: a program written with
`edit` and assembled with `asm` inside pxOS is in pxbridge's directory, and
after a reboot it is back in /home and runs again.

    /usr/bin/python3 tests/qemu/test_persist.py [--build DIR] [--timeout S] [-k SUBSTRING]

`make check-qemu` runs it after `make all`. pxbridge keeps /home in
build/tests/qemu/persist-home/ (emptied first) for both boots:
  1. boot with pxbridge (--offline): `edit hi.pxs` types a program (raw keys
     over the serial line: text, Enter as CR, Backspace, arrows, Home, End),
     saves (Ctrl-S) and quits (Ctrl-Q); `asm -o hi hi.pxs` assembles it and
     `hi` runs it; `cp /apps/hello prog` adds a program; the host directory
     then holds all three byte for byte (hi as the host's pxasm makes it),
     pxbridge's log says it kept them; `rm prog` removes it there too, and no
     temporary file (the editor's, asm's, pxbridge's) stays;
  2. boot again with the same directory: the kernel says the two files came
     back (in the background), `hi` runs again, `edit hi.pxs` opens it and
     its status line counts its lines;
  3. pxbridge killed (SIGKILL) in the middle of a save: a file kept in one
     version, then replaced by a larger one while pxbridge loses 30% of its
     ACKs (--corrupt-frames, so the transfer takes seconds); pxbridge is
     killed as soon as its temporary file appears: the host still has the
     old version whole; a new pxbridge removes the unfinished temporary
     file, and the kernel sends the new version again to it;
  4. boot without a bridge: the first write to /home says once that files
     will not be kept, a second write says nothing more;
  5. edit from the PS/2 keyboard, then from a USB keyboard (-M i8042=off,
     qemu-xhci, usb-kbd), typed with HMP sendkey: letters, Enter, arrows,
     Home, End, PgUp, PgDn, Delete, Backspace, Ctrl-S, Ctrl-Q; `cat` shows
     the file; from the PS/2 keyboard, edit's screen is checked on the
     screen console too (its rows in the monitor's `console`, the text on a
     screendump).
Logs: build/tests/qemu/persist-*/. Last line: "persist: N passed, N failed".
"""

import os
import re
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pxqemu  # noqa: E402

CFG = {}
PROMPT = r"sh\$ "
# The program written with edit inside pxOS (as typed: see test_edit_asm_reboot)
SOURCE = (b'.include "pxos.inc"\n'
          b'_start:\n'
          b'    IMM32 R1, msg\n'
          b'    SYSCALL SYS_PRINT\n'
          b'    HALT\n'
          b'msg: .string "written in pxOS, kept by pxbridge"\n')


class PersistTests(unittest.TestCase):
    maxDiff = None

    def bridge(self, name, home):
        vm = pxqemu.BridgeQemu(CFG["img"], name, os.path.join(CFG["build"], "tools", "pxbridge"),
                               bridge_args=("--offline", "--home", home), build=CFG["build"])
        self.addCleanup(vm.close)
        return vm

    def expect(self, vm, pattern, timeout=None):
        return vm.expect(pattern, timeout or CFG["timeout"])

    def host_pxe(self):
        """What the host's pxasm makes of SOURCE (asm inside pxOS gives the same bytes)."""
        tmp = os.path.join(CFG["build"], "tests", "qemu", "persist-pxasm")
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        with open(os.path.join(tmp, "hi.pxs"), "wb") as f:
            f.write(SOURCE)
        subprocess.run([os.path.join(CFG["build"], "tools", "pxasm"), "-I",
                        os.path.join(CFG["build"], "userland", "include"), "-o", os.path.join(tmp, "hi.pxe"),
                        os.path.join(tmp, "hi.pxs")], check=True)
        with open(os.path.join(tmp, "hi.pxe"), "rb") as f:
            return f.read()

    def test_edit_asm_reboot(self):
        home = os.path.join(CFG["build"], "tests", "qemu", "persist-home")
        shutil.rmtree(home, ignore_errors=True)
        vm = self.bridge("persist-1", home)
        self.expect(vm, PROMPT)
        vm.send("edit hi.pxs\r")
        self.expect(vm, r"new file")
        # typed as a terminal sends keys: Enter as CR, a typo fixed with
        # Backspace, the cursor moved with arrows, Home and End
        lines = SOURCE.decode().split("\n")[:-1]
        vm.send(lines[0] + "\r" + lines[1] + "\r")
        vm.send(lines[2] + "x\x7f\r")
        vm.send(lines[3] + "\r" + lines[4] + "\r")
        vm.send("msg: .string \"written in pxOS, by pxbridge\"")
        vm.send("\x1b[D" * 12 + "kept " + "\x1b[A\x1b[B\x1b[H\x1b[F\r")
        vm.send("\x13")
        self.expect(vm, r"saved %d bytes to hi\.pxs" % len(SOURCE))
        vm.send("\x11")
        self.expect(vm, PROMPT)
        vm.send("asm -o hi hi.pxs\r")
        self.expect(vm, PROMPT)
        vm.send("hi\r")
        self.expect(vm, r"written in pxOS, kept by pxbridge\r?\n")
        self.expect(vm, PROMPT)
        vm.send("cp /apps/hello prog\r")
        self.expect(vm, PROMPT)
        pxqemu.wait_file(os.path.join(home, "hi.pxs"), SOURCE)
        pxqemu.wait_file(os.path.join(home, "hi"), self.host_pxe())
        with open(os.path.join(CFG["build"], "rootfs", "apps", "hello.pxe"), "rb") as f:
            hello = f.read()
        pxqemu.wait_file(os.path.join(home, "prog"), hello)
        self.assertIn("home: kept hi.pxs (%d bytes" % len(SOURCE), vm.log_text())
        vm.send("rm prog\r")
        self.expect(vm, PROMPT)
        pxqemu.wait_file(os.path.join(home, "prog"), None)
        for _ in range(50):  # the temporary files (hi.pxs~ed, hi.tmp) go too
            left = sorted(os.listdir(home))
            if left == ["hi", "hi.pxs"]:
                break
            time.sleep(0.2)
        self.assertEqual(left, ["hi", "hi.pxs"], "only the two files stay in the host directory")
        vm.close()

        vm = self.bridge("persist-2", home)
        m = self.expect(vm, r"persist: (\d+) files \((\d+) bytes\) restored into /home from the bridge in (\d+) ms")
        self.assertEqual((int(m.group(1)), int(m.group(2))), (2, len(SOURCE) + len(self.host_pxe())))
        vm.send("hi\r")
        self.expect(vm, r"written in pxOS, kept by pxbridge\r?\n")
        self.expect(vm, PROMPT)
        vm.send("edit hi.pxs\r")
        self.expect(vm, r" hi\.pxs +line 1/7, col 1 ")
        vm.send("\x11")
        self.expect(vm, PROMPT)
        vm.close()

    def test_bridge_killed_mid_save(self):
        home = os.path.join(CFG["build"], "tests", "qemu", "persist-home-cut")
        shutil.rmtree(home, ignore_errors=True)
        apps = os.path.join(CFG["build"], "rootfs", "apps")
        with open(os.path.join(apps, "hello.pxe"), "rb") as f:
            old = f.read()
        with open(os.path.join(apps, "asm.pxe"), "rb") as f:
            new = f.read()
        # pxbridge loses or damages 30% of its ACKs, so the kernel's 11
        # frames of the new version take seconds: time to kill it mid-way
        args = ("--offline", "--home", home, "--corrupt-frames", "30", "--seed", "7")
        vm = pxqemu.BridgeQemu(CFG["img"], "persist-cut", os.path.join(CFG["build"], "tools", "pxbridge"),
                               bridge_args=args, build=CFG["build"])
        self.addCleanup(vm.close)
        self.expect(vm, PROMPT)
        # a frame pxbridge cut short keeps the kernel's demultiplexer in its
        # body until a byte outside base64 comes: a space first, so no
        # letter of the command is taken for the rest of that frame
        vm.send(" cp /apps/hello big\r")
        self.expect(vm, PROMPT)
        big = os.path.join(home, "big")
        pxqemu.wait_file(big, old)
        vm.send(" cp /apps/asm big\r")
        deadline = time.monotonic() + 60 * pxqemu.TIMEOUT_SCALE
        part = []
        while not part and time.monotonic() < deadline:
            part = [n for n in os.listdir(home) if n.startswith(".pxhome-") and n.endswith(".part")]
            time.sleep(0.01)
        self.assertTrue(part, "the new version's transfer began")
        vm.restart_bridge(kill_only=True)  # SIGKILL in the middle of the transfer
        with open(big, "rb") as f:
            self.assertEqual(f.read(), old, "the old version is intact on the host")
        self.assertTrue(os.path.exists(os.path.join(home, part[0])), "a killed pxbridge cleans nothing")
        vm.restart_bridge(bridge_args=("--offline", "--home", home))
        pxqemu.wait_file(big, new, timeout=120)  # the kernel sends it again to the new bridge
        self.assertFalse([n for n in os.listdir(home) if n.startswith(".pxhome-")],
                         "the new pxbridge removed the unfinished transfer")
        self.assertIn("home: removed %s, an unfinished transfer" % part[0], vm.log_text())
        vm.send(" ls big\r")  # pxOS has the new version and the shell answers
        self.expect(vm, r"program +%d big" % len(new))
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


class EditKeyboardTests(unittest.TestCase):
    """edit from the PS/2 keyboard (QEMU's i8042) and from a USB keyboard, typed
    with HMP sendkey: the keys a PC keyboard has reach it as the bytes a
    terminal sends (drivers/kbdmap.c), PgUp and PgDn included."""

    def keys(self, vm, *names):
        for k in names:
            self.assertEqual(vm.hmp("sendkey " + k), "", "sendkey " + k)
            time.sleep(0.05)

    def test_edit_from_the_keyboard(self):
        self.edit_with_keys("persist-ps2", (), r"input: keyboards: PS/2", screen=True)

    def test_edit_from_a_usb_keyboard(self):
        self.edit_with_keys("persist-usb", ("-M", "i8042=off", "-device", "qemu-xhci,id=xhci",
                                            "-device", "usb-kbd,bus=xhci.0"), r"input: keyboards: USB")

    def screen_console(self, vm):
        """edit's screen on the screen console (kernel/vt.c): its 24 rows in
        the console's text (the monitor's `console`), the rows around the
        cursor on the screen (a screendump, read with the console's font).
        Left, Right make edit draw its whole screen first; a kernel log line
        drawn over it since (a slow quantum under load, as on any terminal)
        means drawing it again."""
        logline = re.compile(r"\[ *\d+\.\d+\] (INFO|WARN|ERROR) ")
        for attempt in range(3):
            self.keys(vm, "left", "right")
            time.sleep(0.5)  # the console is drawn at frame rate
            shot = vm.screendump(os.path.join(vm.dir, "edit.png"))
            vm.send("\x1c")
            vm.expect(r"pxmon> ", CFG["timeout"])
            vm.send("console\r")
            head = vm.expect(r"console: (\d+) rows x \d+ columns, the screen shows rows (\d+)\.\.\d+, "
                             r"cursor at row (\d+) column (\d+)", CFG["timeout"])
            end = vm.expect(r"(?m)^pxmon> ", CFG["timeout"]).start()  # a row may hold "pxmon> " too
            out = vm.output[head.start():end]
            vm.send("continue\r")
            rows = re.findall(r"(?m)^ *\d+[ >]\|(.*?)\r?$", out)
            if not any(logline.search(r) for r in rows):
                break
        self.assertEqual(len(rows), 24, out)
        self.assertEqual(rows[:2], ["0ab", "def!"], out)
        self.assertEqual(rows[2:22], ["~"] * 20, out)
        self.assertRegex(rows[22], r"^ *k\.txt.*line 1/2, col 4", out)
        self.assertEqual(rows[23], "^S save  ^Q quit  ^F search  arrows Home End PgUp PgDn move", out)
        self.assertEqual([int(g) for g in head.groups()[1:]], [0, 0, 3], "the window and the cursor at the text's top")
        font = pxqemu.ScreenFont(os.path.join(CFG["build"], "fonts", "terminus16.psf"))
        for text in ("0ab", "def!"):
            self.assertIsNotNone(pxqemu.find_text(shot, font, text), "%r on the screen" % text)

    def edit_with_keys(self, name, qemu_args, keyboard, screen=False):
        vm = pxqemu.Qemu(CFG["img"], name, build=CFG["build"], extra_args=qemu_args)
        self.addCleanup(vm.close)
        vm.expect(keyboard, CFG["timeout"])
        vm.expect(PROMPT, CFG["timeout"])
        vm.send("edit k.txt\r")
        vm.expect(r"new file", CFG["timeout"])
        self.keys(vm, "a", "b", "c", "ret", "d", "e", "f",
                  "up", "1",                 # abc1 / def
                  "home", "0",               # 0abc1
                  "pgdn", "end", "shift-1",  # def!
                  "pgup", "delete",          # 0abc (the 1 goes)
                  "backspace",               # 0ab
                  "left", "right", "ctrl-s")
        vm.expect(r"saved 8 bytes to k\.txt", CFG["timeout"])
        if screen:
            self.screen_console(vm)
        self.keys(vm, "ctrl-q")
        vm.expect(PROMPT, CFG["timeout"])
        vm.send("cat k.txt\r")
        vm.expect(r"0ab\r?\ndef!", CFG["timeout"])


if __name__ == "__main__":
    sys.exit(pxqemu.test_main("persist", __doc__, CFG, (PersistTests, EditKeyboardTests), need=("tools/pxbridge",)))
