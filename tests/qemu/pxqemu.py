"""pxqemu — boot pxOS images in QEMU/OVMF and drive them from tests.

Standard library only; run with /usr/bin/python3. Typical use:

    from pxqemu import Qemu, make_variant
    with Qemu("build/pxos.img", "boot-smoke") as vm:
        vm.expect(r"pxOS loader: ", timeout=60)
        vm.send("help\\n")
        img = vm.screendump("screen.png")     # PPM from QEMU, saved as PNG
        r, g, b = img.get_pixel(0, 0)
        vm.send("exit 3\\n")
        assert vm.wait_exit(30) == (3 << 1) | 1

The machine is the one tools/run-qemu.sh boots (q35, 512 MiB, OVMF with a
per-run copy of the variable store, isa-debug-exit at 0xf4, -no-reboot, no NIC)
run headless under TCG: `-display none`, the serial port on a Unix-socket
chardev with server=on,wait=on (QEMU does not start the guest until the harness
is connected, so no output is lost) and the HMP monitor on another Unix socket.
Everything the serial port prints is logged to
build/tests/qemu/<name>/serial.log; QEMU's own messages go to qemu.log there
and its command line to cmdline.txt.

Timeouts are in seconds and multiplied by $PXQEMU_TIMEOUT_SCALE (default 1)
for slow machines. $QEMU, $OVMF_CODE and $OVMF_VARS override the programs used.
"""

import atexit
import argparse
import codecs
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import zlib

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# When the test file started (it imports this module first): run_suite's wall time.
STARTED = time.monotonic()
ESP_REPLACE = os.path.join(REPO, "iso", "esp-replace.sh")
QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
OVMF_CODE = os.environ.get("OVMF_CODE", "/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = os.environ.get("OVMF_VARS", "/usr/share/OVMF/OVMF_VARS_4M.fd")
TIMEOUT_SCALE = float(os.environ.get("PXQEMU_TIMEOUT_SCALE", "1") or "1")
TAIL_LINES = 40

_ANSI = re.compile(r"\x1b\[[0-9;?=]*[A-Za-z]|\x1b[()][A-Za-z0-9]")


class QemuError(Exception):
    """QEMU could not be started, a monitor command failed, or similar."""


class QemuTimeout(QemuError):
    """expect() or wait_exit() ran out of time."""


class QemuExited(QemuError):
    """QEMU ended while expect() was waiting for output."""


def wait_file(path, want, timeout=60):
    """Wait until the host file `path` holds `want` (bytes; None: is gone),
    at most timeout seconds (times PXQEMU_TIMEOUT_SCALE); AssertionError (a
    test failure) with what it holds otherwise."""
    deadline = time.monotonic() + timeout * TIMEOUT_SCALE
    got = None
    while time.monotonic() < deadline:
        try:
            with open(path, "rb") as f:
                got = f.read()
        except FileNotFoundError:
            got = None
        if got == want:
            return
        time.sleep(0.2)
    raise AssertionError("%s holds %r, not %r" % (path, got and got[:200], want and want[:200]))


def strip_ansi(text):
    """Return text without ANSI/VT100 escape sequences (OVMF's console uses them)."""
    return _ANSI.sub("", text)


def debug_exit_code(status):
    """Map a QEMU exit status to the value the guest wrote to isa-debug-exit.

    QEMU exits with (v << 1) | 1 after a guest `out 0xf4, v`, so an odd status s
    gives v = s >> 1; an even status (QEMU quit on its own) gives None. Status 1
    is ambiguous (v = 0, or a QEMU error): callers that care check qemu.log.
    """
    if status is None or status < 0 or status % 2 == 0:
        return None
    return status >> 1


# ---------------------------------------------------------------------------
# Images: PPM (QEMU screendump) in, PNG out (and in, for reference pictures).


class Image:
    """An RGB picture: width and height in pixels, rows top to bottom, 3 bytes
    (R, G, B) per pixel in `data` (len = width * height * 3)."""

    def __init__(self, width, height, data):
        if width <= 0 or height <= 0 or len(data) != width * height * 3:
            raise ValueError("Image: %dx%d needs %d bytes of RGB, got %d"
                             % (width, height, width * height * 3, len(data)))
        self.width = width
        self.height = height
        self.data = bytes(data)

    def get_pixel(self, x, y):
        """Return (r, g, b) at column x, row y (0,0 is the top left)."""
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise IndexError("pixel (%d,%d) outside %dx%d" % (x, y, self.width, self.height))
        i = (y * self.width + x) * 3
        return (self.data[i], self.data[i + 1], self.data[i + 2])

    def row(self, y):
        """Return row y as bytes (3 per pixel)."""
        return self.data[y * self.width * 3:(y + 1) * self.width * 3]

    def crop(self, x, y, w, h):
        """Return the w x h rectangle whose top-left pixel is (x, y)."""
        if x < 0 or y < 0 or w <= 0 or h <= 0 or x + w > self.width or y + h > self.height:
            raise IndexError("crop %dx%d+%d+%d outside %dx%d" % (w, h, x, y, self.width, self.height))
        rows = [self.data[((y + r) * self.width + x) * 3:((y + r) * self.width + x + w) * 3]
                for r in range(h)]
        return Image(w, h, b"".join(rows))

    def colours(self):
        """Return the set of distinct (r, g, b) values in the picture."""
        d = self.data
        return {(d[i], d[i + 1], d[i + 2]) for i in range(0, len(d), 3)}

    def to_png(self):
        """Encode as PNG (8-bit RGB, filter 0, zlib; PNG spec ISO/IEC 15948)."""
        stride = self.width * 3
        raw = b"".join(b"\x00" + self.data[y * stride:(y + 1) * stride] for y in range(self.height))

        def chunk(tag, body):
            return (struct.pack(">I", len(body)) + tag + body
                    + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF))

        ihdr = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))

    def save_png(self, path):
        """Write the picture to path as PNG; return path."""
        with open(path, "wb") as f:
            f.write(self.to_png())
        return path

    @classmethod
    def from_ppm(cls, data):
        """Parse a binary PPM (P6, maxval 1..65535, '#' comments) from bytes."""
        pos = 0
        fields = []
        if data[:2] != b"P6":
            raise ValueError("not a binary PPM (no P6 magic)")
        pos = 2
        while len(fields) < 3:
            while pos < len(data) and data[pos:pos + 1].isspace():
                pos += 1
            if data[pos:pos + 1] == b"#":
                while pos < len(data) and data[pos:pos + 1] not in (b"\n", b"\r"):
                    pos += 1
                continue
            start = pos
            while pos < len(data) and data[pos:pos + 1].isdigit():
                pos += 1
            if start == pos:
                raise ValueError("PPM header is truncated or malformed at byte %d" % pos)
            fields.append(int(data[start:pos]))
        pos += 1  # exactly one white-space byte ends the header
        width, height, maxval = fields
        if width <= 0 or height <= 0 or not 0 < maxval < 65536:
            raise ValueError("PPM header has bad size %dx%d or maxval %d" % (width, height, maxval))
        bpp = 3 if maxval < 256 else 6
        body = data[pos:pos + width * height * bpp]
        if len(body) != width * height * bpp:
            raise ValueError("PPM pixel data truncated: %d of %d bytes"
                             % (len(body), width * height * bpp))
        if bpp == 6:
            vals = struct.unpack(">%dH" % (width * height * 3), body)
            body = bytes(v * 255 // maxval for v in vals)
        elif maxval != 255:
            body = bytes(v * 255 // maxval for v in body)
        return cls(width, height, body)

    @classmethod
    def load_ppm(cls, path):
        with open(path, "rb") as f:
            return cls.from_ppm(f.read())

    @classmethod
    def from_png(cls, data):
        """Decode a non-interlaced 8-bit RGB or RGBA PNG (alpha is dropped)."""
        if data[:8] != b"\x89PNG\r\n\x1a\n":
            raise ValueError("not a PNG (bad signature)")
        pos, idat, hdr = 8, [], None
        while pos + 8 <= len(data):
            (n,) = struct.unpack(">I", data[pos:pos + 4])
            tag, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
            if len(body) != n or len(data) < pos + 12 + n:
                raise ValueError("PNG chunk %r truncated" % tag)
            (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
            if crc != zlib.crc32(tag + body) & 0xFFFFFFFF:
                raise ValueError("PNG chunk %r has a bad CRC" % tag)
            if tag == b"IHDR":
                hdr = struct.unpack(">IIBBBBB", body)
            elif tag == b"IDAT":
                idat.append(body)
            elif tag == b"IEND":
                break
            pos += 12 + n
        if hdr is None:
            raise ValueError("PNG has no IHDR")
        w, h, depth, ctype, _, _, interlace = hdr
        if depth != 8 or ctype not in (2, 6) or interlace != 0:
            raise ValueError("PNG kind not supported (need 8-bit RGB/RGBA, not interlaced)")
        bpp = 3 if ctype == 2 else 4
        raw = zlib.decompress(b"".join(idat))
        stride = w * bpp
        if len(raw) != h * (stride + 1):
            raise ValueError("PNG image data has %d bytes, expected %d" % (len(raw), h * (stride + 1)))
        out, prev = bytearray(), bytearray(stride)
        for y in range(h):
            ftype = raw[y * (stride + 1)]
            line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                if ftype == 0:
                    pred = 0
                elif ftype == 1:
                    pred = a
                elif ftype == 2:
                    pred = b
                elif ftype == 3:
                    pred = (a + b) >> 1
                elif ftype == 4:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                else:
                    raise ValueError("PNG row %d has unknown filter %d" % (y, ftype))
                line[i] = (line[i] + pred) & 0xFF
            if bpp == 3:
                out += line
            else:
                for i in range(0, stride, 4):
                    out += line[i:i + 3]
            prev = line
        return cls(w, h, bytes(out))

    @classmethod
    def load_png(cls, path):
        with open(path, "rb") as f:
            return cls.from_png(f.read())


# ---------------------------------------------------------------------------
# Variant images.


def make_variant(src, dst, replace=None, delete=()):
    """Copy the disk image or ISO src to dst and edit the copy's ESP.

    replace: {esp_path: content}, content a local file path (str) or bytes,
    e.g. {"/pxos/boot.cfg": b"timeout=0\\n"}; delete: ESP paths to remove.
    Uses iso/esp-replace.sh. Returns dst. Raises QemuError (dst removed) if an
    edit fails, e.g. a path that does not exist or a full ESP.
    """
    replace = replace or {}
    os.makedirs(os.path.dirname(os.path.abspath(dst)), exist_ok=True)
    shutil.copyfile(src, dst)
    try:
        with tempfile.TemporaryDirectory(prefix="pxvariant-") as tmp:
            for n, (esp_path, content) in enumerate(sorted(replace.items())):
                if isinstance(content, (bytes, bytearray)):
                    local = os.path.join(tmp, "file%d" % n)
                    with open(local, "wb") as f:
                        f.write(content)
                else:
                    local = content
                _esp_tool(dst, esp_path, local)
            for esp_path in delete:
                _esp_tool("--delete", dst, esp_path)
    except QemuError:
        os.unlink(dst)
        raise
    return dst


def esp_read(img, esp_path):
    """Return the bytes of file esp_path on the ESP of a disk image or ISO."""
    with tempfile.TemporaryDirectory(prefix="pxesp-") as tmp:
        out = os.path.join(tmp, "out")
        _esp_tool("--extract", img, esp_path, out)
        with open(out, "rb") as f:
            return f.read()


def _esp_tool(*args):
    r = subprocess.run(["bash", ESP_REPLACE] + [str(a) for a in args],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, check=False)
    if r.returncode != 0:
        raise QemuError("esp-replace.sh %s failed: %s"
                        % (" ".join(map(str, args)), r.stdout.decode(errors="replace").strip()))


# ---------------------------------------------------------------------------
# The harness.

_live = set()


def _kill_all_at_exit():
    for vm in list(_live):
        vm.close()


atexit.register(_kill_all_at_exit)


# How the harness's chardev `serial0` reaches the guest (Qemu's `serial`).
SERIAL_WIRING = {
    "isa": ["-serial", "chardev:serial0"],
    "com2": ["-serial", "none", "-device", "isa-serial,chardev=serial0,iobase=0x2f8,irq=3"],
    "pci": ["-serial", "none", "-device", "pci-serial,chardev=serial0"],
    "debugcon": ["-serial", "none", "-device", "isa-debugcon,chardev=serial0,iobase=0xe9"],
}


class Qemu:
    """One QEMU run of a pxOS image; use as a context manager.

    image: path of a raw disk image or ISO. name: test name (the log directory
    is <build>/tests/qemu/<name>/, emptied first). media: how the image is
    attached: "disk" (SATA disk on q35's AHCI), "usb" (usb-storage on an xHCI
    controller: a USB stick) or "cdrom" (SATA CD-ROM, read-only).
    snapshot=True opens the image with snapshot=on (writes go to a temporary
    overlay); snapshot=False boots a private copy, self.disk, in the log
    directory instead, which is kept after the run for inspection.
    memory: MiB. extra_args: more QEMU arguments. build: the build directory
    (default <repo>/build or $BUILD). start=False defers start().
    serial: what the harness's socket (send/expect) is wired to, one of
    SERIAL_WIRING: "isa" (COM1, QEMU's default serial port), "com2" (an ISA
    16550 at 0x2F8, IRQ 3, and no COM1), "pci" (a pci-serial card, 1b36:0002,
    and no ISA serial port), "debugcon" (no serial port at all; the socket
    gets QEMU's debug console at I/O 0xE9, output only: type with hmp sendkey).
    """

    def __init__(self, image, name, media="disk", snapshot=True, memory=512,
                 extra_args=(), build=None, start=True, serial="isa"):
        if media not in ("disk", "usb", "cdrom"):
            raise ValueError("media must be disk, usb or cdrom, not %r" % (media,))
        if serial not in SERIAL_WIRING:
            raise ValueError("serial must be one of %s, not %r" % (", ".join(SERIAL_WIRING), serial))
        self.serial = serial
        if not re.fullmatch(r"[A-Za-z0-9_.+-]+", name):
            raise ValueError("test name %r: use letters, digits and _.+- only" % (name,))
        if not os.path.isfile(image):
            raise QemuError("image %r not found (build it first: make img / make iso)" % image)
        build = build or os.environ.get("BUILD") or os.path.join(REPO, "build")
        self.name = name
        self.media = media
        self.dir = os.path.abspath(os.path.join(build, "tests", "qemu", name))
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.image = os.path.abspath(image)
        self.snapshot = snapshot
        if snapshot or media == "cdrom":
            self.disk = self.image
        else:
            self.disk = os.path.join(self.dir, os.path.basename(self.image))
        self.memory = memory
        self.extra_args = list(extra_args)
        self.serial_log = os.path.join(self.dir, "serial.log")
        self.qemu_log = os.path.join(self.dir, "qemu.log")
        self.proc = None
        self._sockdir = None
        self._serial = None
        self._monitor = None
        self._reader = None
        self._cond = threading.Condition()
        self._text = ""          # all serial output, decoded (UTF-8, bad bytes replaced)
        self._pos = 0            # expect() searches from here
        self._eof = False
        self._shots = 0
        if start:
            self.start()

    # -- life cycle --------------------------------------------------------

    def command(self):
        """Return the QEMU argument list (sockets must already be chosen)."""
        vars_copy = os.path.join(self.dir, "OVMF_VARS.fd")
        args = [QEMU, "-M", "q35", "-m", str(self.memory), "-accel", "tcg", "-cpu", "max",
                "-display", "none", "-nic", "none", "-no-reboot",
                "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF_CODE,
                "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy,
                "-chardev", "socket,id=serial0,path=%s,server=on,wait=on" % self._serial_path,
                *SERIAL_WIRING[self.serial],
                "-monitor", "unix:%s,server=on,wait=off" % self._monitor_path,
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        drive = "if=none,id=bootmedia,format=raw,file=" + self.disk
        if self.media == "cdrom":
            args += ["-drive", drive + ",media=cdrom,readonly=on",
                     "-device", "ide-cd,drive=bootmedia,bus=ide.1,bootindex=0"]
        else:
            if self.snapshot:
                drive += ",snapshot=on"
            if self.media == "disk":
                args += ["-drive", drive,
                         "-device", "ide-hd,drive=bootmedia,bus=ide.0,bootindex=0"]
            else:
                args += ["-device", "qemu-xhci,id=xhci", "-drive", drive,
                         "-device", "usb-storage,bus=xhci.0,drive=bootmedia,bootindex=0"]
        return args + self.extra_args

    def start(self, timeout=30):
        """Start QEMU and connect to its serial port and monitor."""
        if self.proc is not None:
            raise QemuError("%s: already started" % self.name)
        for f in (OVMF_CODE, OVMF_VARS):
            if not os.path.isfile(f):
                raise QemuError("firmware %s not found: install ovmf (make deps)" % f)
        if shutil.which(QEMU) is None:
            raise QemuError("%s not found: install qemu-system-x86 (make deps)" % QEMU)
        shutil.copyfile(OVMF_VARS, os.path.join(self.dir, "OVMF_VARS.fd"))
        if self.disk != self.image:
            shutil.copyfile(self.image, self.disk)
        # Unix socket paths are limited to 107 bytes: keep them short, in /tmp.
        self._sockdir = tempfile.mkdtemp(prefix="pxqemu-")
        self._serial_path = os.path.join(self._sockdir, "serial")
        self._monitor_path = os.path.join(self._sockdir, "monitor")
        args = self.command()
        with open(os.path.join(self.dir, "cmdline.txt"), "w") as f:
            f.write(" ".join(_shell_quote(a) for a in args) + "\n")
        self._log = open(self.serial_log, "wb")
        qlog = open(self.qemu_log, "wb")
        try:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=qlog,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            qlog.close()
        _live.add(self)
        try:
            deadline = time.monotonic() + timeout * TIMEOUT_SCALE
            self._serial = self._connect(self._serial_path, deadline)
            self._reader = threading.Thread(target=self._read_serial, daemon=True,
                                            name="pxqemu-serial-" + self.name)
            self._reader.start()
            self._monitor = self._connect(self._monitor_path, deadline)
            self._monitor.settimeout(timeout * TIMEOUT_SCALE)
            self._monitor_read_prompt()
        except BaseException:
            self.close()
            raise
        return self

    def _connect(self, path, deadline):
        while True:
            if self.proc.poll() is not None:
                raise QemuError("QEMU exited with status %d before it was connected:\n%s"
                                % (self.proc.returncode, self._qemu_log_text()))
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                return s
            except (FileNotFoundError, ConnectionRefusedError):
                s.close()
            if time.monotonic() > deadline:
                raise QemuTimeout("QEMU did not open %s in time:\n%s" % (path, self._qemu_log_text()))
            time.sleep(0.02)

    def throttle(self, rate):
        """Read the serial line at most `rate` bytes per second from now on
        (0: as fast as it comes), as a slow terminal or bridge would: the
        guest's output then backs up (tests/qemu/test_hostile.py)."""
        self._rate = rate

    def _read_serial(self):
        dec = codecs.getincrementaldecoder("utf-8")("replace")
        sock = self._serial
        while True:
            rate = getattr(self, "_rate", 0)
            try:
                chunk = sock.recv(max(1, rate // 20) if rate else 65536)
            except OSError:
                chunk = b""
            if rate and chunk:
                time.sleep(len(chunk) / rate)
            if chunk:
                self._log.write(chunk)
                self._log.flush()
            with self._cond:
                if chunk:
                    self._text += dec.decode(chunk)
                else:
                    self._text += dec.decode(b"", final=True)
                    self._eof = True
                self._cond.notify_all()
            if not chunk:
                return

    def close(self):
        """Stop QEMU if it runs (SIGTERM, then SIGKILL after 5 s) and release
        its sockets, threads and files. The logs stay. Safe to call twice."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for s in (self._serial, self._monitor):
            if s is not None:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
        self._monitor = None
        reader_done = True
        if self._reader is not None:
            self._reader.join(5)
            reader_done = not self._reader.is_alive()
            self._reader = None
        self._serial = None
        if getattr(self, "_log", None) is not None and reader_done:
            self._log.close()
            self._log = None
        if self._sockdir is not None:
            shutil.rmtree(self._sockdir, ignore_errors=True)
            self._sockdir = None
        _live.discard(self)

    kill = close

    def __enter__(self):
        if self.proc is None:
            self.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- serial --------------------------------------------------------------

    @property
    def output(self):
        """All serial output so far, as text."""
        with self._cond:
            return self._text

    def tail(self, n=TAIL_LINES):
        """The last n lines of serial output, escape sequences removed."""
        lines = strip_ansi(self.output).replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return "\n".join(lines[-n:])

    def expect(self, pattern, timeout=60):
        """Wait for pattern (a regex string or compiled pattern) in the serial
        output after the previous match; return the re.Match (its string is the
        whole output) and continue later searches after it.

        Output arrives in pieces: a pattern that ends in an open repetition
        (e.g. r"ok: (.*)") can match a line before all of it arrived; end such
        patterns with r"\\r?\\n". Raises QemuTimeout after timeout seconds (times
        PXQEMU_TIMEOUT_SCALE), QemuExited if QEMU ends first; both messages
        carry the last 40 lines of serial output.
        """
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        limit = timeout * TIMEOUT_SCALE
        deadline = time.monotonic() + limit
        with self._cond:
            while True:
                m = rx.search(self._text, self._pos)
                if m:
                    self._pos = m.end()
                    return m
                if self._eof:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, 0.5))
            eof = self._eof
        if eof:
            status = self.proc.wait()
            raise QemuExited("%s: QEMU exited (status %d) before /%s/ appeared on serial; "
                             "last %d lines of serial output:\n%s\n--- qemu.log:\n%s"
                             % (self.name, status, rx.pattern, TAIL_LINES, self.tail(),
                                self._qemu_log_text()))
        raise QemuTimeout("%s: /%s/ did not appear on serial within %gs; last %d lines "
                          "of serial output:\n%s" % (self.name, rx.pattern, limit,
                                                     TAIL_LINES, self.tail()))

    def send(self, text):
        """Write text (str, UTF-8 encoded, or bytes) to the serial port."""
        if self._serial is None:
            raise QemuError("%s: not connected" % self.name)
        self._serial.sendall(text.encode() if isinstance(text, str) else bytes(text))

    # -- monitor ---------------------------------------------------------------

    def _monitor_read_prompt(self):
        buf = b""
        while not buf.endswith(b"(qemu) "):
            try:
                chunk = self._monitor.recv(65536)
            except socket.timeout:
                raise QemuTimeout("%s: no HMP prompt; got %r" % (self.name, buf[-200:]))
            if not chunk:
                raise QemuExited("%s: QEMU closed the monitor; got %r" % (self.name, buf[-200:]))
            buf += chunk
        return buf

    def hmp(self, command):
        """Run one HMP monitor command and return its output as text (the
        echoed command, escape sequences and prompt removed)."""
        if self._monitor is None:
            raise QemuError("%s: monitor not connected" % self.name)
        try:
            self._monitor.sendall(command.encode() + b"\n")
            raw = self._monitor_read_prompt()
        except OSError as e:
            raise QemuExited("%s: monitor connection lost (%s); QEMU status %r"
                             % (self.name, e, self.proc.poll()))
        text = strip_ansi(raw.decode(errors="replace"))[:-len("(qemu) ")]
        # The first line is QEMU's echo of the command as it was typed.
        _, _, out = text.partition("\r\n")
        return out.replace("\r\n", "\n").strip("\n")

    def screendump(self, path=None):
        """Save the screen with HMP screendump and return it as an Image.

        path: where to keep it; a name ending in .png is saved as PNG (the PPM
        from QEMU is then discarded), anything else keeps QEMU's PPM. Default:
        screen-N.png in the log directory.
        """
        self._shots += 1
        if path is None:
            path = os.path.join(self.dir, "screen-%d.png" % self._shots)
        path = os.path.abspath(path)
        png = path.lower().endswith(".png")
        ppm = path[:-4] + ".ppm" if png else path
        if os.path.exists(ppm):
            os.unlink(ppm)
        if "\"" in ppm or " " in ppm:
            raise QemuError("screendump path %r must not contain spaces or quotes" % ppm)
        out = self.hmp("screendump " + ppm)
        if not os.path.isfile(ppm):
            raise QemuError("%s: screendump wrote no file: %s" % (self.name, out or "(no message)"))
        image = Image.load_ppm(ppm)
        if png:
            image.save_png(path)
            os.unlink(ppm)
        return image

    # -- exit --------------------------------------------------------------------

    def wait_exit(self, timeout=60):
        """Wait for QEMU to end and return its exit status; after a guest
        `out 0xf4, v` (isa-debug-exit) that is (v << 1) | 1 (see
        debug_exit_code). Raises QemuTimeout (with the serial tail) if QEMU
        still runs after timeout seconds; QEMU is left running then."""
        if self.proc is None:
            raise QemuError("%s: not started" % self.name)
        limit = timeout * TIMEOUT_SCALE
        try:
            status = self.proc.wait(limit)
        except subprocess.TimeoutExpired:
            raise QemuTimeout("%s: QEMU still running after %gs; last %d lines of serial "
                              "output:\n%s" % (self.name, limit, TAIL_LINES, self.tail()))
        if self._reader is not None:
            self._reader.join(5)
        return status

    def _qemu_log_text(self):
        try:
            with open(self.qemu_log, "rb") as f:
                return f.read().decode(errors="replace").strip() or "(qemu.log is empty)"
        except OSError:
            return "(no qemu.log)"


def _shell_quote(s):
    return s if re.fullmatch(r"[A-Za-z0-9_./=:,+-]+", s) else "'" + s.replace("'", "'\\''") + "'"


class BridgeQemu(Qemu):
    """A Qemu whose serial port is connected to tools/pxbridge (path
    `pxbridge`, started with `bridge_args` and `env`) instead of the harness:
    pxbridge's stdin and stdout are one end of a socket pair, so send() types
    into pxbridge and expect() reads its console output."""

    def __init__(self, image, name, pxbridge, bridge_args=(), env=None, **kw):
        self.pxbridge = pxbridge
        self.bridge_args = list(bridge_args)
        self.bridge_env = env
        self.bridge = None
        self.bridge_log = None
        kw.setdefault("start", True)
        start = kw.pop("start")
        super().__init__(image, name, start=False, **kw)
        self.bridge_log = os.path.join(self.dir, "pxbridge.log")
        if start:
            self.start()

    def _connect(self, path, deadline):
        if path != self._serial_path:
            return super()._connect(path, deadline)
        return self._start_bridge()

    def _start_bridge(self):
        mine, theirs = socket.socketpair()
        env = dict(os.environ)
        env.update(self.bridge_env or {})
        cmd = [self.pxbridge, "--socket", self._serial_path, "--no-tty", "--wait", "30",
               "--log", self.bridge_log] + self.bridge_args
        if "--home" not in self.bridge_args and "--no-home" not in self.bridge_args:
            # pxOS's /home is kept in the test's own directory (wiped with
            # it), never in the default build/home another run would restore
            cmd += ["--home", os.path.join(self.dir, "home")]
        with open(os.path.join(self.dir, "pxbridge.stderr"), "ab") as err:
            self.bridge = subprocess.Popen(cmd, stdin=theirs, stdout=theirs, stderr=err, env=env,
                                           start_new_session=True)
        theirs.close()
        return mine

    def restart_bridge(self, bridge_args=None, kill_only=False):
        """Kill pxbridge (SIGKILL: no goodbye) and, unless kill_only, start a new one."""
        self.bridge.kill()
        self.bridge.wait()
        self._reader.join(5)
        with self._cond:
            self._eof = False
        if kill_only:
            return
        if bridge_args is not None:
            self.bridge_args = list(bridge_args)
        self._serial.close()
        self._serial = self._start_bridge()
        self._reader = threading.Thread(target=self._read_serial, daemon=True, name="pxbridge-reader")
        self._reader.start()

    def close(self):
        super().close()
        if self.bridge is not None and self.bridge.poll() is None:
            self.bridge.terminate()
            try:
                self.bridge.wait(5)
            except subprocess.TimeoutExpired:
                self.bridge.kill()
                self.bridge.wait()

    def log_text(self):
        try:
            with open(self.bridge_log, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""



# Text on the screen, read with the console's own font (the kernel draws every
# character as a glyph of build/fonts/terminus16.psf, on a dark background).

class ScreenFont:
    """A PSF1/PSF2 console font (the kernel's, build/fonts/terminus16.psf):
    glyph bitmaps by Latin-1 character, through the font's Unicode table as
    drivers/font.c maps them."""

    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        if data[:2] == b"\x36\x04":
            mode, self.height = data[2], data[3]
            self.width, count, hdr = 8, 512 if mode & 1 else 256, 4
            self.charsize = self.height
            glyphs_end = hdr + count * self.charsize
            table = data[glyphs_end:] if mode & 2 else b""
            self.map = self._psf1_map(table, count)
        else:
            magic, _, hdr, flags, count, self.charsize, self.height, self.width = struct.unpack("<8I", data[:32])
            if magic != 0x864AB572:
                raise ValueError("%s: not a PSF font" % path)
            glyphs_end = hdr + count * self.charsize
            table = data[glyphs_end:] if flags & 1 else b""
            self.map = self._psf2_map(table, count)
        self.data, self.hdr = data, hdr
        self.row_bytes = (self.width + 7) // 8

    @staticmethod
    def _psf1_map(t, count):
        m, glyph, seq = {}, 0, False
        for i in range(0, len(t) - 1, 2):
            v = t[i] | t[i + 1] << 8
            if v == 0xFFFF:
                glyph, seq = glyph + 1, False
            elif v == 0xFFFE:
                seq = True
            elif not seq and v < 256 and glyph < count:
                m.setdefault(v, glyph)
        return m

    @staticmethod
    def _psf2_map(t, count):
        m, glyph, seq, i = {}, 0, False, 0
        while i < len(t) and glyph < count:
            b = t[i]
            if b == 0xFF:
                glyph, seq, i = glyph + 1, False, i + 1
                continue
            if b == 0xFE:
                seq, i = True, i + 1
                continue
            n = 1 if b < 0x80 else 2 if b >> 5 == 6 else 3 if b >> 4 == 14 else 4
            ch = t[i:i + n].decode("utf-8", "replace")
            i += n
            if not seq and len(ch) == 1 and ord(ch) < 256:
                m.setdefault(ord(ch), glyph)
        return m

    def rows(self, text):
        """The ink of `text` drawn in this font: one string of '0'/'1' per pixel row."""
        out = []
        for y in range(self.height):
            bits = []
            for ch in text:
                g = self.map.get(ord(ch), self.map.get(ord("?"), 0))
                off = self.hdr + g * self.charsize + y * self.row_bytes
                row = int.from_bytes(self.data[off:off + self.row_bytes], "big")
                total = self.row_bytes * 8
                bits.append("".join("1" if row >> (total - 1 - x) & 1 else "0" for x in range(self.width)))
            out.append("".join(bits))
        return out


def find_text(img, font, text, min_level=100):
    """Where `text` is drawn on screendump `img` in `font` (any colour whose
    brightest channel is at least `min_level`, on a darker background):
    (x, y) of its top-left pixel, or None."""
    want = font.rows(text)
    ink = []
    d = img.data
    w = img.width
    for y in range(img.height):
        row = d[y * w * 3:(y + 1) * w * 3]
        ink.append("".join("1" if max(row[i], row[i + 1], row[i + 2]) >= min_level else "0"
                           for i in range(0, len(row), 3)))
    anchor = max(range(len(want)), key=lambda r: want[r].count("1"))
    for y in range(img.height - len(want) + 1):
        line = ink[y + anchor]
        x = line.find(want[anchor])
        while x >= 0:
            if all(ink[y + r][x:x + len(want[r])] == want[r] for r in range(len(want))):
                return x, y
            x = line.find(want[anchor], x + 1)
    return None


# The substrate's record in row 0 of the screen (kernel/vram.h): pixel k holds
# value k as R | G << 8 | B << 16.
VRAM_RECORD_MAGIC = 0x4F7870  # 'p', 'x', 'O'
VRAM_REGIONS = ("metadata", "palette", "kernel", "syscalls", "processes", "programs")


def read_vram_record(img):
    """Decode the record in row 0 of screendump `img` (a PNG from screendump()):
    magic, version, screen size, slot count, tile size, each region's (y, h),
    and each slot's tile and canvas (x, y)."""
    def value(i):
        r, g, b = img.get_pixel(i, 0)
        return r | (g << 8) | (b << 16)
    rec = {"magic": value(0), "version": value(1), "width": value(2), "height": value(3),
           "slots": value(4), "tile": value(5), "regions": {}, "slot": []}
    for k, name in enumerate(VRAM_REGIONS):
        rec["regions"][name] = (value(6 + 2 * k), value(7 + 2 * k))
    for s in range(rec["slots"]):
        base = 18 + 4 * s
        rec["slot"].append({"tile": (value(base), value(base + 1)),
                            "canvas": (value(base + 2), value(base + 3))})
    return rec


def run_tool(*cmd):
    """Run a host tool; its output (stdout and stderr) as text, or an
    AssertionError with that output when it fails."""
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s" % (" ".join(cmd), r.returncode, r.stdout.decode()))
    return r.stdout.decode()


class QemuCase(unittest.TestCase):
    """Base of the QEMU test cases: `cfg` is the script's CFG (test_main fills
    it: build, img, timeout)."""
    maxDiff = None
    cfg = {}

    def build_path(self, *parts):
        return os.path.join(self.cfg["build"], *parts)

    def boot(self, name, image=None):
        """Start QEMU on `image` (default: the built disk image); closed at cleanup."""
        vm = Qemu(image or self.cfg["img"], name)
        self.addCleanup(vm.close)
        return vm

    def expect(self, vm, pattern, timeout=None):
        return vm.expect(pattern, timeout or self.cfg["timeout"])


def test_main(label, doc, cfg, cases, need=()):
    """The command line every QEMU test script shares, then its run:
    --build DIR (default $BUILD, else the repository's build/), --timeout S
    (seconds per serial marker, default 120), -k FILTER (repeatable).
    Fills cfg["build"], cfg["img"] (BUILD/pxos.img) and cfg["timeout"].
    `need`: paths relative to BUILD that must exist (else the summary line
    reports one failure and says to run `make all`); `cases`: TestCase classes,
    or a function of cfg that returns them. Returns the exit status."""
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--build", default=os.environ.get("BUILD") or os.path.join(repo, "build"))
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per serial marker (default 120)")
    ap.add_argument("-k", dest="filters", action="append", default=[],
                    help="run only tests whose id contains this (repeatable)")
    args = ap.parse_args()
    cfg["build"] = os.path.abspath(args.build)
    cfg["img"] = os.path.join(cfg["build"], "pxos.img")
    cfg["timeout"] = args.timeout
    paths = [cfg["img"]] + [os.path.join(cfg["build"], p) for p in need]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        print("test_%s: missing %s: run `make all` first" % (label, ", ".join(missing)), file=sys.stderr)
        print("%s: 0 passed, 1 failed" % label)
        return 1
    return run_suite(label, tuple(cases(cfg) if callable(cases) else cases), args.filters)


def run_suite(label, cases, filters=()):
    """Run the unittest TestCase classes `cases` (only tests whose id contains
    one of `filters`, when given), report on stderr, print the summary line
    "LABEL: N passed, N failed[, N skipped]; wall S s" on stdout (S: seconds
    since the test file started) and return the exit status: 0 when something
    ran and nothing failed or was skipped. A skipped test fails the suite (a
    feature that is missing must fail, not vanish from the count) and is named
    on stderr with its reason; an expected failure counts as a failure."""
    suite = unittest.TestSuite()
    loader = unittest.TestLoader()
    for case in cases:
        for test in loader.loadTestsFromTestCase(case):
            if not filters or any(f in test.id() for f in filters):
                suite.addTest(test)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stderr).run(suite)
    # An expected failure (@unittest.expectedFailure) hides a broken feature
    # as a skip does: it counts as a failure.
    failed = (len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
              + len(result.expectedFailures))
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    for test, reason in result.skipped:
        print("%s: SKIPPED %s: %s (a skip fails the suite)" % (label, test.id(), reason),
              file=sys.stderr)
    for test, _ in result.expectedFailures:
        print("%s: EXPECTED FAILURE %s counts as a failure" % (label, test.id()), file=sys.stderr)
    line = "%s: %d passed, %d failed" % (label, passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    if result.testsRun == 0:
        line += ", no test ran"
    line += "; wall %.1f s" % (time.monotonic() - STARTED)
    sys.stdout.flush()
    print(line)
    return 0 if failed == 0 and skipped == 0 and result.testsRun > 0 else 1
