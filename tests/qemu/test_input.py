#!/usr/bin/python3
"""test_input — interrupts, the PS/2 keyboard, serial input, idle and the monitor hot key.

    /usr/bin/python3 tests/qemu/test_input.py [--build DIR] [--timeout S] [-k SUBSTRING]

`make check-qemu` runs it after `make all`. Each test boots build/pxos.img (or
a variant) headless and checks:
  - keyboard and serial to stdin: with tests/programs/readline.pxs as init,
    lines typed with HMP `sendkey` (scancode set 1 through the i8042, IRQ 1:
    Shift, '!', Backspace) and on the serial line (IRQ 4) come back from the
    process; Ctrl-D ends its input.
  - keyboard into the monitor: Shift, Backspace, Ctrl-U, Enter; the echo is
    on serial and on screen (typed text appears in the kernel console region;
    erased with Backspace, the region is pixel for pixel as before).
  - timer and idle: with the only process blocked in READ for ~2 s, the PIT
    ticks advance at ~TICK_HZ, the CPU halted (the hlt wake-up counter and
    the time spent halted advance too) and uptime moved on.
  - polled mode (kernel option irq=poll, also taken when no PIT tick
    arrives): every IRQ masked, keyboard and serial still reach the process
    and the monitor, and the CPU never halts.
  - hot key: with a process spinning for ever (tests/programs/spin.pxs as
    init), Ctrl-\\ on serial and then on the keyboard opens the monitor; the
    process is frozen while it is open (ps, regs, dis, mem inspect it),
    `continue` resumes it, `kill` ends it, and the monitor comes back.
  - breakpoints: `break 1 0x214` on spin's JMP; `continue` runs it into the
    breakpoint, the monitor reopens with "pid 1 hit breakpoint at 0x0214",
    ps shows it stopped, regs/dis/mem show the original JMP (not BRK), step
    and continue go over it, `delete` removes it and the process runs on.
Logs and screenshots: build/tests/qemu/input-*/. Last line: "input: N passed, N failed".
"""

import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pxqemu  # noqa: E402

CFG = {}
TICK_HZ = 1000


def build_path(*parts):
    return os.path.join(CFG["build"], *parts)


run = pxqemu.run_tool


class InputCase(pxqemu.QemuCase):
    cfg = CFG

    def keys(self, vm, *names):
        for k in names:
            out = vm.hmp("sendkey " + k)
            self.assertEqual(out, "", "sendkey %s: %s" % (k, out))
            time.sleep(0.03)

    def type_keys(self, vm, text):
        """Type text on the PS/2 keyboard (lower case, digits, space, a few
        symbols; upper case with Shift)."""
        names = {" ": "spc", "-": "minus", ".": "dot", "/": "slash", "\r": "ret", "!": "shift-1"}
        for ch in text:
            if ch in names:
                self.keys(vm, names[ch])
            elif ch.isupper():
                self.keys(vm, "shift-" + ch.lower())
            else:
                self.keys(vm, ch)

    def uptime(self, vm):
        vm.send("uptime\r")
        m = self.expect(vm, r"up (\d+)\.(\d{3}) s, (\d+) ticks at (\d+) Hz, (\d+) idle halts, (\d+) ms halted")
        return {"ms": int(m.group(1)) * 1000 + int(m.group(2)), "ticks": int(m.group(3)),
                "hz": int(m.group(4)), "halts": int(m.group(5)), "halted_ms": int(m.group(6))}

    def kernel_region(self, vm, text):
        m = re.search(r"vram: region kernel\s+y=(\d+)\s+h=(\d+)", text)
        self.assertIsNotNone(m, "no kernel region in the log")
        return int(m.group(1)), int(m.group(2))


def program_image(name, program, options=""):
    """A variant of the disk image whose ramdisk holds only
    tests/programs/PROGRAM.pxe (as /apps/PROGRAM) and whose init it is;
    `options`: more kernel options."""
    stage = build_path("tests", "qemu", "variants", "rootfs-" + name)
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(os.path.join(stage, "apps"))
    shutil.copy(build_path("tests", "programs", program + ".pxe"), os.path.join(stage, "apps"))
    ramdisk = os.path.join(os.path.dirname(stage), name + ".png")
    run(build_path("tools", "pxfs"), "build", ramdisk, stage)
    cfg = os.path.join(os.path.dirname(stage), "boot-" + name + ".cfg")
    with open(cfg, "w") as f:
        f.write("# test: %s as init\ncmdline = init=/apps/%s %s\n" % (program, program, options))
    path = build_path("tests", "qemu", "variants", name + ".img")
    pxqemu.make_variant(CFG["img"], path, replace={"/pxos/pixelfs.png": ramdisk, "/pxos/boot.cfg": cfg})
    return path


HOTKEY_RE = r"monitor: hot key \(Ctrl-\\\): debug monitor"


class KeyboardSerialTests(InputCase):
    def test_keyboard_serial_timer_idle(self):
        vm = self.boot("input-keyboard", program_image("readline", "readline"))
        self.expect(vm, r"irq: tick: PIT at 1000\.\d+ Hz on IRQ 0 \(8259\)")
        self.expect(vm, r"irq: PS/2 keyboard on IRQ 1")
        self.expect(vm, r"irq: serial receive on IRQ 4")
        self.expect(vm, r"readline: ready")
        time.sleep(0.3)

        # Both consoles feed the foreground process's stdin.
        self.type_keys(vm, "Hello World!\r")
        self.expect(vm, r"readline: got \[Hello World!\]")
        vm.send("from serial\r")
        self.expect(vm, r"readline: got \[from serial\]")
        self.type_keys(vm, "abx")
        self.keys(vm, "backspace")
        self.type_keys(vm, "c\r")
        self.expect(vm, r"readline: got \[abc\]")

        # The monitor: the hot key on serial; the reader is blocked in READ.
        vm.send("\x1c")
        self.expect(vm, HOTKEY_RE)
        self.expect(vm, r"pxmon> ")
        vm.send("ps\r")
        self.expect(vm, r"\s+1\s+0\s+\d+ blocked:read .* readline")
        self.expect(vm, r"pxmon> ")
        vm.send("help\r")
        self.expect(vm, r"continue\s+leave the monitor")
        self.expect(vm, r"Ctrl-\\ \(0x1C\)")
        self.expect(vm, r"pxmon> ")

        # Keyboard into the monitor: Shift, '!', an unknown command echoed back.
        self.type_keys(vm, "HeLp!\r")
        self.expect(vm, r"unknown command 'HeLp!' \(try help\)")
        self.expect(vm, r"pxmon> ")
        # Backspace and Ctrl-U edit the line before Enter sends it.
        self.type_keys(vm, "psx")
        self.keys(vm, "backspace")
        self.type_keys(vm, "\r")
        self.expect(vm, r"slots, \d+ instructions run in all")
        self.expect(vm, r"pxmon> ")
        self.type_keys(vm, "garbage")
        self.keys(vm, "ctrl-u")
        self.type_keys(vm, "irq\r")
        self.expect(vm, r"keyboard: PS/2, (\d+) scancodes, 0 dropped")
        self.expect(vm, r"serial: IRQ, (\d+) bytes received, 0 dropped")
        self.expect(vm, r"idle: \d+ halts")
        self.expect(vm, r"pxmon> ")

        # The echo is on screen: typed text changes the kernel console; erased
        # again, the console is pixel for pixel what it was.
        ky, kh = self.kernel_region(vm, pxqemu.strip_ansi(vm.output))
        time.sleep(0.3)
        region = lambda img: img.crop(0, ky, img.width, kh).data
        before = vm.screendump(os.path.join(vm.dir, "before-typing.png"))
        self.type_keys(vm, "echo")
        time.sleep(0.3)
        typed = vm.screendump(os.path.join(vm.dir, "typed.png"))
        self.assertNotEqual(region(typed), region(before), "typed text shows in the kernel console")
        for _ in range(4):
            self.keys(vm, "backspace")
        time.sleep(0.3)
        erased = vm.screendump(os.path.join(vm.dir, "erased.png"))
        self.assertEqual(region(erased), region(before), "Backspace erases the echo on screen")

        # Timer and idle, outside the monitor: with the only process blocked,
        # the scheduler halts the CPU; the PIT ticks at TICK_HZ and wakes it.
        a = self.uptime(vm)
        vm.send("continue\r")
        t0 = time.monotonic()
        time.sleep(2)
        self.keys(vm, "ctrl-backslash")   # the hot key on the keyboard
        self.expect(vm, HOTKEY_RE)
        b = self.uptime(vm)
        wall_ms = (time.monotonic() - t0) * 1000
        self.assertEqual(a["hz"], TICK_HZ)
        dt = b["ticks"] - a["ticks"]
        guest_ms = b["ms"] - a["ms"]
        self.assertGreater(guest_ms, 1500, "uptime advances while idle")
        self.assertGreater(dt, guest_ms * TICK_HZ / 1000 * 0.5, "PIT ticks at ~TICK_HZ (%d ticks in %d ms)"
                           % (dt, guest_ms))
        self.assertLess(dt, wall_ms * TICK_HZ / 1000 * 1.5 + 50)
        self.assertGreater(b["halts"] - a["halts"], dt // 2, "each tick wakes a halted CPU")
        self.assertGreater(b["halted_ms"] - a["halted_ms"], guest_ms // 2, "idle time is spent halted")

        # Ctrl-D on the keyboard: end of input; the reader exits, the monitor
        # comes back by itself.
        vm.send("continue\r")
        time.sleep(0.3)
        self.keys(vm, "ctrl-d")
        self.expect(vm, r"readline: end of input")
        self.expect(vm, r"pid 1 \(readline\) exited with status 0")
        self.expect(vm, r"monitor: all processes have ended: debug monitor")
        self.expect(vm, r"pxmon> ")
        vm.send("exit\r")
        self.assertEqual(vm.wait_exit(60), (0 << 1) | 1)


class PolledModeTests(InputCase):
    def test_irq_poll_option(self):
        """irq=poll (and a machine whose 8259 does not reach the CPU): every
        IRQ masked, keyboard and serial read from the main loop."""
        vm = self.boot("input-polled", program_image("readline-poll", "readline", "irq=poll"))
        self.expect(vm, r"WARN  irq: irq=poll: keyboard and serial polled from the main loop")
        self.expect(vm, r"readline: ready")
        time.sleep(0.3)
        self.type_keys(vm, "Polled keys\r")
        self.expect(vm, r"readline: got \[Polled keys\]")
        vm.send("polled serial\r")
        self.expect(vm, r"readline: got \[polled serial\]")
        self.keys(vm, "ctrl-backslash")
        self.expect(vm, HOTKEY_RE)
        vm.send("irq\r")
        self.expect(vm, r"spurious IRQ 7: 0, IRQ 15: 0; PIC mask 0xffff")
        self.expect(vm, r"mode: polled")
        self.expect(vm, r"serial: polled, \d+ bytes received, 0 dropped")
        m = self.expect(vm, r"idle: (\d+) halts")
        self.assertEqual(int(m.group(1)), 0, "polled mode never halts")
        vm.send("exit\r")
        self.assertEqual(vm.wait_exit(60), (0 << 1) | 1)


class HotKeyTests(InputCase):
    def ps_steps(self, vm):
        vm.send("ps\r")
        m = self.expect(vm, r"\s+1\s+0\s+\d+ (\S+)\s+(\d+)\s+0x([0-9a-f]{4}) spin")
        self.expect(vm, r"pxmon> ")
        return m.group(1), int(m.group(2))

    def test_hotkey_freezes_and_continue_resumes(self):
        vm = self.boot("input-hotkey", program_image("spin", "spin"))
        self.expect(vm, r"init: started /apps/spin as pid 1")
        self.expect(vm, r"spin: counting for ever")
        time.sleep(1)

        # Ctrl-\ on the serial line, while pid 1 never stops computing.
        vm.send("\x1c")
        self.expect(vm, HOTKEY_RE)
        self.expect(vm, r"pxmon> ")
        state, s1 = self.ps_steps(vm)
        self.assertEqual(state, "runnable")
        self.assertGreater(s1, 100000)
        time.sleep(0.5)
        self.assertEqual(self.ps_steps(vm)[1], s1, "the process is frozen while the monitor is open")

        vm.send("regs 1\r")
        self.expect(vm, r"pid 1 \(spin\) runnable, parent 0, slot \d+")
        m = self.expect(vm, r"R1\s+([0-9a-f]{8})")
        self.assertGreater(int(m.group(1), 16), 1000, "R1 is spin's counter")
        self.expect(vm, r"PC\s+0000[0-9a-f]{4}  (ADDI R1, R1, 1|JMP 0x[0-9a-f]+)")
        self.expect(vm, r"pxmon> ")

        # Single steps: each instruction printed before it runs, then the
        # registers; R1 grows by one per ADDI, the instruction count by 3.
        r1 = int(m.group(1), 16)
        vm.send("step 1 3\r")
        trace = [self.expect(vm, r"  0000(02[0-9a-f]{2})  (ADDI R1, R1, 1|JMP 0x0210)\r?\n").group(2)
                 for _ in range(3)]
        self.assertIn(trace, (["ADDI R1, R1, 1", "JMP 0x0210", "ADDI R1, R1, 1"],
                              ["JMP 0x0210", "ADDI R1, R1, 1", "JMP 0x0210"]))
        m = self.expect(vm, r"R1\s+([0-9a-f]{8})")
        self.assertEqual(int(m.group(1), 16), r1 + trace.count("ADDI R1, R1, 1"))
        self.expect(vm, r"next  0000(02[0-9a-f]{2})  ")
        self.expect(vm, r"pxmon> ")
        self.assertEqual(self.ps_steps(vm)[1], s1 + 3, "step 1 3 ran three instructions")
        s1 += 3

        vm.send("dis 1 0x200 6\r")
        self.expect(vm, r"   0200  [0-9a-f]{8} [0-9a-f]{8}  IMM32 R1, 0x[0-9a-f]+")
        self.expect(vm, r"(=>|  ) 02[0-9a-f]{2}  [0-9a-f]{8}           ADDI R1, R1, 1")
        self.expect(vm, r"pxmon> ")
        vm.send("dis 1\r")
        self.expect(vm, r"=> 02[0-9a-f]{2}  [0-9a-f]{8} ")
        self.expect(vm, r"pxmon> ")

        # The program image as the hex dump shows it, line for line (the image
        # starts at 0x200; its message string shows in the ASCII column).
        with open(build_path("tests", "programs", "spin.pxe"), "rb") as f:
            body = f.read()[16:]
        vm.send("mem 1 0x200 %d\r" % len(body))
        for off in range(0, len(body), 16):
            chunk = body[off:off + 16]
            hexes = " ".join("%02x" % b for b in chunk[:8]) + "  " + " ".join("%02x" % b for b in chunk[8:])
            hexes = hexes.ljust(16 * 3 + 1)
            asc = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk).ljust(16)
            self.expect(vm, re.escape("  %04x  %s |%s|" % (0x200 + off, hexes, asc)))
        self.expect(vm, r"pxmon> ")
        vm.send("mem 1 0x10000\r")
        self.expect(vm, r"usage: mem PID ADDR \[LEN\]")
        vm.send("regs 99\r")
        self.expect(vm, r"no process with pid 99")

        vm.send("continue\r")
        time.sleep(1)
        # Ctrl-\ on the PS/2 keyboard this time.
        self.keys(vm, "ctrl-backslash")
        self.expect(vm, HOTKEY_RE)
        self.expect(vm, r"pxmon> ")
        _, s2 = self.ps_steps(vm)
        self.assertGreater(s2, s1 + 100000, "continue let the process run on")

        vm.send("kill 1\r")
        self.expect(vm, r"pid 1 killed")
        vm.send("kill 1\r")
        self.expect(vm, r"no process with pid 1")
        vm.send("continue\r")
        self.expect(vm, r"monitor: all processes have ended: debug monitor")
        self.expect(vm, r"pxmon> ")
        vm.send("exit\r")
        self.assertEqual(vm.wait_exit(60), (0 << 1) | 1)

    def test_breakpoints(self):
        """break/delete in spin's loop (0x210 ADDI R1, R1, 1; 0x214 JMP 0x210):
        the process stops at the breakpoint (not killed), the monitor opens on
        its own, regs/dis/mem show the original instruction, step and continue
        go over it, and after delete it runs on."""
        vm = self.boot("input-break", program_image("spin", "spin"))
        self.expect(vm, r"spin: counting for ever")
        with open(build_path("tests", "programs", "spin.pxe"), "rb") as f:
            body = f.read()[16:]
        jmp_word = int.from_bytes(body[0x14:0x18], "little")
        self.assertEqual(jmp_word & 0xFF, 0x40, "0x214 holds JMP")
        vm.send("\x1c")
        self.expect(vm, HOTKEY_RE)
        self.expect(vm, r"pxmon> ")

        vm.send("break 1 0x215\r")
        self.expect(vm, r"break: 0x215 is not an instruction address")
        vm.send("break 1 0x204\r")  # the data word of IMM32 R1, msg
        self.expect(vm, r"break: 0x204 is not an instruction address")
        vm.send("break\r")
        self.expect(vm, r"no breakpoints")
        vm.send("break 1 0x214\r")
        self.expect(vm, r"breakpoint 0: pid 1 at 0x0214: JMP 0x0210")
        vm.send("break 1 0x214\r")
        self.expect(vm, r"break: pid 1 already has a breakpoint at 0x0214")
        vm.send("break\r")
        self.expect(vm, r"  0    1  0x0214  JMP 0x0210\r?\n")
        self.expect(vm, r"pxmon> ")

        # continue: the next JMP is the breakpoint; the monitor reopens.
        vm.send("continue\r")
        self.expect(vm, r"pid 1 hit breakpoint at 0x0214: JMP 0x0210\r?\n")
        self.expect(vm, r"monitor: breakpoint: debug monitor")
        self.expect(vm, r"pxmon> ")
        vm.send("ps\r")
        m = self.expect(vm, r"\s+1\s+0\s+\d+ stopped\s+(\d+)\s+0x0214 spin  \(stopped at breakpoint\)")
        steps = int(m.group(1))
        self.expect(vm, r"pxmon> ")
        vm.send("regs 1\r")
        self.expect(vm, r"pid 1 \(spin\) stopped at breakpoint, parent 0")
        r1 = int(self.expect(vm, r"R1\s+([0-9a-f]{8})").group(1), 16)
        self.expect(vm, r"PC\s+00000214  JMP 0x0210   <- breakpoint")
        self.expect(vm, r"pxmon> ")
        # dis and mem show the program's word, not BRK (0x00000002).
        vm.send("dis 1 0x210 2\r")
        self.expect(vm, r"   0210  [0-9a-f]{8}           ADDI R1, R1, 1")
        self.expect(vm, r"=>\*0214  %08x           JMP 0x0210" % jmp_word)
        self.expect(vm, r"pxmon> ")
        vm.send("mem 1 0x214 4\r")
        self.expect(vm, re.escape("  0210              %s" % " ".join("%02x" % b for b in body[0x14:0x18])))
        self.expect(vm, r"pxmon> ")

        # step runs the JMP under the breakpoint; two more steps pass it again
        # (ADDI, then the JMP) without stopping.
        vm.send("step 1\r")
        self.expect(vm, r"  00000214  JMP 0x0210   <- breakpoint")
        self.expect(vm, r"next  00000210  ADDI R1, R1, 1")
        mark = self.expect(vm, r"pxmon> ").end()
        vm.send("step 1 2\r")
        self.expect(vm, r"  00000210  ADDI R1, R1, 1")
        self.expect(vm, r"  00000214  JMP 0x0210   <- breakpoint")
        m = self.expect(vm, r"R1\s+([0-9a-f]{8})")
        self.assertEqual(int(m.group(1), 16), r1 + 1)
        self.expect(vm, r"next  00000210  ADDI R1, R1, 1")
        self.expect(vm, r"pxmon> ")
        self.assertNotIn("hit breakpoint", vm.output[mark:], "stepping is not stopped by the breakpoint")

        # continue (pid 1 is runnable after the steps, at 0x210): one more
        # ADDI, then the breakpoint again.
        vm.send("continue\r")
        self.expect(vm, r"pid 1 hit breakpoint at 0x0214: JMP 0x0210")
        self.expect(vm, r"pxmon> ")
        vm.send("regs 1\r")
        m = self.expect(vm, r"R1\s+([0-9a-f]{8})")
        self.assertEqual(int(m.group(1), 16), r1 + 2)
        self.expect(vm, r"pxmon> ")
        vm.send("ps\r")
        m = self.expect(vm, r"\s+1\s+0\s+\d+ stopped\s+(\d+)\s+0x0214 spin")
        self.assertEqual(int(m.group(1)), steps + 4, "step 1 + step 1 2 + ADDI after continue")
        self.expect(vm, r"pxmon> ")

        vm.send("delete 1\r")
        self.expect(vm, r"delete: no breakpoint 1")
        vm.send("delete 1 0x210\r")
        self.expect(vm, r"delete: pid 1 has no breakpoint at 0x0210")
        vm.send("delete 0\r")
        self.expect(vm, r"breakpoint of pid 1 at 0x0214 deleted")
        vm.send("break\r")
        self.expect(vm, r"no breakpoints")
        vm.send("dis 1 0x214 1\r")
        self.expect(vm, r"=> 0214  %08x           JMP 0x0210" % jmp_word)
        self.expect(vm, r"pxmon> ")
        vm.send("continue\r")
        self.expect(vm, r"1 stopped process resumed")
        time.sleep(1)
        vm.send("\x1c")
        self.expect(vm, HOTKEY_RE)
        self.expect(vm, r"pxmon> ")
        state, s2 = self.ps_steps(vm)
        self.assertEqual(state, "runnable")
        self.assertGreater(s2, steps + 100000, "without the breakpoint it runs on")
        vm.send("kill 1\r")
        self.expect(vm, r"pid 1 killed")
        vm.send("continue\r")
        self.expect(vm, r"monitor: all processes have ended: debug monitor")
        self.expect(vm, r"pxmon> ")
        vm.send("exit\r")
        self.assertEqual(vm.wait_exit(60), (0 << 1) | 1)


def main():
    return pxqemu.test_main("input", __doc__, CFG, (KeyboardSerialTests, PolledModeTests, HotKeyTests),
                            need=("tools/pxfs", "tests/programs/spin.pxe", "tests/programs/readline.pxe"))

if __name__ == "__main__":
    sys.exit(main())
