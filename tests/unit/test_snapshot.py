#!/usr/bin/python3
"""test_snapshot.py — snapshots through pxsim (docs/snapshots.md):

  - the determinism property for the shipped programs and a boot: run N
    instructions and snapshot, resume in a new pxsim and run to N + M: the
    output, the exit status and the final state (the pxSt chunk's state,
    decompressed) are those of N + M straight through, byte for byte;
  - the snapshot's picture is the screen (the same pixels as --png at that
    moment), RGB; with no screen, the processes' memory as tiles;
  - a snapshot resumes on another screen size and with no screen;
  - damaged, truncated, newer, hostile and foreign files are refused with a
    message, exit status 2, and nothing runs.

  - pxdis --pid disassembles a process's memory exactly as the state holds
    it; pxfs snapshot lists the head, sections, processes and RAM files and
    extracts a RAM file.

usage: test_snapshot.py PXSIM PIXELFS.png PXDIS PXFS PXASM INCLUDE-DIR
"""
import os
import random
import struct
import subprocess
import sys
import tempfile
import time
import zlib

PXSIM, FS, PXDIS, PXFS, PXASM, INC = sys.argv[1:7]
failures = 0
checks = 0


def check(name, ok, detail=""):
    global failures, checks
    checks += 1
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else "  " + detail))
    if not ok:
        failures += 1


def pxsim(*args):
    r = subprocess.run([PXSIM, "--quiet", *args], capture_output=True, timeout=120)
    return r.returncode, r.stdout, r.stderr.decode(errors="replace")


def chunks(data):
    pos, out = 8, []
    while pos + 12 <= len(data):
        n = struct.unpack(">I", data[pos:pos + 4])[0]
        out.append((data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]))
        pos += 12 + n
    return out


def state(path):
    """The state bytes of snapshot `path` (decompressed)."""
    for t, d in chunks(open(path, "rb").read()):
        if t == b"pxSt":
            flags = struct.unpack("<I", d[8:12])[0]
            return zlib.decompress(d[68:]) if flags & 1 else d[68:]
    return None


def image(path):
    """IHDR (width, height, colour type) and the inflated IDAT bytes."""
    data = open(path, "rb").read()
    w = h = ct = None
    idat = b""
    for t, d in chunks(data):
        if t == b"IHDR":
            w, h, _, ct = struct.unpack(">IIBB", d[:10])
        elif t == b"IDAT":
            idat += d
    return (w, h, ct), zlib.decompress(idat)


def png_with_chunk(data, new_payload):
    """`data` with its pxSt chunk's data replaced (CRC made right)."""
    out, pos = data[:8], 8
    while pos < len(data):
        n = struct.unpack(">I", data[pos:pos + 4])[0]
        t = data[pos + 4:pos + 8]
        d = data[pos + 8:pos + 8 + n]
        if t == b"pxSt":
            d = new_payload
        out += struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
        pos += 12 + n
    return out


def restate(data, raw, fmt=None, flags=1, length=None):
    """A snapshot whose state is `raw` (head fields overridable)."""
    for t, d in chunks(data):
        if t == b"pxSt":
            head = bytearray(d[:68])
    payload = zlib.compress(raw) if flags & 1 else raw
    struct.pack_into("<IIII", head, 4, fmt if fmt is not None else 2, flags,
                     length if length is not None else len(raw), zlib.crc32(raw) & 0xFFFFFFFF)
    return png_with_chunk(data, bytes(head) + payload)


def sections(raw):
    """{tag: (version, body)} of a state."""
    out, pos = {}, 0
    while pos < len(raw):
        tag = raw[pos:pos + 4].decode()
        ver, n = struct.unpack("<II", raw[pos + 4:pos + 12])
        out[tag] = (ver, raw[pos + 12:pos + 12 + n])
        pos += 12 + n
    return out


def procs(raw):
    """{pid: (name, pc, memory)} from section PROC v2, read as docs/snapshots.md says."""
    body = sections(raw)["PROC"][1]
    (n,), pos, out = struct.unpack("<I", body[:4]), 4, {}
    for _ in range(n):
        pos += 4 + 16  # index, kind
        state, block, pid = struct.unpack("<III", body[pos:pos + 12])
        pos += 7 * 4 + 6 * 4 + 8 + 3 * 4 + 2 * 8 + 2 * 4 + 8 + 2 * 4 + 8 * 4 + 4  # ... to the name (v2)
        name = body[pos:pos + 32].split(b"\0")[0].decode()
        pos += 32
        (rlen,) = struct.unpack("<I", body[pos:pos + 4])
        rec = body[pos + 4:pos + 4 + rlen]
        pos += 4 + rlen
        for _layer in range(2):
            (flag,) = struct.unpack("<I", body[pos:pos + 4])
            pos += 4 + (65536 if flag else 0)
        pc = struct.unpack("<I", rec[40:44])[0] if rlen else None
        out[pid] = (name, pc, rec[-65536:] if rlen else None)
    return out


t0 = time.time()
tmp = tempfile.mkdtemp(prefix="pxsnap.")
rng = random.Random(13)

# ---- the determinism property: shipped programs and a boot ----------------------
cases = [
    ("primes", ["/apps/primes"], 3000000),
    ("forkdemo", ["/apps/forkdemo"], 2000000),
    ("pingpong", ["/apps/pingpong"], 2000000),
    ("swarm 3 5", ["/apps/swarm", "3", "5"], 6000000),
    ("swarm 4 0 (never ends)", ["/apps/swarm", "4", "0"], 3000000),
    ("organism", ["/apps/organism"], 3000000),
    ("sleep 30", ["/apps/sleep", "30"], 1000000),
    ("ls /apps", ["/apps/ls", "/apps"], 1000000),
    ("boot (init, initrc, the shell at end of input)", ["--boot"], 6000000),
]
screens = [[], ["--screen", "none"], ["--screen", "640x480"]]
for name, prog, total in cases:
    for si, screen in enumerate(screens):
        if si and name not in ("swarm 3 5", "boot (init, initrc, the shell at end of input)", "organism"):
            continue
        base = ["--fs", FS, *screen]
        sp = os.path.join(tmp, "straight.png")
        rc0, out0, err0 = pxsim(*base, "--snapshot-at", str(total), sp, "--max-steps", str(total), *prog)
        s0 = state(sp)
        check(f"{name} {' '.join(screen)}: straight run snapshots at its end", s0 is not None, err0)
        if s0 is None:
            continue
        for n in sorted(rng.sample(range(1, total), 3)):
            ap, bp = os.path.join(tmp, "a.png"), os.path.join(tmp, "b.png")
            rc1, out1, err1 = pxsim(*base, "--snapshot-at", str(n), ap, "--max-steps", str(n), *prog)
            rc2, out2, err2 = pxsim(*base, "--resume", ap, "--snapshot-at", str(total), bp,
                                    "--max-steps", str(total))
            what = f"{name} {' '.join(screen)}: N={n} then to {total}"
            check(what + ": output as straight through", out1 + out2 == out0,
                  f"{len(out1)}+{len(out2)} bytes against {len(out0)}; {err2[-300:]}")
            check(what + ": state bit-identical", state(bp) == s0, err2[-300:])
            check(what + ": exit status as straight through", rc2 == rc0, f"{rc2} against {rc0}: {err2[-200:]}")

# ---- the picture ------------------------------------------------------------------
sp, pp = os.path.join(tmp, "pic.png"), os.path.join(tmp, "screen.png")
rc, out, err = pxsim("--fs", FS, "--snapshot-at", "2000000", sp, "--max-steps", "2000000", "--png", pp,
                     "/apps/swarm", "4", "0")
(hdr, px), (hdr2, px2) = image(sp), image(pp)
check("the picture is the screen: 1280x800 RGB", hdr == (1280, 800, 2), str(hdr))
check("the picture has the pixels --png writes at that moment", px == px2)
np_ = os.path.join(tmp, "none.png")
pxsim("--fs", FS, "--screen", "none", "--snapshot-at", "500000", np_, "--max-steps", "500000",
      "/apps/swarm", "3", "0")
(hdr, px) = image(np_)
check("no screen: the picture is the processes' memory as 128x128 tiles",
      hdr[2] == 2 and hdr[0] % 128 == 0 and hdr[1] % 128 == 0 and hdr[0] >= 512, str(hdr))

# ---- resume on another screen ------------------------------------------------------
ap = os.path.join(tmp, "big.png")
rc0, out0, _ = pxsim("--fs", FS, "--max-steps", "6000000", "/apps/swarm", "3", "5")
rc1, out1, _ = pxsim("--fs", FS, "--snapshot-at", "1500000", ap, "--max-steps", "1500000", "/apps/swarm", "3", "5")
for screen in (["--screen", "none"], ["--screen", "640x480"], ["--screen", "800x600", "--format", "rgbx"]):
    rc2, out2, err2 = pxsim("--fs", FS, *screen, "--resume", ap, "--max-steps", "6000000")
    check(f"a 1280x800 snapshot resumes with {' '.join(screen)}: same output and status",
          out1 + out2 == out0 and rc2 == rc0, err2[-300:])

# ---- pxdis and pxfs read snapshots ---------------------------------------------------
src = os.path.join(tmp, "w.pxs")
open(src, "w").write(""".include "pxos.inc"
_start:
 IMM32 R1, path
 IMM8 R2, 3
 SYSCALL SYS_FS_OPEN
 MOV R5, R0
 MOV R1, R5
 IMM32 R2, text
 IMM8 R3, 21
 SYSCALL SYS_FS_WRITE
 MOV R1, R5
 SYSCALL SYS_FS_CLOSE
spin:
 ADDI R4, R4, 1
 JMP spin
path: .string "/tmp/note.txt"
text: .string "written before a snap"
""")
wpxe = os.path.join(tmp, "w.pxe")
r = subprocess.run([PXASM, "-I", INC, "-o", wpxe, src], capture_output=True)
check("the file writer assembles", r.returncode == 0, r.stderr.decode()[-300:])
wp = os.path.join(tmp, "w.png")
rc, out, err = pxsim("--fs", FS, "--add", wpxe + "=/apps/w", "--snapshot-at", "100000", wp,
                     "--max-steps", "100000", "/apps/w")
r = subprocess.run([PXFS, "snapshot", wp], capture_output=True)
info = r.stdout.decode()
check("pxfs snapshot: head, sections, processes, RAM files",
      r.returncode == 0 and "format 2" in info and "PROC v2" in info and " w\n" in info and "/tmp/note.txt" in info,
      info + r.stderr.decode())
r = subprocess.run([PXFS, "snapshot", wp, "/tmp/note.txt"], capture_output=True)
check("pxfs snapshot SNAP PATH: a RAM file's bytes", r.returncode == 0 and r.stdout == b"written before a snap",
      repr(r.stdout) + r.stderr.decode())
r = subprocess.run([PXFS, "snapshot", wp, "/tmp/none"], capture_output=True)
check("pxfs snapshot SNAP PATH: no such file", r.returncode == 1 and b"no RAM file" in r.stderr)
bp = os.path.join(tmp, "bad.png")
open(bp, "wb").write(open(wp, "rb").read()[:-30])
r = subprocess.run([PXFS, "snapshot", bp], capture_output=True)
check("pxfs snapshot: a truncated snapshot refused", r.returncode == 1 and b"truncated" in r.stderr, r.stderr.decode())
sp = os.path.join(tmp, "swarm.png")
pxsim("--fs", FS, "--snapshot-at", "700000", sp, "--max-steps", "700000", "/apps/swarm", "3", "0")
ps = procs(state(sp))
check("the snapshot holds swarm and its drawers", len(ps) == 4 and all(v[0] == "swarm" for v in ps.values()), str(ps.keys()))
for pid, (name, pc, mem) in sorted(ps.items()):
    r = subprocess.run([PXDIS, "--pid", str(pid), "--to", "0xF000", sp], capture_output=True)
    text = r.stdout.decode()
    words = {}
    for line in text.splitlines():
        if "; " in line or "| " in line:
            tail = line.replace("| ", "; ").rsplit("; ", 1)[1]
            if ": " in tail and len(tail.split(": ")[0]) == 4:
                addr = int(tail.split(": ")[0], 16)
                for k, w in enumerate(tail.split(": ")[1].split()):
                    if len(w) == 8:
                        words[addr + 4 * k] = int(w, 16)
    same = all(struct.unpack("<I", mem[a:a + 4])[0] == w for a, w in words.items())
    check(f"pxdis --pid {pid}: pc 0x{pc:04X} named, every word shown is the state's", r.returncode == 0 and
          f"pc 0x{pc:04X}" in text and len(words) > 50 and same, r.stderr.decode() + text[:300])
r = subprocess.run([PXDIS, "--pid", "99", sp], capture_output=True)
check("pxdis --pid of no such process", r.returncode == 1 and b"no pid 99" in r.stderr, r.stderr.decode())
r = subprocess.run([PXDIS, "--pid", "1", bp], capture_output=True)
check("pxdis --pid of a truncated snapshot refused", r.returncode == 1 and b"truncated" in r.stderr, r.stderr.decode())

# ---- SNAPSHOT from a program: /apps/snapshot, pxsim --snapshots DIR --------------
sd = os.path.join(tmp, "asked")
os.makedirs(sd)
rc, out, err = pxsim("--fs", FS, "--boot", "--type", "snapshot\\nsnapshot\\n", "--snapshots", sd,
                     "--max-steps", "30000000")
files = sorted(os.listdir(sd))
check("/apps/snapshot: the shell's program asks, pxsim writes DIR/snapshot-N.png",
      len(files) == 1 and files[0].startswith("snapshot-") and b"snapshot: asked for" in out, f"{files} {out[-400:]}")
check("/apps/snapshot: a second ask within 10 s is refused", "one every 10 s" in err, err[-400:])
if files:
    rc2, out2, err2 = pxsim("--fs", FS, "--resume", os.path.join(sd, files[0]), "--max-steps", "40000000")
    check("the program's snapshot resumes", rc2 in (0, 124, 125) and "refused" not in err2, err2[-300:])
rc, out, err = pxsim("--fs", FS, "--boot", "--type", "snapshot\\n", "--max-steps", "30000000")
check("/apps/snapshot without anywhere to send it: no host bridge", "no host bridge" in err, err[-300:])

# ---- Python processes go on on the identical build ----------------------------------
# A Python counter (blocked in SLEEP between lines) with a pxVM child: snapshot
# mid-run, resume in a new pxsim (the same binary): the output goes on from
# where it was, as straight through, and the final state is bit-identical.
# The same snapshot with its Python record changed (another build id, another
# code CRC, a block at an address it cannot have) ends the Python process
# NOT_RESUMABLE with that reason logged, while the pxVM child goes on.
cpy = os.path.join(tmp, "count.py")
open(cpy, "w").write("""import pxos
kid = pxos.spawn("/apps/sleep", "300")
n = 0
for i in range(30):
    n += i * i
    print("count", i, n)
    pxos.sleep(0.02)
print("child", pxos.wait(kid)[1], "done", n)
""")
pyargs = ["--fs", FS, "--add", cpy + "=/apps/count.py"]
pyp, pyq = os.path.join(tmp, "py.png"), os.path.join(tmp, "pyend.png")
rc0, out0, err0 = pxsim(*pyargs, "--snapshot-at", "10000", pyq, "--max-steps", "10000", "/apps/count.py")
check("python: the counter runs to its end straight through",
      rc0 == 0 and b"count 29 8555" in out0 and b"child 0 done 8555" in out0, f"rc {rc0} {out0[-200:]} {err0[-300:]}")
for n in (6500, 5200, 4600):  # spawn is charged 4096; the child sleeps to about 6000
    rc1, out1, err1 = pxsim(*pyargs, "--snapshot-at", str(n), pyp, "--max-steps", str(n), "/apps/count.py")
    rc2, out2, err2 = pxsim(*pyargs, "--resume", pyp, "--snapshot-at", "10000", os.path.join(tmp, "pyb.png"),
                            "--max-steps", "10000")
    what = f"python: snapshot at {n}, resumed by the same pxsim"
    check(what + ": it was mid-run", out1.count(b"count ") not in (0, 30), out1[-200:])
    check(what + ": the output goes on where it was", out1 + out2 == out0 and rc2 == 0,
          f"{out1[-80:]!r} + {out2[:80]!r}; {err2[-300:]}")
    check(what + ": the final state is bit-identical", state(os.path.join(tmp, "pyb.png")) == state(pyq), err2[-300:])

pyraw = state(pyp)
at = pyraw.find(b"PYSN\x02\x00\x00\x00")
check("python: the snapshot holds a Python record, version 2", at > 0)


def patched(offset, data):
    raw = bytearray(pyraw)
    raw[at + offset:at + offset + len(data)] = data
    return restate(open(pyp, "rb").read(), bytes(raw))


code_id = struct.unpack("<I", pyraw[at + 56:at + 60])[0]
for what, data, reason in [
        ("another build id", patched(8, b"pxOS 0.0 000000000000".ljust(48, b"\0")), "taken by build \"pxOS 0.0"),
        ("another code CRC", patched(56, struct.pack("<I", code_id ^ 1)), "its code's CRC-32 was"),
        # heap block 0 at the address of the stack block (claimed just before it)
        ("a block it cannot have", patched(184, pyraw[at + 176:at + 184]),
         "its memory at 0x%x cannot be had" % struct.unpack("<Q", pyraw[at + 176:at + 184])[0])]:
    bad = os.path.join(tmp, "pybad.png")
    open(bad, "wb").write(data)
    r = subprocess.run([PXSIM, *pyargs, "--resume", bad, "--max-steps", "10000"], capture_output=True, timeout=120)
    err = r.stderr.decode(errors="replace")
    check(f"python: {what}: not resumable, the reason logged, the pxVM child goes on",
          "not resumable: " + reason in err and "pid 1 (count.py) exited with status 1024" in err and
          "pid 2 (sleep) exited with status 0" in err and b"count" not in r.stdout,
          f"rc {r.returncode} {r.stdout[-200:]} {err[-600:]}")

# ---- format 1 is still read -----------------------------------------------------------
# A format-1 snapshot (the head says 1) resumes as before; its Python record was
# only a marker: that process ends not resumable, saying why, the child goes on.
v1 = os.path.join(tmp, "v1.png")
open(v1, "wb").write(restate(open(pyp, "rb").read(), pyraw, fmt=1))
r = subprocess.run([PXSIM, *pyargs, "--resume", v1, "--max-steps", "10000"], capture_output=True, timeout=120)
check("format 1: a format-1 head is read, its Python process goes on",
      r.returncode == 0 and b"child 0 done 8555" in r.stdout, r.stderr.decode(errors="replace")[-300:])


def with_record(rec):
    """pyraw with the Python record replaced by `rec` (PROC's length made right)."""
    rl = struct.unpack("<I", pyraw[at - 4:at])[0]
    raw1 = bytearray(pyraw[:at - 4] + struct.pack("<I", len(rec)) + rec + pyraw[at + rl:])
    pos = 0
    while pos < len(raw1):
        n = struct.unpack("<I", raw1[pos + 8:pos + 12])[0]
        if raw1[pos:pos + 4] == b"PROC":
            struct.pack_into("<I", raw1, pos + 8, n - (rl - len(rec)))
            break
        pos += 12 + n
    return bytes(raw1)


for what, fmt, rec, reason in [
        ("format 1: its Python marker", 1, b"python\0\1", "the snapshot's format 1 kept no Python state"),
        ("another build's record of another layout (cut after its build id)", 2,
         b"PYSN\2\0\0\0" + b"pxOS 9.9 000000000000".ljust(48, b"\0"), "taken by build \"pxOS 9.9")]:
    open(v1, "wb").write(restate(open(pyp, "rb").read(), with_record(rec), fmt=fmt))
    r = subprocess.run([PXSIM, *pyargs, "--resume", v1, "--max-steps", "10000"], capture_output=True, timeout=120)
    err = r.stderr.decode(errors="replace")
    check(what + ": not refused, the process ends not resumable saying why, the child goes on",
          "not resumable: " + reason in err and
          "pid 1 (count.py) exited with status 1024" in err and "pid 2 (sleep) exited with status 0" in err,
          err[-600:])

# ---- refusals -----------------------------------------------------------------------
good = open(ap, "rb").read()
raw = state(ap)


def refused(what, data, expect):
    p = os.path.join(tmp, "bad.png")
    open(p, "wb").write(data)
    rc, out, err = pxsim("--fs", FS, "--resume", p)
    check(f"refused: {what}", rc == 2 and "refused" in err and expect in err and out == b"",
          f"rc {rc}: {err.strip()[-300:]}")


refused("a truncated file", good[:len(good) // 2], "truncated")
refused("the first 40 bytes", good[:40], "truncated")
bad = bytearray(good)
bad[len(bad) // 2] ^= 0x55
refused("a flipped byte (PNG CRC)", bytes(bad), "bad CRC")
refused("a newer format", restate(good, raw, fmt=3), "newer")
refused("unknown flags", restate(good, raw, flags=3), "flags")
refused("a hostile state size", restate(good, raw, flags=0, length=0xFFFFFFF0), "larger")
refused("a state that fails its CRC", png_with_chunk(good, [d for t, d in chunks(good) if t == b"pxSt"][0][:-9] +
                                                     bytes(9)), "damaged")
unknown = bytearray(raw)
unknown[0:4] = b"GRPS"
refused("an unknown section", restate(good, bytes(unknown)), "unknown section GRPS")
newer = bytearray(raw)
struct.pack_into("<I", newer, 4, 9)
refused("a newer section version", restate(good, bytes(newer)), "version 9")
refused("a cut state", restate(good, raw[:len(raw) - 100]), "")
refused("a plain picture", open(pp, "rb").read(), "not a snapshot")
refused("not a PNG", b"hello world, not a picture at all", "not a PNG")

print(f"test_snapshot: {checks - failures}/{checks} checks passed, wall time {time.time() - t0:.1f} s")
sys.exit(1 if failures else 0)
