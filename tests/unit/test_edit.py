#!/usr/bin/python3
"""test_edit.py --build DIR [-v]

/apps/edit, the screen editor (userland/apps/edit.pxs), driven by scripted
raw keys in pxsim: the built ramdisk (build/pixelfs.png) with the test
driver tests/programs/editrun.pxs, which copies a source file into /home,
runs `edit FILE` in the foreground, waits, and prints edit's status, whether
the save's temporary file FILE~ed is left, and FILE's bytes. Each case
checks the file edit left (byte for byte), the status and, where it says
something, the screen it drew (the terminal's bytes) or its canvas (the
screen written with --png).

Keys are typed as a terminal sends them: arrows ESC [ A..D (and ESC O A..D),
Home/End ESC [ H / ESC [ F and ESC [ 1~ / 4~, PgUp/PgDn ESC [ 5~ / 6~,
Delete ESC [ 3~, Backspace DEL or BS, Enter CR, LF or CR LF, Ctrl-S save,
Ctrl-F search, Ctrl-Q quit (Ctrl-C too: the console makes it an interrupt).

Prints one line per case and the wall time; exit status 0 when all pass.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "qemu"))

EDIT_MAX = 32768
UP, DOWN, RIGHT, LEFT = "\\e[A", "\\e[B", "\\e[C", "\\e[D"
HOME, END, PGUP, PGDN, DEL = "\\e[H", "\\e[F", "\\e[5~", "\\e[6~", "\\e[3~"
SAVE, QUIT, FIND = "\\x13", "\\x11", "\\x06"


class Env:
    def __init__(self, build, verbose):
        self.build = os.path.abspath(build)
        self.pxsim = os.path.join(self.build, "tools", "pxsim")
        self.fs = os.path.join(self.build, "pixelfs.png")
        self.editrun = os.path.join(self.build, "tests", "programs", "editrun.pxe")
        for f in (self.pxsim, self.fs, self.editrun):
            if not os.path.exists(f):
                sys.exit("test_edit: %s is missing (make first)" % f)
        self.tmp = tempfile.mkdtemp(prefix="test_edit.")
        self.verbose = verbose
        self.failures = []
        self.count = 0

    def run(self, src, keys, file="/home/t.txt", at=(), png=None):
        """edit FILE (a copy of the bytes src, or none when src is None)
        with the keys typed -> (editrun's output, stderr, FILE's bytes or
        None, edit's status, whether FILE~ed is left)."""
        args = [self.pxsim, "--quiet", "--fs", self.fs, "--add", self.editrun + "=/test/editrun"]
        if src is not None:
            path = os.path.join(self.tmp, "src")
            with open(path, "wb") as f:
                f.write(src)
            args += ["--add", path + "=/test/src"]
        if keys:
            args += ["--type", keys]
        for t in at:
            args += ["--at", t]
        if png:
            args += ["--png", png]
        args += ["/test/editrun", "/test/src" if src is not None else "-", file]
        p = subprocess.run(args, capture_output=True, timeout=60)
        out = p.stdout
        status = None
        marker = b"editrun: status "
        if marker in out:
            status = int(out[out.rindex(marker) + len(marker):].split(b"\n")[0])
        left = (file + "~ed present").encode() in out
        data = None
        b = out.rfind(b"\neditrun: begin ")
        e = out.rfind(b"\neditrun: end\n")
        if b >= 0 and e > b:
            start = out.index(b"\n", b + 1) + 1
            data = out[start:e]
            size = int(out[b + 16:start - 1])
            if size != len(data):
                data = ("size %d but %d bytes" % (size, len(data))).encode()
        if self.verbose:
            sys.stderr.buffer.write(out[-3000:] + p.stderr)
        return out, p.stderr, data, status, left

    def check(self, name, cond, detail=""):
        self.count += 1
        if cond:
            print("ok %d - %s" % (self.count, name))
        else:
            print("not ok %d - %s %s" % (self.count, name, detail))
            self.failures.append(name)

    def expect(self, name, src, keys, want, status=0, file="/home/t.txt", **kw):
        out, err, data, st, left = self.run(src, keys, file, **kw)
        self.check(name, data == want and st == status and not left,
                   "(status %r, temporary file left %r, file %r, want %r; stderr %r)"
                   % (st, left, data, want, err[-300:]))
        return out, err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    env = Env(a.build, a.v)
    t0 = time.time()
    two = b"line one\nline two\n"

    # Typing, arrows, save, quit.
    env.expect("insert, down arrow keeps the column, save, quit", two,
               "X" + DOWN + "Y" + SAVE + QUIT, b"Xline one\nlYine two\n")
    env.expect("left/right/up arrows (and the SS3 forms ESC O A..D)", two,
               DOWN + RIGHT + RIGHT + "1" + UP + "2" + "\\eOB\\eOC3" + LEFT + LEFT + "4" + SAVE + QUIT,
               b"lin2e one\nli1n4e3 two\n")
    env.expect("Home and End: ESC [ H/F, ESC [ 1~/4~, ESC [ 7~/8~, ESC O H/F", two,
               END + "<" + HOME + ">" + DOWN + "\\e[4~" + "]" + "\\e[1~" + "[" + "\\e[8~\\e[7~\\eOF!\\eOH?"
               + SAVE + QUIT, b">line one<\n?[line two]!\n")
    lines = b"".join(b"L%02d\n" % i for i in range(60))
    want = bytearray(lines)
    env.expect("PgDn and PgUp move a screen (22 lines)", lines,
               PGDN + "a" + PGDN + "b" + PGUP + "c" + "\\e[5~\\e[5~" + "d" + SAVE + QUIT,
               lines.replace(b"L22", b"aLc22").replace(b"L44", b"Lb44").replace(b"L00", b"L00d"))
    env.expect("Delete, Backspace (DEL and BS), joining lines", two,
               DEL + DEL + END + "\\x7f" + DEL + "\\x08" + SAVE + QUIT, b"ne oline two\n")
    env.expect("Enter as CR, LF and CR LF: one line each", b"abcd",
               RIGHT + "\\r" + RIGHT + "\n" + RIGHT + "\\r\n" + SAVE + QUIT, b"a\nb\nc\nd")
    env.expect("a new file", None, "hello\\r" + SAVE + QUIT, b"hello\n", file="/home/new.txt")
    env.expect("UTF-8: a character moves and goes as a whole", "h\u00e9!\n".encode(),
               RIGHT + RIGHT + "x" + LEFT + LEFT + DEL + SAVE + QUIT, b"hx!\n")
    env.expect("tabs: a line below keeps the column across a tab", b"\tab\n12345678xy\n",
               DOWN + END + LEFT + UP + "^" + SAVE + QUIT, b"\ta^b\n12345678xy\n")

    # Search.
    text = b"alpha\nbeta two\ngamma two\ndelta\n"
    env.expect("search: Ctrl-F, a string, Enter", text,
               FIND + "two\\r#" + SAVE + QUIT, b"alpha\nbeta #two\ngamma two\ndelta\n")
    env.expect("search: Enter alone finds the next one, then from the top", text,
               FIND + "two\\r" + FIND + "\\r#" + FIND + "\\r+" + SAVE + QUIT,
               b"alpha\nbeta +two\ngamma #two\ndelta\n")
    out, _ = env.expect("search: not found says so and stays; Backspace and Ctrl-G in the prompt", text,
                        FIND + "nope\\r", b"=alpha\nbeta two\ngamma two\ndelta\n",
                        at=("500:" + FIND + "xx\\x7f\\x7fdel\\x07=" + SAVE + QUIT,))
    env.check("search: the message", b"not found: nope" in out)

    # Quitting with unsaved changes.
    env.expect("quit with changes: n leaves the file as it was", two, "X" + QUIT + "n", two)
    env.expect("quit with changes: another key goes on editing, y saves", two,
               "X" + QUIT + "c" + "Y" + QUIT + "y", b"XYline one\nline two\n")
    out, _ = env.expect("Ctrl-C quits too, asking first", two, "X", two,
                        at=("500:\\x03", "600:n"))
    env.check("the question is asked", b"unsaved changes: save them?" in out)
    env.expect("quit without changes needs no answer", two, RIGHT + QUIT, two)

    # Limits: a file too large is refused, the text never outgrows a save.
    big = b"x" * 39999 + b"\n"
    out, err, data, st, left = env.run(big, SAVE + QUIT, "/home/big")
    env.check("a file larger than 32768 bytes is refused, unchanged",
              st == 1 and data == big and not left and
              b"edit: /home/big: 40000 bytes, more than edit holds (32768 bytes); not opened" in err,
              "(status %r, stderr %r)" % (st, err[-300:]))
    full = b"y" * (EDIT_MAX - 3) + b"\n"
    out, err = env.expect("typing into a full text is refused; the save is whole", full,
                          "abcd", b"ab" + full, at=("500:" + SAVE + QUIT,))
    env.check("... and says so", b"the text is full (32768 bytes)" in out)
    exact = b"z" * (EDIT_MAX - 1) + b"\n"
    env.expect("a file of exactly 32768 bytes opens and saves", exact, END + "\\x7fQ" + SAVE + QUIT,
               b"z" * (EDIT_MAX - 2) + b"Q\n")

    # A save that fails: a read-only file stays, edit says why and goes on.
    motd = open(os.path.join(REPO, "userland", "boot", "motd.txt"), "rb").read()
    out, err = env.expect("a save that fails leaves the file, says why, and edit goes on", None,
                          "X" + SAVE, motd, file="/boot/motd.txt", at=("500:" + QUIT + "n",))
    env.check("... with the reason", b"not saved: /boot/motd.txt: read-only file system" in out)

    # The screen: the status line, horizontal scrolling, the canvas.
    out, _ = env.expect("the status line and the cursor's place", two, DOWN + END + "!" + QUIT + "n", two)
    env.check("status: name, modified, line and column",
              b"\x1b[7m /home/t.txt (modified)" in out and b"line 2/3, col 10" in out)
    env.check("the cursor: CSI 2;10 H", b"\x1b[2;10H" in out)
    long = b"0123456789" * 12 + b"\n"
    out, _ = env.expect("a long line scrolls sideways", long, END, long, at=("500:" + QUIT,))
    env.check("... the cursor stays on the screen (column 80), the line's end shown",
              b"\x1b[1;80H" in out and b"0123456789\x1b[K" in out and b"line 1/2, col 121" in out)
    png = os.path.join(env.tmp, "screen.png")
    env.expect("the canvas (written with --png)", two, DOWN + "\\e[C", two, png=png, at=("500:" + QUIT,))
    try:
        import pxqemu
        img = pxqemu.Image.load_png(png)

        def v(i):
            r, g, b = img.get_pixel(i, 0)
            return r | g << 8 | b << 16
        slot = 1  # editrun is in slot 0, edit in slot 1; it keeps edit's last image
        cx, cy = v(18 + 4 * slot + 2), v(18 + 4 * slot + 3)
        counts = {}
        for y in range(cy, cy + 128):
            for x in range(cx, cx + 128):
                p = img.get_pixel(x, y)
                counts[p] = counts.get(p, 0) + 1
        navy, fg, yellow = (16, 24, 64), (230, 230, 220), (255, 220, 64)
        ok = (v(0) == 0x4F7870 and counts.get(navy, 0) > 1000 and counts.get(fg, 0) > 100
              and counts.get(yellow, 0) == 32)
        # the cursor bar: column 1 of line 2, so x = 8, y = 32
        ok = ok and img.get_pixel(cx + 8, cy + 32) == yellow and img.get_pixel(cx + 9, cy + 47) == yellow
        env.check("... title bar, text and the cursor bar at line 2, column 2", ok,
                  "(%s)" % sorted(counts.items(), key=lambda kv: -kv[1])[:6])
    except Exception as e:  # a broken PNG is a failure, not a skip
        env.check("... title bar, text and the cursor bar", False, repr(e))

    # Files edit does not open: a directory, a name too long for its save.
    out, err, data, st, left = env.run(None, "", "/apps")
    env.check("a directory is refused (status 1, the reason)",
              st == 1 and b"edit: /apps: is a directory" in err, "(status %r, stderr %r)" % (st, err[-200:]))
    name = "/home/" + "n" * 88
    out, err, data, st, left = env.run(None, "", name)
    env.check("a name with no room for FILE~ed is refused",
              st == 1 and (b"edit: " + name.encode() + b": name too long") in err,
              "(status %r, stderr %r)" % (st, err[-200:]))

    # Usage.
    p = subprocess.run([env.pxsim, "--quiet", "--fs", env.fs, "/apps/edit"], capture_output=True, timeout=60)
    env.check("usage: no FILE is status 2", p.returncode == 2 and b"usage: edit FILE" in p.stderr)

    wall = time.time() - t0
    if env.failures:
        print("test_edit: %d of %d FAILED (%s); wall %.1f s" % (len(env.failures), env.count,
                                                             ", ".join(env.failures), wall))
        return 1
    print("test_edit: all %d checks passed; wall %.1f s" % (env.count, wall))
    return 0


if __name__ == "__main__":
    sys.exit(main())
