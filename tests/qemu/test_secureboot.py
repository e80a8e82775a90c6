#!/usr/bin/python3
"""test_secureboot — pxOS and UEFI Secure Boot, in QEMU with OVMF's Secure
Boot firmware (issue 10 item 10).

    /usr/bin/python3 tests/qemu/test_secureboot.py [--build DIR] [--timeout S] [-k SUBSTRING]

  - microsoft-keys: OVMF with Microsoft's keys enrolled (as on a PC bought with
    Windows) refuses the unsigned loader with the firmware's "Access Denied"
    before any pxOS code runs: the wording docs/media.md quotes.
  - own keys: throwaway PK, KEK and db keys are made (openssl), turned into
    authenticated variables (efitools), enrolled by SBENROLL.EFI in a first
    boot of OVMF in Setup Mode, and `make signed-img` signs a loader that pins
    the kernel and ramdisk by SHA-256. Then:
      * the signed image boots to the shell, the loader saying Secure Boot is
        on and both digests match;
      * the unsigned image is refused ("Access Denied");
      * the signed loader with a changed kernel, and with a changed ramdisk,
        refuses to boot it ("is not the digest built into this signed loader").
Needs sbsigntool, efitools and openssl (make deps). Logs: build/tests/qemu/sb-*/.
Last line: "secureboot: N passed, N failed".
"""

import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pxqemu  # noqa: E402

CFG = {}
OVMF_SB_CODE = "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"   # Secure Boot capable, no keys (Setup Mode)
OVMF_SB_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
OVMF_MS_CODE = "/usr/share/OVMF/OVMF_CODE_4M.ms.fd"        # with Microsoft's keys enrolled, Secure Boot on
OVMF_MS_VARS = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd"
OWNER_GUID = "7078f3a1-05e5-4b1c-9d2a-70784f530002"         # owner of our signature lists
ACCESS_DENIED = r'BdsDxe: failed to load Boot\d+ "UEFI QEMU HARDDISK [^"]*" from [^\r\n]*: Access Denied'


class SecureBootQemu(pxqemu.Qemu):
    """A Qemu on OVMF's Secure Boot build (SMM, secure flash), its variable
    store a copy of `vars_file`."""

    def __init__(self, image, name, code, vars_file, **kw):
        self.sb_code, self.sb_vars = code, vars_file
        super().__init__(image, name, build=CFG["build"], **kw)

    def command(self):
        args = super().command()
        self.vars_copy = os.path.join(self.dir, "OVMF_VARS.sb.fd")
        shutil.copyfile(self.sb_vars, self.vars_copy)
        for i, a in enumerate(args):
            if a.startswith("if=pflash") and "unit=0" in a:
                args[i] = "if=pflash,format=raw,unit=0,readonly=on,file=" + self.sb_code
            elif a.startswith("if=pflash") and "unit=1" in a:
                args[i] = "if=pflash,format=raw,unit=1,file=" + self.vars_copy
        return args + ["-M", "smm=on", "-global", "driver=cfi.pflash01,property=secure,value=on"]


def run(*cmd, cwd=None):
    r = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s" % (" ".join(cmd), r.returncode, r.stdout))
    return r.stdout


class MicrosoftKeys(pxqemu.QemuCase):
    cfg = CFG

    def test_unsigned_loader_access_denied(self):
        t0 = time.monotonic()
        vm = SecureBootQemu(CFG["img"], "sb-microsoft-keys", OVMF_MS_CODE, OVMF_MS_VARS)
        self.addCleanup(vm.close)
        m = vm.expect(ACCESS_DENIED, CFG["timeout"])
        vm.expect(r"BdsDxe: No bootable option or device was found", CFG["timeout"])
        self.assertNotIn("pxOS loader", vm.output)
        sys.stderr.write("  %s (%.1f s)\n" % (pxqemu.strip_ansi(m.group(0)), time.monotonic() - t0))


class OwnKeys(pxqemu.QemuCase):
    cfg = CFG

    @classmethod
    def setUpClass(cls):
        build = CFG["build"]
        d = cls.dir = os.path.join(build, "tests", "secureboot")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for k in ("PK", "KEK", "db"):
            run("openssl", "req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj",
                "/CN=pxOS test %s/" % k, "-keyout", k + ".key", "-out", k + ".crt", "-days", "30", cwd=d)
            run("cert-to-efi-sig-list", "-g", OWNER_GUID, k + ".crt", k + ".esl", cwd=d)
        for var, signer in (("PK", "PK"), ("KEK", "PK"), ("db", "KEK")):
            run("sign-efi-sig-list", "-k", signer + ".key", "-c", signer + ".crt", var, var + ".esl",
                var + ".auth", cwd=d)
        out = run("make", "--no-print-directory", "-C", pxqemu.REPO, "BUILD=" + build, "signed-img",
                  "SB_KEY=" + os.path.join(d, "db.key"), "SB_CERT=" + os.path.join(d, "db.crt"))
        assert "kernel and ramdisk pinned by SHA-256" in out, out
        cls.signed = os.path.join(build, "signed", "pxos-signed.img")
        # Setup Mode: SBENROLL.EFI sets db, KEK, PK and powers off; its
        # variable store is then the firmware of a PC with our keys.
        enroll = pxqemu.make_variant(CFG["img"], os.path.join(d, "enroll.img"), replace={
            "/EFI/BOOT/BOOTX64.EFI": os.path.join(build, "tools", "sbenroll", "SBENROLL.EFI"),
            "/db.auth": os.path.join(d, "db.auth"), "/KEK.auth": os.path.join(d, "KEK.auth"),
            "/PK.auth": os.path.join(d, "PK.auth")})
        vm = SecureBootQemu(enroll, "sb-enroll", OVMF_SB_CODE, OVMF_SB_VARS)
        try:
            vm.expect(r"sbenroll: all keys enrolled", CFG["timeout"])
            vm.wait_exit(60)
        finally:
            vm.close()
        cls.vars = os.path.join(d, "OVMF_VARS.enrolled.fd")
        shutil.copyfile(vm.vars_copy, cls.vars)

    def boot_sb(self, name, image):
        vm = SecureBootQemu(image, name, OVMF_SB_CODE, self.vars)
        self.addCleanup(vm.close)
        return vm

    def variant(self, name, esp_path, change):
        """The signed image with file `esp_path` changed by `change(bytes)`."""
        data = change(pxqemu.esp_read(self.signed, esp_path))
        return pxqemu.make_variant(self.signed, os.path.join(self.dir, name + ".img"), replace={esp_path: data})

    def test_signed_image_boots(self):
        vm = self.boot_sb("sb-signed", self.signed)
        self.expect(vm, r"pxOS loader: secure boot: on \(the firmware checked this loader's signature\); "
                        r"this signed build checks the kernel and ramdisk")
        self.expect(vm, r"secure boot: \\pxos\\kernel\.elf: SHA-256 [0-9a-f]{64} matches the digest")
        self.expect(vm, r"secure boot: \\pxos\\pixelfs\.png: SHA-256 [0-9a-f]{64} matches the digest")
        self.expect(vm, r"kernel: pxOS kernel \S+ starting")
        self.expect(vm, r"sh\$ ")

    def test_unsigned_image_denied(self):
        vm = self.boot_sb("sb-unsigned", CFG["img"])
        self.expect(vm, ACCESS_DENIED)
        self.assertNotIn("pxOS loader", vm.output)

    def test_changed_kernel_refused(self):
        img = self.variant("sb-kernel-changed", "/pxos/kernel.elf", lambda b: b + b"\0")
        vm = self.boot_sb("sb-kernel-changed", img)
        self.expect(vm, r"secure boot: \\pxos\\kernel\.elf: SHA-256 [0-9a-f]{64} is not the digest built into "
                        r"this signed loader: refusing it")
        self.expect(vm, r"boot failed \(Security Violation\)")
        self.assertNotIn("kernel: pxOS kernel", vm.output)

    def test_changed_ramdisk_refused(self):
        img = self.variant("sb-ramdisk-changed", "/pxos/pixelfs.png", lambda b: b[:-1] + bytes([b[-1] ^ 1]))
        vm = self.boot_sb("sb-ramdisk-changed", img)
        self.expect(vm, r"secure boot: \\pxos\\kernel\.elf: SHA-256 [0-9a-f]{64} matches")
        self.expect(vm, r"secure boot: \\pxos\\pixelfs\.png: SHA-256 [0-9a-f]{64} is not the digest built into "
                        r"this signed loader: refusing it")
        self.expect(vm, r"boot failed \(Security Violation\)")
        self.assertNotIn("kernel: pxOS kernel", vm.output)


if __name__ == "__main__":
    status = pxqemu.test_main("secureboot", __doc__, CFG, (MicrosoftKeys, OwnKeys),
                              need=("tools/sbenroll/SBENROLL.EFI",))
    sys.exit(status)
