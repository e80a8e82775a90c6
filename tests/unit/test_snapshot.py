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

usage: test_snapshot.py PXSIM PIXELFS.png
"""
import os
import random
import struct
import subprocess
import sys
import tempfile
import time
import zlib

PXSIM, FS = sys.argv[1], sys.argv[2]
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
    struct.pack_into("<IIII", head, 4, fmt if fmt is not None else 1, flags,
                     length if length is not None else len(raw), zlib.crc32(raw) & 0xFFFFFFFF)
    return png_with_chunk(data, bytes(head) + payload)


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
refused("a newer format", restate(good, raw, fmt=2), "newer")
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
