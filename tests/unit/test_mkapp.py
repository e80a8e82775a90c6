#!/usr/bin/python3
"""test_mkapp.py --build DIR [-v]

/apps/mkapp (userland/apps/mkapp, Python) on the host, in pxsim with the
built ramdisk (build/pixelfs.png):

  extract   `mkapp --extract FILE` on sample LLM answers: prose around a
            fenced block (```pxasm, ```asm, no tag, ~~~), several blocks (the
            one with _start wins, else the one with the most code; blocks in
            other languages are never taken), no fence (the whole answer
            only when it looks like pxasm), an answer cut short inside its
            block (taken as it is), CR LF line ends. Each case checks the
            code mkapp takes byte for byte and the rule it names.
  extract --python  the same for Python answers: ```python / ```py blocks (the
            longest wins), a pxasm block is not taken, no fence (the whole
            answer when it compiles), cut short.
  cli       mkapp's command line: no arguments, a bad NAME, --help (usage,
            status 2); without an LLM bridge (pxsim answers -ENOBRIDGE) a
            clear message and status 1, never a traceback.
  session   the whole loop in pxsim with --llm-script
            tests/llm/mkapp-sunset.script (the QEMU test's four rounds, in
            under a second): each round's rule, asm's errors on stderr, the
            fault sent back, the program's line, its drawing on its canvas
            (the screen written with --png); a rule file whose answers never
            hold code ends after 4 rounds with status 1; a bridge error is
            one line, status 1.

Prints one line per failure (every case with -v) and the wall time; exit
status 0 when all pass.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "qemu"))
import pxqemu  # noqa: E402

SCRIPT = os.path.join(REPO, "tests", "llm", "mkapp-sunset.script")
RED, BLUE = (255, 32, 32), (32, 64, 200)   # the sunset program's colours

PROG = """\
.include "pxos.inc"
_start:
    IMM32 R1, msg
    SYSCALL SYS_PRINT
    IMM8  R1, 0
    SYSCALL SYS_EXIT
msg: .string "hello"
"""
SNIPPET = """\
    IMM8  R1, 5
    SYSCALL SYS_SLEEP
"""

# (name, answer, the code mkapp takes (None: none), a piece of the rule it names)
CASES = [
    ("prose around a ```pxasm block",
     "Sure! Here is the program you asked for.\n\n```pxasm\n" + PROG + "```\n\n"
     "It prints a line with SYS_PRINT. Let me know if you need anything else.\n",
     PROG, "fenced block 1 of 1 (```pxasm), with _start"),
    ("```asm", "Here:\n```asm\n" + PROG + "```\n", PROG, "(```asm)"),
    ("a fence without a tag", "```\n" + PROG + "```\nDone.\n", PROG, "(```)"),
    ("~~~ and an indented fence", "Program:\n   ~~~pxasm\n" + PROG + "   ~~~\n", PROG, "(```pxasm)"),
    ("several blocks: the one with _start",
     "First run it with\n```sh\nasm hi.pxs\n```\nThe loop is\n```pxasm\n" + SNIPPET + "```\n"
     "and the whole program:\n```pxasm\n" + PROG + "```\nA longer variant without the entry:\n"
     "```pxasm\n" + SNIPPET * 4 + "```\n",
     PROG, "fenced block 3 of 4 (```pxasm), with _start"),
    ("several blocks without _start: the most code",
     "```pxasm\n" + SNIPPET + "```\n```asm\n" + SNIPPET * 3 + "```\n",
     SNIPPET * 3, "fenced block 2 of 2 (```asm)"),
    ("a block in another language is not taken",
     "In Python this would be:\n```python\nprint('hello')\nx = 1\ny = 2\n```\n", None, "no pxasm code"),
    ("no fence: pxasm", PROG, PROG, "no fence: the whole answer looks like pxasm"),
    ("no fence: lower-case mnemonics", PROG.lower(), PROG.lower(), "no fence: the whole answer looks like pxasm"),
    ("prose with short lines",
     "Sorry, I cannot do that.\nIt is hard.\nTry again later, maybe tomorrow.\nbest regards\n", None,
     "no pxasm code in the answer (0 fenced blocks)"),
    ("no fence: prose",
     "I am sorry, I cannot write that program. The canvas is 128 by 128 pixels.\n"
     "HALT stops it.\nMOV copies a register.\n", None, "no pxasm code in the answer (0 fenced blocks)"),
    ("cut short inside its block",
     "Here is the program:\n\n```pxasm\n.include \"pxos.inc\"\n_start:\n    IMM32 R1, msg\n    SYSCA",
     ".include \"pxos.inc\"\n_start:\n    IMM32 R1, msg\n    SYSCA\n",
     "not closed: the answer was cut short"),
    ("CR LF line ends",
     "Here:\r\n```pxasm\r\n" + PROG.replace("\n", "\r\n") + "```\r\n", PROG, "(```pxasm), with _start"),
    ("an empty block, then the code without a fence is not mixed",
     "```pxasm\n```\n", None, "no pxasm code in the answer (1 fenced blocks)"),
]


PYPROG = 'import pxos\n\nprint("hi")\npxos.rect(0, 0, 8, 8, (255, 0, 0))\n'
# mkapp --extract --python: (name, answer, the code taken (None: none), a piece of the rule)
PY_CASES = [
    ("prose around a ```python block", "Here it is:\n\n```python\n" + PYPROG + "```\nEnjoy!\n", PYPROG,
     "fenced block 1 of 1 (```python)"),
    ("the longest of two blocks",
     "Install nothing:\n```py\nimport pxos\n```\nThe program:\n```py\n" + PYPROG + "```\n", PYPROG,
     "fenced block 2 of 2 (```py)"),
    ("a pxasm block is not Python", "```pxasm\n" + PROG + "```\n", None, "no Python code in the answer"),
    ("no fence: it compiles", PYPROG, PYPROG, "no fence: the whole answer is Python"),
    ("no fence: prose", "I cannot draw that, sorry.\n", None, "no Python code in the answer (0 fenced blocks)"),
    ("cut short", "```python\nimport pxos\nprint(\"hi", "import pxos\nprint(\"hi\n",
     "not closed: the answer was cut short"),
]
PY_SCRIPT = os.path.join(REPO, "tests", "llm", "mkapp-python.script")
GREEN = (40, 200, 80)                       # the bars program's bar


class Env:
    def __init__(self, build, verbose):
        self.build = os.path.abspath(build)
        self.pxsim = os.path.join(self.build, "tools", "pxsim")
        self.fs = os.path.join(self.build, "pixelfs.png")
        for f in (self.pxsim, self.fs):
            if not os.path.exists(f):
                sys.exit("test_mkapp: %s is missing (make first)" % f)
        self.tmp = tempfile.mkdtemp(prefix="test_mkapp.")
        self.verbose = verbose
        self.count = 0
        self.failures = []

    def mkapp(self, args, adds=(), typed=None, script=None, png=None):
        """/apps/mkapp ARGS in pxsim (answers from rules file `script`) ->
        (status, stdout text, stderr text)."""
        cmd = [self.pxsim, "--quiet", "--fs", self.fs]
        if script:
            cmd += ["--llm-script", script]
        if png:
            cmd += ["--png", png]
        for host, path in adds:
            cmd += ["--add", "%s=%s" % (host, path)]
        if typed is not None:
            cmd += ["--type", typed]
        cmd += ["/apps/mkapp"] + args
        p = subprocess.run(cmd, capture_output=True, timeout=60)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

    def check(self, name, ok, detail):
        self.count += 1
        if ok:
            if self.verbose:
                print("ok   %s" % name)
            return
        self.failures.append(name)
        print("FAIL %s\n     %s" % (name, detail.replace("\n", "\n     ")))


def part_extract(env):
    for i, (name, answer, code, rule) in enumerate(CASES):
        path = os.path.join(env.tmp, "answer%d.txt" % i)
        with open(path, "wb") as f:
            f.write(answer.encode())
        status, out, err = env.mkapp(["--extract", "/home/a.txt"], adds=[(path, "/home/a.txt")])
        first, _, rest = out.partition("\n")
        want_status = 0 if code is not None else 1
        ok = (status == want_status and first.startswith("mkapp: ") and rule in first
              and rest == (code or "") and "Traceback" not in err)
        env.check("extract: " + name, ok, "status %d (want %d)\nrule: %r (want %r)\ncode: %r\nwant: %r\nstderr: %s"
                  % (status, want_status, first, rule, rest, code, err[-500:]))


def part_extract_python(env):
    for i, (name, answer, code, rule) in enumerate(PY_CASES):
        path = os.path.join(env.tmp, "pyanswer%d.txt" % i)
        with open(path, "wb") as f:
            f.write(answer.encode())
        status, out, err = env.mkapp(["--extract", "--python", "/home/a.txt"], adds=[(path, "/home/a.txt")])
        first, _, rest = out.partition("\n")
        want_status = 0 if code is not None else 1
        ok = (status == want_status and first.startswith("mkapp: ") and rule in first
              and rest == (code or "") and "Traceback" not in err)
        env.check("extract --python: " + name, ok, "status %d (want %d)\nrule: %r (want %r)\ncode: %r\nwant: %r\n"
                  "stderr: %s" % (status, want_status, first, rule, rest, code, err[-500:]))


def part_cli(env):
    for name, args, typed, status, text in [
            ("no arguments", [], None, 2, "usage: mkapp [--python] NAME [what it should do]"),
            ("--help", ["--help"], None, 2, "usage: mkapp [--python] NAME"),
            ("a bad name", ["../x", "draw"], None, 2, "mkapp: bad name '../x'"),
            ("no bridge", ["hello", "print", "hello"], None, 1, "mkapp: no LLM bridge"),
            ("no bridge, the words asked for", ["hello"], "a program that prints hello and draws a square\\n",
             1, "mkapp: no LLM bridge"),
            ("no words typed", ["hello"], "\\n", 2, "usage: mkapp [--python] NAME")]:
        got, out, err = env.mkapp(args, typed=typed)
        env.check("cli: " + name, got == status and text in out + err and "Traceback" not in out + err,
                  "status %d (want %d), output:\n%s%s" % (got, status, out[-800:], err[-800:]))


def canvases(png):
    """The 128x128 canvases of every slot in a pxsim screen (its VRAM record)."""
    img = pxqemu.Image.load_png(png)
    rec = pxqemu.read_vram_record(img)
    return [img.crop(sl["canvas"][0], sl["canvas"][1], 128, 128) for sl in rec["slot"]]


def part_session(env):
    png = os.path.join(env.tmp, "sunset.png")
    status, out, err = env.mkapp(["sunset"], typed="a red sun over a blue sea\\n", script=SCRIPT, png=png)
    rounds = re.findall(r"mkapp: round (\d)/4: asking the LLM \(system prompt pxasm", out)
    steps = [
        "fenced block 2 of 2 (```pxasm), with _start: 36 lines -> /home/sunset.pxs; assembling",
        "round 1/4: asm exited with status 1; sending its errors back",
        "round 2/4: fenced block 1 of 1 (```pxasm), with _start, not closed: the answer was cut short",
        "round 2/4: asm exited with status 1; sending its errors back",
        "round 3/4: assembled /home/sunset.pxe; running it in its own tile",
        "round 3/4: sunset fault 10: RET on an empty stack (SP at or above 0xF000)",
        "round 4/4: fenced block 1 of 1 (```asm), with _start",
        "mkapp: sunset exited with status 0. Written in 4 rounds: /home/sunset.pxs and /home/sunset.pxe",
    ]
    missing = [t for t in steps if t not in out]
    errs = ["/home/sunset.pxs:19:5: error: unknown mnemonic 'MOVI'; did you mean 'MOV'?",
            "/home/sunset.pxs:17:13: error: unknown label 'SYS_RE'; did you mean 'SYS_RECT'?"]
    missing += [t for t in errs if t not in err]
    env.check("session: four rounds", status == 0 and rounds == ["1", "2", "3", "4"] and not missing
              and out.count("sunset: a red sun over a blue sea, drawn on my canvas") == 2
              and "Traceback" not in out + err,
              "status %d, rounds %s, missing %s\n%s%s" % (status, rounds, missing, out[-1500:], err[-800:]))
    drawn = []
    if os.path.exists(png):
        for c in canvases(png):
            d = c.data
            px = [(d[i], d[i + 1], d[i + 2]) for i in range(0, len(d), 3)]
            drawn.append((px.count(RED), px.count(BLUE) > 128 * 128 - 48 * 48 - 1200))
    env.check("session: the drawing", (48 * 48, True) in drawn,
              "no canvas with the 48x48 red sun on blue: (red pixels, blue around) per slot %s" % drawn)

    nocode = os.path.join(env.tmp, "nocode.script")
    with open(nocode, "w") as f:
        f.write("rule: *\nkind: chat\nreply: I cannot write programs, but MOV copies a register.\\n\n")
    status, out, err = env.mkapp(["idle", "draw", "a", "dot"], script=nocode)
    env.check("session: no code in 4 answers", status == 1
              and out.count("no pxasm code in the answer (0 fenced blocks); asking again") == 4
              and "mkapp: no working program after 4 rounds" in out and "Traceback" not in out + err,
              "status %d\n%s%s" % (status, out[-1200:], err[-500:]))

    failing = os.path.join(env.tmp, "fail.script")
    with open(failing, "w") as f:
        f.write("rule: *\nkind: chat\nfail: the model is not loaded\n")
    status, out, err = env.mkapp(["broken", "draw", "a", "dot"], script=failing)
    env.check("session: a bridge error", status == 1
              and re.search(r"(?m)^mkapp: the LLM call failed: .+ \(pxbridge's log says more\)", out)
              and "Traceback" not in out + err, "status %d\n%s%s" % (status, out[-800:], err[-500:]))


def part_python(env):
    png = os.path.join(env.tmp, "bars.png")
    status, out, err = env.mkapp(["--python", "bars", "a", "green", "bar"], script=PY_SCRIPT, png=png)
    steps = ["round 1/4: fenced block 1 of 1 (```python): 5 lines -> /home/bars.py",
             "round 1/4: running /home/bars.py in its own tile",
             "round 1/4: bars.py stopped with AttributeError: 'module' object has no attribute 'fill_rect'; "
             "sending it back",
             "mkapp: bars.py exited with status 0. Written in 2 rounds: /home/bars.py (run it again: bars.py)"]
    missing = [t for t in steps if t not in out]
    env.check("python: two rounds", status == 0 and not missing and "AttributeError" in err
              and out.count("bars: a green bar on a dark canvas") == 2,
              "status %d, missing %s\n%s%s" % (status, missing, out[-1500:], err[-800:]))
    drawn = []
    if os.path.exists(png):
        for c in canvases(png):
            d = c.data
            drawn.append(sum(1 for i in range(0, len(d), 3) if (d[i], d[i + 1], d[i + 2]) == GREEN))
    env.check("python: the drawing", 64 * 32 in drawn, "green pixels per canvas: %s" % drawn)

    syntax = os.path.join(env.tmp, "syntax.script")
    with open(syntax, "w") as f:
        f.write("rule: *\nkind: chat\nsystem: python\nreply: ```python\\nprint('one'\\n```\\n\n"
                "next:\nreply: ```python\\nprint('two')\\n```\\n\n")
    status, out, err = env.mkapp(["--python", "two", "print", "two"], script=syntax)
    env.check("python: a syntax error sent back", status == 0
              and "round 1/4: SyntaxError: " in out and "; sending it back" in out
              and "Written in 2 rounds: /home/two.py" in out and "Traceback" not in out + err,
              "status %d\n%s%s" % (status, out[-1200:], err[-500:]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    t0 = time.monotonic()
    env = Env(args.build, args.v)
    part_extract(env)
    part_extract_python(env)
    part_cli(env)
    part_session(env)
    part_python(env)
    print("test_mkapp: %d checks, %d failed, %.1f s" % (env.count, len(env.failures), time.monotonic() - t0))
    return 1 if env.failures else 0


if __name__ == "__main__":
    sys.exit(main())
