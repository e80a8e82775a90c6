#!/usr/bin/python3
"""test_boot — pxOS booted end to end under OVMF, checked on serial and on screen.

    /usr/bin/python3 tests/qemu/test_boot.py [--build DIR] [--timeout S] [-k SUBSTRING]

`make check-qemu` runs it after `make all`. Each test boots build/pxos.img (or
a variant of it made with iso/esp-replace.sh) headless and checks:
  - boot: every stage's serial marker in order (loader, kernel, PixelFS with
    its file count, init, each app's output, the shell's prompt; `exit` there,
    then the monitor); then a screendump:
    the machine-readable record in row 0 against the serial log, the region
    bands, the literal opcode colours in the palette, each program's tile
    holding its .pxe image word for word, the primes canvas pixel for pixel
    against a sieve computed here, init's status bars; `exit` ends QEMU with 0.
  - a corrupt PixelFS image (bad superblock; a truncated PNG): a clear message,
    no files, the kernel reaches the monitor anyway.
  - a corrupt file, a malformed program and a guest that jumps out of its
    memory, in a 1024x768 mode: each reported by name, the other programs run.
  - a kernel.elf that is garbage or truncated: the loader says why and stops.
  - a CPU exception (monitor `fault pf`) and a panic: vector, CR2, registers
    and a symbolised backtrace on serial and on screen; halt, or with the
    panic=exit option QEMU exits with code 0x7E.
  - PCI and memory types, in the first boot: the functions q35 has, through
    ECAM, in the log and in `pci`; the PAT's WC entry, the identity map split
    at MTRR boundaries, the framebuffer write-combining (`mtrr`); `fbbench`
    rates and slot 0's tile unchanged by it. In a boot of its own (pci=cf8,
    qemu-xhci, a pci-serial card behind a PCIe root port): the bus behind the
    bridge, the xHCI's 64-bit BAR above the identity map mapped and read.
  - a machine whose only UART is COM2, and one with no UART at all (checked
    from the screen alone).
Logs and screenshots: build/tests/qemu/boot-*/. Last line: "boot: N passed, N failed".
"""

import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pxqemu  # noqa: E402

CFG = {}
PXOS_EXIT_PANIC = 0x7E
REGIONS = pxqemu.VRAM_REGIONS
GREEN = (64, 255, 64)
RED = (255, 64, 64)
NAVY = (16, 24, 64)
HEADER_BG = {"palette": (60, 24, 24), "kernel": (20, 52, 28), "syscalls": (56, 50, 18),
             "processes": (18, 48, 56), "programs": (48, 22, 56)}


def build_path(*parts):
    return os.path.join(CFG["build"], *parts)


run = pxqemu.run_tool


def code_words(pxe):
    """{address: word bytes} of every instruction word of a program, read from
    the pxasm listing beside its .pxe (data is left out: programs change it)."""
    with open(pxe, "rb") as f:
        data = f.read()
    assert data[:4] == b"PXE1", pxe
    body = data[16:]
    words = {}
    with open(pxe[:-4] + ".lst") as f:
        for line in f:
            m = re.match(r"([0-9A-F]{4})  ((?:[0-9A-F]{8} ?){1,2})\s", line)
            if not m:
                continue
            addr = int(m.group(1), 16)
            for k, hexword in enumerate(m.group(2).split()):
                a = addr + 4 * k
                word = body[a - 0x200:a - 0x200 + 4]
                assert word == int(hexword, 16).to_bytes(4, "little"), "listing and .pxe disagree at %x" % a
                words[a] = word
    assert words, "no instructions in the listing of %s" % pxe
    return words


def sieve(n):
    prime = [True] * n
    prime[0] = prime[1] = False
    for i in range(2, int(n ** 0.5) + 1):
        if prime[i]:
            for j in range(i * i, n, i):
                prime[j] = False
    return prime


class BootCase(pxqemu.QemuCase):
    cfg = CFG

    def variant(self, name, replace=None, delete=()):
        path = build_path("tests", "qemu", "variants", name + ".img")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        pxqemu.make_variant(CFG["img"], path, replace=replace or {}, delete=delete)
        return path

    def check_screen_record(self, img, serial_text):
        rec = pxqemu.read_vram_record(img)
        self.assertEqual(rec["magic"], pxqemu.VRAM_RECORD_MAGIC, "row 0 must start with 'p','x','O'")
        self.assertEqual(rec["version"] & 0xFF, ord("S"))
        self.assertEqual((rec["width"], rec["height"]), (img.width, img.height))
        self.assertEqual(rec["tile"], 128)
        logged = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in
                  re.finditer(r"vram: region (\w+)\s+y=(\d+)\s+h=(\d+)", serial_text)}
        self.assertEqual(rec["regions"], logged, "record and serial log disagree on the regions")
        slots = int(re.search(r"vram: (\d+) process slots", serial_text).group(1))
        self.assertEqual(rec["slots"], slots)
        # The bands tile the screen top to bottom.
        y = 0
        for name in REGIONS:
            ry, rh = rec["regions"][name]
            self.assertEqual(ry, y, "region %s starts at %d, want %d" % (name, ry, y))
            y += rh
        self.assertEqual(y, img.height)
        for name, colour in HEADER_BG.items():
            ry, _ = rec["regions"][name]
            self.assertEqual(img.get_pixel(img.width - 3, ry + 2), colour, "header bar of %s" % name)
        return rec

    def check_palette(self, img, rec):
        ry, rh = rec["regions"]["palette"]
        seen = set()
        for y in range(ry, ry + rh):
            for x in range(0, img.width, 2):
                r, g, b = img.get_pixel(x, y)
                if g == 0 and b == 0:
                    seen.add(r)
        # The literal instruction pixels of a few opcodes (opcode in red, no operands).
        for op, name in ((0x11, "IMM32"), (0x30, "ADD"), (0x40, "JMP"), (0x50, "LOAD"), (0xF0, "SYSCALL")):
            self.assertIn(op, seen, "palette swatch of %s (%d,0,0) missing" % (name, op))

    def slot_of(self, serial_text, path):
        m = re.search(r"spawned pid (\d+) %s \(parent \d+\) in slot (\d+)" % re.escape(path), serial_text)
        self.assertIsNotNone(m, "no spawn line for %s" % path)
        return int(m.group(2))

    def check_tile_holds_image(self, img, rec, slot, pxe):
        """The process tile shows the program's code: the word at address a is
        tile pixel (a/4 % 128, a/4 / 128), its bytes 0..2 in R, G, B."""
        tx, ty = rec["slot"][slot]["tile"]
        words = code_words(pxe)
        for addr, w in sorted(words.items()):
            i = addr // 4
            px = img.get_pixel(tx + i % 128, ty + i // 128)
            self.assertEqual(px, (w[0], w[1], w[2]),
                             "tile of slot %d, instruction at 0x%04x of %s" % (slot, addr, os.path.basename(pxe)))
        return len(words)


class BootTests(BootCase):
    def test_boot_runs_init_and_apps(self):
        rootfs = build_path("rootfs")
        nfiles = sum(len(files) for _, _, files in os.walk(rootfs))
        vm = self.boot("boot")
        self.expect(vm, r"pxOS loader: ")
        self.expect(vm, r"pxOS loader: jumping to kernel")
        self.expect(vm, r"\] INFO  kernel: pxOS kernel \S+ starting")
        m = self.expect(vm, r"pixelfs: mounted (\d+) files \((\d+) rejected\)")
        self.assertEqual((int(m.group(1)), int(m.group(2))), (nfiles, 0))
        self.expect(vm, r"init: started /boot/init as pid 1")
        self.expect(vm, r"init: running /apps/hello")
        self.expect(vm, r"hello: Hello, world! from a pxVM process living in VRAM \(pid 2\)")
        self.expect(vm, r"init: /apps/hello exited with status 0")
        self.expect(vm, r"primes: 1900 primes below 16384")
        self.expect(vm, r"init: done, 2 programs run")
        self.expect(vm, r"init: started the shell /boot/sh as pid 4")
        self.expect(vm, r"sh\$ ")
        text = pxqemu.strip_ansi(vm.output)
        # Every kernel log line carries a timestamp and a level.
        klines = [l for l in text.splitlines() if l.startswith("[")]
        self.assertGreater(len(klines), 20)
        for line in klines:
            self.assertRegex(line, r"^\[\s*\d+\.\d{6}\] (DEBUG|INFO |WARN |ERROR) \w+: ")
        self.assertNotIn("ERROR", text)

        img = vm.screendump(os.path.join(vm.dir, "screen.png"))
        shutil.copy(os.path.join(vm.dir, "screen.png"), build_path("screenshot-boot.png"))
        rec = self.check_screen_record(img, text)
        self.check_palette(img, rec)

        # Each program's tile holds its image, word for word.
        for path, pxe in (("/boot/init", "boot/init.pxe"), ("/apps/hello", "apps/hello.pxe"),
                          ("/apps/primes", "apps/primes.pxe")):
            self.check_tile_holds_image(img, rec, self.slot_of(text, path), build_path("userland", pxe))

        # The primes canvas, pixel for pixel; and its sieve, visible in its tile.
        slot = self.slot_of(text, "/apps/primes")
        cx, cy = rec["slot"][slot]["canvas"]
        prime = sieve(16384)
        wrong = [n for n in range(16384)
                 if (img.get_pixel(cx + n % 128, cy + n // 128) == GREEN) != prime[n]]
        self.assertEqual(wrong[:10], [], "primes canvas differs at n = %s" % wrong[:10])
        tx, ty = rec["slot"][slot]["tile"]
        for n in (4, 6, 9, 100, 16382, 2, 5, 16381):  # sieve byte n at 0x4000 + n: 0xFF if composite
            a = 0x4000 + n                            # (bytes 0..2 of a word are R, G, B)
            px = img.get_pixel(tx + (a // 4) % 128, ty + (a // 4) // 128)
            self.assertEqual(px[a % 4], 0 if prime[n] else 0xFF, "sieve byte %d in the tile" % n)

        # init's canvas: its banner, and one green bar per program that exited 0.
        icx, icy = rec["slot"][self.slot_of(text, "/boot/init")]["canvas"]
        self.assertEqual(img.get_pixel(icx + 2, icy + 2), NAVY)
        for i in range(2):
            self.assertEqual(img.get_pixel(icx + 60, icy + 40 + 10 * i + 4), GREEN, "status bar %d" % i)
        self.assertEqual(img.get_pixel(icx + 60, icy + 40 + 20 + 4), NAVY, "no third bar")

        self.check_pci_and_memory_types(text)

        # `exit` ends the shell, then init; the monitor answers, and its `exit`
        # ends QEMU with status 0 (no kernel errors).
        vm.send("exit\r")
        self.expect(vm, r"init: the shell exited with status 0")
        self.expect(vm, r"pxmon> ")
        vm.send("fs\r")
        self.expect(vm, r"/apps/primes")
        vm.send("ps\r")
        self.expect(vm, r"slots, \d+ instructions run in all")
        self.check_pci_monitor(vm, text)
        self.check_fbbench(vm, rec)
        vm.send("exit\r")
        self.assertEqual(vm.wait_exit(60), (0 << 1) | 1)


    def check_pci_and_memory_types(self, text):
        """The boot log: PCI through ECAM with q35's functions, the PAT with
        write-combining, the identity map split at MTRR type boundaries, the
        framebuffer remapped write-combining at the address the loader gave."""
        self.assertRegex(text, r"pci: ECAM segment 0 buses 00-ff at 0x[0-9a-f]+ \(MCFG\), mapped uncached")
        m = re.search(r"pci: (\d+) functions on 1 bus through ECAM", text)
        self.assertIsNotNone(m, "the PCI summary line")
        found = re.findall(r"INFO  pci: (\S+) ([0-9a-f]{4}:[0-9a-f]{4}) (.*) \[([0-9a-f.]+)\]", text)
        self.assertEqual(len(found), int(m.group(1)))
        for bdf, ids, name, cls in Q35_FUNCTIONS:
            self.assertIn((bdf, ids, name, cls), found)
        self.assertRegex(text, r"vmm: PAT WB WC UC- UC; MTRRs on, .* identity map \[0, 0x[0-9a-f]+\): "
                               r"\d+ x 1 GiB, \d+ x 2 MiB, \d+ x 4 KiB pages \([1-9]\d* split at MTRR")
        fb = re.search(r"framebuffer (0x[0-9a-f]+) \(0x[0-9a-f]+ bytes\)", text).group(1)
        self.assertRegex(text, r"vmm: framebuffer %s-0x[0-9a-f]+ \(\d+ KiB\) mapped write-combining" % fb)
        self.assertRegex(text, r"fb: GOP mode \d+: .* at %s" % fb)

    def check_pci_monitor(self, vm, text):
        """`pci` lists the same functions, the VGA's BAR0 is the framebuffer,
        `mtrr` shows the PAT's WC entry and the framebuffer's WC range."""
        fb = re.search(r"framebuffer (0x[0-9a-f]+) \(0x[0-9a-f]+ bytes\)", text).group(1)
        vm.send("pci\r")
        out = self.expect(vm, r"(?s)PCI functions through ECAM(.*?)pxmon> ").group(1).replace("\r", "")
        for bdf, ids, name, cls in Q35_FUNCTIONS:
            self.assertRegex(out, r"%s %s rev [0-9a-f]{2} %s \[%s\]" % (re.escape(bdf), ids, re.escape(name), cls))
        self.assertRegex(out, r"00:01.0 1234:1111 .*\n    BAR0 mem32 prefetchable %s 16 MiB" % fb)
        self.assertRegex(out, r"00:1f.2 8086:2922 .* IRQ pin A line \d+\n(    BAR.*\n)+    caps: MSI\(05\)@80 SATA\(12\)@a8")
        vm.send("mtrr\r")
        out = self.expect(vm, r"(?s)(PAT .*?)pxmon> ").group(1)
        self.assertIn("0=WB 1=WC 2=UC- 3=UC", out)
        self.assertRegex(out, r"MTRRs enabled, default type \w+, fixed ranges on")
        self.assertRegex(out, r"  0x%012x-0x[0-9a-f]{12} at 0x%016x WC  \(MTRR UC\)" % (int(fb, 16), int(fb, 16)))
        self.assertRegex(out, r"  0x[0-9a-f]{12}-0x[0-9a-f]{12} at 0x[0-9a-f]{16} UC ")  # ECAM

    def check_fbbench(self, vm, rec):
        """`fbbench` reports bytes per second, WC and UC, and puts slot 0's
        tile back exactly as it was."""
        before = vm.screendump(os.path.join(vm.dir, "before-fbbench.png"))
        vm.send("fbbench\r")
        out = self.expect(vm, r"(?s)fbbench: (.*?)pxmon> ").group(1)
        rates = dict(re.findall(r"  (framebuffer WC|framebuffer UC|RAM copy WB) +(\d+) bytes/s", out))
        self.assertEqual(sorted(rates), ["RAM copy WB", "framebuffer UC", "framebuffer WC"], out)
        for what, bps in rates.items():
            self.assertGreater(int(bps), 1 << 20, "%s: at least 1 MiB/s even under TCG" % what)
        after = vm.screendump(os.path.join(vm.dir, "after-fbbench.png"))
        tx, ty = rec["slot"][0]["tile"]
        self.assertEqual(before.crop(tx, ty, 128, 128).data, after.crop(tx, ty, 128, 128).data,
                         "fbbench changed slot 0's tile")


# What QEMU's q35 machine always has: (bus:dev.fn, vendor:device, name, class).
Q35_FUNCTIONS = (
    ("00:00.0", "8086:29c0", "host bridge", "06.00.00"),
    ("00:01.0", "1234:1111", "VGA controller", "03.00.00"),
    ("00:1f.0", "8086:2918", "ISA bridge", "06.01.00"),
    ("00:1f.2", "8086:2922", "SATA controller (AHCI)", "01.06.01"),
    ("00:1f.3", "8086:2930", "SMBus controller", "0c.05.00"),
)


class PciTests(BootCase):
    def test_bridge_64bit_bar_and_cf8(self):
        """qemu-xhci on the root bus (OVMF puts its 64-bit BAR above 4 GiB,
        beyond the identity map) and a pci-serial card behind a PCIe root
        port, enumerated through mechanism #1 (pci=cf8): the bus behind the
        bridge is found, the xHCI BAR is mapped through vmm_map and its
        capability registers read back (CAPLENGTH 0x40, HCIVERSION 1.0, xHCI
        spec 1.2 §5.3), the card's 16550 line status register through its I/O BAR."""
        cfg = build_path("tests", "qemu", "variants", "boot-pci-cf8.cfg")
        os.makedirs(os.path.dirname(cfg), exist_ok=True)
        with open(cfg, "w") as f:
            f.write("# test: PCI through 0xCF8/0xCFC\ncmdline = pci=cf8\n")
        img = self.variant("pci-cf8", replace={"/pxos/boot.cfg": cfg})
        vm = pxqemu.Qemu(img, "boot-pci", build=CFG["build"], extra_args=[
            "-device", "qemu-xhci", "-device", "pcie-root-port,id=rp1,chassis=1",
            "-device", "pci-serial,bus=rp1"])
        self.addCleanup(vm.close)
        self.expect(vm, r"pci: pci=cf8: configuration mechanism #1")
        m = self.expect(vm, r"pci: (\d+) functions on 2 buses through CF8")
        xhci = self.expect(vm, r"pci: (\S+) 1b36:000d USB xHCI controller \[0c.03.30\]").group(1)
        self.expect(vm, r"pci: 01:00.0 1b36:0002 serial controller \(16550-compatible\) \[07.00.02\]")
        self.expect(vm, r"init: started /boot/init")
        vm.send("\x1c")
        self.expect(vm, r"pxmon> ")
        vm.send("pci\r")
        out = self.expect(vm, r"(?s)(\d+) PCI functions through CF8(.*?)pxmon> ")
        self.assertEqual(out.group(1), m.group(1))
        listing = out.group(2).replace("\r", "")
        for bdf, ids, name, cls in Q35_FUNCTIONS:
            self.assertRegex(listing, r"%s %s rev [0-9a-f]{2} %s \[%s\]" % (re.escape(bdf), ids, re.escape(name), cls))
        self.assertRegex(listing, r"PCI bridge \[06.04.00\].* buses 01-01")
        bar = re.search(r"%s 1b36:000d .*\n    BAR0 mem64 (0x[0-9a-f]+) 16 KiB\n    caps: MSI-X\(11\)@90 PCIe\(10\)@a0"
                        % re.escape(xhci), listing)
        self.assertIsNotNone(bar, listing)
        self.assertGreaterEqual(int(bar.group(1), 16), 1 << 32, "OVMF put the xHCI BAR above 4 GiB")
        self.assertRegex(listing, r"01:00.0 1b36:0002 .*\n    BAR0 io 0x[0-9a-f]+ 8 bytes")
        vm.send("pci read %s 0 0\r" % xhci)
        self.expect(vm, r"%s BAR0 mem64 %s mapped UC at 0*%s \(above the identity map\): \+ 0x0 = 0x01000040"
                    % (re.escape(xhci), bar.group(1), bar.group(1)[2:]))
        vm.send("pci read 01:00.0 0 5 1\r")
        self.expect(vm, r"01:00.0 BAR0 io 0x[0-9a-f]+ \+ 0x5 = 0x60")  # LSR: THRE and TEMT
        vm.send("pci read 01:00.0 0 8\r")
        self.expect(vm, r"BAR0 of 01:00.0 is smaller than OFF \+ width")
        vm.send("pci 07:00.0\r")
        self.expect(vm, r"no function 07:00.0")
        vm.send("pci read 07:00.0 0 0\r")
        self.expect(vm, r"no function 07:00.0")
        vm.send("pci read %s 6 0\r" % xhci)
        self.expect(vm, r"usage: pci read BB:DD.F BAR OFF")
        vm.send("mtrr\r")
        addr = int(bar.group(1), 16)
        self.expect(vm, r"  0x%012x-0x%012x at 0x%016x UC  \(MTRR UC\)" % (addr, addr + 16384, addr))
        self.expect(vm, r"pxmon> ")
        vm.send("exit\r")
        self.assertEqual(vm.wait_exit(60), 1)


class CorruptImageTests(BootCase):
    def corrupt_ramdisk_boot(self, name, ramdisk, message):
        img = self.variant(name, replace={"/pxos/pixelfs.png": ramdisk})
        vm = self.boot(name, img)
        self.expect(vm, r"pxOS kernel \S+ starting")
        self.expect(vm, message)
        self.expect(vm, r"init: cannot start /boot/init: no such file or directory")
        self.expect(vm, r"pxmon> ")
        vm.screendump(os.path.join(vm.dir, "screen.png"))
        vm.send("exit\r")
        self.assertEqual(vm.wait_exit(60), (1 << 1) | 1, "exit reports the logged errors")

    def test_superblock_corrupt(self):
        bad = build_path("tests", "qemu", "variants", "super-corrupt.png")
        os.makedirs(os.path.dirname(bad), exist_ok=True)
        run(build_path("tools", "pxfs"), "corrupt", build_path("pixelfs.png"), bad, "--super")
        self.corrupt_ramdisk_boot("boot-corrupt-super", bad,
                                  r"ERROR pixelfs: ramdisk image corrupt: superblock checksum mismatch")

    def test_truncated_png(self):
        bad = build_path("tests", "qemu", "variants", "truncated.png")
        os.makedirs(os.path.dirname(bad), exist_ok=True)
        with open(build_path("pixelfs.png"), "rb") as f:
            data = f.read()
        with open(bad, "wb") as f:
            f.write(data[:len(data) // 2])
        self.corrupt_ramdisk_boot("boot-truncated-png", bad,
                                  r"ERROR pixelfs: ramdisk image corrupt: not a decodable PNG \(chunk \d+ "
                                  r"\(IDAT at byte \d+\): length \d+ runs past the end")


class FaultTests(BootCase):
    def test_bad_file_bad_program_and_wild_guest(self):
        """/apps/crash jumps out of its memory, /apps/broken is a malformed
        program, /apps/hello's data is corrupt; /apps/primes must still run.
        Also boots in a 1024x768 mode to exercise the loader's config and the
        substrate's scaling."""
        stage = build_path("tests", "qemu", "variants", "rootfs-faults")
        shutil.rmtree(stage, ignore_errors=True)
        os.makedirs(os.path.join(stage, "boot"))
        os.makedirs(os.path.join(stage, "apps"))
        shutil.copy(build_path("userland", "boot", "init.pxe"), os.path.join(stage, "boot"))
        for app in ("hello", "primes"):
            shutil.copy(build_path("userland", "apps", app + ".pxe"), os.path.join(stage, "apps"))
        shutil.copy(build_path("tests", "programs", "crash.pxe"), os.path.join(stage, "apps"))
        with open(os.path.join(stage, "apps", "broken.pxe"), "wb") as f:
            f.write(b"PXE1\x01\x00\x00\x00\x00\x02\x00\x00\xff\xff\x00\x00" + b"\0" * 32)
        with open(os.path.join(stage, "boot", "initrc"), "w") as f:  # init runs what it lists, nothing else
            f.write("/apps/broken\n/apps/crash\n/apps/primes\n")
        ramdisk = os.path.join(os.path.dirname(stage), "faults.png")
        clean = ramdisk + ".clean.png"
        run(build_path("tools", "pxfs"), "build", clean, stage)
        run(build_path("tools", "pxfs"), "corrupt", clean, ramdisk, "--file", "/apps/hello")
        cfg = os.path.join(os.path.dirname(stage), "boot-1024.cfg")
        with open(cfg, "w") as f:
            f.write("# test: another mode, and a panic ends QEMU\nvideo = 1024x768\ncmdline = panic=exit\n")
        img = self.variant("faults", replace={"/pxos/pixelfs.png": ramdisk, "/pxos/boot.cfg": cfg})

        vm = self.boot("boot-faults", img)
        self.expect(vm, r"fb: GOP mode \d+: 1024x768 ")
        self.expect(vm, r"ERROR pixelfs: /apps/hello: checksum mismatch; file left out")
        self.expect(vm, r"pixelfs: mounted 5 files \(1 rejected\)")
        self.expect(vm, r"init: running /apps/broken")
        self.expect(vm, r"spawn /apps/broken: malformed program: image larger than the 60928 bytes")
        self.expect(vm, r"init: /apps/broken could not start: not a valid pxVM executable")
        self.expect(vm, r"crash: about to jump to 0x12345678")
        self.expect(vm, r"pid (\d+) \(crash\) stopped by fault 6: jump target outside memory or not "
                            r"4-aligned; pc 0x[0-9a-f]{4} word 0x[0-9a-f]{8} \(JR R1\), address 0x12345678")
        self.expect(vm, r"init: /apps/crash was stopped by fault 6")
        self.expect(vm, r"primes: 1900 primes below 16384")
        self.expect(vm, r"init: /apps/primes exited with status 0")
        self.expect(vm, r"init: done, 3 programs run")
        self.expect(vm, r"pxmon> ")
        text = pxqemu.strip_ansi(vm.output)
        self.assertNotIn("still running after the jump", text)
        self.assertNotIn("/apps/hello exited", text)

        shot = vm.screendump(os.path.join(vm.dir, "screen.png"))
        self.assertEqual((shot.width, shot.height), (1024, 768))
        rec = self.check_screen_record(shot, text)
        crash_slot = self.slot_of(text, "/apps/crash")
        self.check_tile_holds_image(shot, rec, crash_slot, build_path("tests", "programs", "crash.pxe"))
        tx, ty = rec["slot"][crash_slot]["tile"]
        self.assertEqual(shot.get_pixel(tx + 5, ty + 64), (255, 0, 255), "crash's pattern at 0x8000")
        icx, icy = rec["slot"][self.slot_of(text, "/boot/init")]["canvas"]
        bars = [shot.get_pixel(icx + 60, icy + 44 + 10 * i) for i in range(3)]
        self.assertEqual(bars, [RED, RED, GREEN], "init's bars: broken, crash, primes")

        # The kernel's own panic path: message, registers, symbolised backtrace.
        vm.send("panic\r")
        self.expect(vm, r"\*\*\* PANIC: monitor: panic requested")
        self.expect(vm, r"CR3 [0-9a-f]{16}")
        self.expect(vm, r"#1 [0-9a-f]{16} <cmd_panic\+0x[0-9a-f]+>")
        self.expect(vm, r"#2 [0-9a-f]{16} <monitor_execute\+0x[0-9a-f]+>")
        self.expect(vm, r"<kmain\+0x[0-9a-f]+>")
        self.expect(vm, r"system halted")
        self.assertEqual(vm.wait_exit(60), (PXOS_EXIT_PANIC << 1) | 1, "panic=exit ends QEMU")

    def test_cpu_exception_dump(self):
        """Without panic=exit the machine halts with the report on screen."""
        vm = self.boot("boot-exception")
        self.expect(vm, r"init: started /boot/init")
        vm.send("\x1c")  # Ctrl-\: the monitor, whatever the programs are doing
        self.expect(vm, r"pxmon> ")
        vm.send("fault pf\r")
        self.expect(vm, r"\*\*\* CPU EXCEPTION 14 #PF page fault, error code 0x2 \(page not present, write, kernel\)")
        self.expect(vm, r"RIP ffffffff8[0-9a-f]{7} <cmd_fault\+0x[0-9a-f]+>")
        self.expect(vm, r"CR2 00007f0000000000")
        self.expect(vm, r"RAX [0-9a-f]{16}  RBX")
        self.expect(vm, r"R12 [0-9a-f]{16}")
        self.expect(vm, r"backtrace:")
        self.expect(vm, r"<monitor_execute\+0x[0-9a-f]+>")
        self.expect(vm, r"system halted")
        shot = vm.screendump(os.path.join(vm.dir, "screen.png"))
        rec = pxqemu.read_vram_record(shot)
        ky, kh = rec["regions"]["kernel"]
        red = sum(1 for y in range(ky, ky + kh) for x in range(0, shot.width, 2)
                  if shot.get_pixel(x, y) == (255, 80, 80))
        self.assertGreater(red, 500, "the report is drawn in red in the kernel console")
        self.assertIsNone(vm.proc.poll(), "without panic=exit the machine halts, QEMU keeps running")


class SerialQemu(pxqemu.Qemu):
    """A machine whose only UART is at COM2 (0x2F8), or that has none at all;
    the harness's serial socket is then wired to COM2 or to nothing."""

    def __init__(self, *args, uart="com2", **kwargs):
        self.uart = uart
        super().__init__(*args, **kwargs)

    def command(self):
        args = super().command()
        i = args.index("chardev:serial0")
        del args[i - 1:i + 1]                      # the "-serial chardev:serial0" pair
        args += ["-serial", "none"]                # no default UART either
        if self.uart == "com2":
            args += ["-device", "isa-serial,chardev=serial0,iobase=0x2f8,irq=3"]
        return args


class SerialTests(BootCase):
    def test_uart_only_at_com2(self):
        vm = SerialQemu(CFG["img"], "boot-com2", uart="com2")
        self.addCleanup(vm.close)
        self.expect(vm, r"pxOS loader: ")
        self.expect(vm, r"serial: console on COM2, 115200 baud; receive by interrupt \(default order [^)]*no COM1, COM2 answers\)")
        self.expect(vm, r"primes: 1900 primes below 16384")
        self.expect(vm, r"sh\$ ")
        vm.send("exit\r")
        self.expect(vm, r"pxmon> ")
        vm.send("exit\r")
        self.assertEqual(vm.wait_exit(60), 1)

    def test_no_uart_at_all(self):
        """Many laptops have no legacy serial port: pxOS must still boot, run
        its programs and show them on screen (checked from screendumps)."""
        import time
        vm = SerialQemu(CFG["img"], "boot-no-uart", uart="none")
        self.addCleanup(vm.close)
        deadline = time.monotonic() + CFG["timeout"] * pxqemu.TIMEOUT_SCALE
        prime = sieve(16384)
        while True:
            time.sleep(3)
            shot = vm.screendump(os.path.join(vm.dir, "screen.png"))
            rec = pxqemu.read_vram_record(shot)
            if rec["magic"] == pxqemu.VRAM_RECORD_MAGIC and rec["slots"] >= 3:
                # init, hello, primes take slots 0, 1, 2; primes' canvas done?
                cx, cy = rec["slot"][2]["canvas"]
                if all((shot.get_pixel(cx + n % 128, cy + n // 128) == GREEN) == prime[n]
                       for n in range(16384)):
                    break
            self.assertLess(time.monotonic(), deadline, "the screen never showed the primes")
        icx, icy = rec["slot"][0]["canvas"]
        self.assertEqual([shot.get_pixel(icx + 60, icy + 44 + 10 * i) for i in range(2)], [GREEN, GREEN])
        self.assertEqual(vm.output, "", "nothing can arrive on a serial port that does not exist")


class LoaderTests(BootCase):
    def bad_kernel_boot(self, name, data, message):
        bad = build_path("tests", "qemu", "variants", name + ".elf")
        os.makedirs(os.path.dirname(bad), exist_ok=True)
        with open(bad, "wb") as f:
            f.write(data)
        img = self.variant(name, replace={"/pxos/kernel.elf": bad})
        vm = self.boot(name, img)
        self.expect(vm, message)
        text = pxqemu.strip_ansi(vm.output)
        self.assertNotIn("jumping to kernel", text)
        self.assertNotIn("pxOS kernel", text)

    def test_garbage_kernel(self):
        self.bad_kernel_boot("boot-garbage-kernel", b"this is not an ELF file\n" * 40,
                             r"pxOS loader: .*kernel\.elf: not an ELF file \(bad magic\)")

    def test_truncated_kernel(self):
        with open(build_path("kernel.elf"), "rb") as f:
            data = f.read()
        self.bad_kernel_boot("boot-truncated-kernel", data[:6000],
                             r"pxOS loader: \\pxos\\kernel\.elf: segment 0: file bytes \[0x[0-9a-f]+, "
                             r"\+0x[0-9a-f]+\) extend past the end of the file \(6000 bytes\)")


def main():
    return pxqemu.test_main("boot", __doc__, CFG,
                            (BootTests, PciTests, CorruptImageTests, FaultTests, SerialTests, LoaderTests),
                            need=("tools/pxfs", "tests/programs/crash.pxe"))

if __name__ == "__main__":
    sys.exit(main())
