#!/usr/bin/python3
"""bench.py — `make bench`: pxVM against Lua on the same algorithms, throughput
under the scheduler, and instructions per second inside QEMU.

    /usr/bin/python3 tests/bench/bench.py [--build DIR] [--runs N] [--no-qemu]
                                          [--no-procs] [--only NAME,...]
                                          [--watch-runs N] [--watch-only]

1. Each benchmark (loop, fib, sieve, copy; tests/bench/*.pxs and *.lua) runs in
   pxVM on the host (build/tests/bench/pxbench run: the bare interpreter, in
   quanta of SCHED_QUANTUM instructions), in Lua 5.4 (`lua5.4 NAME.lua`, the
   whole process timed), in LuaJIT's interpreter (`luajit -joff`) and in
   LuaJIT with its JIT (`luajit`); the table shows pxVM's time over each.
   Each is run --runs times (default 3) and the fastest run counts. Every
   run's result line must equal the C reference (`pxbench ref`), or the
   script fails; a missing lua5.4 or luajit fails it too (`make deps`).
2. Throughput under the real scheduler (pxbench procs): the loop and sieve
   programs as 1, 8 and 32 processes, the total work the same in each case;
   instructions per CPU second of sched_run.
3. Watching off costs nothing (issue 13): each benchmark on the bare
   interpreter as built for pxOS (watching off: pxbench run), as built
   without watching at all (build/tests/bench/pxbench-nowatch: pxvm/vm.c
   with PXVM_WATCH_NONE, the plain run loop alone) and watched (pxbench
   watched: the instrumented copy, the write log and the marks), interleaved
   in one loop: each round runs the three one after another, --watch-runs
   rounds (default 5), the fastest of each counts (the run's own CPU
   seconds, pxbench's "cpu"). Results must equal the C reference.
4. In QEMU (TCG): pxOS boots with tests/bench/qbench.pxs as init (boot.cfg
   `cmdline = init=/boot/qbench initargs=N`), which prints its instructions
   per second on the serial console.
5. asm, the assembler inside pxOS, assembling userland/boot/sh.pxs (in pxsim
   with the built ramdisk; its virtual clock at --mips 1 counts pxVM
   instructions), as time at the host interpreter's speed (the pxVM Minstr/s
   of step 1), beside the host's pxasm on the same file (CPU seconds). The
   goal: under 1 s (issue 11).

6. Python (docs/python.md): the four benchmarks and a pystone-like one
   (tests/bench/*.py) in pxOS's Python guests on the host (pxbench procs 1
   NAME.py: the Python process kind under the real scheduler, its budget hook
   included; CPU seconds of the run), in MicroPython's unix port built from
   the same source with the same language and speed choices
   (build/micropython/unix/micropython, tests/bench/mpy-unix) and in CPython
   (/usr/bin/python3), whole processes timed; every result line must agree
   (the C reference for the four). The goal: pxOS's Python within 1.5x of the
   unix port. Then the kernel's size with and without the Python runtime
   (its objects' sections), and, with --no-qemu absent, the boot time to the
   shell's prompt in QEMU with it.

Exit status 0, or 1 when a result is wrong or a run failed. docs/performance.md
explains the figures.
"""

import argparse
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
# The benchmark scripts beside this file (copy.py, ...) must not shadow the
# standard library's modules of the same name (unittest imports copy).
sys.path = [p for p in sys.path if os.path.realpath(p or ".") != os.path.realpath(HERE)]
sys.path.insert(0, os.path.join(REPO, "tests", "qemu"))
# Imported here, not where they are used: `bench.py --help` (test_bench, in
# make test) then imports everything make bench does, so a module that breaks
# the imports (a script here shadowing the standard library) fails make test.
import tempfile  # noqa: E402
import pxqemu  # noqa: E402

BENCHES = [  # name, description
    ("loop", "10^8 additions mod 2^32"),
    ("fib", "recursive fib(30)"),
    ("sieve", "sieve to 50,000, 200 times"),
    ("copy", "copy 16 KiB, 10,000 times"),
]
# Throughput workloads: (program, argument per process for 1, 8, 32 processes)
PROCS = [
    ("loop", {1: 96000000, 8: 12000000, 32: 3000000}),
    ("sieve", {1: 256, 8: 32, 32: 8}),
]
QBENCH_N = 50000000
# Python benchmarks: name, work, argv[1] (tests/bench/NAME.py)
PY_BENCHES = [
    ("loop", "2*10^7 additions mod 2^32", 20000000),
    ("fib", "recursive fib(30)", 30),
    ("sieve", "sieve to 50,000, 100 times", 100),
    ("copy", "copy 4096 words, 3,000 times", 3000),
    ("pystone", "pystone-like, 100,000 loops", 100000),
]
PY_GOAL = 1.5
# The watching table's sizes (default: the benchmark's own), so that each run
# takes a tenth of a second or more and the ratios are not timer noise.
WATCH_ARGS = {"fib": "34", "sieve": "400"}


class BenchError(Exception):
    pass


def timed(cmd):
    """Run cmd to its end; return its stdout (BenchError if it fails)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate()
    if p.returncode != 0:
        raise BenchError("%s failed (status %d): %s" % (" ".join(cmd), p.returncode, err.strip()))
    return out


def timed_cpu(cmd):
    """Run cmd; return (stdout, CPU seconds (user + system) of that process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = timed(cmd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out, cpu


def pxbench_stats(out):
    """(result line, steps, wall seconds, CPU seconds) from pxbench run/procs."""
    m = re.search(r"^steps (\d+) seconds ([0-9.]+) cpu ([0-9.]+)$", out, re.M)
    if not m:
        raise BenchError("pxbench printed no statistics:\n" + out)
    return out.splitlines()[0], int(m.group(1)), float(m.group(2)), float(m.group(3))


def best(n, fn):
    """The fastest of n runs of fn (its result's last element is the time)."""
    results = [fn() for _ in range(n)]
    return min(results, key=lambda r: r[-1])


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


# The Lua implementations each benchmark runs in: (time column, ratio column,
# command).
LUAS = [("Lua 5.4 s", "pxVM/Lua", ["lua5.4"]),
        ("LuaJIT -joff s", "pxVM/-joff", ["luajit", "-joff"]),
        ("LuaJIT s", "pxVM/JIT", ["luajit"])]


def run_host(build, runs, only):
    """Each benchmark in pxVM and in every LUAS entry; rows of (name, work,
    pxVM CPU s, [CPU s per LUAS entry], pxVM instructions)."""
    pxbench = os.path.join(build, "tests", "bench", "pxbench")
    for _, _, cmd in LUAS:
        if not shutil.which(cmd[0]):
            raise BenchError("%s not found: install it with `make deps`" % cmd[0])
    rows = []
    for name, what in BENCHES:
        if only and name not in only:
            continue
        want = subprocess.run([pxbench, "ref", name], stdout=subprocess.PIPE, text=True,
                              check=True).stdout.strip()
        pxe = os.path.join(build, "tests", "bench", name + ".pxe")
        out, px = best(runs, lambda: timed_cpu([pxbench, "run", pxe]))
        line, steps, _, _ = pxbench_stats(out)
        if line != want:
            raise BenchError("pxVM %s printed %r, want %r" % (name, line, want))
        script = os.path.join(HERE, name + ".lua")
        lua_times = []
        for _, _, cmd in LUAS:
            out, t = best(runs, lambda: timed_cpu(cmd + [script]))
            if out.strip() != want:
                raise BenchError("%s %s printed %r, want %r" % (" ".join(cmd), script, out.strip(), want))
            lua_times.append(t)
        rows.append((name, what, px, lua_times, steps))
        print("  %-6s done: %s" % (name, want), file=sys.stderr)
    return rows


def run_procs(build, runs):
    pxbench = os.path.join(build, "tests", "bench", "pxbench")
    rows = []
    for name, args in PROCS:
        pxe = os.path.join(build, "tests", "bench", name + ".pxe")
        base = None
        for n in (1, 8, 32):
            line, steps, _, secs = best(runs, lambda: pxbench_stats(
                timed([pxbench, "procs", str(n), pxe, str(args[n])])))
            rate = steps / secs
            if base is None:
                base = rate
            rows.append((name, n, args[n], steps, secs, rate, 100.0 * rate / base))
    return rows


def run_watch(build, runs, only):
    """Watching off against no watching and watching on, interleaved; rows of
    (name, no-watch s, off s, watched s, instructions, writes logged)."""
    d = os.path.join(build, "tests", "bench")
    variants = [[os.path.join(d, "pxbench-nowatch"), "run"], [os.path.join(d, "pxbench"), "run"],
                [os.path.join(d, "pxbench"), "watched"]]
    names = [n for n, _ in BENCHES if not only or n in only]
    args = {n: [WATCH_ARGS[n]] if n in WATCH_ARGS else [] for n in names}
    want = {n: timed([variants[1][0], "ref", n] + args[n]).strip() for n in names}
    best_s = {n: [None] * len(variants) for n in names}
    steps, writes = {}, {}
    for _ in range(runs):
        for n in names:
            for k, v in enumerate(variants):
                out = timed(v + [os.path.join(d, n + ".pxe")] + args[n])
                line, st, _, cpu = pxbench_stats(out)
                if line != want[n]:
                    raise BenchError("%s %s printed %r, want %r" % (" ".join(v), n, line, want[n]))
                if best_s[n][k] is None or cpu < best_s[n][k]:
                    best_s[n][k] = cpu
                steps[n] = st
                if k == 2:
                    m = re.search(r"^watch: (\d+) writes logged", out, re.M)
                    if not m:
                        raise BenchError("pxbench watched %s printed no watch line:\n%s" % (n, out))
                    writes[n] = int(m.group(1))
    return [(n, best_s[n][0], best_s[n][1], best_s[n][2], steps[n], writes[n]) for n in names]


def print_watch(rows, runs):
    print("Watching off costs nothing: the bare interpreter's CPU seconds, best of %d interleaved rounds" % runs)
    print("(none: built without watching; off: as pxOS runs every unwatched process; on: watched)")
    print("%-6s %12s %9s %8s %9s %8s %8s %12s" % ("bench", "instructions", "none s", "off s", "off/none",
                                                  "on s", "on/off", "writes"))
    worst = 0.0
    for name, none, off, on, steps, writes in rows:
        worst = max(worst, off / none)
        print("%-6s %12d %9.3f %8.3f %9.3f %8.3f %8.2f %12d" % (name, steps, none, off, off / none, on,
                                                                on / off, writes))
    print("largest off/none: %.3f (1.000: the same; the runs of one build vary by a few %%)" % worst)


def run_qemu(build, n):
    img = os.path.join(build, "pxos.img")
    stage = os.path.join(build, "tests", "bench", "qemu-rootfs")
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(os.path.join(stage, "boot"))
    shutil.copy(os.path.join(build, "tests", "bench", "qbench.pxe"), os.path.join(stage, "boot"))
    ramdisk = os.path.join(build, "tests", "bench", "qbench-ramdisk.png")
    subprocess.run([os.path.join(build, "tools", "pxfs"), "build", ramdisk, stage], check=True,
                   stdout=subprocess.DEVNULL)
    cfg = ("# make bench: the in-QEMU benchmark as init\n"
           "cmdline = init=/boot/qbench initargs=%d\n" % n).encode()
    variant = pxqemu.make_variant(img, os.path.join(build, "tests", "bench", "qbench.img"),
                                  replace={"/pxos/pixelfs.png": ramdisk, "/pxos/boot.cfg": cfg})
    with pxqemu.Qemu(variant, "bench-qbench", build=build) as vm:
        m = vm.expect(r"qbench: (\d+) instructions in (\d+) ms: (\d+) instructions/s", timeout=300)
        return int(m.group(1)), int(m.group(2)), int(m.group(3))


def run_asm(build, runs, rate):
    """asm assembling sh.pxs: (pxVM instructions, seconds at `rate` instructions/s,
    host pxasm CPU seconds). Both outputs must be the same bytes."""
    tmp = tempfile.mkdtemp(prefix="bench-asm.")
    try:
        sh = os.path.join(REPO, "userland", "boot", "sh.pxs")
        cmd = [os.path.join(build, "tools", "pxsim"), "--quiet", "--mips", "1",
               "--fs", os.path.join(build, "pixelfs.png"), "--add", sh + "=/home/sh.pxs",
               "--add", os.path.join(build, "tests", "selfhost", "asmrun.pxe") + "=/bin/asmrun",
               "/bin/asmrun", "-t", "/apps/asm", "/home/sh.pxe", "/home/sh.pxs"]
        p = subprocess.run(cmd, capture_output=True)
        m = re.search(rb"asmrun: (\d+) us", p.stderr)
        if p.returncode != 0 or not m:
            raise BenchError("asm in pxsim failed (status %d): %s" % (p.returncode, p.stderr.decode()[-500:]))
        steps = int(m.group(1))
        out = os.path.join(tmp, "sh.pxe")
        pxasm = [os.path.join(build, "tools", "pxasm"), "-I", os.path.join(build, "userland", "include"),
                 "-I", os.path.join(REPO, "userland", "lib"), "-o", out, sh]
        _, host = best(runs, lambda: timed_cpu(pxasm))
        with open(out, "rb") as f:
            if f.read() != p.stdout:
                raise BenchError("asm's sh.pxe differs from pxasm's")
        return steps, steps / rate, host
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_python(build, runs, only):
    """Each PY_BENCHES entry in pxOS's Python (pxbench procs 1), the unix
    port and CPython; rows of (name, work, pxOS s, unix s, CPython s)."""
    pxbench = os.path.join(build, "tests", "bench", "pxbench")
    unix = os.path.join(build, "micropython", "unix", "micropython")
    cpython = "/usr/bin/python3"
    for path in (unix, cpython):
        if not os.path.exists(path):
            raise BenchError("%s not found (make bench builds the unix port; make deps installs python3)" % path)
    rows = []
    for name, what, arg in PY_BENCHES:
        if only and name not in only:
            continue
        script = os.path.join(HERE, name + ".py")
        want = None
        if name != "pystone":
            want = subprocess.run([pxbench, "ref", name, str(arg)], stdout=subprocess.PIPE, text=True,
                                  check=True).stdout.strip()
        line, _, _, px = best(runs, lambda: pxbench_stats(timed([pxbench, "procs", "1", script, str(arg)])))
        want = want or line
        if line != want:
            raise BenchError("pxOS Python %s printed %r, want %r" % (name, line, want))
        times = []
        for cmd in ([unix], [cpython]):
            out, t = best(runs, lambda: timed_cpu(cmd + [script, str(arg)]))
            if out.strip() != want:
                raise BenchError("%s %s printed %r, want %r" % (cmd[0], script, out.strip(), want))
            times.append(t)
        rows.append((name, what, px, times[0], times[1]))
        print("  %-7s done: %s" % (name, want), file=sys.stderr)
    return rows


def section_bytes(paths):
    """text + data + bss of ELF files or objects, from binutils' size."""
    out = subprocess.run(["size"] + list(paths), stdout=subprocess.PIPE, text=True, check=True).stdout
    total = 0
    for line in out.splitlines()[1:]:
        f = line.split()
        total += int(f[0]) + int(f[1]) + int(f[2])
    return total


def kernel_sizes(build):
    """(kernel bytes, of which the Python runtime's objects) from size(1)."""
    kobj = os.path.join(build, "kernel")
    py = [os.path.join(kobj, p) for p in ("pxvm/py/micropython.o", "pxvm/py/pymain.o", "pxvm/py/modpxos.o",
                                          "pxvm/py/pyfile.o", "pxvm/py/pylibc.o", "pxvm/py/pyproc.o",
                                          "kernel/pyswitch.o")]
    return section_bytes([os.path.join(build, "kernel.elf")]), section_bytes(py)


def boot_to_prompt(build):
    """Boot the built image in QEMU: (kernel log time of the shell's start in ms
    since loader entry, wall seconds from QEMU's start to the prompt)."""
    t0 = time.monotonic()
    with pxqemu.Qemu(os.path.join(build, "pxos.img"), "bench-boot", build=build) as vm:
        m = vm.expect(r"\[ *(\d+)\.(\d+)\] INFO  sched: spawned pid \d+ /boot/sh ", timeout=300)
        vm.expect(r"sh\$ ", timeout=60)
        wall = time.monotonic() - t0
        return int(m.group(1)) * 1000 + int(m.group(2)[:3]), wall


def fmt_s(x):
    return "%.3f" % x


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement; the fastest counts")
    ap.add_argument("--no-qemu", action="store_true", help="skip the in-QEMU figure")
    ap.add_argument("--no-procs", action="store_true", help="skip the scheduler throughput")
    ap.add_argument("--only", default="", help="comma-separated benchmarks to run")
    ap.add_argument("--qemu-n", type=int, default=QBENCH_N, help="qbench loop steps")
    ap.add_argument("--watch-runs", type=int, default=5, help="interleaved rounds of the watching table")
    ap.add_argument("--watch-only", action="store_true", help="only the watching table")
    a = ap.parse_args()
    only = set(filter(None, a.only.split(",")))
    build = os.path.abspath(a.build)
    print("pxOS benchmarks on %s, %d CPUs; CPU seconds, best of %d runs" % (cpu_name(), os.cpu_count(),
                                                                           a.watch_runs if a.watch_only else a.runs))
    try:
        if a.watch_only:
            print_watch(run_watch(build, a.watch_runs, only), a.watch_runs)
            return 0
        rows = run_host(build, a.runs, only)
        print()
        print("CPU seconds; pxVM/X is pxVM's time over X's (below 1.00: pxVM is faster)")
        hdr = "%-6s %-27s %7s" % ("bench", "work", "pxVM s")
        hdr += "".join(" %14s" % label for label, _, _ in LUAS)
        hdr += "".join(" %10s" % ratio for _, ratio, _ in LUAS)
        hdr += " %8s" % "Minstr/s"
        print(hdr)
        worst = 0.0
        for name, what, px, lua_times, steps in rows:
            ratios = [px / t for t in lua_times]
            worst = max(worst, ratios[0])
            line = "%-6s %-27s %7s" % (name, what, fmt_s(px))
            line += "".join(" %14s" % fmt_s(t) for t in lua_times)
            line += "".join(" %10.2f" % r for r in ratios)
            line += " %8.0f" % (steps / px / 1e6)
            print(line)
        print("worst pxVM/Lua 5.4 ratio: %.2f (goal <= 1.0: %s)" % (worst, "met" if worst <= 1.0 else "NOT met"))
        print()
        rate = max(steps / px for _, _, px, _, steps in rows) if rows else None
        if rate is None:    # --only left the interpreter out: measure it on loop
            _, steps, _, secs = pxbench_stats(timed([os.path.join(build, "tests", "bench", "pxbench"), "run",
                                                     os.path.join(build, "tests", "bench", "loop.pxe")]))
            rate = steps / secs
        steps, secs, host = run_asm(build, a.runs, rate)
        print("asm inside pxOS assembling userland/boot/sh.pxs (%d bytes):" % os.path.getsize(
            os.path.join(REPO, "userland", "boot", "sh.pxs")))
        print("  asm (pxVM):   %d instructions = %.3f s at the host interpreter's %.0f Minstr/s"
              " (goal < 1 s: %s)" % (steps, secs, rate / 1e6, "met" if secs < 1.0 else "NOT met"))
        print("  pxasm (host): %.3f s CPU" % host)
        print()
        print_watch(run_watch(build, a.watch_runs, only), a.watch_runs)
        if not a.no_procs:
            print()
            print("Throughput under the scheduler (pxvm/sched.c, quantum %s instructions):"
                  % quantum())
            print("%-7s %5s %10s %12s %9s %14s %8s" % ("bench", "procs", "arg each", "instructions",
                                                        "CPU s", "Minstr/s", "% of 1"))
            for name, n, arg, steps, secs, rate, pct in run_procs(build, a.runs):
                print("%-7s %5d %10d %12d %9.3f %14.0f %7.1f%%" % (name, n, arg, steps, secs, rate / 1e6, pct))
        if not a.no_qemu:
            print()
            instr, ms, rate = run_qemu(build, a.qemu_n)
            print("In QEMU (TCG, qbench as init): %d instructions in %d ms: %.0f Minstr/s"
                  % (instr, ms, rate / 1e6))
        print()
        py_rows = run_python(build, a.runs, only)
        print("Python: CPU seconds; pxOS/X is pxOS's Python time over X's (pxOS: the Python process")
        print("kind under the scheduler on the host, budget hook included; unix: MicroPython's unix port,")
        print("same source and choices; CPython %s)" % platform.python_version())
        print("%-8s %-29s %7s %7s %8s %10s %12s" % ("bench", "work", "pxOS s", "unix s", "CPython s",
                                                   "pxOS/unix", "pxOS/CPython"))
        worst = 0.0
        for name, what, px, unix, cpy in py_rows:
            worst = max(worst, px / unix)
            print("%-8s %-29s %7s %7s %8s %10.2f %12.2f" % (name, what, fmt_s(px), fmt_s(unix), fmt_s(cpy),
                                                         px / unix, px / cpy))
        if py_rows:
            print("worst pxOS/unix ratio: %.2f (goal <= %.1f: %s)" % (worst, PY_GOAL,
                                                                   "met" if worst <= PY_GOAL else "NOT met"))
        total, py = kernel_sizes(build)
        print("kernel: %d bytes (text+data+bss) with the Python runtime, %d without (the runtime: %d)"
              % (total, total - py, py))
        if not a.no_qemu:
            ms, wall = boot_to_prompt(build)
            print("boot with Python in QEMU (TCG): the shell starts %d ms after loader entry; "
                  "%.1f s from QEMU's start to the prompt" % (ms, wall))
    except BenchError as e:
        print("bench: FAILED: %s" % e, file=sys.stderr)
        return 1
    return 0


def quantum():
    with open(os.path.join(REPO, "kernel", "param.h")) as f:
        m = re.search(r"#define\s+SCHED_QUANTUM\s+(\d+)", f.read())
    return m.group(1) if m else "?"


if __name__ == "__main__":
    sys.exit(main())
