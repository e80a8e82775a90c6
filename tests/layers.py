#!/usr/bin/python3
"""layers.py — the kernel's layering, checked from what links to what.

    layers.py layers TABLE ROOT OBJECT...
                                       every object's undefined symbols (nm)
                                       must be defined in its own layer or
                                       below (TABLE: tests/layers.txt; ROOT:
                                       the object tree, e.g. build/kernel)
    layers.py includes ROOT            pxvm/**/*.c and *.h include no
                                       kernel/ header but kernel/param.h;
                                       pxvm/port.h alone may include
                                       kernel/lib.h
    layers.py self-test                both checks fail on a violation and
                                       pass without one (tiny objects built
                                       with cc, files written to a temp dir)

The layer check works on link-level edges, so a local prototype of a
function from a higher layer cannot hide the call the way it hides from an
include check. Each command prints what it found and its wall time; exit
status 0 when clean, 1 on a violation or an error.
"""

import fnmatch
import os
import re
import subprocess
import sys
import tempfile
import time


class TableError(Exception):
    pass


def read_table(path):
    """(rank by object, allowed patterns, layer names in order)."""
    rank, allow, names = {}, [], []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if words[0] == "allow" and len(words) == 2:
                allow.append(words[1])
            elif words[0] == "layer" and len(words) >= 3:
                if words[1] not in names:
                    names.append(words[1])
                elif names[-1] != words[1]:
                    raise TableError("%s:%d: layer %s continued after another layer" % (path, n, words[1]))
                for obj in words[2:]:
                    if obj in rank:
                        raise TableError("%s:%d: %s is in two layers" % (path, n, obj))
                    rank[obj] = len(names) - 1
            else:
                raise TableError("%s:%d: not 'layer NAME OBJECT...' or 'allow PATTERN'" % (path, n))
    return rank, allow, names


def object_name(root, path):
    """ROOT/pxvm/sched.o -> pxvm/sched (the source path without extension)."""
    p = os.path.relpath(path, root).replace(os.sep, "/")
    return p[:-2] if p.endswith(".o") else p


def symbols(objects):
    """{object: (defined global symbols, undefined symbols)}, from one nm run."""
    out = subprocess.run(["nm", "-P", "-A"] + list(objects), capture_output=True, text=True)
    if out.returncode != 0:
        raise TableError("nm: %s" % out.stderr.strip())
    table = {o: (set(), set()) for o in objects}
    for line in out.stdout.splitlines():
        # "FILE: SYMBOL TYPE [VALUE SIZE]"
        head, _, rest = line.partition(": ")
        parts = rest.split()
        if head not in table or len(parts) < 2:
            continue
        sym, kind = parts[0], parts[1]
        if kind == "U":
            table[head][1].add(sym)
        elif kind in "TDBRCVWG":
            table[head][0].add(sym)
    return table


def check_layers(table, objects, names):
    """Violations (strings) of `table` by the objects (paths) named `names`
    (source paths without extension) in the table."""
    rank, allow, layer_names = read_table(table)
    problems, defs, undefs = [], {}, {}
    syms = symbols(objects)
    for obj, name in zip(objects, names):
        if name not in rank:
            problems.append("%s: not in %s (place it in a layer)" % (name, table))
            continue
        d, u = syms[obj]
        undefs[name] = u
        for s in d:
            defs.setdefault(s, name)
    for name, undefined in sorted(undefs.items()):
        for s in sorted(undefined):
            owner = defs.get(s)
            if owner is None or owner == name or any(fnmatch.fnmatchcase(s, a) for a in allow):
                continue
            if rank[owner] > rank[name]:
                problems.append("%s (layer %s) uses %s from %s (layer %s, above it)" %
                                (name, layer_names[rank[name]], s, owner, layer_names[rank[owner]]))
    return problems


INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def check_includes(root, files=None):
    """Violations of the include rule by pxvm/*.c|h under root."""
    pxvm = os.path.join(root, "pxvm")
    if files is None:
        files = sorted(os.path.join(d, f) for d, _, fs in os.walk(pxvm) for f in fs if f.endswith((".c", ".h")))
    problems = []
    for path in files:
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        with open(path, errors="replace") as f:
            text = f.read()
        for inc in INCLUDE.findall(text):
            # "x.h" is looked up beside the file, then from the root (-I.).
            beside = os.path.normpath(os.path.join(os.path.dirname(path), inc))
            target = beside if os.path.exists(beside) else os.path.normpath(os.path.join(root, inc))
            target = os.path.relpath(target, root).replace(os.sep, "/")
            if not target.startswith("kernel/"):
                continue
            if target == "kernel/param.h" or (rel == "pxvm/port.h" and target == "kernel/lib.h"):
                continue
            problems.append('%s includes "%s" (%s): pxvm/ may include only kernel/param.h, '
                            'and kernel/lib.h through pxvm/port.h' % (rel, inc, target))
    return problems


def report(what, problems, t0):
    for p in problems:
        print("layers: %s: %s" % (what, p))
    print("layers: %s: %s (%.2f s)" % (what, "%d violation(s)" % len(problems) if problems else "clean",
                                       time.monotonic() - t0))
    return 1 if problems else 0


def self_test():
    """Each check must fail on a planted violation and pass without it."""
    failures = []
    with tempfile.TemporaryDirectory() as d:
        def cc(name, src):
            c = os.path.join(d, name + ".c")
            with open(c, "w") as f:
                f.write(src)
            o = os.path.join(d, name + ".o")
            subprocess.run(["cc", "-c", c, "-o", o], check=True)
            return o
        # low calls high through a local prototype (no include to catch it);
        # both call pxhost_x, which the table allows.
        low = cc("low", "int high(void); int pxhost_x(void);\nint low(void) { return high() + pxhost_x(); }\n")
        high = cc("high", "int pxhost_x(void);\nint high(void) { return pxhost_x(); }\n")
        host = cc("host", "int low(void);\nint pxhost_x(void) { return 1; }\nint top(void) { return low(); }\n")
        table = os.path.join(d, "t.txt")
        objs, names = [low, high, host], ["t/low", "t/high", "t/host"]

        def write(text):
            with open(table, "w") as f:
                f.write(text)
        write("allow pxhost_*\nlayer a t/low\nlayer b t/high\nlayer c t/host\n")
        p = check_layers(table, objs, names)
        if len(p) != 1 or "t/low (layer a) uses high from t/high (layer b" not in p[0]:
            failures.append("an upward call was not reported exactly once: %s" % p)
        write("allow pxhost_*\nlayer a t/high\nlayer b t/low\nlayer c t/host\n")
        p = check_layers(table, objs, names)
        if p:
            failures.append("a clean layering was reported: %s" % p)
        write("layer a t/high\nlayer b t/low\nlayer c t/host\n")
        if not any("pxhost_x" in x for x in check_layers(table, objs, names)):
            failures.append("pxhost_x from below was not reported without the allow line")
        write("allow pxhost_*\nlayer a t/high\nlayer b t/low\n")
        if not any("t/host: not in" in x for x in check_layers(table, objs, names)):
            failures.append("an object missing from the table was not reported")

        os.makedirs(os.path.join(d, "pxvm"))
        os.makedirs(os.path.join(d, "kernel"))
        for h in ("param.h", "lib.h", "vram.h"):
            open(os.path.join(d, "kernel", h), "w").close()
        files = {
            "pxvm/ok.c": '#include "kernel/param.h"\n#include "port.h"\n',
            "pxvm/port.h": '#include "kernel/lib.h"\n',
            "pxvm/bad.c": '#include "kernel/vram.h"\n',
            "pxvm/sneaky.h": '#  include "../kernel/lib.h"\n',
        }
        for name, text in files.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        p = check_includes(d)
        bad = sorted(x.split(" ")[0] for x in p)
        if bad != ["pxvm/bad.c", "pxvm/sneaky.h"]:
            failures.append("include check found %s, want pxvm/bad.c and pxvm/sneaky.h" % bad)
    for f in failures:
        print("layers: self-test: FAILED: %s" % f)
    print("layers: self-test: %s" % ("failed" if failures else "both checks fail on a violation and pass without"))
    return 1 if failures else 0


def main(argv):
    t0 = time.monotonic()
    try:
        if len(argv) >= 4 and argv[1] == "layers":
            objs = argv[4:]
            return report("layers", check_layers(argv[2], objs, [object_name(argv[3], o) for o in objs]), t0)
        if len(argv) == 3 and argv[1] == "includes":
            return report("includes", check_includes(argv[2]), t0)
        if len(argv) == 2 and argv[1] == "self-test":
            return self_test()
    except (TableError, OSError, subprocess.CalledProcessError) as e:
        print("layers: %s" % e)
        return 1
    print(__doc__)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
