#!/usr/bin/python3
"""test_usb — USB keyboards over xHCI, PS/2 beside them, and the no-keyboard message (issue 10 rows).

    /usr/bin/python3 tests/qemu/test_usb.py [--build DIR] [--timeout S] [-k SUBSTRING]

Three boots, rows of the hardware matrix (variants merged to save time):
  - no keyboard at all (`-M q35,i8042=off`, no USB): the log says no xHCI, no
    i8042, "no keyboard found" and what to do; the screen's status line says
    "NO KEYBOARD (plug one in)" (read from the screendump with the console
    font); `usb` says there is no controller.
  - usb-only: `-M q35,i8042=off -device qemu-xhci -device usb-kbd`: the log
    names the xHCI driver and the keyboard's root port, the status line
    "kbd USB"; typed text reaches the shell (HMP sendkey: Shift, punctuation,
    Backspace, arrows swallowed whole by the line editor, Caps Lock); the Caps
    Lock LED goes on and off (SET_REPORT seen in the keyboard's pcap); a key
    held 1.5 s repeats (pxOS repeats, ~30/s after 500 ms); the monitor hot key
    Ctrl-\\ and a monitor command typed on it; `usb` lists controller, port
    and device (VID:PID 0627:0001, class 03/01/01, LED writes). Unplugged
    (device_del): "detached", "no keyboard left", NO KEYBOARD on screen;
    plugged in again (device_add): enumerated, it types.
  - hub, several keyboards, PS/2 beside USB, `-smp 4`, 8 GiB, a USB 3 stick:
    a `usb-hub` on root port 1 with two `usb-kbd` behind it and a
    `usb-storage` on port 2 (SuperSpeed); the log lists the hub, both
    keyboards behind it (route strings), the stick without a driver, the PS/2
    keyboard; typing works on each keyboard in turn (the newest one gets
    QEMU's keys: unplugging one moves them to the next, at last to PS/2);
    a third keyboard hot-plugged behind the hub (its status change endpoint)
    types too; `usb` shows tiers 2 and 3; the hub unplugged takes its
    keyboard with it and PS/2 types on.
Each row prints its wall time. Logs, pcaps and screenshots:
build/tests/qemu/usb-*/. Last line: "usb: N passed, N failed".
"""

import os
import re
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pxqemu  # noqa: E402

CFG = {}
PROMPT = r"sh\$ "
MONITOR = r"pxmon> "
HOTKEY_RE = r"monitor: hot key \(Ctrl-\\\): debug monitor"

# HMP sendkey names for the characters the tests type.
KEY_NAMES = {" ": "spc", "-": "minus", "=": "equal", ".": "dot", "/": "slash", ",": "comma",
             ";": "semicolon", "'": "apostrophe", "[": "bracket_left", "]": "bracket_right",
             "\\": "backslash", "`": "grave_accent", "\r": "ret", "\t": "tab"}
SHIFTED = {"!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8", "(": "9",
           ")": "0", "_": "minus", "+": "equal", ":": "semicolon", "\"": "apostrophe", "<": "comma",
           ">": "dot", "?": "slash", "{": "bracket_left", "}": "bracket_right", "|": "backslash",
           "~": "grave_accent"}


# ---------------------------------------------------------------------------
# Text on the screen, read with the console's own font.

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


# ---------------------------------------------------------------------------

class UsbCase(pxqemu.QemuCase):
    cfg = CFG

    def setUp(self):
        self.t0 = time.monotonic()

    def tearDown(self):
        print("  row %s: %.1f s" % (self.id().rsplit(".", 1)[-1], time.monotonic() - self.t0),
              file=sys.stderr, flush=True)

    def boot_vm(self, name, extra, memory=512):
        vm = pxqemu.Qemu(self.cfg["img"], name, memory=memory, extra_args=extra, build=self.cfg["build"])
        self.addCleanup(vm.close)
        return vm

    def font(self):
        return ScreenFont(self.build_path("fonts", "terminus16.psf"))

    def keys(self, vm, *names, hold=30):
        for k in names:
            out = vm.hmp("sendkey %s %d" % (k, hold))
            self.assertEqual(out, "", "sendkey %s: %s" % (k, out))
            time.sleep(0.06)

    def type_text(self, vm, text):
        for ch in text:
            if ch in KEY_NAMES:
                self.keys(vm, KEY_NAMES[ch])
            elif ch in SHIFTED:
                self.keys(vm, "shift-" + SHIFTED[ch])
            elif ch.isupper():
                self.keys(vm, "shift-" + ch.lower())
            else:
                self.keys(vm, ch)

    def shell_line(self, vm, text, want):
        """Type `text` + Enter on the keyboard QEMU routes keys to; wait for
        `want` (a regex) and the next prompt."""
        self.type_text(vm, text + "\r")
        m = self.expect(vm, want)
        self.expect(vm, PROMPT)
        return m

    def screen_has(self, vm, name, *texts):
        time.sleep(0.3)
        img = vm.screendump(os.path.join(vm.dir, name + ".png"))
        font = self.font()
        for t in texts:
            self.assertIsNotNone(find_text(img, font, t), "%r is not on the screen (%s/%s.png)" % (t, vm.dir, name))
        return img

    def monitor(self, vm, command, *patterns, typed=False):
        """Run a monitor command, sent on serial or (`typed`) typed on the keyboard."""
        if typed:
            self.type_text(vm, command + "\r")
        else:
            vm.send(command + "\r")
        ms = [self.expect(vm, p) for p in patterns]
        self.expect(vm, MONITOR)
        return ms


def pcap_set_reports(path):
    """The LED bytes of every HID SET_REPORT (bmRequestType 0x21, bRequest 9,
    output report) in a QEMU usb pcap (LINKTYPE_USB_LINUX_MMAPPED: 64-byte
    URB header, setup packet at offset 40, then the data)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic == 0xA1B2C3D4 else ">"
    leds, pos = [], 24
    while pos + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[pos:pos + 16])
        pkt = data[pos + 16:pos + 16 + caplen]
        pos += 16 + caplen
        if len(pkt) >= 65 and pkt[8] == ord("S") and pkt[9] == 2 and pkt[40] == 0x21 and pkt[41] == 0x09:
            wvalue = pkt[42] | pkt[43] << 8
            if wvalue >> 8 == 2:
                leds.append(pkt[64])
    return leds


class UsbRows(UsbCase):
    def test_no_keyboard_at_all(self):
        vm = self.boot_vm("usb-none", ["-M", "i8042=off"])
        self.expect(vm, r"usb: no xHCI controller")
        self.expect(vm, r"irq: no PS/2 keyboard: no i8042 controller")
        self.expect(vm, r"input: no keyboard found: no PS/2 keyboard answered and no USB keyboard is attached")
        self.expect(vm, r"input: Type on the serial console, or plug in a keyboard")
        self.expect(vm, PROMPT)
        self.screen_has(vm, "no-keyboard", "| NO KEYBOARD (plug one in) |")
        vm.send("\x1c")
        self.expect(vm, MONITOR)
        self.monitor(vm, "usb", r"no xHCI controller \(EHCI/OHCI/UHCI are not driven\)")
        vm.send("exit\r")

    def test_usb_only(self):
        pcap = os.path.join(self.build_path("tests", "qemu", "usb-only"), "kbd1.pcap")
        vm = self.boot_vm("usb-only", ["-M", "i8042=off", "-device", "qemu-xhci,id=xhci",
                                       "-device", "usb-kbd,bus=xhci.0,id=kbd1,pcap=" + pcap])
        self.expect(vm, r"xhci: 00:[0-9a-f]{2}\.0 1b36:000d xHCI 1\.00, 8 ports \(USB 3: 1-4, USB 2: 5-8\), \d+ slots")
        m = self.expect(vm, r"usb: root port (\d+): 0627:0001 (high|full) speed, class 03/01/01 "
                            r"\"QEMU USB Keyboard\", slot (\d+): keyboard 1")
        port = int(m.group(1))
        self.assertGreaterEqual(port, 5, "a USB 2 keyboard sits on a USB 2 port")
        self.expect(vm, r"irq: no PS/2 keyboard: no i8042 controller")
        self.expect(vm, r"input: keyboards: USB \(root port %d\)" % port)
        self.expect(vm, PROMPT)
        self.screen_has(vm, "keyboard", "| kbd USB |")
        time.sleep(0.3)
        self.shell_line(vm, "echo usb typed Hello, World!", r"(?m)^usb typed Hello, World!\r?$")
        # Backspace edits the line; the arrows send ESC [ D / ESC [ A, which
        # the tty's line editor swallows whole (pxvm/tty.c): nothing stray.
        self.type_text(vm, "echo abx")
        self.keys(vm, "backspace")
        self.type_text(vm, "c")
        self.keys(vm, "left", "up")
        self.type_text(vm, "-")
        self.shell_line(vm, "", r"(?m)^abc-\r?$")
        # Caps Lock: letters upper case, digits not; the LED follows.
        self.type_text(vm, "echo ")
        self.keys(vm, "caps_lock")
        self.type_text(vm, "caps1 ")
        self.keys(vm, "caps_lock")
        self.shell_line(vm, "caps2", r"(?m)^CAPS1 caps2\r?$")
        # Key repeat: 'x' held 1.5 s: one, then ~30/s after 500 ms.
        self.type_text(vm, "echo ")
        t0 = time.monotonic()
        self.keys(vm, "x", hold=1500)
        time.sleep(max(0.0, 1.7 - (time.monotonic() - t0)))
        m = self.shell_line(vm, "", r"(?m)^(x+)\r?\n")     # \n: the whole line has arrived
        # About 31; the exact delay and rate are unit-tested (test_hid_boot.c),
        # and a loaded host that stalls the guest may see fewer.
        print("  key held 1.5 s: %d characters" % len(m.group(1)), file=sys.stderr)
        self.assertTrue(5 <= len(m.group(1)) <= 60, "a key held 1.5 s gave %d x" % len(m.group(1)))

        # The monitor's hot key and a command, typed on the USB keyboard.
        self.keys(vm, "ctrl-backslash")
        self.expect(vm, HOTKEY_RE)
        self.expect(vm, MONITOR)
        self.monitor(vm, "usb", r"controller 0: 00:[0-9a-f]{2}\.0 1b36:000d xHCI 1\.00",
                     r"port +%d +USB 2 +connected enabled power +(high|full) +slot \d+" % port,
                     r"\d+ +2 +root port %d +(high|full) +0627:0001 +03/01/01 +keyboard 1, LEDs off, "
                     r"\d+ reports, 3 LED writes \(0 failed\) \"QEMU USB Keyboard\"" % port,
                     r"1 device, 1 keyboard", typed=True)
        self.type_text(vm, "continue\r")
        time.sleep(0.3)

        # Unplugged: detached, nothing left, said on serial and on screen.
        self.assertEqual(vm.hmp("device_del kbd1"), "")
        self.expect(vm, r"usb: root port %d: 0627:0001 detached" % port)
        self.expect(vm, r"input: no keyboard left")
        self.screen_has(vm, "unplugged", "| NO KEYBOARD (plug one in) |")
        # The LED writes the keyboard saw last (the firmware's come first;
        # `usb` counted pxOS's three): off at attach, Caps on, Caps off.
        self.assertEqual(pcap_set_reports(pcap)[-3:], [0x00, 0x02, 0x00])
        # Plugged in again (a root port's status change event): it types.
        self.assertEqual(vm.hmp("device_add usb-kbd,bus=xhci.0,id=kbd2"), "")
        self.expect(vm, r"usb: root port \d+: 0627:0001 (high|full) speed, class 03/01/01 "
                        r"\"QEMU USB Keyboard\", slot \d+: keyboard 1")
        time.sleep(0.3)
        self.shell_line(vm, "echo plugged in again", r"(?m)^plugged in again\r?$")
        self.screen_has(vm, "replugged", "| kbd USB |")

    def test_hub_ps2_smp4_8g(self):
        stick = self.build_path("tests", "qemu", "usb-stick.img")
        os.makedirs(os.path.dirname(stick), exist_ok=True)
        with open(stick, "wb") as f:
            f.truncate(1 << 20)
        vm = self.boot_vm("usb-hub", [
            "-smp", "4",
            "-device", "qemu-xhci,id=xhci",
            "-device", "usb-hub,bus=xhci.0,port=1,id=hub",
            "-device", "usb-kbd,bus=xhci.0,port=1.1,id=k1",
            "-device", "usb-kbd,bus=xhci.0,port=1.2,id=k2",
            "-drive", "if=none,id=stick,format=raw,file=" + stick,
            "-device", "usb-storage,bus=xhci.0,port=2,drive=stick"], memory=8192)
        m = self.expect(vm, r"pmm: (\d+) MiB free")
        self.assertGreater(int(m.group(1)), 7000)
        self.expect(vm, r"xhci: 00:[0-9a-f]{2}\.0 1b36:000d xHCI 1\.00")
        text = self.expect(vm, r"input: keyboards: PS/2, USB \(([^)]*)\)").group(1)
        log = pxqemu.strip_ansi(vm.output)
        hub = re.search(r"usb: root port (\d+): 0409:55aa full speed, class 09/00/00 \"QEMU USB Hub\", slot (\d+): "
                        r"hub, 8 ports \(0 in use\)", log)
        self.assertIsNotNone(hub, "the hub is enumerated on a root port")
        hub_port, hub_slot = int(hub.group(1)), int(hub.group(2))
        at = "root port %d, hub port " % hub_port
        for p in (1, 2):
            self.assertRegex(log, r"usb: %s%d: 0627:0001 full speed, class 03/01/01 \"QEMU USB Keyboard\", "
                                  r"slot \d+: keyboard \d" % (at, p))
        self.assertEqual(text, "%s1; %s2" % (at, at))
        self.assertRegex(log, r"usb: root port \d: 46f4:0001 super speed, class 08/06/50 \"QEMU USB HARDDRIVE\", "
                              r"slot \d+: mass storage: no driver")
        self.assertRegex(log, r"irq: PS/2 keyboard on IRQ 1")
        self.expect(vm, PROMPT)
        self.screen_has(vm, "keyboards", "| kbd PS/2+USB x2 |")

        # QEMU's keys go to the newest keyboard; unplugging it moves them on.
        time.sleep(0.3)
        self.shell_line(vm, "echo typed on k2", r"(?m)^typed on k2\r?$")
        self.assertEqual(vm.hmp("device_del k2"), "")
        self.expect(vm, r"usb: %s2: 0627:0001 detached" % at)
        time.sleep(0.3)
        self.shell_line(vm, "echo typed on k1", r"(?m)^typed on k1\r?$")
        self.assertEqual(vm.hmp("device_del k1"), "")
        self.expect(vm, r"usb: %s1: 0627:0001 detached" % at)
        time.sleep(0.3)
        self.shell_line(vm, "echo typed on PS/2", r"(?m)^typed on PS/2\r?$")
        # Hot-plug behind the hub: its status change endpoint reports the port.
        self.assertEqual(vm.hmp("device_add usb-kbd,bus=xhci.0,port=1.3,id=k3"), "")
        self.expect(vm, r"usb: %s3: 0627:0001 full speed, class 03/01/01 \"QEMU USB Keyboard\", "
                        r"slot \d+: keyboard \d" % at)
        time.sleep(0.3)
        self.shell_line(vm, "echo typed on k3", r"(?m)^typed on k3\r?$")
        vm.send("\x1c")
        self.expect(vm, HOTKEY_RE)
        self.expect(vm, MONITOR)
        self.monitor(vm, "usb", r"\d+ +2 +root port \d +full +0409:55aa +09/00/00 +hub, 8 ports \(1 in use\)",
                     r"\d+ +3 +%s3 +full +0627:0001 +03/01/01 +keyboard" % at,
                     r"3 devices, 1 keyboard")
        # The hub unplugged with a keyboard behind it: both go, the keyboard first.
        vm.send("continue\r")
        time.sleep(0.3)
        self.assertEqual(vm.hmp("device_del hub"), "")
        self.expect(vm, r"usb: %s3: 0627:0001 detached" % at)
        self.expect(vm, r"usb: root port \d: 0409:55aa detached \(slot %d\)" % hub_slot)
        self.screen_has(vm, "hub-unplugged", "| kbd PS/2 |")
        self.shell_line(vm, "echo still typing on PS/2", r"(?m)^still typing on PS/2\r?$")


if __name__ == "__main__":
    sys.exit(pxqemu.test_main("usb", __doc__, CFG, [UsbRows]))
