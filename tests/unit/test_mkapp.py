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
  cli       mkapp's command line: no arguments, a bad NAME, --help (usage,
            status 2); without an LLM bridge (pxsim answers -ENOBRIDGE) a
            clear message and status 1, never a traceback.

Prints one line per failure (every case with -v) and the wall time; exit
status 0 when all pass.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

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

    def mkapp(self, args, adds=(), typed=None):
        """/apps/mkapp ARGS in pxsim -> (status, stdout text, stderr text)."""
        cmd = [self.pxsim, "--quiet", "--fs", self.fs]
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


def part_cli(env):
    for name, args, typed, status, text in [
            ("no arguments", [], None, 2, "usage: mkapp NAME [what it should do]"),
            ("--help", ["--help"], None, 2, "usage: mkapp NAME"),
            ("a bad name", ["../x", "draw"], None, 2, "mkapp: bad name '../x'"),
            ("no bridge", ["hello", "print", "hello"], None, 1, "mkapp: no LLM bridge"),
            ("no bridge, the words asked for", ["hello"], "a program that prints hello and draws a square\\n",
             1, "mkapp: no LLM bridge"),
            ("no words typed", ["hello"], "\\n", 2, "usage: mkapp NAME")]:
        got, out, err = env.mkapp(args, typed=typed)
        env.check("cli: " + name, got == status and text in out + err and "Traceback" not in out + err,
                  "status %d (want %d), output:\n%s%s" % (got, status, out[-800:], err[-800:]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    t0 = time.monotonic()
    env = Env(args.build, args.v)
    part_extract(env)
    part_cli(env)
    print("test_mkapp: %d checks, %d failed, %.1f s" % (env.count, len(env.failures), time.monotonic() - t0))
    return 1 if env.failures else 0


if __name__ == "__main__":
    sys.exit(main())
