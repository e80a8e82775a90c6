#!/usr/bin/python3
"""test_mkapp — the LLM writes a program inside pxOS: `mkapp` in QEMU against
pxbridge's scripted backend.

    /usr/bin/python3 tests/qemu/test_mkapp.py [--build DIR] [--timeout S] [-k SUBSTRING]

`make check-qemu` runs it. One boot of the disk image, its serial port
connected to build/tools/pxbridge --script tests/llm/mkapp-sunset.script
--home build/tests/qemu/mkapp-home (emptied first). Typed on the console:
  - `mkapp sunset`, then the description at its question (a command line has
    8 words at most). The script answers as a small model does, one rule per
    round, each matching what mkapp sent last (the conversation's last user
    turn): round 1 prose around two ```pxasm blocks, the program with a wrong
    mnemonic (MOVI): asm's errors are shown and sent back; round 2 the answer
    cut short inside its block: taken as it is, asm's errors sent back; round
    3 a program that faults (RET on an empty stack): its output, then the
    fault sent back; round 4 the program that runs. Every round is shown as
    "round N/4";
  - the program's line on the console, and its drawing on its canvas in a
    screendump (the slot the kernel gave it): a red 48x48 sun on blue;
  - /home/sunset.pxs (round 4's code), /home/sunset.pxe (what the host's
    pxasm makes of it) and /home/sunset.reply (round 4's answer) reach
    pxbridge's --home directory byte for byte; asm's error file stays in /tmp;
  - `mkapp slow ...` whose answer never comes: Ctrl-C stops it cleanly (a
    message, the shell's prompt, no traceback);
  - `mkapp --python bars ...` with tests/llm/mkapp-python.script: round 1's
    program raises AttributeError (its traceback on the console, its type
    and message sent back), round 2's runs: its green bar in a screendump,
    /home/bars.py in pxbridge's directory;
  - no kernel error or panic, and no traceback but that of bars.py's round 1.
Screenshots: build/tests/qemu/mkapp-session/sunset.png (the rounds' tiles),
mkapp-edit.png (then `edit sunset.pxs` beside the program: the README's
docs/img/mkapp.png is a copy). Last line: "mkapp: N passed, N failed".
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
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, "tests", "llm", "mkapp-sunset.script")
PY_SCRIPT = os.path.join(REPO, "tests", "llm", "mkapp-python.script")
# What the script adds for the Ctrl-C case: an answer that takes a minute.
SLOW_RULE = """
rule: named slow
kind: chat
where: last
delay: 60000
reply: too late
"""
RED, BLUE = (255, 32, 32), (32, 64, 200)   # the program's 0x002020FF and 0x00C84020
GREEN = (40, 200, 80)                       # mkapp --python's bar


def script_replies(path):
    """The replies of each rule of a script file: [[text, ...], ...] (reply
    lines joined, \\n and \\\\ resolved; `next:` starts another reply)."""
    rules = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            key, _, value = line.lstrip().partition(":")
            if line.lstrip().startswith("#") or not _:
                continue
            value = value[1:] if value.startswith(" ") else value
            if key == "rule":
                rules.append([""])
            elif key == "next":
                rules[-1].append("")
            elif key == "reply":
                rules[-1][-1] += re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)
    return rules


class MkappTests(unittest.TestCase):
    maxDiff = None

    def expect(self, vm, pattern, timeout=None):
        return vm.expect(pattern, timeout or CFG["timeout"])

    def test_mkapp_session(self):
        build = CFG["build"]
        tmp = os.path.join(build, "tests", "qemu", "mkapp-files")
        home = os.path.join(build, "tests", "qemu", "mkapp-home")
        for d in (tmp, home):
            shutil.rmtree(d, ignore_errors=True)
        os.makedirs(tmp)
        script = os.path.join(tmp, "script.txt")
        with open(SCRIPT) as f, open(PY_SCRIPT) as p, open(script, "w") as g:
            g.write(f.read() + "\n" + p.read() + SLOW_RULE)
        final_answer = script_replies(SCRIPT)[3][0]
        final_code = final_answer.split("```asm\n", 1)[1].split("```", 1)[0]
        with open(os.path.join(tmp, "sunset.pxs"), "w") as f:
            f.write(final_code)
        subprocess.run([os.path.join(build, "tools", "pxasm"), "-I", os.path.join(build, "userland", "include"),
                        "-o", os.path.join(tmp, "sunset.pxe"), os.path.join(tmp, "sunset.pxs")], check=True)
        with open(os.path.join(tmp, "sunset.pxe"), "rb") as f:
            final_pxe = f.read()

        vm = pxqemu.BridgeQemu(CFG["img"], "mkapp-session", os.path.join(build, "tools", "pxbridge"),
                               bridge_args=["--script", script, "--home", home], build=build)
        self.addCleanup(vm.close)
        self.expect(vm, PROMPT)
        t0 = time.monotonic()
        vm.send("mkapp sunset\r")
        self.expect(vm, r"mkapp: what should sunset do\? ")
        vm.send("a red sun over a blue sea\r")
        start = len(vm.output)
        # round 1: two blocks, the one with _start taken; a wrong mnemonic
        self.expect(vm, r"mkapp: round 1/4: asking the LLM \(system prompt pxasm")
        self.expect(vm, r"mkapp: round 1/4: fenced block 2 of 2 \(```pxasm\), with _start: \d+ lines -> "
                        r"/home/sunset\.pxs; assembling")
        self.expect(vm, r"/home/sunset\.pxs:19:5: error: unknown mnemonic 'MOVI'; did you mean 'MOV'\?")
        self.expect(vm, r"mkapp: round 1/4: asm exited with status 1; sending its errors back")
        # round 2: cut short inside the block
        self.expect(vm, r"mkapp: round 2/4: fenced block 1 of 1 \(```pxasm\), with _start, not closed: "
                        r"the answer was cut short")
        self.expect(vm, r"error: unknown label 'SYS_RE'; did you mean 'SYS_RECT'\?")
        self.expect(vm, r"mkapp: round 2/4: asm exited with status 1; sending its errors back")
        # round 3: it assembles, runs, prints, then faults
        self.expect(vm, r"mkapp: round 3/4: assembled /home/sunset\.pxe; running it in its own tile")
        self.expect(vm, r"sunset: a red sun over a blue sea, drawn on my canvas")
        self.expect(vm, r"mkapp: round 3/4: sunset fault 10: RET on an empty stack \(SP at or above 0xF000\)"
                        r"; pc 0x[0-9a-f]{4} word 0x00000045 \(RET\), address 0xf000; sending the fault back")
        # round 4: the program that works, in its own slot
        self.expect(vm, r"mkapp: round 4/4: assembled /home/sunset\.pxe; running it in its own tile")
        m = self.expect(vm, r"spawned pid (\d+) /home/sunset\.pxe \(parent \d+\) in slot (\d+)")
        slot = int(m.group(2))
        self.expect(vm, r"sunset: a red sun over a blue sea, drawn on my canvas")
        self.expect(vm, r"mkapp: sunset exited with status 0\. Written in 4 rounds: /home/sunset\.pxs and "
                        r"/home/sunset\.pxe \(run it again: sunset\.pxe\)")
        self.expect(vm, PROMPT)
        took = time.monotonic() - t0
        session = pxqemu.strip_ansi(vm.output[start:])
        self.assertEqual(re.findall(r"round (\d)/4: asking", session), ["1", "2", "3", "4"], "four rounds shown")

        time.sleep(1)  # the canvas reaches the screen at frame rate
        shot = vm.screendump(os.path.join(vm.dir, "sunset.png"))
        rec = pxqemu.read_vram_record(shot)
        self.assertEqual(rec["magic"], pxqemu.VRAM_RECORD_MAGIC, "no substrate record in row 0")
        cx, cy = rec["slot"][slot]["canvas"]
        canvas = shot.crop(cx, cy, 128, 128)
        d = canvas.data
        pixels = [(d[i], d[i + 1], d[i + 2]) for i in range(0, len(d), 3)]
        self.assertEqual(pixels.count(RED), 48 * 48, "the red 48x48 sun on the canvas of slot %d" % slot)
        self.assertGreater(pixels.count(BLUE), 128 * 128 - 48 * 48 - 1200, "the blue sea around it")
        self.assertEqual(canvas.get_pixel(64, 64), RED)
        self.assertEqual(canvas.get_pixel(5, 5), BLUE)

        # the files, in pxOS and in pxbridge's directory
        pxqemu.wait_file(os.path.join(home, "sunset.pxs"), final_code.encode())
        pxqemu.wait_file(os.path.join(home, "sunset.pxe"), final_pxe)
        pxqemu.wait_file(os.path.join(home, "sunset.reply"), final_answer.encode())
        self.assertFalse([n for n in os.listdir(home) if n.endswith(".err")], "asm's error file stays in /tmp")
        # the program beside its source: edit draws the text on its canvas
        vm.send("edit sunset.pxs\r")
        self.expect(vm, r" sunset\.pxs +line 1/%d, col 1 " % (final_code.count("\n") + 1))
        time.sleep(1)
        shot = vm.screendump(os.path.join(vm.dir, "mkapp-edit.png"))
        vm.send("\x11")
        self.expect(vm, PROMPT)
        vm.send("sunset.pxe\r")
        self.expect(vm, r"sunset: a red sun over a blue sea, drawn on my canvas")
        self.expect(vm, PROMPT)

        # Ctrl-C while the LLM is asked
        vm.send("mkapp slow counts\r")
        self.expect(vm, r"mkapp: round 1/4: asking the LLM")
        time.sleep(2)
        vm.send("\x03")
        self.expect(vm, r"mkapp: stopped \(Ctrl-C\)")
        self.expect(vm, PROMPT)
        vm.send("echo still here\r")
        self.expect(vm, r"(?m)^still here\r?$")

        # mkapp --python: an AttributeError sent back, then the program runs
        vm.send("mkapp --python bars a green bar\r")
        self.expect(vm, r"mkapp: round 1/4: asking the LLM \(system prompt python")
        self.expect(vm, r"mkapp: round 1/4: bars\.py stopped with AttributeError: 'module' object has no "
                        r"attribute 'fill_rect'; sending it back")
        self.expect(vm, r"mkapp: round 2/4: running /home/bars\.py in its own tile")
        m = self.expect(vm, r"spawned pid (\d+) /tmp/bars\.py \(parent \d+\) in slot (\d+)")
        slot = int(m.group(2))
        self.expect(vm, r"mkapp: bars\.py exited with status 0\. Written in 2 rounds: /home/bars\.py")
        self.expect(vm, PROMPT)
        time.sleep(1)
        shot = vm.screendump(os.path.join(vm.dir, "bars.png"))
        cx, cy = pxqemu.read_vram_record(shot)["slot"][slot]["canvas"]
        d = shot.crop(cx, cy, 128, 128).data
        green = sum(1 for i in range(0, len(d), 3) if (d[i], d[i + 1], d[i + 2]) == GREEN)
        self.assertEqual(green, 64 * 32, "the green 64x32 bar on the canvas of slot %d" % slot)
        pxqemu.wait_file(os.path.join(home, "bars.py"), script_replies(PY_SCRIPT)[1][0].split(
            "```python\n", 1)[1].split("```", 1)[0].encode())

        text = pxqemu.strip_ansi(vm.output)
        # the one traceback is that of bars.py's round 1 (its AttributeError)
        self.assertEqual(text.count("Traceback"), 1, "mkapp never shows a traceback of its own")
        self.assertNotRegex(text, r"\] ERROR |panic", "no kernel errors during the session")
        print("mkapp: four rounds in %.1f s" % took, file=sys.stderr)


def main():
    return pxqemu.test_main("mkapp", __doc__, CFG, (MkappTests,),
                            need=("tools/pxbridge", "tools/pxasm"))


if __name__ == "__main__":
    sys.exit(main())
