#!/usr/bin/python3
"""test_python — Python guests (MicroPython) in QEMU, driven over the serial line.

    /usr/bin/python3 tests/qemu/test_python.py [--build DIR] [--timeout S] [-k SUBSTRING]

`make check-qemu` runs it (check-python, pxvm/py/build.mk). One boot of the
disk image with /test/runpy (tests/programs/runpy.pxs) and /test/spin.py
added, its serial port connected to build/tools/pxbridge with a scripted
backend (--script), the way `make run` does. Typed on the console:
  - `hellopy.py a b`: a .py program run by name from the shell, its argv,
    prints, exit status;
  - the REPL (`python`), with a line typed ahead while it starts (shown
    once, after its first prompt): expressions, Up-arrow history and editing (the
    edited line on the screen console: the monitor's `console` and a
    screendump), a
    loop over continuation lines, a traceback that leaves the REPL running, Ctrl-C ending a busy loop with
    KeyboardInterrupt (the REPL goes on), `import pxos` and
    `pxos.write_pixel` (the pixel checked in a screendump of the process's
    canvas), `pxos.call_llm(...)` answered by pxbridge's scripted backend,
    `pxos.fork()` refused with ENOSYS, `pxos.klog` reading the kernel log,
    Ctrl-C during a slow `pxos.call_llm` (KeyboardInterrupt at once, the
    call cancelled on the bridge, the next call answered), FUZZ_LINES
    random and garbled lines (seeded) that leave the REPL answering, exit
    with `exit(3)` (status 3);
  - `dmesg` prints the kernel log; `bootlog.py --prompt` builds a prompt
    within PROMPT_MAX from it, `bootlog.py` prints the scripted answer;
  - a pxVM program in CALL_LLM (tests/programs/llmintr.pxs): Ctrl-C with
    INTR_CATCH ends the call at once with -EINTR, by default ends the job;
  - RUN_PYTHON from a pxVM program: `runpy /apps/hellopy.py x` gets the
    pid of a Python child that runs with argv ['x'] and exits 0 for its
    WAIT; a .pxe given to it gives -ENOEXEC, a missing file -ENOENT;
  - `organism.py 150 &` (seed 000's organisms) beside a pxVM program: its
    canvas in a screendump shows the organisms and animates, the scripted
    oracle decides every meeting, `wait` collects it;
  - `python /test/spin.py &` in the background: a busy Python loop that
    `ps` lists as runnable while the shell answers; the monitor's regs, dis,
    break and mem on its pid; then `kill` ends it;
  - no kernel error or panic in the whole session.
Logs and screenshots: build/tests/qemu/python-*/. Last line: "python: N passed, N failed".
"""

import os
import random
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
PY = r">>> "
ENOEXEC, ENOENT, ENOSYS = 5, 2, 1  # pxvm/abi.h PXVM_ERRORS (checked below against pxos.E*)
EINTR = 23
PROMPT_MAX = 4096  # HV_PROMPT_MAX (kernel/param.h)
FUZZ_LINES, FUZZ_SEED = 200, 1207
# Snippets the REPL fuzz garbles (none loops or waits for long when whole).
FUZZ_CORPUS = ["x = 1", "def f(a, b=2):", "  return a +", "print('hi', end='')", "[1, 2, (3,", "{'k': [",
               "lambda q: q.r", "import pxos", "1 / 0", "'unterminated", '"""doc', "class C:", "  pass",
               "if x == 1:", "else:", "try:", "except Exception as e:", "pxos.read_pixel(-1)",
               "pxos.klog(123)", "b'\\xff' + 'a'", "0x_ff", "1e400", "@dec", "yield", "return",
               "async def g():", "global x", "del x", "x[::2]", "f(*[], **{})", "not not", "a if b"]

SCRIPT = """\
# test_python: the answer pxos.call_llm gets, and the oracle's; a call that
# is interrupted before its slow answer comes; bootlog.py's answer
rule: pyhello
kind: llm
reply: hello from the scripted model
rule: slowpoke
kind: llm
delay: 60000
reply: this answer comes too late
rule: kernel log of pxOS
kind: llm
reply: the boot went well: no errors
rule: *
kind: oracle
reply: yes
"""
# organism.py's palette (userland/apps/organism.py COLOURS)
ORGANISM_COLOURS = [(255, 96, 96), (96, 255, 96), (96, 160, 255), (255, 220, 64),
                    (255, 128, 255), (64, 255, 255), (255, 160, 64), (220, 220, 220)]

HALFLINE_PY = b"""\
# /test/halfline.py - a line written in two pieces with a log line between
# them (tests/qemu/test_python.py): the kernel holds the log line (INFO
# "spawned pid ...") until the line ends (kernel/klog.c, KLOG_HOLD_US).
import pxos
print("halfline: left-", end="")
pid = pxos.spawn("/apps/sleep", "0")
pxos.sleep_ms(100)
print("right")
pxos.wait(pid)
"""

SPIN_PY = b"""\
# /test/spin.py - a busy Python loop (tests/qemu/test_python.py)
import pxos
print("spin: pid", pxos.getpid())
n = 0
while True:
    n += 1
"""


def guest_image(build):
    """The disk image with /test/runpy, /test/llmintr, /test/spin.py and /test/halfline.py."""
    stage = os.path.join(build, "tests", "qemu", "variants", "python-rootfs")
    shutil.rmtree(stage, ignore_errors=True)
    shutil.copytree(os.path.join(build, "rootfs"), stage)
    os.makedirs(os.path.join(stage, "test"))
    for name in ("runpy", "llmintr"):
        shutil.copy(os.path.join(build, "tests", "programs", name + ".pxe"), os.path.join(stage, "test", name))
    with open(os.path.join(stage, "test", "spin.py"), "wb") as f:
        f.write(SPIN_PY)
    with open(os.path.join(stage, "test", "halfline.py"), "wb") as f:
        f.write(HALFLINE_PY)
    ramdisk = stage + ".png"
    subprocess.run([os.path.join(build, "tools", "pxfs"), "build", ramdisk, stage],
                   check=True, stdout=subprocess.DEVNULL)
    dst = os.path.join(build, "tests", "qemu", "variants", "python.img")
    return pxqemu.make_variant(os.path.join(build, "pxos.img"), dst, replace={"/pxos/pixelfs.png": ramdisk})


class PythonTests(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        script = os.path.join(CFG["build"], "tests", "qemu", "python-script.txt")
        os.makedirs(os.path.dirname(script), exist_ok=True)  # the first QEMU test of a clean build
        with open(script, "w") as f:
            f.write(SCRIPT)
        self.vm = pxqemu.BridgeQemu(guest_image(CFG["build"]), "python-session", CFG["pxbridge"],
                                    bridge_args=["--script", script], build=CFG["build"])
        self.addCleanup(self.vm.close)

    def expect(self, pattern, timeout=None):
        return self.vm.expect(pattern, timeout or CFG["timeout"])

    def type(self, line, *patterns, prompt=PY):
        """Type `line`, wait for each pattern in turn, then for `prompt`;
        returns the output between (escape sequences removed)."""
        start = len(self.vm.output)
        self.vm.send(line + "\r")
        for p in patterns:
            self.expect(p)
        end = self.expect(prompt).start()
        return pxqemu.strip_ansi(self.vm.output[start:end])

    def console_text(self):
        """Enter the monitor, read its `console` (the screen console's rows
        and cursor when it was entered), leave it: (rows, (row, column))."""
        self.vm.send("\x1c")
        self.expect(r"pxmon> ")
        self.vm.send("console\r")
        m = self.expect(r"console: (\d+) rows x \d+ columns, the screen shows rows \d+\.\.\d+, "
                        r"cursor at row (\d+) column (\d+)")
        end = self.expect(r"(?m)^pxmon> ").start()  # a row may hold "pxmon> " too
        out = self.vm.output[m.start():end]
        rows = re.findall(r"(?m)^ *\d+[ >]\|(.*?)\r?$", out)
        self.assertEqual(len(rows), int(m.group(1)), out)
        self.vm.send("continue\r")
        return rows, (int(m.group(2)), int(m.group(3)))

    def wait_bridge_log(self, pattern, timeout=20):
        """Wait until pxbridge's log has `pattern`."""
        deadline = time.monotonic() + timeout * pxqemu.TIMEOUT_SCALE
        while True:
            with open(self.vm.bridge_log, errors="replace") as f:
                if re.search(pattern, f.read()):
                    return
            self.assertLess(time.monotonic(), deadline, "pxbridge never logged %r" % pattern)
            time.sleep(0.2)

    def fuzz_repl(self):
        """FUZZ_LINES random and garbled lines (seeded: FUZZ_SEED) typed into
        the REPL one after another: whatever they do (syntax errors,
        exceptions, open blocks and strings), the REPL goes on answering
        and the kernel logs no error (checked at the end of the session)."""
        vm = self.vm
        rnd = random.Random(FUZZ_SEED)
        # printable ASCII, Tab (completion), the raw REPL's keys, DEL, a
        # byte outside ASCII, whole cursor-key sequences (a bare ESC at the
        # end of a line would rightly wait for the rest of its sequence)
        alphabet = [chr(c) for c in range(0x20, 0x7F)] + ["\t", "\x01", "\x02", "\x05", "\x7f", "\xe9",
                                                          "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1bOH"]
        t0 = time.monotonic()
        for i in range(FUZZ_LINES):
            kind = rnd.random()
            if kind < 0.1:
                line = ""  # ends an open block
            elif kind < 0.4:
                line = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 120)))
            else:
                line = list(rnd.choice(FUZZ_CORPUS) + rnd.choice(["", " ", ")", ":", "]"]) + rnd.choice(FUZZ_CORPUS))
                for _ in range(rnd.randint(0, 4)):
                    at = rnd.randint(0, len(line))
                    op = rnd.random()
                    if op < 0.4:
                        line.insert(at, rnd.choice(alphabet))
                    elif op < 0.7 and line:
                        del line[min(at, len(line) - 1)]
                    elif line:
                        line[min(at, len(line) - 1)] = rnd.choice(alphabet)
                line = "".join(line)
            start = len(vm.output)
            vm.send(line.encode("latin-1") + b"\r")
            # the next prompt, after the line's echo and its result
            deadline = time.monotonic() + CFG["timeout"]
            while not re.search(r"(>>>|\.\.\.) $", vm.output[start:]):
                self.assertLess(time.monotonic(), deadline, "fuzz line %d %r: no prompt\n%s" % (i, line, vm.tail()))
                time.sleep(0.02)
        # Out of any open block or string, then the REPL answers.
        vm.send("\x03")
        self.expect(PY)
        self.type("1+1", r"(?m)^2\r?$")
        print("  REPL fuzz: %d lines (seed %d) in %.1f s" % (FUZZ_LINES, FUZZ_SEED, time.monotonic() - t0),
              file=sys.stderr)

    def test_python_session(self):
        vm = self.vm
        self.expect(r"fpu: SSE on")
        self.expect(r"sh: pxOS shell; type help for the commands")
        self.expect(PROMPT)

        # A .py program by name: argv, output, status.
        self.type("hellopy.py a b", r"hello from Python, pid \d+ args \['a', 'b'\]",
                  r"sum of squares below 1000: 332833500",
                  r"pid \d+ \(hellopy\.py\) exited with status 0", prompt=PROMPT)

        # A log line while a program writes a line waits for its end.
        out = self.type("/test/halfline.py", r"halfline: left-right\r\n",
                        r"pid \d+ \(halfline\.py\) exited with status 0", prompt=PROMPT)
        self.assertRegex(out, r"right\r?\n(.*\n)*.*spawned pid \d+ /apps/sleep", out)

        # The REPL, with a line typed ahead while it starts: it appears once,
        # after the first prompt (the tty does not echo a line typed ahead;
        # the REPL's line editor shows it).
        start = len(vm.output)
        vm.send("python\r6 * 7\r")
        m = self.expect(r"spawned pid (\d+) /apps/python \(parent \d+\) in slot (\d+)")
        py_pid, py_slot = int(m.group(1)), int(m.group(2))
        self.expect(r"MicroPython 1\.25\.0 on pxOS")
        self.expect(r"(?m)^42\r?$")
        self.expect(PY)
        typed_ahead = pxqemu.strip_ansi(vm.output[start:])
        self.assertEqual(typed_ahead.count("6 * 7"), 1, "the typed-ahead line shows once:\n" + typed_ahead)
        self.assertRegex(typed_ahead, r">>> 6 \* 7\r*\n42")
        # History and line editing (shared/readline over raw mode): Up
        # recalls "6 * 7"; Up, Backspace, "8" makes "6 * 8"; the redraws
        # pass the console escaper (no ^[ shown on the line).
        start = len(vm.output)
        self.type("\x1b[A", r"(?m)^42\r?$")
        self.type("\x1b[A\x7f8", r"(?m)^48\r?$")
        self.assertNotIn("^[", vm.output[start:], "the line editor's redraws were escaped")
        # The screen console draws those redraws (kernel/vt.c): Up recalls
        # "12345 + 1", Left x4, Backspace, "9" edit it in its middle; the
        # monitor's `console` (the screen's text as the monitor was entered)
        # and a screendump show the line that ran, no stale characters.
        self.type("12345 + 1", r"(?m)^12346\r?$")
        self.type("\x1b[A\x1b[D\x1b[D\x1b[D\x1b[D\x7f9", r"(?m)^12350\r?$")
        time.sleep(0.5)  # the console is drawn at frame rate
        shot = vm.screendump(os.path.join(vm.dir, "repl-console.png"))
        rows, cursor = self.console_text()
        # (a kernel log line, e.g. a slow quantum under load, may stand between)
        text = [r for r in rows if not re.match(r"\[ *\d+\.\d+\] (INFO|WARN|ERROR) ", r)]
        i = text.index(">>> 12349 + 1")
        self.assertEqual(text[i - 2:i + 3], [">>> 12345 + 1", "12346", ">>> 12349 + 1", "12350", ">>>"])
        self.assertEqual(cursor, (max(j for j, r in enumerate(rows) if r == ">>>"), 4), "the cursor after the prompt")
        font = pxqemu.ScreenFont(os.path.join(CFG["build"], "fonts", "terminus16.psf"))
        self.assertIsNotNone(pxqemu.find_text(shot, font, ">>> 12349 + 1"), "the edited line on the screen")
        self.assertIsNone(pxqemu.find_text(shot, font, "1234 + 1"), "no stale redraw on the screen")
        self.type("2 ** 0.5", r"1\.414213562")
        out = self.type("for i in range(4):", prompt=r"\.\.\. ")
        self.type("    print('sq', i * i)", prompt=r"\.\.\. ")
        out = self.type("", r"sq 9")
        self.assertEqual(re.findall(r"sq (\d+)", out), ["0", "1", "4", "9"])
        out = self.type("def f(x):", prompt=r"\.\.\. ")
        self.type("    return 1 // x", prompt=r"\.\.\. ")
        self.type("")
        out = self.type("f(0)", r"ZeroDivisionError")
        self.assertRegex(out, r"Traceback \(most recent call last\):\r?\n"
                              r"  File \"<stdin>\", line 1, in <module>\r?\n"
                              r"  File \"<stdin>\", line 2, in f\r?\n")
        # Ctrl-C: a busy statement ends with KeyboardInterrupt, the REPL goes on.
        self.type("while True:", prompt=r"\.\.\. ")
        self.type("    pass", prompt=r"\.\.\. ")
        vm.send("\r")
        time.sleep(1.5)
        start = len(vm.output)
        vm.send("\x03")
        self.expect(r"KeyboardInterrupt")
        self.expect(PY)
        self.type("6 * 7", r"(?m)^42\r?$")
        self.type("import pxos")
        self.type("pxos.ENOEXEC, pxos.ENOENT, pxos.ENOSYS, pxos.getpid()",
                  r"\(%d, %d, %d, %d\)" % (ENOEXEC, ENOENT, ENOSYS, py_pid))
        self.type("pxos.write_pixel(5 * 128 + 7, (250, 10, 20, 255))")
        self.type("pxos.read_pixel(5 * 128 + 7)", r"\(250, 10, 20, 255\)")
        time.sleep(1)  # the canvas reaches the screen at frame rate
        shot = vm.screendump(os.path.join(vm.dir, "repl.png"))
        rec = pxqemu.read_vram_record(shot)
        self.assertEqual(rec["magic"], pxqemu.VRAM_RECORD_MAGIC, "no substrate record in row 0")
        cx, cy = rec["slot"][py_slot]["canvas"]
        self.assertEqual(shot.get_pixel(cx + 7, cy + 5), (250, 10, 20),
                         "the pixel the REPL wrote, on the canvas of slot %d" % py_slot)
        self.type("pxos.call_llm('pyhello, are you there?')", r"'hello from the scripted model'")
        self.type("pxos.fork()", r"OSError: \(%d, 'no such system call'\)" % ENOSYS)
        # The kernel log: its kept lines from offset 0, at most 4 KiB a
        # call, then nothing newer; none lost since boot (offset = length).
        self.type("log, off = '', 0")
        self.type("while True:", prompt=r"\.\.\. ")
        self.type("    t, off = pxos.klog(off)", prompt=r"\.\.\. ")
        self.type("    if not t: break", prompt=r"\.\.\. ")
        self.type("    log += t", prompt=r"\.\.\. ")
        self.type("")
        self.type("print('klog', len(log) > 1000, off == len(log), 'INFO  fpu: SSE on' in log, log[-1:] == chr(10))",
                  r"klog True True True True")
        self.type("len(pxos.klog(0)[0]) == min(len(log), 4096), pxos.klog(off) == ('', off)", r"\(True, True\)")
        self.type("pxos.PROMPT_MAX", r"(?m)^%d\r?$" % PROMPT_MAX)
        # Ctrl-C during a slow call_llm: KeyboardInterrupt at once, the call
        # cancelled on the bridge; the next call gets its own answer.
        vm.send("pxos.call_llm('slowpoke, take your time')\r")
        time.sleep(2)
        t0 = time.monotonic()
        vm.send("\x03")
        self.expect(r"KeyboardInterrupt")
        self.expect(PY)
        took = time.monotonic() - t0
        self.assertLess(took, 10, "KeyboardInterrupt came %.1f s after Ctrl-C (the answer takes 60 s)" % took)
        print("  Ctrl-C during call_llm: KeyboardInterrupt after %.2f s" % took, file=sys.stderr)
        self.type("pxos.call_llm('pyhello again')", r"'hello from the scripted model'")
        self.wait_bridge_log(r"cancelled by pxOS")
        self.fuzz_repl()
        vm.send("exit(3)\r")
        self.expect(r"pid %d \(python\) exited with status 3" % py_pid)
        self.expect(PROMPT)

        # The kernel log from the shell, and the boot-log reader.
        out = self.type("dmesg", r"INFO  fpu: SSE on", r"spawned pid \d+ /apps/dmesg", prompt=PROMPT)
        self.assertNotIn("dmesg:", out, "the boot's lines are all kept")
        log_bytes = sum(len(s) + 1 for s in re.findall(r"(?m)^\[ *[\d.]+\] (?:INFO |WARN |ERROR) [^\r\n]*", out))
        out = self.type("bootlog.py --prompt", r"What happened at boot, and is anything wrong\?",
                        r"pid \d+ \(bootlog\.py\) exited with status 0", prompt=PROMPT)
        size = int(re.search(r"bootlog: a prompt of (\d+) bytes from \d+ log lines", out).group(1))
        self.assertLessEqual(size, PROMPT_MAX)
        # The prompt as printed, to its newest line, bootlog's own start (a
        # kernel line logged after bootlog read the log may come between the
        # prompt's lines and its size on the console, so it is cut there).
        body = out[out.index("Below is the kernel log"):]
        m = list(re.finditer(r"INFO  sched: spawned pid \d+ /apps/bootlog\.py[^\n]*\n", body))
        self.assertTrue(m, "bootlog's own start is the prompt's newest line")
        body = body[:m[-1].end()]
        self.assertLessEqual(len(body.replace("\r\n", "\n")), size)
        # when the log is longer than a prompt takes, older lines are left
        # out with a note
        if log_bytes > PROMPT_MAX - 200:
            self.assertRegex(body, r"\[\.\.\. \d+ lines left out \.\.\.\]")
        else:
            self.assertIn("INFO  fpu: SSE on", body)
        self.type("bootlog.py", r"bootlog: asking the LLM about \d+ log lines",
                  r"(?m)^the boot went well: no errors\r?$", r"pid \d+ \(bootlog\.py\) exited with status 0",
                  prompt=PROMPT)

        # A pxVM program in CALL_LLM: Ctrl-C with INTR_CATCH ends the call
        # with -EINTR at once; by default it ends the job.
        vm.send("/test/llmintr catch slowpoke-pxvm\r")
        self.expect(r"llmintr: asking")
        time.sleep(1.5)
        t0 = time.monotonic()
        vm.send("\x03")
        self.expect(r"llmintr: result %d" % (2**32 - EINTR))
        self.assertLess(time.monotonic() - t0, 10)
        self.expect(PROMPT)
        start = len(vm.output)
        vm.send("/test/llmintr default slowpoke-pxvm\r")
        self.expect(r"llmintr: asking")
        time.sleep(1.5)
        t0 = time.monotonic()
        vm.send("\x03")
        self.expect(r"sh: /test/llmintr \(pid \d+\) killed")
        self.assertLess(time.monotonic() - t0, 10)
        self.expect(PROMPT)
        self.assertNotIn("llmintr: result", vm.output[start:])

        # RUN_PYTHON from a pxVM program.
        out = self.type("/test/runpy /apps/hellopy.py x", r"runpy: result (\d+)",
                        r"hello from Python, pid (\d+) args \['x'\]",
                        r"runpy: child (\d+) exited with status 0", prompt=PROMPT)
        child = int(re.search(r"runpy: result (\d+)", out).group(1))
        self.assertLess(child, 256, "RUN_PYTHON returns the child's pid")
        self.assertEqual(re.search(r"hello from Python, pid (\d+)", out).group(1), str(child))
        self.assertEqual(re.search(r"runpy: child (\d+) exited", out).group(1), str(child))
        self.type("/test/runpy /apps/hello", r"runpy: result %d" % (2**32 - ENOEXEC), prompt=PROMPT)
        self.type("/test/runpy /test/nope.py", r"runpy: result %d" % (2**32 - ENOENT), prompt=PROMPT)

        # organism.py in the background beside a pxVM program: its canvas
        # animates in the organisms' colours, the shell answers, the oracle
        # (scripted: always yes) decides every meeting.
        vm.send("organism.py 150 &\r")
        m = self.expect(r"spawned pid (\d+) /apps/organism\.py \(parent \d+\) in slot (\d+)")
        org_pid, org_slot = int(m.group(1)), int(m.group(2))
        self.expect(PROMPT)
        self.type("hello", r"hello: Hello, world! from a pxVM process", prompt=PROMPT)
        time.sleep(1)
        shot1 = vm.screendump(os.path.join(vm.dir, "organism-1.png"))
        time.sleep(1)
        shot2 = vm.screendump(os.path.join(vm.dir, "organism-2.png"))
        rec = pxqemu.read_vram_record(shot2)
        cx, cy = rec["slot"][org_slot]["canvas"]
        c1, c2 = shot1.crop(cx, cy, 128, 128), shot2.crop(cx, cy, 128, 128)
        colours = set(ORGANISM_COLOURS)
        d = c2.data
        n = sum(1 for i in range(0, len(d), 3) if (d[i], d[i + 1], d[i + 2]) in colours)
        self.assertGreater(n, 8 * 9, "organism.py's canvas (slot %d) shows its organisms: %d pixels" % (org_slot, n))
        self.assertNotEqual(c1.data, c2.data, "organism.py's canvas animates")
        m = self.expect(r"organism\.py: 150 frames, (\d+) meetings: (\d+) cooperated, (\d+) competed "
                        r"\((\d+) by coin flip\), \d+ reborn")
        self.assertEqual((m.group(1), m.group(4)), (m.group(2), "0"), "the scripted oracle says yes every time")
        self.type("wait", r"\[%d\] done organism\.py \(status 0\)" % org_pid, prompt=PROMPT)

        # A Python program in the background while the shell answers.
        vm.send("python /test/spin.py &\r")
        job = int(self.expect(r"(?m)^\[(\d+)\] python\r?$").group(1))
        self.expect(PROMPT)
        self.expect(r"spin: pid %d" % job)
        time.sleep(1)
        out = self.type("ps", r"ps: \d+ processes", prompt=PROMPT)
        self.assertRegex(out, r"\n +%d +\d+ +\d+ runnable +\S+ +\d+ python" % job)
        t0 = time.monotonic()
        self.type("echo still answering", r"(?m)^still answering\r?$", prompt=PROMPT)
        self.assertLess(time.monotonic() - t0, 10, "the shell answers beside a busy Python loop")
        # The monitor on a Python pid: regs shows the kind's state, dis and
        # break say there is no pxVM code, mem dumps the pixel memory.
        vm.send("\x1c")
        self.expect(r"pxmon> ")
        self.type("regs %d" % job, r"Python process: MicroPython on its own C stack",
                  r"C stack: \d+ bytes in use", prompt=r"pxmon> ")
        self.type("dis %d" % job, r"dis: pid %d is a python process: no pxVM code to disassemble" % job,
                  prompt=r"pxmon> ")
        self.type("break %d 0x1000" % job, r"break: pid %d is a python process: no pxVM code to break in" % job,
                  prompt=r"pxmon> ")
        self.type("break", r"no breakpoints", prompt=r"pxmon> ")
        self.type("mem %d 0x100 16" % job, r"  0100  ", prompt=r"pxmon> ")
        vm.send("continue\r")
        time.sleep(0.5)
        vm.send("\r")
        self.expect(PROMPT)
        self.type("kill %d" % job, r"\[%d\] done python \(killed\)" % job, prompt=PROMPT)

        text = pxqemu.strip_ansi(vm.output)
        self.assertNotRegex(text, r"\] ERROR |panic", "no kernel errors during the session")


def main():
    def suites(cfg):
        cfg["pxbridge"] = os.path.join(cfg["build"], "tools", "pxbridge")
        return (PythonTests,)
    return pxqemu.test_main("python", __doc__, CFG, suites,
                            need=("tools/pxbridge", "tools/pxfs", "tests/programs/runpy.pxe",
                                  "tests/programs/llmintr.pxe"))


if __name__ == "__main__":
    sys.exit(main())
