#!/usr/bin/python3
"""test_serial — the serial ports pxOS finds on machines unlike QEMU's default
(issue 10 item 5): each boot wires the harness to a different port.

    /usr/bin/python3 tests/qemu/test_serial.py [--build DIR] [--timeout S] [-k SUBSTRING]

  - pci-serial: no ISA serial port, a pci-serial card (1b36:0002, I/O BAR)
    with pxbridge on it: the default order passes SPCR, COM1 and COM2 by and
    takes the card (logged with its reasons, named on the status line, checked
    pixel for pixel in every boot); the boot messages from before
    the choice are replayed on it; input is polled on the tick (no IRQ); the
    shell answers, and `ask` is answered by pxbridge's scripted backend.
  - no-serial: no serial port at all, the keyboard and the screen only,
    watched through QEMU's debug console (kernel option `debugcon`, a test
    channel), and `serial=pci:00:05.0` naming a card that is not there: the
    kernel says so, tries the default order, says there is no serial port
    and why; the shell
    runs lines typed on the PS/2 keyboard (HMP sendkey); `ask` says there is
    no bridge.
  - spcr: COM1 (output to a file) and COM2 (the harness) both present, an
    SPCR (added with -acpitable, installed by OVMF) naming COM2 with IRQ 3,
    and a DBG2 listing an xHCI debug port and a 16550 at COM2: the default
    order prefers SPCR's port over an answering COM1; the move is logged on
    COM1, the earlier messages replayed on COM2; typed input arrives by IRQ 3.
Logs: build/tests/qemu/serial-*/. Last line: "serial: N passed, N failed".
"""

import os
import re
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pxqemu  # noqa: E402

CFG = {}
SHELL_PROMPT = r"sh\$ "
DEFAULT_ORDER = r"default order SPCR, COM1, COM2, PCI, DBG2: "
SCRIPT = """\
# test_serial: an answer over whichever serial port pxOS chose
rule: which port
reply: answered over the PCI serial card
"""


# ---------------------------------------------------------------------------
# ACPI tables for -acpitable file=... (QEMU fills in the checksum again).

def acpi_table(sig, body, rev):
    t = bytearray(sig + struct.pack("<IBB6s8sI4sI", 36 + len(body), rev, 0, b"PXTEST", b"PXSERIAL",
                                    1, b"PXOS", 1) + body)
    t[9] = -sum(t) & 0xFF
    return bytes(t)


def gas(space, bits, access, addr):
    """ACPI Generic Address Structure: space 0 memory, 1 I/O."""
    return struct.pack("<BBBBQ", space, bits, 0, access, addr)


def spcr(iface, base, irq, baud_code, rev=2):
    """SPCR (Microsoft SPCR spec) naming a UART: 8259 IRQ `irq`, not PCI."""
    body = struct.pack("<B3x", iface) + base + struct.pack(
        "<BBIBBBBBBHHBBBIBI", 0x01, irq, 0, baud_code, 0, 1, 0, 0, 0, 0xFFFF, 0xFFFF, 0, 0, 0, 0, 0, 0)
    return acpi_table(b"SPCR", body, rev)


def dbg2(ports):
    """DBG2 (Microsoft DBG2 spec) with one device structure per (type, subtype, GAS)."""
    devs = b""
    for ptype, sub, base in ports:
        ns = b".\0"
        bar, size = 22, 22 + 12
        length = size + 4 + len(ns)
        devs += struct.pack("<BHBHHHHHHHHH", 0, length, 1, len(ns), size + 4, 0, 0, ptype, sub, 0, bar, size)
        devs += base + struct.pack("<I", 8) + ns
    return acpi_table(b"DBG2", struct.pack("<II", 44, len(ports)) + devs, 0)


def psf1_font(path):
    """The glyphs of a PSF1 font (the kernel's, build/fonts/) by character:
    {char: rows of bits}, and its height (PSF1: 4-byte header, 256 or 512
    glyphs, then per glyph UCS-2 values ended by 0xFFFF, 0xFFFE starting
    sequences)."""
    with open(path, "rb") as f:
        d = f.read()
    mode, height = d[2], d[3]
    n = 512 if mode & 1 else 256
    glyphs, chars = [d[4 + i * height:4 + (i + 1) * height] for i in range(n)], {}
    pos, g, seq = 4 + n * height, 0, False
    while mode & 2 and pos + 2 <= len(d) and g < n:
        (v,) = struct.unpack_from("<H", d, pos)
        pos += 2
        if v == 0xFFFF:
            g, seq = g + 1, False
        elif v == 0xFFFE:
            seq = True
        elif not seq:
            chars.setdefault(chr(v), glyphs[g])
    return chars, height


# ---------------------------------------------------------------------------


class SerialCase(pxqemu.QemuCase):
    cfg = CFG

    def vm(self, name, serial, extra=(), cmdline=None, bridge_args=None):
        image = CFG["img"]
        if cmdline:
            image = self.build_path("tests", "qemu", "variants", "serial-%s.img" % name)
            pxqemu.make_variant(CFG["img"], image, replace={"/pxos/boot.cfg": ("cmdline = %s\n" % cmdline).encode()})
        t0 = time.monotonic()
        if bridge_args is not None:
            vm = pxqemu.BridgeQemu(image, "serial-" + name, self.build_path("tools", "pxbridge"),
                                   bridge_args=bridge_args, serial=serial, extra_args=list(extra),
                                   build=CFG["build"])
        else:
            vm = pxqemu.Qemu(image, "serial-" + name, serial=serial, extra_args=list(extra), build=CFG["build"])
        self.addCleanup(vm.close)
        vm.expect(SHELL_PROMPT, CFG["timeout"])
        sys.stderr.write("  %s: at the shell in %.1f s\n" % (name, time.monotonic() - t0))
        return vm

    def log(self, vm):
        return pxqemu.strip_ansi(vm.output)

    def shell(self, vm, line, timeout=60):
        start = len(vm.output)
        vm.send(line + "\r")
        vm.expect(SHELL_PROMPT, timeout)
        return pxqemu.strip_ansi(vm.output[start:])

    def status_line_shows(self, img, text):
        """Whether the status line (vram_status: 8x16 font, COL_TEXT on COL_BG
        at x 4, y 2) begins with `text`, pixel for pixel."""
        font, h = psf1_font(self.build_path("fonts", "terminus16.psf"))
        fg, bg = (210, 210, 210), (6, 6, 14)
        for k, ch in enumerate(text):
            rows = font.get(ch)
            self.assertIsNotNone(rows, "no glyph for %r" % ch)
            for gy in range(h):
                for gx in range(8):
                    if img.get_pixel(4 + 8 * k + gx, 2 + gy) != (fg if rows[gy] & (0x80 >> gx) else bg):
                        return False
        return True

    def check_status(self, vm, name):
        """The status line names the serial port within its first 80 characters."""
        log = self.log(vm)
        version = re.search(r"kernel: pxOS kernel (\S+) starting", log).group(1)
        mode = re.search(r"fb: GOP mode \d+: (\d+x\d+) (\S+),", log)
        text = "pxOS %s | %s %s | serial %s | " % (version, mode.group(1), mode.group(2), name)
        self.assertLessEqual(len(text), 80)
        img = vm.screendump(os.path.join(vm.dir, "status.png"))
        self.assertTrue(self.status_line_shows(img, text), "the status line does not begin %r" % text)
        self.assertFalse(self.status_line_shows(img, text.replace(name, name[::-1] + "~")),
                         "the status-line check cannot fail")

    def keys(self, vm, text):
        names = {" ": "spc", "-": "minus", ".": "dot", "/": "slash", "\r": "ret", "?": "shift-slash"}
        for ch in text:
            out = vm.hmp("sendkey " + names.get(ch, ch))
            self.assertEqual(out, "", "sendkey %r: %s" % (ch, out))
            time.sleep(0.03)

    def test_pci_serial(self):
        script = self.build_path("tests", "qemu", "serial-script.txt")
        os.makedirs(os.path.dirname(script), exist_ok=True)
        with open(script, "w") as f:
            f.write(SCRIPT)
        vm = self.vm("pci", "pci", bridge_args=["--script", script])
        log = self.log(vm)
        m = re.search(r"INFO  serial: console on (pci 00:([0-9a-f]{2})\.0), 115200 baud; receive polled \("
                      + DEFAULT_ORDER + r"no SPCR, no COM1, no COM2, first PCI 16550\)", log)
        self.assertIsNotNone(m, "no PCI console line in the log")
        card = m.group(1)
        # The card is the pci-serial QEMU was given (the kernel's PCI list).
        self.assertRegex(log, r"pci: 00:%s\.0 1b36:0002 serial controller \(16550-compatible\)" % m.group(2))
        # Messages from before the choice are replayed on the card.
        self.assertRegex(log, r"serial: the boot messages before this port was chosen:\r?\n"
                              r"\[ *[0-9.]+\] INFO  kernel: pxOS kernel \S+ starting")
        self.assertIn("irq: serial port %s has no known IRQ: received bytes polled on each tick" % card, log)
        self.assertRegex(log, r"bridge: host bridge connected")
        out = self.shell(vm, "echo typed over the card")
        self.assertRegex(out, r"\ntyped over the card\r?\n")  # the echo's output, not the typed line
        out = self.shell(vm, "ask which port answers?", timeout=90)
        self.assertIn("answered over the PCI serial card", out)
        self.check_status(vm, card)

    def test_no_serial(self):
        # An explicit choice of a card that is not there: logged, then the
        # default order, which finds nothing either.
        vm = self.vm("none", "debugcon", cmdline="debugcon serial=pci:00:05.0,baud=9600")
        log = self.log(vm)
        self.assertIn("WARN  serial: serial=pci:00:05.0,baud=9600: no PCI function 00:05.0 (PCI access: ECAM); "
                      "trying the default order instead", log)
        self.assertIn("WARN  serial: no serial port (serial=pci:00:05.0,baud=9600 unusable; default order SPCR, "
                      "COM1, COM2, PCI, DBG2: no SPCR, no COM1, no COM2, no PCI 16550, no DBG2)", log)
        self.assertIn("serial: without one: no host bridge, no LLM calls; the screen and keyboard are the console",
                      log)
        self.assertIn("bridge: no serial port", log)
        start = len(vm.output)
        self.keys(vm, "echo keyboard only\r")
        vm.expect(SHELL_PROMPT, 30)
        self.assertRegex(pxqemu.strip_ansi(vm.output[start:]), r"\nkeyboard only\r?\n")
        start = len(vm.output)
        self.keys(vm, "ask anyone?\r")
        vm.expect(SHELL_PROMPT, 30)
        self.assertIn("ask: no host bridge on the serial line", vm.output[start:])
        self.check_status(vm, "none")

    def test_spcr(self):
        d = os.path.join(CFG["build"], "tests", "qemu", "serial-tables")
        os.makedirs(d, exist_ok=True)
        tables = {
            "spcr.bin": spcr(0x00, gas(1, 8, 1, 0x2F8), 3, 7),
            "dbg2.bin": dbg2([(0x8002, 0x0000, gas(0, 32, 3, 0xFE000000)),     # xHCI debug: not serial
                              (0x8000, 0x0012, gas(1, 8, 1, 0x2F8))]),         # 16550 (GAS) at COM2
        }
        extra = []
        for name, data in tables.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
            extra += ["-acpitable", "file=" + os.path.join(d, name)]
        com1 = self.build_path("tests", "qemu", "serial-spcr-com1.log")
        if os.path.exists(com1):
            os.unlink(com1)
        extra += ["-chardev", "file,id=com1,path=" + com1, "-device", "isa-serial,chardev=com1,iobase=0x3f8,irq=4"]
        vm = self.vm("spcr", "com2", extra=extra)
        log = self.log(vm)
        self.assertRegex(log, r"INFO  serial: console on SPCR COM2, 115200 baud; receive by interrupt \("
                              + DEFAULT_ORDER + r"SPCR names it\)")
        self.assertRegex(log, r"serial: the boot messages before this port was chosen:")
        self.assertIn("irq: serial receive on IRQ 3", log)
        with open(com1, "rb") as f:
            first = f.read().decode(errors="replace")
        # COM1 answered the probe and carried the messages until the choice.
        self.assertIn("kernel: pxOS kernel", first)
        self.assertIn("serial: console leaves COM1 for SPCR COM2", first)
        self.assertNotIn("init:", first)
        out = self.shell(vm, "echo over com2")
        self.assertRegex(out, r"\nover com2\r?\n")
        vm.send("\x1c")
        vm.expect(r"pxmon> ", 30)
        vm.send("irq\r")
        m = vm.expect(r"\n\s+3\s+0x23\s+(\d+)", 30)
        self.assertGreater(int(m.group(1)), 0, "no interrupt on IRQ 3")
        self.check_status(vm, "SPCR COM2")


if __name__ == "__main__":
    t_start = time.monotonic()
    status = pxqemu.test_main("serial", __doc__, CFG, [SerialCase], need=["tools/pxbridge"])
    sys.stderr.write("serial: wall time %.1f s\n" % (time.monotonic() - t_start))
    sys.exit(status)
