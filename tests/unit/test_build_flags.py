#!/usr/bin/python3
"""test_build_flags.py SRCDIR — overriding the user flag variables (HOST_CFLAGS,
KERNEL_CFLAGS, LOADER_CFLAGS, FUZZ_CFLAGS, CFLAGS: the Makefile's USER_FLAGS)
on the command line loses no required flag (docs/build.md).

Three dry runs (`make -n -B all check-unit` into a scratch BUILD, so nothing
is built) print every command of the build, the unit tests and the fuzz
targets:
  A  the Makefile's own values;
  B  each user variable given on the command line with the value A used: a
     command-line value beats every `VAR +=` in the makefiles, so any flag a
     fragment appends to a user variable vanishes here and B differs from A;
  C  each user variable given a marker (-DPXOS_USER_FLAG_<VAR>): every compile
     command carries the marker of its kind of code (host, kernel, loader,
     fuzz), so no compile rule ignores the user's flags; CFLAGS is in none.
Then real compiles into the scratch BUILD: tests/unit/test_hv.c with
HOST_CFLAGS=-O0 (the file refuses to compile without its required define),
and the kernel's wrappers of stb_sprintf and stb_image with KERNEL_CFLAGS=-O0
(gcc rejects their dead float paths under -mgeneral-regs-only unless the
build keeps them optimised).
Prints its wall time; exits 1 on any difference.
"""
import os
import shlex
import subprocess
import sys
import tempfile
import time

# Which user variable each kind of object obeys, by the directory of the
# object under BUILD.
KIND_VAR = (("host/", "HOST_CFLAGS"), ("kernel/", "KERNEL_CFLAGS"),
            ("boot/", "LOADER_CFLAGS"), ("fuzz/", "FUZZ_CFLAGS"))


def make(src, build, args, env):
    cmd = ["make", "--no-print-directory", "-C", src, "BUILD=" + build] + args
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        raise SystemExit("test_build_flags: `%s` failed (exit %d)" % (" ".join(cmd), r.returncode))
    return r.stdout


def commands(text):
    """The dry run's commands, continuation lines joined."""
    out, cur = [], ""
    for line in text.splitlines():
        if line.endswith("\\"):
            cur += line[:-1] + " "
            continue
        cur += line
        if cur.strip():
            out.append(" ".join(cur.split()))
        cur = ""
    return out


def compile_output(cmd, build):
    """(object path under BUILD, tokens) of a compile command (`... -c SRC -o OBJ`), else None."""
    try:
        tok = shlex.split(cmd)
    except ValueError:
        return None
    if "-c" not in tok or "-o" not in tok:
        return None
    obj = tok[tok.index("-o") + 1]
    prefix = build.rstrip("/") + "/"
    if not obj.startswith(prefix):
        return None
    return obj[len(prefix):], tok


def main():
    t0 = time.monotonic()
    src = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    # A clean environment: nothing inherited from a make that runs this test.
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "FUZZ_ENGINE")
           and not k.endswith("CFLAGS")}
    failures = []
    with tempfile.TemporaryDirectory(prefix="pxos-flags-") as build:
        defaults = {}
        for line in make(src, build, ["-s", "print-user-flags"], env).splitlines():
            name, _, value = line.partition("=")
            defaults[name] = value
        if "HOST_CFLAGS" not in defaults or "KERNEL_CFLAGS" not in defaults:
            raise SystemExit("test_build_flags: print-user-flags printed %r" % defaults)
        goals = ["-n", "-B", "all", "check-unit"]
        a = commands(make(src, build, goals, env))
        b = commands(make(src, build, goals + ["%s=%s" % kv for kv in defaults.items()], env))
        marks = ["%s=-O0 -DPXOS_USER_FLAG_%s" % (v, v) for v in defaults]
        c = commands(make(src, build, goals + marks, env))

        compiles = [x for x in (compile_output(cmd, build) for cmd in a) if x]
        if len(compiles) < 100:
            failures.append("only %d compile commands in the dry run" % len(compiles))
        kinds = {kind for kind, _ in KIND_VAR
                 for obj, _ in compiles if obj.startswith(kind)}
        if len(kinds) != len(KIND_VAR):
            failures.append("the dry run compiled only these kinds of objects: %s"
                            % sorted(kinds))

        # A against B: the same commands, token for token.
        b_by_obj = {}
        for x in (compile_output(cmd, build) for cmd in b):
            if x:
                b_by_obj[x[0]] = x[1]
        for obj, tok in compiles:
            other = b_by_obj.get(obj)
            if other is None:
                failures.append("%s: not compiled when the user flags are given" % obj)
                continue
            lost = [t for t in tok if t not in other]
            if lost:
                failures.append("%s: a command-line user flag drops %s" % (obj, " ".join(lost)))
        if sorted(a) != sorted(b) and not failures:
            extra = sorted(set(a) ^ set(b))[:5]
            failures.append("the commands differ with the user flags given:\n  "
                            + "\n  ".join(extra))

        # C: each compile obeys its own kind's variable, and CFLAGS is in none.
        for obj, tok in (x for x in (compile_output(cmd, build) for cmd in c) if x):
            want = next((var for kind, var in KIND_VAR if obj.startswith(kind)), None)
            have = {t[len("-DPXOS_USER_FLAG_"):] for t in tok if t.startswith("-DPXOS_USER_FLAG_")}
            if want is None:
                failures.append("%s: an object outside host/, kernel/, boot/, fuzz/" % obj)
            elif have != {want}:
                failures.append("%s: obeys %s, should obey %s alone"
                                % (obj, sorted(have) or "no user variable", want))

        # One real compile with an overridden HOST_CFLAGS.
        r = subprocess.run(["make", "--no-print-directory", "-C", src, "BUILD=" + build,
                            "HOST_CFLAGS=-O0", build + "/host/tests/unit/test_hv.o"],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        if r.returncode != 0:
            failures.append("test_hv.o with HOST_CFLAGS=-O0 does not compile:\n" + r.stdout[-2000:])
        for obj in ("kernel/boot/fmt.o", "kernel/kernel/pngload.o"):
            r = subprocess.run(["make", "--no-print-directory", "-C", src, "BUILD=" + build,
                                "KERNEL_CFLAGS=-O0 -g", build + "/" + obj],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True)
            if r.returncode != 0:
                failures.append("%s with KERNEL_CFLAGS=-O0 does not compile:\n%s" % (obj, r.stdout[-2000:]))

    for f in failures:
        print("test_build_flags: " + f)
    wall = time.monotonic() - t0
    if failures:
        print("test_build_flags: FAILED (%d problems); wall %.1f s" % (len(failures), wall))
        return 1
    print("test_build_flags: %d compile commands keep every required flag when %s are "
          "overridden; wall %.1f s" % (len(compiles), ", ".join(sorted(defaults)), wall))
    return 0


if __name__ == "__main__":
    sys.exit(main())
