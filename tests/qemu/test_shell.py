#!/usr/bin/python3
"""test_shell — the pxOS shell in QEMU, driven over the serial line.

    /usr/bin/python3 tests/qemu/test_shell.py [--build DIR] [--timeout S] [-k SUBSTRING]

`make check-qemu` runs it after `make all`. One boot of build/pxos.img in a
640x480 mode (boot.cfg `video = 640x480`): two visible slots for many more
processes. Then, typed on the serial console:
  - builtins and programs in the foreground: echo, hello, cat of a file, ls,
    an unknown command, forkdemo, pingpong, history and !N;
  - `swarm 4 0 &` in the background: ps lists swarm and its four drawers, who
    run unseen (both slots are taken); Ctrl-^ pages through the processes, and
    a screendump of each page shows which processes its slots hold (the pid
    word of each tile's system area): every drawer turns up, its canvas in
    the drawer's colour and changing between two shots, while the shell
    still answers;
  - kill of the background job: the shell reports it, the drawers stop (the
    shell inherits and reaps them), ps lists none of them alive;
  - Ctrl-C on a foreground program, and at the prompt (the shell survives);
  - Ctrl-\ opens the kernel's monitor, `continue` returns to the shell;
  - a background sleep collected with wait;
  - exit: init reports the shell's status and ends, the kernel opens its
    monitor, and `exit` there powers off with status 0.
Logs and screenshots: build/tests/qemu/shell-*/. Last line: "shell: N passed, N failed".
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
# swarm's palette (userland/apps/swarm.pxs, colours from userland/lib/colors.inc)
DRAWER_COLOURS = [(255, 64, 64), (64, 255, 64), (64, 128, 255), (255, 220, 64)]
PROMPT = r"sh\$ "


def read_record(img):
    """Each slot's tile and canvas position, from the substrate's record in
    row 0 (pxqemu.read_vram_record)."""
    rec = pxqemu.read_vram_record(img)
    assert rec["magic"] == pxqemu.VRAM_RECORD_MAGIC, "no substrate record in row 0 of the screendump"
    return rec["slot"]


def canvas(img, rec, slot):
    x, y = rec[slot]["canvas"]
    return img.crop(x, y, 128, 128)


def count_colour(img, rgb):
    d = img.data
    return sum(1 for i in range(0, len(d), 3) if (d[i], d[i + 1], d[i + 2]) == rgb)


def slot_pid(img, rec, slot):
    """The pid a slot shows: the low byte of the PID word of the system area
    (address 0x100, word 64: tile pixel (64, 0), byte 0 in R)."""
    x, y = rec[slot]["tile"]
    return img.get_pixel(x + 0x100 // 4, y)[0]


class ShellTests(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        img = os.path.join(CFG["build"], "tests", "qemu", "variants", "shell-640x480.img")
        cfg = b"# test_shell: a small screen, two slots\nvideo = 640x480\n"
        pxqemu.make_variant(CFG["img"], img, replace={"/pxos/boot.cfg": cfg})
        self.vm = pxqemu.Qemu(img, "shell-session")
        self.addCleanup(self.vm.close)

    def expect(self, pattern, timeout=None):
        return self.vm.expect(pattern, timeout or CFG["timeout"])

    def wait_all(self, patterns, start):
        """Wait until every regex in `patterns` has appeared in the serial
        output after offset `start`, in any order."""
        deadline = time.monotonic() + CFG["timeout"] * pxqemu.TIMEOUT_SCALE
        while True:
            text = self.vm.output[start:]
            missing = [p for p in patterns if not re.search(p, text)]
            if not missing:
                return
            self.assertLess(time.monotonic(), deadline, "never appeared on serial: %s\n%s"
                            % (missing, self.vm.tail()))
            time.sleep(0.2)

    def command(self, line, *patterns):
        """Type `line` at the prompt, wait for each pattern in turn, then for
        the next prompt; returns the output from typing to that prompt (escape
        sequences removed). The tty's echo of the line is not matched: kernel
        log lines may land in the middle of it, as the tty echoes each byte
        when it takes it in."""
        start = len(self.vm.output)
        self.vm.send(line + "\r")
        for p in patterns:
            self.expect(p)
        end = self.expect(PROMPT).start()
        return pxqemu.strip_ansi(self.vm.output[start:end])

    def test_shell_session(self):
        vm = self.vm
        self.expect(r"fb: GOP mode \d+: 640x480 ")
        self.expect(r"vram: 2 process slots")
        self.expect(r"init: done, 2 programs run")
        self.expect(r"init: started the shell /boot/sh as pid (\d+)")
        self.expect(r"sh: pxOS shell; type help for the commands")
        self.expect(PROMPT)

        # Builtins and foreground programs.
        self.command("echo hello from the test", r"(?m)^hello from the test\r?$")
        out = self.command("help", r"Programs in /apps:[^\n]* swarm")
        self.assertIn("kill PID|%JOB...", out)
        out = self.command("hello", r"hello: Hello, world! from a pxVM process living in VRAM \(pid \d+\)")
        out = self.command("cat /boot/motd.txt", r"Welcome to pxOS\.")
        self.assertIn("swarm &", out)
        out = self.command("ls /apps", r"program +\d+ swarm")
        for name in ("cat", "forkdemo", "hello", "ls", "pingpong", "primes", "ps", "sleep"):
            self.assertRegex(out, r"program +\d+ %s\r?\n" % name)
        self.command("cat /nope", r"cat: /nope: no such file or directory")
        self.command("nosuch", r"sh: nosuch: command not found")
        self.command("forkdemo", r"forkdemo: child: I am pid (\d+), my parent is pid \d+, value = 99",
                     r"forkdemo: parent: child \d+ exited with status 42, value = 7")
        self.command("pingpong 20", r"pingpong: 20 round trips between pid \d+ and pid \d+ in \d+ ms; "
                                    r"ponger exited with status 0")
        out = self.command("history", r"(?m)^ +3  hello\r?$")
        self.command("!3", r"hello: Hello, world!")

        # A background swarm: ps, the screen, then kill.
        vm.send("swarm 4 0 &\r")
        m = self.expect(r"(?m)^\[(\d+)\] swarm\r?$")
        swarm = int(m.group(1))
        self.expect(PROMPT)
        drawers = [int(self.expect(r"pid %d \(swarm\) forked pid (\d+) (?:in slot \d+|unseen)" % swarm).group(1))
                   for _ in range(4)]
        self.expect(r"swarm: 4 drawers, pids %s" % " ".join(str(p) for p in drawers))
        time.sleep(2)
        out = self.command("ps", r"ps: \d+ processes, 32 table entries")
        self.assertRegex(out, r"\n +%d +\d+ +%d blocked:wait +- +\d+ swarm" % (swarm, swarm),
                         "swarm waits for its drawers, unseen")
        for pid in drawers:  # in swarm's job (process group)
            # ps is the shell's builtin: the shell is the one process running while it lists the others.
            self.assertRegex(out, r"\n +%d +%d +%d (runnable|blocked:\w+) +- +\d+ swarm" % (pid, swarm, swarm))
        self.assertRegex(out, r"\n +1 +0 +1 blocked:wait +([01]|-) +\d+ init")
        self.assertRegex(out, r"\n +\d+ +1 +\d+ running +([01]|-) +\d+ sh")

        # Two slots for 7 processes: Ctrl-^ pages through them, 4 pages.
        shot = vm.screendump(os.path.join(vm.dir, "page-1.png"))
        rec = read_record(shot)
        self.assertEqual(len(rec), 2, "640x480 has two slots")
        seen = {}  # drawer pid -> (page, slot)
        pages, init_seen = 0, False
        for page in range(2, 6):
            mark = len(vm.output)
            vm.send("\x1e")
            m = self.expect(r"view: page (\d+) of (\d+) \((\d+) processes, 2 slots\)")
            pages = int(m.group(2))
            self.assertEqual(int(m.group(1)), (page - 1) % pages + 1, vm.output[mark:])
            time.sleep(1)
            shot1 = vm.screendump(os.path.join(vm.dir, "page-%d.png" % page))
            time.sleep(1)
            shot2 = vm.screendump(os.path.join(vm.dir, "page-%d-later.png" % page))
            for slot in range(2):
                pid = slot_pid(shot2, rec, slot)
                if pid == 1:  # init's canvas: its banner
                    cx, cy = rec[slot]["canvas"]
                    self.assertEqual(shot2.get_pixel(cx + 2, cy + 2), (16, 24, 64), "init's banner (NAVY)")
                    init_seen = True
                if pid in drawers and pid == slot_pid(shot1, rec, slot):
                    i = drawers.index(pid)
                    c1, c2 = canvas(shot1, rec, slot), canvas(shot2, rec, slot)
                    n = count_colour(c2, DRAWER_COLOURS[i])
                    self.assertGreater(n, 30, "drawer %d (pid %d, page %d, slot %d): only %d pixels of %s"
                                       % (i, pid, page, slot, n, DRAWER_COLOURS[i]))
                    self.assertNotEqual(c1.data, c2.data, "drawer %d's canvas should change" % i)
                    seen[pid] = (page, slot)
            if page == 3:
                shutil.copy(os.path.join(vm.dir, "page-3-later.png"),
                            os.path.join(CFG["build"], "screenshot-shell.png"))
        self.assertEqual(pages, 4, "7 processes in 2 slots make 4 pages")
        self.assertEqual(sorted(seen), sorted(drawers), "paging shows every drawer: %s" % seen)
        self.assertTrue(init_seen, "paging comes back to init")
        self.command("echo still answering", r"(?m)^still answering\r?$")

        mark = len(vm.output)
        self.command("kill %d" % swarm, r"\[%d\] done swarm \(killed\)" % swarm)
        self.wait_all([r"pid %d \(swarm\) exited with status 0" % pid for pid in drawers], mark)
        out = self.command("ps", r"ps: \d+ processes")
        # Orphans go to the shell, which reaps them at its next prompt, quietly
        # (swarm's own report said what ended): until then they may still be
        # listed, but only as zombies, and after it not at all.
        self.assertNotRegex(out, r"(runnable|running|blocked:\w+) +\S+ +\d+ swarm\r?\n",
                            "the drawers stop when swarm is killed")
        out = self.command("ps", r"ps: \d+ processes")
        self.assertNotRegex(out, r" swarm\r?\n", "the shell reaped the drawers")

        # Ctrl-C: kills a foreground program; at the prompt it only clears the line.
        vm.send("swarm 2 0\r")
        m = self.expect(r"swarm: 2 drawers, pids (\d+) (\d+)")
        time.sleep(1)
        vm.send("\x03")
        self.expect(r"\^C")
        self.expect(r"sh: swarm \(pid \d+\) killed")
        self.expect(PROMPT)
        vm.send("ech\x03")
        self.expect(r"\^C")
        self.expect(PROMPT)
        self.command("echo after ctrl-c", r"(?m)^after ctrl-c\r?$")

        # Ctrl-\ opens the kernel's monitor between quanta; `continue` goes back
        # and the shell carries on.
        vm.send("\x1c")
        self.expect(r"debug monitor \(help lists commands, continue resumes\)")
        self.expect(r"pxmon> ")
        vm.send("ps\r")
        self.expect(r"blocked:read +\d+ +0x[0-9a-f]+ +sh")
        self.expect(r"pxmon> ")
        vm.send("continue\r")
        time.sleep(0.5)
        vm.send("\r")
        self.expect(PROMPT)
        self.command("echo back from the monitor", r"(?m)^back from the monitor\r?$")

        # A log line while a line is being typed (kernel/klog.c): it starts
        # on a fresh line, and the typed line is drawn again under it, on the
        # serial line and on the screen console (the monitor's `console`);
        # the typing goes on.
        vm.send("sleep 500 &\r")
        job = self.expect(r"(?m)^\[(\d+)\] sleep\r?$").group(1)
        self.expect(PROMPT)
        vm.send("echo ty")
        self.expect(r"echo ty\r?\n\[ *[\d.]+\] INFO  sched: pid %s \(sleep\) exited with status 0"
                    r"\r?\nsh\$ echo ty" % job)
        vm.send("\x1c")
        self.expect(r"pxmon> ")
        vm.send("console\r")
        head = self.expect(r"console: \d+ rows x \d+ columns, the screen shows rows \d+\.\.\d+, "
                           r"cursor at row (\d+) column (\d+)")
        end = self.expect(r"(?m)^pxmon> ").start()  # a row may hold "pxmon> " too
        out = vm.output[head.start():end]
        rows = re.findall(r"(?m)^ *\d+[ >]\|(.*?)\r?$", out)
        i = max(i for i, r in enumerate(rows) if r == "sh$ echo ty")
        self.assertRegex(rows[i - 1], r"^\[ *[\d.]+\] INFO  sched: pid %s \(sleep\) exited with status 0$" % job)
        self.assertEqual(rows[i - 2], "sh$ echo ty", out)
        self.assertEqual((int(head.group(1)), int(head.group(2))), (i, 11), "the cursor after the typed text")
        vm.send("continue\r")
        self.command("ped", r"(?m)^typed\r?$", r"\[%s\] done sleep \(status 0\)" % job)

        # A background job collected with wait.
        vm.send("sleep 300 &\r")
        m = self.expect(r"(?m)^\[(\d+)\] sleep\r?$")
        self.expect(PROMPT)
        self.command("wait", r"\[%s\] done sleep \(status 0\)" % m.group(1))

        # exit: init ends, the kernel's monitor takes over, and powers off.
        vm.send("exit\r")
        self.expect(r"init: the shell exited with status 0")
        self.expect(r"pxmon> ")
        text = pxqemu.strip_ansi(vm.output)
        self.assertNotRegex(text, r"\] ERROR ", "no kernel errors during the session")
        vm.send("exit\r")
        self.assertEqual(vm.wait_exit(60), (0 << 1) | 1)


if __name__ == "__main__":
    sys.exit(pxqemu.test_main("shell", __doc__, CFG, (ShellTests,)))
