#!/usr/bin/python3
"""test_asm.py --build DIR [--random N] [--seed S] [--part NAME,...] [-v]

asm, the assembler that runs inside pxOS (userland/apps/asm.pxs), against
the host's pxasm, run inside pxsim (build/tools/pxsim) through the test
driver tests/selfhost/asmrun.pxs. For each case both assemble the same
files with the same command line (asm searches /lib after the -I
directories, so the host gets "-I /lib" last); they must agree byte for
byte: the exit status, the output file (none after an error) and stderr
(pxasm's "pxasm:" reads "asm:").

Parts (all by default):
  repo      every .pxs file in the repository, with the include directories
            the build uses (also the ones that are not programs: their
            diagnostics must agree too)
  cases     every source of the host's own tests (tests/unit/test_pxasm.c:
            each expect_error/expect_bytes/expect_words/assemble source and
            the error_cases table, extracted from the C file), plus the tests
            it builds in code: every opcode, the include tests, the limits
  cli       asm's command line (usage errors, unreadable input, a failed
            assembly leaves no output and keeps an existing one, -e FILE
            holds what asm printed on stderr: pxasm's diagnostics)
  shell     the built ramdisk booted in pxsim: asm run from the shell finds
            pxos.inc and std.pxs in /lib, and the program it wrote runs
  random    N generated programs (default 60) from seed S (default 1; both
            printed): labels, local labels, forward references, 64-bit
            expressions, constants, macros, data, fills; a third of them
            with one line mangled, so that the diagnostics are compared too
  fixpoint  the host-built asm assembling asm.pxs gives pxasm's bytes, and
            that output assembling asm.pxs again gives them once more, the
            very bytes of the asm.pxe the build made (asm.pxs
            has ~1,600 symbols: they fit only because they live in asm's
            symbol server, docs/pxasm.md "asm inside pxOS")
  server    asm's symbol server ends with asm: in the booted shell, asm
            assembling asm.pxs is stopped in the middle by Ctrl-C, by a fault
            (an asm with a BRK in its emission pass), by a kill of asm alone
            (its pid, not its job: the server sees its parent change), and
            in a fourth run its server is killed (asm reports it and exits
            1); each time `ps` then lists no asm process

asm's documented limits (docs/pxasm.md, "asm inside pxOS") make two host
cases differ on purpose; they are checked for asm's own answer instead: the
chain of 3500 constants (more symbols than the symbol server's memory holds:
"asm: out of memory") and an include file that cannot be read (pxOS words
the reason: "is a directory").

Prints one line per failure and a summary with the wall time; exit status 0
when all agree.
"""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOG_LINE = re.compile(r"^\[\s*\d+\.\d+\] ")


class Env:
    def __init__(self, build, verbose):
        self.build = os.path.abspath(build)
        self.pxasm = os.path.join(self.build, "tools", "pxasm")
        self.pxsim = os.path.join(self.build, "tools", "pxsim")
        self.pxfs = os.path.join(self.build, "tools", "pxfs")
        self.asm = os.path.join(self.build, "userland", "apps", "asm.pxe")
        self.asmrun = os.path.join(self.build, "tests", "selfhost", "asmrun.pxe")
        self.inc = os.path.join(self.build, "userland", "include")
        self.tmp = tempfile.mkdtemp(prefix="test_asm.")
        self.verbose = verbose
        self.failures = []
        self.count = 0
        for f in (self.pxasm, self.pxsim, self.pxfs, self.asm, self.asmrun):
            if not os.path.exists(f):
                sys.exit("test_asm: %s is missing (make first)" % f)

    def host(self, cwd, args):
        """pxasm with args (+ -I /lib) in cwd -> (status, output bytes, stderr)."""
        out = os.path.join(cwd, "out.pxe")
        if os.path.exists(out):
            os.remove(out)
        p = subprocess.run([self.pxasm] + args + ["-I", "/lib", "-o", "out.pxe"], cwd=cwd,
                           capture_output=True, timeout=120)
        data = open(out, "rb").read() if os.path.exists(out) else b""
        err = p.stderr.decode("utf-8", "replace").replace("pxasm: ", "asm: ")
        return p.returncode, data, err

    @staticmethod
    def home(path):
        """Where a test file goes in pxOS: under /home (relative names resolve
        there, as the host's resolve in pxasm's working directory), unless it is
        in /home or /tmp already; the rest of the namespace is read-only."""
        return path if path.startswith(("/home/", "/tmp/")) else "/home" + path

    def sim(self, files, args, asm=None, out="/out.pxe", image=None, max_steps=4000000000):
        """asm inside pxsim: files {path: host path}, each put under /home (Env.home),
        or an image whose tree is there already -> (status, output, stderr)."""
        cmd = [self.pxsim, "--quiet", "--max-steps", str(max_steps)]
        if image:
            cmd += ["--fs", image, "/bin/asmrun"]
        else:
            for path, host in sorted(files.items()):
                cmd += ["--add", "%s=%s" % (host, self.home(path))]
            cmd += ["--add", "%s=/apps/asm" % (asm or self.asm), self.asmrun]
        cmd += ["/apps/asm", self.home(out)] + args
        p = subprocess.run(cmd, capture_output=True, timeout=600)
        err = "".join(l for l in p.stderr.decode("utf-8", "replace").splitlines(True)
                      if not LOG_LINE.match(l))
        return p.returncode, p.stdout, err

    def image(self, root, extra):
        """A PixelFS image of directory root plus {pixelfs path: host file}. Test
        files go in root/home: pxOS copies them into /home at boot (within its
        quota of files and bytes), where asm can write beside them."""
        for path, host in extra.items():
            dst = os.path.join(root, path.lstrip("/"))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy(host, dst)
        img = root.rstrip("/") + ".png"
        subprocess.run([self.pxfs, "build", img, root], check=True, capture_output=True)
        return img

    def check(self, name, want, got, expect_differs=None):
        self.count += 1
        if expect_differs:
            ok = expect_differs(got)
        else:
            ok = want == got
        if ok:
            if self.verbose:
                print("ok   %s" % name)
            return True
        self.failures.append(name)
        print("FAIL %s" % name)
        if want is None:
            print("     asm: status %d, %d bytes out, stderr:\n%s" % (got[0], len(got[1]), got[2][-1500:]))
            return False
        if want[0] != got[0]:
            print("     exit status: pxasm %d, asm %d" % (want[0], got[0]))
        if want[1] != got[1]:
            print("     output: pxasm %d bytes, asm %d bytes" % (len(want[1]), len(got[1])))
        if want[2] != got[2]:
            import difflib
            diff = list(difflib.unified_diff(want[2].splitlines(True), got[2].splitlines(True), "pxasm", "asm"))
            sys.stdout.write("".join("     " + l for l in diff[:40]))
        return False

    def compare(self, name, files, args, expect_differs=None, max_steps=4000000000):
        """Write files {relative path: text or bytes} to a fresh directory, assemble
        there with both, compare."""
        d = tempfile.mkdtemp(dir=self.tmp)
        paths = {}
        for rel, text in files.items():
            full = os.path.join(d, rel)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            if text is None:                 # a directory where a file is looked for
                os.makedirs(full, exist_ok=True)
                continue
            with open(full, "wb") as f:
                f.write(text.encode() if isinstance(text, str) else text)
            paths["/" + rel] = full
        want = self.host(d, args)
        dirs = [rel for rel, text in files.items() if text is None]
        if len(paths) > 28 or dirs:
            fs = d + ".fs"          # an image: many files, or a directory where a file is looked for
            shutil.copytree(d, os.path.join(fs, "home"))
            for rel in dirs:
                os.rmdir(os.path.join(fs, "home", rel))
                os.makedirs(os.path.join(fs, "home", rel))
                open(os.path.join(fs, "home", rel, "f"), "w").close()
            img = self.image(fs, {"/apps/asm.pxe": self.asm, "/bin/asmrun.pxe": self.asmrun})
            got = self.sim({}, self.asm_args(args), image=img, max_steps=max_steps)
        else:
            got = self.sim(paths, self.asm_args(args), max_steps=max_steps)
        return self.check(name, want, got, expect_differs)

    @staticmethod
    def asm_args(args):
        """pxasm's "-I dir" as "-Idir": argv holds 8 words in pxOS."""
        out, i = [], 0
        while i < len(args):
            if args[i] == "-I":
                out.append("-I" + args[i + 1])
                i += 2
            else:
                out.append(args[i])
                i += 1
        return out + ["-o", "out.pxe"]


# ---- The repository ------------------------------------------------------------------------

def repo_flags(path):
    if path.startswith("tests/unit/pxasm/"):
        return ["-I", "tests/unit/pxasm/lib"]
    flags = ["-I", "build/userland/include", "-I", "userland/lib"]
    if path.startswith("tests/bench/"):
        flags += ["-I", "tests/bench"]
    return flags


def part_repo(env):
    """Every .pxs in the repository, in PixelFS images that mirror the tree
    under /home: one per directory of sources, with its subdirectories and the
    include directories its sources use (the whole tree would be over /home's
    quota of files)."""
    files = subprocess.run(["git", "ls-files", "*.pxs", "*.inc"], cwd=REPO, capture_output=True,
                           text=True).stdout.split()
    if not files:   # not a git checkout: the tree as it is
        for top in ("userland", "tests"):
            for dirpath, _, names in os.walk(os.path.join(REPO, top)):
                files += [os.path.relpath(os.path.join(dirpath, n), REPO) for n in names
                          if n.endswith((".pxs", ".inc"))]
    stage = os.path.join(env.tmp, "repo")
    for f in files:
        os.makedirs(os.path.dirname(os.path.join(stage, f)), exist_ok=True)
        shutil.copy(os.path.join(REPO, f), os.path.join(stage, f))
    for inc in ("pxos.inc", "pxops.inc"):
        dst = os.path.join(stage, "build", "userland", "include", inc)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy(os.path.join(env.inc, inc), dst)
    images = {}
    n = 0
    for f in sorted(files):
        if not f.endswith(".pxs") or f == "userland/apps/asm.pxs":    # that one is the fixpoint part
            continue
        args = repo_flags(f) + [f]
        group = os.path.dirname(f)
        if group not in images:
            dirs = [group] + [a for a in args if a not in ("-I", f)]
            root = os.path.join(env.tmp, "repo%d" % len(images))
            for g in files + ["build/userland/include/pxos.inc", "build/userland/include/pxops.inc"]:
                if any(os.path.dirname(g) == d or g.startswith(d + "/") for d in dirs):
                    os.makedirs(os.path.dirname(os.path.join(root, "home", g)), exist_ok=True)
                    shutil.copy(os.path.join(stage, g), os.path.join(root, "home", g))
            images[group] = env.image(root, {"/apps/asm.pxe": env.asm, "/bin/asmrun.pxe": env.asmrun})
        want = env.host(stage, args)
        out = "/" + os.path.splitext(f)[0] + ".pxe"   # the default output name: argv is short
        asm_args = [a for a in Env.asm_args(args) if a not in ("-o", "out.pxe")]
        got = env.sim({}, asm_args, out=out, image=images[group])
        env.check("repo " + f, want, got)
        n += 1
    return n


# ---- The host's own test cases -----------------------------------------------------------

C_ESC = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'", "a": "\a"}


def c_string_group(text, i):
    """Adjacent C string literals at text[i:] (after spaces) -> (value, end) or (None, i)."""
    val, found = [], False
    while True:
        j = i
        while j < len(text) and text[j] in " \t\r\n":
            j += 1
        if j >= len(text) or text[j] != '"':
            return ("".join(val) if found else None), i
        j += 1
        while text[j] != '"':
            c = text[j]
            if c == "\\":
                e = text[j + 1]
                if e == "x":
                    k = j + 2
                    while k < len(text) and text[k] in "0123456789abcdefABCDEF":
                        k += 1
                    val.append(chr(int(text[j + 2:k], 16)))
                    j = k
                    continue
                val.append(C_ESC.get(e, e))
                j += 2
            else:
                val.append(c)
                j += 1
        i = j + 1
        found = True


def host_test_sources():
    """The sources in tests/unit/test_pxasm.c: first arguments of expect_error,
    expect_bytes, expect_words and assemble, and the error_cases table."""
    text = open(os.path.join(REPO, "tests", "unit", "test_pxasm.c")).read()
    out = []
    for m in re.finditer(r"\b(expect_error|expect_bytes|expect_words|assemble)\(", text):
        s, _ = c_string_group(text, m.end())
        if s is not None:
            out.append(s)
    table = text[text.index("error_cases[] = {"):]
    table = table[:table.index("\n};")]
    for m in re.finditer(r"\{\s*\"", table):
        s, _ = c_string_group(table, m.start() + 1)
        if s is not None:
            out.append(s)
    exprs = text[text.index("test_expressions"):]
    exprs = exprs[exprs.index("cases[] = {"):exprs.index("};")]
    for m in re.finditer(r"\{\s*\"", exprs):
        s, _ = c_string_group(exprs, m.start() + 1)
        out.append(".word %s\n" % s)
    seen, uniq = set(), []
    for s in out:
        if s not in seen:
            seen.add(s)
            uniq.append(s)
    return uniq


def opcodes(env):
    """(mnemonic, syntax, imm class) of every opcode, from pxops.inc."""
    text = open(os.path.join(env.inc, "pxops.inc")).read()
    kinds = {int(v): k for k, v in re.findall(r"\.equ PXIMM_(\w+), (\d+)", text)}
    rows = re.findall(r'\.ascii "([^"]*)"\n\s+\.ascii "([^"]*)"\n\s+\.byte 0x[0-9A-F]+, (\d+)', text)
    return [(a.split("\\0")[0], b.split("\\0")[0], kinds[int(k)]) for a, b, k in rows]


def part_cases(env):
    n = 0
    for i, src in enumerate(host_test_sources()):
        env.compare("case %d %r" % (i, src[:50]), {"t.pxs": src}, ["-I", "lib", "-I", "other", "t.pxs"])
        n += 1
    # every opcode, as test_every_opcode_encoding and _operand_count build them
    imm = {"U8": "0xA5", "S16": "-2", "OFFSET": "-8", "U16": "0x1234", "TARGET": "0x0240",
           "ADDR": "0xF00C", "W32": "0x89ABCDEF", "NONE": ""}
    for k, (mn, syn, kind) in enumerate(opcodes(env)):
        ops, regs = [], iter(["R%d" % (k % 8), "R%d" % ((k + 3) % 8), "R%d" % ((k + 5) % 8)])
        for part in syn.split(",") if syn else []:
            if part in ("a", "b", "c"):
                ops.append(next(regs))
            elif part == "i":
                ops.append(imm[kind])
            else:
                ops.append("[R%d - 8]" % ((k + 3) % 8))
        for lower in (0, 1):
            line = (mn.lower() if lower else mn) + (" " + ", ".join(ops) if ops else "")
            if lower:
                line = line.replace("R", "r")
            env.compare("opcode %s" % line, {"t.pxs": line + "\n"}, ["t.pxs"])
        bad = mn + (" " + ", ".join(ops) + ", R1" if ops else " R1")
        env.compare("opcode count %s" % bad, {"t.pxs": bad + "\n"}, ["t.pxs"])
        n += 3
    # includes (test_includes, test_include_limits, test_include_cycles)
    inc = {"dir/a.pxs": '.include "b.pxs"\nA = B + 1\n', "dir/b.pxs": '.include "../dir/./c.pxs"\nB = C + 1\n',
           "dir/c.pxs": 'C = 10\n.include "deep.pxs"\n', "lib/deep.pxs": ".macro one\n.byte 1\n.endm\n",
           "other/x.pxs": ".byte 0xEE\n", "lib/x.pxs": ".byte 0xDD\n"}
    args = ["-I", "lib", "-I", "other", "t.pxs"]
    env.compare("includes", dict(inc, **{"t.pxs": '.include "dir/a.pxs"\n.byte A\none\n.include "x.pxs"\n'}), args)
    env.compare("include not found", dict(inc, **{"t.pxs": '.include "nope.pxs"\n'}), args)
    deep = {"d%d.pxs" % i: '.byte %d\n.include "d%d.pxs"\n' % (i, i + 1) for i in range(40)}
    env.compare("includes 33 deep", dict(deep, **{"t.pxs": '.include "d0.pxs"\n'}), args)
    env.compare("include unreadable", {"t.pxs": 'NOP\n.include "locked.pxs"\n', "locked.pxs": None}, args,
                expect_differs=lambda got: got[0] == 1 and not got[1] and
                "t.pxs:2:10: error: cannot read include file 'locked.pxs': is a directory\n" in got[2])
    cyc = {"p.pxs": '.byte 1\n.include "q/r.pxs"\n', "q/r.pxs": '\n.include "../p.pxs"\n',
           "self.pxs": '.include "self.pxs"\n'}
    env.compare("include cycle", cyc, ["-I", "lib", "-I", "other", "p.pxs"])
    env.compare("include itself", dict(cyc, **{"t.pxs": '.include "self.pxs"\n'}), args)
    env.compare("include in a macro", {"t.pxs": '.macro m\n.include "sub/i.pxs"\n.endm\nm\nm\n',
                                       "sub/i.pxs": 'X\\@: .byte 1\nFOO\n'}, args)
    n += 7
    # test_error_limit: 30 errors, 20 reported
    env.compare("error limit", {"t.pxs": "FOO\n" * 30}, args)
    env.compare("error order", {"t.pxs": "IMM8 R1, 999\nBAR R1\n"}, args)
    # test_limits
    s = "A0 = 1\n" + "".join("A%d = A%d + A%d\n" % (i, i - 1, i - 1) for i in range(1, 60))
    env.compare("doubling constants", {"t.pxs": s + ".word A20, A59 >> 40\n"}, args)
    # (3500, not pxasm's 6000: a file of /home holds at most 64 KiB, VFS_FILE_MAX)
    s = "".join("B%d = B%d + 1\n" % (i, i + 1) for i in range(3499)) + "B3499 = 1\n"
    env.compare("3500 chained constants (beyond the symbol server's memory)", {"t.pxs": s}, args,
                expect_differs=lambda got: got[0] == 1 and not got[1] and got[2].startswith("asm: out of memory"))
    env.compare("200 parentheses", {"t.pxs": ".word " + "(" * 200}, args)
    env.compare("200 unary operators", {"t.pxs": ".word " + "~-" * 100 + "1\n"}, args)
    s = ".macro m0\nNOP\n.endm\n" + "".join(".macro m%d\nm%d\nm%d\n.endm\n" % (i, i - 1, i - 1)
                                            for i in range(1, 30)) + "m29\n"
    env.compare("a million lines", {"t.pxs": s}, args)
    env.compare("image full", {"t.pxs": ".zero 0xEE00\nNOP\n"}, args)
    env.compare("image exactly full", {"t.pxs": ".zero 0xEDFC\nHALT\n"}, args)
    n += 9
    for i, src in enumerate(EXTRA):
        env.compare("extra %d %r" % (i, src[:50]), {"t.pxs": src}, args)
        n += 1
    env.compare("CR LF, byte order mark", {"t.pxs": b"\xef\xbb\xbfa: NOP\r\n JMP b\r\nb: HALT\r\n .byte '\x01\r\n"}, args)
    env.compare("a NUL in a line", {"t.pxs": b"NOP\n.byte 1 \x00 2\n.macro m\n.byte 2 \x00 3\n.endm\nm\n"}, args)
    n += 2
    return n


# Cases of pxasm's semantics beyond its own tests: layout, caching, cycles,
# scopes, 64-bit arithmetic, macros, entry points, the error limit.
EXTRA = [
    # layout: a constant using '.', a fill sized by a later label, passes
    "X = . + 4\n.zero X - 0x200\na: .word X, a\n",
    ".zero (e - s) & 12\ns: NOP\nNOP\ne: HALT\n",
    "K = e - s\n.zero K & 8\n.zero K & 4\ns: NOP\ne: HALT\n",
    ".align (e - s) & 16\ns: .byte 1\ne:\n",
    ".org s + 8\ns: HALT\n",
    ".zero 4 - ((b - a) & 4)\na: .byte 1, 2, 3\nb: HALT\n",
    # cycles and invalid constants
    "A = B + C\nB = A\nC = 1\n.word A\n",
    "A = A\n.word A\n",
    "X = 1 / 0\n.word X, X + 1\n",
    "X =\n.word X\n",
    "X = Y\nY = Z + 1\n.word X\n",
    # entry points
    "_start = 0x204\nNOP\nHALT\n",
    "_start = nowhere\nNOP\n",
    ".entry 0x201 + 3\nNOP\nNOP\n",
    ".entry x\n.entry 0x200\nNOP\n",
    "_start:\n.byte 1\n",
    "NOP\n_start: .byte 1\n.align 4\n",
    # scopes and names
    ".x: NOP\nJMP .x\nf:\n.x: JMP .x\n JMP f.x\n",
    "a.b: NOP\n.c: JMP a.b.c\n JMP .c\n",
    "JMP g.y\ng:\n.y: HALT\n",
    "f:\n.equ .k, 5\n.word .k, f.k\n",
    "f: NOP\n.x: NOP\ng: NOP\n JMP .x\n",
    "JMP thisisaverylongnamethatislongerthansixtyfourcharactersforsurexxxxxxxxxxx\n"
    "thisisaverylongnamethatislongerthansixtyfourcharactersforsurexxxxxxxxxx: NOP\n",
    "loop: NOP\nlop: NOP\nJMP loo\n",
    "R1x: NOP\nJMP r9\n.word R1y\n",
    # 64-bit arithmetic
    ".word -7 / 2, -7 % 2, 7 % -2, 7 / -2\n",
    ".word ((-9223372036854775807 - 1) / -1) >> 32, ((-9223372036854775807 - 1) % -1)\n",
    ".word (1 << 63) >> 62, (-1 >> 63), 0x8000000000000000 >> 63\n",
    "IMM32 R1, (0x100000000 * 0x100000000) + 5\nIMM32 R2, 0xFFFFFFFF * 0xFFFFFFFF\n",
    "IMM32 R1, (123456789 * 987654321) & 0xFFFFFFFF\nIMM32 R2, (123456789 * 987654321) >> 32\n",
    "IMM32 R1, (-123456789123 / 1000) & 0xFFFFFFFF\nIMM32 R2, (-123456789123 % 1000) & 0xFFFF\n",
    ".word 1 << -1\n.word 5 % 0, 3 / (1 - 1)\n",
    "IMM8 R1, ~0 & 0xFF\nIMM16 R1, -32768\nIMM16 R2, 65535\nADDI R1, R1, -1\n",
    # macros
    ".macro m n\n.string \"\\n\"\n.endm\nm 5\n",
    ".macro m a, ab\n.byte \\a, \\ab, \\a\\()b\n.endm\nm 1, 2\n",
    ".macro m\n.byte \\@\n.endm\nm\nm\n.macro w\nm\nm\n.endm\nw\n",
    ".macro m x\nLDW R1, [\\x]\n.endm\nm R2 + 4\nm (R3)\n",
    ".macro m x, y\n.byte \\x\n.endm\nm (1, 2), [3, 4]\nm \"a,b\", 'c'\n",
    ".macro m x\nFOO \\x\n.endm\n.macro n\nm 1\nm 2\n.endm\nn\n",
    ".macro m\na: NOP\n.endm\nm\nm\n",
    ".macro m\n.endm\nm:\n x: m\n",
    "m\n.macro m\n.endm\nmm\n",
    "prnt R1\n.macro print x\nNOP\n.endm\n",
    # names and expressions longer than one message to asm's symbol server:
    # staged names (over 224 bytes), a name sent by handle (over 200), a full
    # name sent back in parts (over 244), an RPN staged in parts
    "f%s: NOP\n JMP f%s\n.%s: JMP .%s\n JMP f%s.%s\n" % (("L" * 300,) * 6),
    "K%s = f + %s\n.word K%s, K%s + 1\nf: HALT\n" % ("N" * 250, " + ".join(["1"] * 160), "N" * 250, "N" * 250),
    "f%s:\n JMP .%s\n JMP f%sz\n" % ("Q" * 240, "R" * 230, "Q" * 240),
    ".word %s\n%s = 5\n" % (" + ".join("v%d%s" % (i, "W" * 20) for i in range(24)),
                           "\n".join("v%d%s = %d" % (i, "W" * 20, i) for i in range(24))),
    # 70 names in one expression (more than one SRV_REFS holds); a circular
    # definition found among the values of a second SRV_EVAL (15 per request)
    "a = 1\n.word " + " + ".join(["a"] * 70) + "\n",
    "B = 1\nA = " + " + ".join(["B"] * 16) + " + A\nC = A\n.word A, C\n",
    # 16384 lines without a symbol (each pass: millions of instructions in which
    # the symbol server, polling, falls asleep), then labels that need it again
    ".macro m0\n.byte 1\n.endm\n" + "".join(".macro m%d\nm%d\nm%d\n.endm\n" % (i, i - 1, i - 1)
                                        for i in range(1, 15)) + "a: m14\nb: .word a, b, c\nc: HALT\n",
    # the error limit, with notes, and both phases
    "a: NOP\n" + "a: NOP\n" * 25,
    ".include \"nope\"\n" * 12 + "FOO\n" * 12,
    "FOO\n" * 12 + ".include \"nope\"\n" * 12,
    "JMP nowhere\n" * 25,
]


# ---- The command line -----------------------------------------------------------------------

def part_cli(env):
    d = tempfile.mkdtemp(dir=env.tmp)
    prog = os.path.join(d, "prog.pxs")
    bad = os.path.join(d, "bad.pxs")
    old = os.path.join(d, "old.pxe")
    with open(prog, "w") as f:
        f.write("NOP\n_start: IMM8 R1, 7\nHALT\n")
    with open(bad, "w") as f:
        f.write("NOP\nJMP  nowhere\n")
    with open(old, "wb") as f:
        f.write(b"an older output\n")
    files = {"/prog.pxs": prog, "/bad.pxs": bad, "/old.pxe": old}
    olderr = os.path.join(d, "olderr.txt")
    with open(olderr, "w") as f:
        f.write("errors of an earlier run\n")
    files["/olderr.txt"] = olderr
    usage = ("usage: asm [-o out.pxe] [-I dir]... [--raw] [-e errors.txt] input.pxs\n")
    cases = [
        ("no input", [], "/x", lambda r: r[0] == 2 and r[2].startswith("asm: no input file\n" + usage)),
        ("unknown option", ["--bogus", "prog.pxs"], "/x",
         lambda r: r[0] == 2 and r[2].startswith("asm: unknown option '--bogus'\n" + usage)),
        ("-o without a value", ["-o"], "/x",
         lambda r: r[0] == 2 and r[2].startswith("asm: -o needs an argument\n" + usage)),
        ("-I without a value", ["prog.pxs", "-I"], "/x",
         lambda r: r[0] == 2 and r[2].startswith("asm: -I needs an argument\n")),
        ("two inputs", ["prog.pxs", "bad.pxs"], "/x",
         lambda r: r[0] == 2 and r[2] == "asm: more than one input file ('prog.pxs' and 'bad.pxs')\n"),
        ("same files", ["-o", "prog.pxs", "prog.pxs"], "/x",
         lambda r: r[0] == 2 and r[2] == "asm: the input and output files must differ\n"),
        ("missing input", ["missing.pxs"], "/missing.pxe",
         lambda r: r[0] == 1 and r[2] == "asm: cannot read 'missing.pxs': no such file or directory\n"),
        ("default output name", ["prog.pxs"], "/prog.pxe",
         lambda r: r[0] == 0 and r[1][:4] == b"PXE1" and len(r[1]) == 28),
        ("--raw", ["--raw", "prog.pxs"], "/prog.bin", lambda r: r[0] == 0 and len(r[1]) == 12),
        ("a failed assembly writes nothing", ["bad.pxs"], "/bad.pxe",
         lambda r: r[0] == 1 and r[1] == b"" and "1 error; no output written" in r[2]),
        ("a failed assembly keeps the old output", ["-o", "old.pxe", "bad.pxs"], "/old.pxe",
         lambda r: r[0] == 1 and r[1] == b"an older output\n" and "bad.pxs:2:6: error: unknown label "
         "'nowhere'\nJMP  nowhere\n     ^\n" in r[2]),
        ("an output over an old one", ["-o", "old.pxe", "prog.pxs"], "/old.pxe",
         lambda r: r[0] == 0 and r[1][:4] == b"PXE1"),
        ("help", ["-h"], "/x", lambda r: r[0] == 0 and "  -e FILE " in r[1].decode()),
        # -e FILE (asm only, for mkapp): stderr's bytes go to FILE too, which
        # asmrun prints as the output; a good assembly leaves FILE empty
        ("-e without a value", ["prog.pxs", "-e"], "/x",
         lambda r: r[0] == 2 and r[2].startswith("asm: -e needs an argument\n")),
        ("-e on the input", ["-e", "prog.pxs", "prog.pxs"], "/prog.pxs",
         lambda r: r[0] == 2 and r[1] == open(prog, "rb").read()
         and r[2] == "asm: the -e file must differ from the input and output files\n"),
        ("-e on the output", ["-e", "old.pxe", "-o", "old.pxe", "prog.pxs"], "/old.pxe",
         lambda r: r[0] == 2 and r[1] == b"an older output\n"),
        ("-e in a directory that cannot be written", ["-e", "/apps/e.txt", "prog.pxs"], "/prog.pxe",
         lambda r: r[0] == 1 and r[1] == b"" and r[2].startswith("asm: cannot write '/apps/e.txt': ")),
        ("-e empties the file on success", ["-e", "olderr.txt", "prog.pxs"], "/olderr.txt",
         lambda r: r[0] == 0 and r[1] == b"" and r[2] == ""),
    ]
    for name, args, out, ok in cases:
        got = env.sim(files, args, out=out)
        env.check("cli " + name, None, got, expect_differs=ok)
    # -e with errors: the file holds exactly what asm printed on stderr, which
    # is what pxasm prints
    want = env.host(d, ["bad.pxs"])
    got = env.sim(files, ["-e", "olderr.txt", "bad.pxs"], out="/olderr.txt")
    env.check("cli -e holds the diagnostics", (want[0], want[2], want[2]),
              (got[0], got[1].decode("utf-8", "replace"), got[2]))
    return len(cases) + 1 + part_cli_big(env, d)


def part_cli_big(env, d):
    """A source or include larger than PXASM_FILE_MAX: pxasm's words for it, from
    an asm built with a limit of 64 bytes (no PixelFS holds 16 MiB)."""
    big = os.path.join(d, "big.pxs")
    with open(big, "wb") as f:
        f.truncate(16 * 1024 * 1024 + 1)
    host = env.host(d, ["big.pxs"])
    small = os.path.join(d, "inc")
    os.makedirs(small)
    text = open(os.path.join(env.inc, "pxops.inc")).read()
    text, n = re.subn(r"(?m)^\.equ PXASM_FILE_MAX, \d+", ".equ PXASM_FILE_MAX, 64", text)
    if n != 1:
        env.check("cli big: PXASM_FILE_MAX in pxops.inc", "found", "not found")
        return 1
    with open(os.path.join(small, "pxops.inc"), "w") as f:
        f.write(text)
    asm64 = os.path.join(d, "asm64.pxe")
    subprocess.run([env.pxasm, "-I", small, "-I", env.inc, "-I", os.path.join(REPO, "userland", "lib"),
                    "-o", asm64, os.path.join(REPO, "userland", "apps", "asm.pxs")],
                   check=True, capture_output=True)
    with open(os.path.join(d, "main.pxs"), "w") as f:
        f.write('NOP\n  .include "big.pxs"\n')
    host_inc = env.host(d, ["main.pxs"])
    over = os.path.join(d, "over.pxs")
    with open(over, "w") as f:
        f.write("_start: HALT\n" + "; " + "x" * 49 + "\n")      # 65 bytes
    fit = os.path.join(d, "fit.pxs")
    with open(fit, "w") as f:
        f.write("_start: HALT\n" + "; " + "x" * 48 + "\n")      # 64 bytes
    files = {"/big.pxs": over, "/fit.pxs": fit, "/main.pxs": os.path.join(d, "main.pxs")}
    env.check("cli big: a source over the limit", host,
              env.sim(files, ["big.pxs"], asm=asm64, out="/big.pxe"))
    env.check("cli big: an include over the limit", host_inc,
              env.sim(files, ["main.pxs"], asm=asm64, out="/main.pxe"))
    env.check("cli big: a source at the limit", None, env.sim(files, ["fit.pxs"], asm=asm64, out="/fit.pxe"),
              expect_differs=lambda r: r[0] == 0 and r[1][:4] == b"PXE1")
    return 3


# ---- In the shell -------------------------------------------------------------------------

def part_shell(env):
    """Boot the ramdisk; assemble a program that includes pxos.inc and std.pxs
    from /lib, run it; a second, broken one reports its error and writes
    nothing."""
    d = tempfile.mkdtemp(dir=env.tmp)
    good = os.path.join(d, "hi.pxs")
    bad = os.path.join(d, "bad.pxs")
    with open(good, "w") as f:
        f.write('.include "pxos.inc"\n_start:\n    IMM32 R1, msg\n    CALL  puts\n    CALL  newline\n'
                '    HALT\nmsg: .string "assembled inside pxOS"\n    .align 4\n.include "std.pxs"\n')
    with open(bad, "w") as f:
        f.write('.include "pxos.inc"\n_start: SYSCALL SYS_NOPE\n')
    p = subprocess.run([env.pxsim, "--quiet", "--fs", os.path.join(env.build, "pixelfs.png"),
                        "--add", good + "=/tmp/hi.pxs", "--add", bad + "=/tmp/bad.pxs", "--boot", "--type",
                        "asm /tmp/hi.pxs\n/tmp/hi.pxe\nasm /tmp/bad.pxs\nls /tmp\n"],
                       capture_output=True, timeout=120)
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    checks = [
        ("shell: the program asm wrote runs", "\nassembled inside pxOS\n" in out),
        ("shell: an error is reported with its line",
         "/tmp/bad.pxs:2:17: error: unknown label 'SYS_NOPE'; did you mean 'SYS_TIME'?\n"
         "_start: SYSCALL SYS_NOPE\n                ^\nasm: 1 error; no output written\n" in err),
        ("shell: the failed assembly wrote no bad.pxe", "bad.pxe" not in out.split("ls /tmp", 1)[-1]),
        ("shell: no OUT.tmp left behind (RENAMEd, or UNLINKed after the error)",
         "hi.pxe" in out.split("ls /tmp", 1)[-1] and ".tmp" not in out.split("ls /tmp", 1)[-1]),
    ]
    for name, ok in checks:
        env.check(name, None, (p.returncode, b"", err), expect_differs=lambda got, ok=ok: ok)
    if not all(ok for _, ok in checks):
        print("     stdout:\n" + out[-2000:] + "\n     stderr:\n" + err[-2000:])
    return len(checks)


# ---- Random programs ------------------------------------------------------------------------

class Gen:
    """A random pxasm program: mostly valid, with every feature of the language."""

    INC = ("; inc.pxs: included by random programs\n"
           "INC_K = 0x55 << 4\n"
           ".macro from_inc r\n    IMM16 \\r, INC_K\n.endm\n")

    def __init__(self, rng, ops):
        self.includes = False
        self.r = rng
        self.ops = ops
        self.consts = []       # defined (or to be defined) constant names, in order
        self.labels = []       # instruction labels (4-aligned)
        self.data = []         # data labels
        self.local = []        # the current function's local labels, as written there
        self.lines = []

    def num(self):
        r = self.r
        k = r.randrange(8)
        if k == 0:
            return "0x%X" % r.randrange(0, 1 << r.choice((8, 16, 32, 60)))
        if k == 1:
            return "0b" + bin(r.randrange(0, 256))[2:]
        if k == 2:
            return r.choice(["'A'", "'\\n'", "'\\x41'", "'\\''", "' '", "'\\\\'", "'z'"])
        if k == 3:
            return str(r.randrange(0, 1 << 40))
        if k == 4:      # 64-bit edges: wrapping, the most negative value
            return r.choice(["0x7FFFFFFFFFFFFFFF", "(-9223372036854775807 - 1)", "0xFFFFFFFF",
                             "0x80000000", "-1", "(0 - 7)", "0x100000000"])
        return str(r.randrange(0, 300))

    def expr(self, depth=0, places=True):
        r = self.r
        if depth > 3 or r.random() < 0.35:
            k = r.randrange(10)
            if k < 2 and self.consts:
                return r.choice(self.consts)
            if k == 2 and places and self.labels:
                return r.choice(self.labels + self.local)
            if k == 3 and places:
                return "."
            return self.num()
        k = r.randrange(12)
        a, b = self.expr(depth + 1, places), self.expr(depth + 1, places)
        if k == 0:
            return "-" + a
        if k == 1:
            return "~(%s)" % a
        if k == 2:
            return "(%s)" % a
        if k == 3:
            return "(%s %s (%s | 1))" % (a, r.choice("/%"), b)
        if k == 4:
            return "((%s) %s ((%s) & 63))" % (a, r.choice(["<<", ">>"]), b)
        if k == 5:      # precedence and grouping without parentheses
            return "%s %s %s %s %s" % (self.num(), r.choice("+-*&|^"), self.num(), r.choice("+-*&|^"), self.num())
        return "(%s %s %s)" % (a, r.choice(["+", "-", "*", "&", "|", "^", "+", "-"]), b)

    def imm(self, kind):
        e = self.expr()
        return {"U8": "(%s) & 255", "S16": "(%s) & 32767", "OFFSET": "(%s) & 0x7FF",
                "U16": "(%s) & 0xFFFF", "ADDR": "(%s) & 0xFFFC", "W32": "(%s) & 0xFFFFFFFF",
                "TARGET": "(%s) & 0xFFFC"}[kind] % e

    def insn(self):
        r = self.r
        mn, syn, kind = r.choice(self.ops)
        ops = []
        for part in syn.split(",") if syn else []:
            if part in ("a", "b", "c"):
                ops.append(r.choice(["R%d" % r.randrange(8), "sp", "r%d" % r.randrange(8)]))
            elif part == "i":
                if kind == "TARGET" and self.labels and r.random() < 0.7:
                    ops.append(r.choice(self.labels + self.local))
                else:
                    ops.append(self.imm(kind))
            else:
                ops.append("[R%d %s %s]" % (r.randrange(8), r.choice("+-"), self.imm("OFFSET")))
        return "    %s %s" % (r.choice([mn, mn.lower()]), ", ".join(ops))

    def program(self, n):
        r = self.r
        out = self.lines
        out.append("; random program")
        self.consts = ["K%d" % i for i in range(r.randrange(3, 12))]
        defs = []
        for i, c in enumerate(self.consts):   # each uses only earlier ones: no cycles
            saved, self.consts = self.consts, self.consts[:i]
            defs.append("%s = %s" % (c, self.expr(1, places=r.random() < 0.3)) if r.random() < 0.5
                        else ".equ %s, %s" % (c, self.expr(1, places=False)))
            self.consts = saved
        r.shuffle(defs)                        # forward references between constants
        nfunc = r.randrange(2, 6)
        funcs = ["f%d" % i for i in range(nfunc)]
        self.labels = list(funcs) + ["%s.l%d" % (f, j) for f in funcs for j in range(3)]
        out.append(".macro mv%d a, b" % 0)
        out.append("    MOV \\a, \\b")
        out.append(".m\\@: ADDI \\a, \\a, 1")
        out.append("    JNZ \\a, .m\\@")
        out.append(".endm")
        out.append(".macro data n, v")
        out.append("\\n\\()_s: .string \"v=\\v\"")
        out.append("    .align 4")
        out.append(".endm")
        out.append(".macro twice r, k")        # a macro that calls macros
        out.append("    mv0 \\r, R0")
        out.append("    ADDI \\r, \\r, (\\k) & 0x7FF")
        out.append("    mv0 \\r, \\r")
        out.append(".endm")
        if r.random() < 0.3:
            out.append('.include "inc.pxs"')
            self.includes = True
        out.append("_start:")
        for f in funcs:
            out.append("%s:" % f)
            self.local = [".l0", ".l1", ".l2"]
            for j in range(3):
                for _ in range(r.randrange(1, max(2, n // (nfunc * 3)))):
                    k = r.randrange(10)
                    if k == 0:
                        out.append("    mv0 R%d, R%d" % (r.randrange(8), r.randrange(8)))
                    elif k == 9:
                        out.append("    twice R%d, %s" % (r.randrange(8), self.expr(places=False)))
                    elif k == 1 and defs:
                        out.append(defs.pop())
                    else:
                        out.append(self.insn())
                out.append(".l%d: %s" % (j, self.insn().strip()))
            out.append("    RET")
        self.local = []
        while defs:
            out.append(defs.pop())
        for i in range(r.randrange(1, 5)):
            k = r.randrange(7)
            name = "d%d" % i
            if k == 0:
                out.append("%s: .byte %s" % (name, ", ".join("(%s) & 127" % self.expr(places=False)
                                                                for _ in range(r.randrange(1, 6)))))
            elif k == 1:
                out.append("%s: .word %s" % (name, ", ".join("(%s) & 0x7FFFFFFF" % self.expr()
                                                                for _ in range(r.randrange(1, 5)))))
            elif k == 2:
                out.append('%s: .ascii "a\\tb\\x41", "c\\"d"' % name)
            elif k == 3:
                out.append("    data %s, %d" % (name, r.randrange(100)))
            elif k == 4:
                out.append("%s: .zero (%s) & 15" % (name, self.expr(places=False)))
            elif k == 5:
                out.append("    .org . + ((%s) & 7)" % self.expr(places=False))
            else:
                out.append("%s: .string \"%s\"" % (name, "xyz"[: r.randrange(4)]))
            out.append("    .align %d" % r.choice((1, 2, 4, 8, 16)))
        if r.random() < 0.3:
            out.append(".entry %s" % r.choice(funcs))
        if r.random() < 0.2:    # a fill sized by labels after it: more layout passes
            out.insert(len(out) - 3, "    .zero ((%s - %s) & 12) + 4" % (funcs[-1], funcs[0]))
        if r.random() < 0.1:    # one that cannot be laid out (pxasm says so)
            out.insert(12, "    .zero 16 - ((%s - %s) & 31)" % (funcs[-1], funcs[0]))
        return "\n".join(out) + "\n"


def mangle(rng, text):
    """One line after the macro definitions changed (a recursive macro could
    need more memory than asm has: docs/pxasm.md, limits)."""
    lines = text.split("\n")
    i = rng.randrange(lines.index("_start:") + 1, len(lines) - 1)
    line = lines[i]
    k = rng.randrange(4)
    if k == 0 and line:
        j = rng.randrange(len(line))
        line = line[:j] + rng.choice("@#,:()[]+-\"'\\xyz1 ") + line[j + 1:]
    elif k == 1:
        line = line.replace(",", "", 1) if "," in line else line + ","
    elif k == 2:
        line = lines[rng.randrange(len(lines))]    # a duplicate definition, most likely
    else:
        line = line + " " + rng.choice(["R9", "FOO", "1 << 70", ".foo", "(", "unknown_label"])
    lines[i] = line
    return "\n".join(lines)


def part_random(env, count, seed):
    rng = random.Random(seed)
    ops = opcodes(env)
    for i in range(count):
        gen = Gen(rng, ops)
        src = gen.program(rng.randrange(20, 120))
        if i % 3 == 2:
            src = mangle(rng, src)
        files = {"t.pxs": src}
        if gen.includes:
            files["lib/inc.pxs"] = Gen.INC
        if not env.compare("random %d (seed %d)" % (i, seed), files, ["-I", "lib", "t.pxs"]):
            with open(os.path.join(env.tmp, "random%d.pxs" % i), "w") as f:
                f.write(src)
            print("     the program: %s" % os.path.join(env.tmp, "random%d.pxs" % i))
    return count


# ---- The fixpoint ----------------------------------------------------------------------------

def part_fixpoint(env):
    stage = os.path.join(env.tmp, "self")
    files = ["userland/apps/asm.pxs", "userland/lib/std.pxs"] + \
        ["userland/asm/" + f for f in sorted(os.listdir(os.path.join(REPO, "userland", "asm")))]
    for f in files:
        os.makedirs(os.path.dirname(os.path.join(stage, f)), exist_ok=True)
        shutil.copy(os.path.join(REPO, f), os.path.join(stage, f))
    os.makedirs(os.path.join(stage, "inc"))
    for inc in ("pxos.inc", "pxops.inc"):
        shutil.copy(os.path.join(env.inc, inc), os.path.join(stage, "inc", inc))
    args = ["-I", "inc", "-I", "userland/lib", "userland/apps/asm.pxs"]
    want = env.host(stage, args)
    if want[0] != 0:
        env.check("fixpoint: pxasm assembles asm.pxs", (0, b"", ""), want)
        return 1
    paths = {"/" + f: os.path.join(stage, f) for f in files}
    paths.update({"/inc/" + i: os.path.join(stage, "inc", i) for i in ("pxos.inc", "pxops.inc")})
    got = env.sim(paths, Env.asm_args(args))
    ok = env.check("fixpoint: asm (built by pxasm) assembles asm.pxs as pxasm does", want, got)
    if not ok:
        return 1
    again = os.path.join(env.tmp, "asm2.pxe")
    with open(again, "wb") as f:
        f.write(got[1])
    got2 = env.sim(paths, Env.asm_args(args), asm=again)
    env.check("fixpoint: asm (built by asm) assembles asm.pxs as pxasm does", want, got2)
    # A true fixpoint: those bytes are the asm.pxe that ran (the build's, by pxasm).
    with open(env.asm, "rb") as f:
        built = f.read()
    env.check("fixpoint: asm's output is the asm.pxe the build made", None, got2,
              expect_differs=lambda got: got[1] == built)
    return 3


# ---- The symbol server ends with asm ------------------------------------------------------

def asm_sources(env, stage):
    """asm.pxs and its parts under /home/src (pxos.inc and std.pxs come from /lib;
    the rest of the namespace is read-only): pxsim --add options, and asm's arguments."""
    adds = ["--add", os.path.join(REPO, "userland", "apps", "asm.pxs") + "=/home/src/apps/asm.pxs",
            "--add", os.path.join(env.inc, "pxops.inc") + "=/home/src/inc/pxops.inc"]
    for f in sorted(os.listdir(os.path.join(REPO, "userland", "asm"))):
        adds += ["--add", os.path.join(REPO, "userland", "asm", f) + "=/home/src/asm/" + f]
    return adds, "-I/home/src/inc /home/src/apps/asm.pxs"


def asm_with_brk(env, d, label):
    """A copy of asm.pxe whose instruction at `label` is BRK (a fault)."""
    lst, pxe = os.path.join(d, "asm.lst"), os.path.join(d, "asm.pxe")
    subprocess.run([env.pxasm, "-I", env.inc, "-I", os.path.join(REPO, "userland", "lib"), "-l", lst,
                    "-o", pxe, os.path.join(REPO, "userland", "apps", "asm.pxs")], check=True, capture_output=True)
    m = re.search(r"^0x([0-9A-F]+) +\d+ +label +%s " % label, open(lst).read(), re.M)
    data = bytearray(open(pxe, "rb").read())
    off = 16 + int(m.group(1), 16) - 0x200
    data[off:off + 4] = (0x02).to_bytes(4, "little")       # BRK: PXVM_FAULT_BREAKPOINT
    out = os.path.join(d, "asmf.pxe")
    with open(out, "wb") as f:
        f.write(data)
    return out


def boot_session(env, adds, typed, at=()):
    # (asm.pxs takes ~120 million instructions: a server left polling ends at the limit)
    cmd = [env.pxsim, "--quiet", "--max-steps", "600000000", "--fs", os.path.join(env.build, "pixelfs.png")] + \
        adds + ["--boot", "--type", typed]
    for a in at:
        cmd += ["--at", a]
    p = subprocess.run(cmd, capture_output=True, timeout=300)
    return p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")


def ps_names(out):
    """The NAME column of the last `ps` listing in a session's output (its header
    starts with PID, PPID and ends with NAME), [] when there is none."""
    lines = out.splitlines()
    heads = [i for i, l in enumerate(lines) if l.split()[:2] == ["PID", "PPID"] and l.split()[-1:] == ["NAME"]]
    names = []
    for line in lines[heads[-1] + 1:] if heads else []:
        if not line.strip() or line.startswith("ps:"):
            break
        names.append(line.split()[-1])
    return names


def part_server(env):
    d = tempfile.mkdtemp(dir=env.tmp)
    adds, args = asm_sources(env, d)
    n = 0

    def check(name, ok, out):
        env.check("server: " + name, None, (0, b"", ""), expect_differs=lambda got: ok)
        if not ok:
            print("     session:\n" + out[-2500:])

    # Ctrl-C at 400 ms: asm.pxs takes ~1.2 s of pxsim's time at its default 100 MIPS.
    out = boot_session(env, adds, "asm %s\nsleep 100\nps\n" % args, at=["400:\\x03"])
    killed = re.search(r"asm \(pid (\d+)\) killed", out)
    check("Ctrl-C stops asm in the middle", bool(killed), out)
    check("Ctrl-C: ps lists no asm process", "asm" not in ps_names(out) and "sh" in ps_names(out), out)
    n += 2
    # A fault in the emission pass (asm with BRK at check_imm).
    asmf = asm_with_brk(env, d, "check_imm")
    out = boot_session(env, adds + ["--add", asmf + "=/apps/asmf"], "asmf %s\nsleep 100\nps\n" % args)
    check("a fault stops asm in the middle", bool(re.search(r"sh: asmf \(pid \d+\) stopped by fault 8", out)), out)
    check("fault: ps lists no asm process", "asmf" not in ps_names(out) and "sh" in ps_names(out), out)
    n += 2
    # No free process table entry for the server: asm says so, exits 1, and
    # stops nothing else (init, the shell and 29 sleeping jobs fill it).
    out = boot_session(env, adds, "sleep 100000 &\n" * 29 + "asm %s\nps\n" % args)
    check("a full process table: asm cannot start its server",
          "asm: cannot start the symbol server: process table or message queue full\n" in out and
          "asm (pid" in out and "exited with status 1" in out, out)
    check("a full process table: the jobs still run", ps_names(out).count("sleep") == 29, out)
    n += 2
    # The server killed while asm runs: asm says so, exits 1. The same session
    # starts asm with the same pid as above, and FORK gives its server the next.
    if killed:
        pid = int(killed.group(1)) + 1
        out = boot_session(env, adds, "asm %s &\nsleep 300\nkill %d\nsleep 100\nps\n" % (args, pid))
        check("a killed server: asm reports it",
              "asm: the symbol server (pid %d) ended unexpectedly\n" % pid in out and
              re.search(r"\] done asm \(status 1\)", out) is not None, out)
        check("a killed server: ps lists no asm process", "asm" not in ps_names(out) and "sh" in ps_names(out), out)
        # asm alone killed (its pid, not its job): the server sees its parent
        # change and ends by itself.
        out = boot_session(env, adds, "asm %s &\nsleep 300\nps\nkill %d\nsleep 100\nps\n" % (args, pid - 1))
        check("asm killed alone: the server was running", ps_names(out.split("kill ", 1)[0]).count("asm") == 2, out)
        check("asm killed alone: its server ends by itself", "asm" not in ps_names(out) and "sh" in ps_names(out), out)
    else:
        check("a killed server (needs the server's pid from the Ctrl-C run)", False, out)
    n += 4
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--random", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--part", default="repo,cases,cli,shell,random,fixpoint,server")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    t0 = time.time()
    env = Env(a.build, a.verbose)
    parts = a.part.split(",")
    try:
        for part in parts:
            t = time.time()
            if part == "repo":
                n = part_repo(env)
            elif part == "cases":
                n = part_cases(env)
            elif part == "cli":
                n = part_cli(env)
            elif part == "shell":
                n = part_shell(env)
            elif part == "random":
                print("test_asm: random programs: %d from seed %d" % (a.random, a.seed))
                n = part_random(env, a.random, a.seed)
            elif part == "fixpoint":
                n = part_fixpoint(env)
            elif part == "server":
                n = part_server(env)
            else:
                sys.exit("test_asm: unknown part %s" % part)
            print("test_asm: %s: %d cases in %.1f s" % (part, n, time.time() - t))
    finally:
        if not env.failures:
            shutil.rmtree(env.tmp, ignore_errors=True)
    print("test_asm: %d checks, %d failed, %.1f s" % (env.count, len(env.failures), time.time() - t0))
    return 1 if env.failures else 0


if __name__ == "__main__":
    sys.exit(main())
