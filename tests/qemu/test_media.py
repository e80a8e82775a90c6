#!/usr/bin/python3
"""test_media — pxOS boot media: layout checks and QEMU/OVMF smoke boots.

    /usr/bin/python3 tests/qemu/test_media.py [--build DIR] [--img IMG] [--iso ISO]
                                              [--timeout S] [-k SUBSTRING]

`make check-media` runs it after building both images. It checks
  - the harness itself (PPM/PNG codecs, exit-status decoding, run_suite's
    status: a skipped test fails the suite; no QEMU needed);
  - the raw disk image: a GPT with one EF00 partition at 1 MiB of 64 MiB holding
    FAT32, and the four ESP files equal to the build's ESP tree;
  - the ISO: an El Torito UEFI entry, GPT partition 2 of type EF00, same files;
  - iso/esp-replace.sh through make_variant (replace, delete, errors; the
    source image is never touched);
  - booting: the raw image as a SATA disk and as a USB stick, the ISO as a
    CD-ROM and as a USB stick; each must reach the loader, which prints lines
    beginning "pxOS loader: " on serial.
Logs: build/tests/qemu/media-*/ (serial.log, qemu.log, screen-1.png).
The last line is "media: N passed, N failed".
"""

import argparse
import contextlib
import hashlib
import io
import os
import re
import struct
import subprocess
import sys
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pxqemu  # noqa: E402

ESP_FILES = ("/EFI/BOOT/BOOTX64.EFI", "/pxos/kernel.elf", "/pxos/pixelfs.png", "/pxos/boot.cfg")
LOADER_LINE = re.compile(r"pxOS loader: ")
CFG = {}  # filled by main(): build, img, iso, timeout


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def gpt_partitions(img):
    """[(number, start_lba, end_lba, code)] from sgdisk --print."""
    r = subprocess.run(["sgdisk", "--print", img], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, check=True)
    out = r.stdout.decode()
    if "invalid GPT" in out or "Found invalid" in out:
        raise AssertionError("sgdisk finds no valid GPT on %s:\n%s" % (img, out))
    parts = []
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 6 and f[0].isdigit() and f[1].isdigit():
            parts.append((int(f[0]), int(f[1]), int(f[2]), f[5]))
    return parts


class HarnessTests(unittest.TestCase):
    """The harness's own codecs (no QEMU)."""

    def test_ppm_parse(self):
        ppm = b"P6\n# made by hand\n3 2\n255\n" + bytes(range(18))
        im = pxqemu.Image.from_ppm(ppm)
        self.assertEqual((im.width, im.height), (3, 2))
        self.assertEqual(im.get_pixel(0, 0), (0, 1, 2))
        self.assertEqual(im.get_pixel(2, 1), (15, 16, 17))
        with self.assertRaises(IndexError):
            im.get_pixel(3, 0)

    def test_ppm_maxval_scaling(self):
        im = pxqemu.Image.from_ppm(b"P6 1 1 15\n" + bytes([15, 0, 5]))
        self.assertEqual(im.get_pixel(0, 0), (255, 0, 85))

    def test_ppm_rejects_bad_input(self):
        for bad in (b"P5\n1 1\n255\n\0", b"P6\n2 2\n255\n" + bytes(5), b"P6\n2\n", b"P6\n0 1\n255\n"):
            with self.assertRaises(ValueError, msg=repr(bad)):
                pxqemu.Image.from_ppm(bad)

    def test_png_round_trip(self):
        w, h = 7, 5
        data = bytes((x * 37 + y * 11 + c * 101) & 0xFF for y in range(h) for x in range(w) for c in range(3))
        im = pxqemu.Image(w, h, data)
        png = im.to_png()
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(png[12:16], b"IHDR")
        self.assertEqual(struct.unpack(">II", png[16:24]), (w, h))
        back = pxqemu.Image.from_png(png)
        self.assertEqual((back.width, back.height, back.data), (w, h, data))

    def test_png_decoder_filters(self):
        # Rows with filters 1 (Sub), 2 (Up), 3 (Average) and 4 (Paeth), made here.
        w, h = 3, 4
        pix = [bytes((x * 50 + y * 20 + c) & 0xFF for x in range(w) for c in range(3)) for y in range(h)]
        raw, prev = b"", bytes(w * 3)
        for ftype, row in zip((1, 2, 3, 4), pix):
            out = bytearray()
            for i, v in enumerate(row):
                a = row[i - 3] if i >= 3 else 0
                b, c = prev[i], (prev[i - 3] if i >= 3 else 0)
                p = a + b - c
                paeth = a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else (
                    b if abs(p - b) <= abs(p - c) else c)
                pred = {1: a, 2: b, 3: (a + b) >> 1, 4: paeth}[ftype]
                out.append((v - pred) & 0xFF)
            raw += bytes([ftype]) + bytes(out)
            prev = row

        def chunk(tag, body):
            return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

        png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
               + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
        self.assertEqual(pxqemu.Image.from_png(png).data, b"".join(pix))
        corrupt = bytearray(png)
        corrupt[20] ^= 1  # inside IHDR: the CRC no longer matches
        with self.assertRaises(ValueError):
            pxqemu.Image.from_png(bytes(corrupt))

    def test_debug_exit_code(self):
        self.assertEqual(pxqemu.debug_exit_code((0x21 << 1) | 1), 0x21)
        self.assertEqual(pxqemu.debug_exit_code(3), 1)
        self.assertIsNone(pxqemu.debug_exit_code(0))
        self.assertIsNone(pxqemu.debug_exit_code(-15))

    def test_run_suite_fails_on_a_skip(self):
        """run_suite's status: 0 only when tests ran and none failed, was
        skipped or was an expected failure; the summary line says why."""
        class Passes(unittest.TestCase):
            def test_ok(self):
                pass

        class Skips(unittest.TestCase):
            def test_ok(self):
                pass

            def test_skipped(self):
                self.skipTest("feature missing")

        class ExpectsFailure(unittest.TestCase):
            @unittest.expectedFailure
            def test_broken(self):
                self.fail("broken")

        def run(cases, filters=()):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                status = pxqemu.run_suite("demo", cases, filters)
            return status, out.getvalue().strip(), err.getvalue()

        status, line, _ = run((Passes,))
        self.assertEqual(status, 0)
        self.assertRegex(line, r"^demo: 1 passed, 0 failed; wall \d+\.\d s$")
        status, line, err = run((Skips,))
        self.assertEqual(status, 1)
        self.assertRegex(line, r"^demo: 1 passed, 0 failed, 1 skipped; wall ")
        self.assertIn("SKIPPED", err)
        self.assertIn("feature missing", err)
        status, line, _ = run((ExpectsFailure,))
        self.assertEqual(status, 1)
        self.assertRegex(line, r"^demo: 0 passed, 1 failed; wall ")
        status, line, _ = run((Passes,), filters=("no-such-test",))
        self.assertEqual(status, 1)
        self.assertRegex(line, r"^demo: 0 passed, 0 failed, no test ran; wall ")

    def test_strip_ansi(self):
        self.assertEqual(pxqemu.strip_ansi("\x1b[2J\x1b[01;01H\x1b[=3hok\x1b[0m"), "ok")


class LayoutTests(unittest.TestCase):
    """What is on the raw disk image and the ISO."""

    def check_esp_files(self, img):
        esp_dir = os.path.join(CFG["build"], "esp")
        for path in ESP_FILES:
            data = pxqemu.esp_read(img, path)
            local = os.path.join(esp_dir, path.lstrip("/"))
            with open(local, "rb") as f:
                self.assertEqual(hashlib.sha256(data).hexdigest(),
                                 hashlib.sha256(f.read()).hexdigest(),
                                 "%s on %s differs from %s" % (path, img, local))

    def test_disk_gpt(self):
        img = CFG["img"]
        self.assertEqual(gpt_partitions(img), [(1, 2048, 2048 + 131072 - 1, "EF00")])

    def test_disk_esp_is_fat32(self):
        with open(CFG["img"], "rb") as f:
            f.seek(1 << 20)
            boot = f.read(512)
        self.assertEqual(boot[510:512], b"\x55\xaa")
        self.assertEqual(boot[82:90], b"FAT32   ")
        sectors = struct.unpack("<I", boot[32:36])[0] * struct.unpack("<H", boot[11:13])[0]
        self.assertEqual(sectors, 64 << 20)

    def test_disk_files(self):
        self.check_esp_files(CFG["img"])

    def test_iso_el_torito(self):
        r = subprocess.run(["xorriso", "-indev", CFG["iso"], "-report_el_torito", "plain"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=True)
        rows = [l for l in r.stdout.decode().splitlines() if l.startswith("El Torito boot img :")]
        self.assertEqual(len(rows), 1, r.stdout.decode())
        f = rows[0].split(":", 1)[1].split()
        # N Pltf B Emul Ld_seg Hdpt Ldsiz LBA
        self.assertEqual((f[1], f[2], f[3]), ("UEFI", "y", "none"), rows[0])
        self.assertGreater(int(f[6]), 1, "load size must cover the ESP: " + rows[0])

    def test_iso_gpt(self):
        esp = [p for p in gpt_partitions(CFG["iso"]) if p[3] == "EF00"]
        self.assertEqual(len(esp), 1)
        self.assertEqual(esp[0][0], 2)

    def test_iso_files(self):
        self.check_esp_files(CFG["iso"])


class VariantTests(unittest.TestCase):
    """make_variant / iso/esp-replace.sh on copies of both images."""

    def setUp(self):
        self.out = os.path.join(CFG["build"], "tests", "qemu", "media-variants")
        os.makedirs(self.out, exist_ok=True)

    def variant_round_trip(self, src, name):
        before = sha256(src)
        dst = os.path.join(self.out, name)
        cfg = b"# variant made by test_media\nkernel=/pxos/kernel.elf\n"
        pxqemu.make_variant(src, dst, replace={"/pxos/boot.cfg": cfg, "/extra/dir/note.txt": b"x"},
                            delete=["/pxos/pixelfs.png"])
        self.assertEqual(pxqemu.esp_read(dst, "/pxos/boot.cfg"), cfg)
        self.assertEqual(pxqemu.esp_read(dst, "/extra/dir/note.txt"), b"x")
        with self.assertRaises(pxqemu.QemuError):
            pxqemu.esp_read(dst, "/pxos/pixelfs.png")
        self.assertEqual(pxqemu.esp_read(dst, "/pxos/kernel.elf"),
                         pxqemu.esp_read(src, "/pxos/kernel.elf"))
        self.assertEqual(sha256(src), before, "the source image was modified")
        os.unlink(dst)

    def test_disk_variant(self):
        self.variant_round_trip(CFG["img"], "disk-variant.img")

    def test_iso_variant(self):
        self.variant_round_trip(CFG["iso"], "iso-variant.iso")

    def test_bad_edits_are_refused(self):
        dst = os.path.join(self.out, "bad.img")
        with self.assertRaises(pxqemu.QemuError) as cm:
            pxqemu.make_variant(CFG["img"], dst, delete=["/pxos/no-such-file"])
        self.assertIn("no file", str(cm.exception))
        self.assertFalse(os.path.exists(dst), "a failed variant must not be left behind")
        with self.assertRaises(pxqemu.QemuError):
            pxqemu.make_variant(CFG["img"], dst, replace={"/pxos": b"a directory"})
        with self.assertRaises(pxqemu.QemuError):
            pxqemu.make_variant(CFG["img"], dst, replace={"/x": "/nonexistent/local/file"})


class BootTests(unittest.TestCase):
    """Each medium, attached each way a PC would see it, reaches the loader."""

    def boot(self, image, media, name):
        with pxqemu.Qemu(image, name, media=media, build=CFG["build"]) as vm:
            m = vm.expect(LOADER_LINE, timeout=CFG["timeout"])
            self.assertTrue(m.group(0).startswith("pxOS loader: "))
            shot = vm.screendump()
            self.assertGreater(shot.width, 0)
            self.assertGreater(shot.height, 0)

    def test_disk_as_sata_disk(self):
        self.boot(CFG["img"], "disk", "media-img-sata")

    def test_disk_as_usb_stick(self):
        self.boot(CFG["img"], "usb", "media-img-usb")

    def test_iso_as_cdrom(self):
        self.boot(CFG["iso"], "cdrom", "media-iso-cdrom")

    def test_iso_as_usb_stick(self):
        self.boot(CFG["iso"], "usb", "media-iso-usb")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.environ.get("BUILD") or os.path.join(repo, "build"))
    ap.add_argument("--img", help="raw disk image (default BUILD/pxos.img)")
    ap.add_argument("--iso", help="hybrid ISO (default BUILD/pxos.iso)")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds to wait for the loader on each boot (default 120)")
    ap.add_argument("-k", dest="filters", action="append", default=[],
                    help="run only tests whose id contains this (repeatable)")
    args = ap.parse_args()
    CFG["build"] = os.path.abspath(args.build)
    CFG["img"] = os.path.abspath(args.img or os.path.join(args.build, "pxos.img"))
    CFG["iso"] = os.path.abspath(args.iso or os.path.join(args.build, "pxos.iso"))
    CFG["timeout"] = args.timeout
    for what, path in (("disk image", CFG["img"]), ("ISO", CFG["iso"])):
        if not os.path.isfile(path):
            print("test_media: %s %s not found: run `make img iso` first" % (what, path),
                  file=sys.stderr)
            print("media: 0 passed, 1 failed")
            return 1

    return pxqemu.run_suite("media", (HarnessTests, LayoutTests, VariantTests, BootTests), args.filters)

if __name__ == "__main__":
    sys.exit(main())
