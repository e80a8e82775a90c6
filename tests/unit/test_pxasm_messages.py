#!/usr/bin/python3
"""test_pxasm_messages.py [ROOT] — every message pxasm can print is tested.

Collects the message texts of tools/pxasm/*.c: the string literals inside each
pa_error(...), pa_note(...), lex_error(...), fprintf(stderr, ...) and
fputs(..., stderr) call, and
the literals assigned to a message buffer with snprintf(msg, ...). Each text
becomes a pattern (printf conversions match anything) that must match some
string literal of tests/unit/test_pxasm.c, where the expected diagnostics are
written out with their file:line:col. A new message without a test fails here.

Texts that no input can produce are listed in UNREACHABLE with the reason.
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
SRC = os.path.join(ROOT, "tools", "pxasm")
TEST = os.path.join(ROOT, "tests", "unit", "test_pxasm.c")

UNREACHABLE = {
    # parse.c: source.c handles every .include/.macro/.endm line before the
    # parser sees it (a label before them is its own error), so this guard
    # cannot fire.
    "%.*s must be the first word of its line":
        "source.c takes every .include/.macro/.endm line first",
    # parse.c: a PXVM_OPCODES syntax string the parser does not know; only a
    # broken isa.h could produce it (test_pxasm's every-opcode tests would fail).
    "internal: unknown syntax '%s' of %s in pxvm/isa.h": "guards isa.h, not user input",
    # diag.c, main.c: only a failing malloc prints it, which no input causes.
    "pxasm: out of memory\n": "needs an allocation failure, not an input",
}

CALLS = re.compile(r"\b(pa_error|pa_note|lex_error|fprintf\s*\(\s*stderr|snprintf\s*\(\s*msg|fputs)\s*\(?")
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
CONV = re.compile(r"%[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|z|j|t)?[diouxXscp%]")


def c_unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            out.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}.get(n, n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def call_span(text, start):
    """The text of the call whose name ends before `start`, to its closing ')'."""
    depth, i, in_str = 0, text.index("(", start - 1) if text[start - 1] != "(" else start - 1, False
    j = i
    while j < len(text):
        c = text[j]
        if in_str:
            if c == "\\":
                j += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return text[i:j + 1]
        j += 1
    return text[i:]


def literal_groups(span):
    """Adjacent string literals joined (C concatenation), in order."""
    groups, cur, last_end = [], None, None
    for m in LITERAL.finditer(span):
        if cur is not None and span[last_end:m.start()].strip() == "":
            cur += m.group(1)
        else:
            if cur is not None:
                groups.append(cur)
            cur = m.group(1)
        last_end = m.end()
    if cur is not None:
        groups.append(cur)
    return [c_unescape(g) for g in groups]


def messages():
    found = []
    for name in sorted(os.listdir(SRC)):
        if not name.endswith(".c"):
            continue
        text = open(os.path.join(SRC, name), encoding="utf-8").read()
        for m in CALLS.finditer(text):
            span = call_span(text, m.end())
            if m.group(1) == "fputs" and not re.search(r",\s*stderr\s*\)$", span):
                continue  # usage text and listings, not messages
            line = text.count("\n", 0, m.start()) + 1
            whole_args = m.group(1) == "lex_error" or m.group(1).startswith("snprintf")
            for k, g in enumerate(literal_groups(span)):
                words = CONV.sub("", g)
                if len(re.sub(r"[^A-Za-z]", "", words)) < 6:  # "%s", "%s%s'%s'"...
                    continue
                # the format (and lex_error's texts) is a whole message; later
                # literals are pieces that go into it ("; did you mean '")
                found.append((name, line, g, k == 0 or whole_args))
    return found


def pattern(msg):
    parts = CONV.split(msg)
    return re.compile(".*?".join(re.escape(p.replace("%%", "%")) for p in parts), re.S)


def main():
    tests = open(TEST, encoding="utf-8").read()
    expected = [c_unescape(g) for g in
                (lambda t: [m.group(1) for m in LITERAL.finditer(t)])(tests)]
    # join adjacent literals too, for messages split over lines in the test
    joined = literal_groups(tests)
    corpus = expected + joined
    n = bad = 0
    seen = set()
    tails = set()
    for e in corpus:
        for marker in ("error: ", "note: ", "pxasm: "):
            if marker in e:
                tails.add(e.split(marker, 1)[1].rstrip("\n"))
                tails.add(marker + e.split(marker, 1)[1].rstrip("\n"))
        tails.add(e.rstrip("\n"))
    for name, line, msg, whole in messages():
        if msg in seen:
            continue
        seen.add(msg)
        n += 1
        if msg in UNREACHABLE:
            print("ok %d - %s:%d: %r (unreachable: %s)" % (n, name, line, msg, UNREACHABLE[msg]))
            continue
        p = pattern(msg.rstrip("\n"))
        if any(p.fullmatch(e) for e in tails) if whole else any(p.search(e) for e in corpus):
            print("ok %d - %s:%d: %r" % (n, name, line, msg))
        else:
            print("not ok %d - %s:%d: %r has no test in tests/unit/test_pxasm.c" % (n, name, line, msg))
            bad += 1
    if n < 60:
        print("not ok - only %d messages found: the extraction is broken" % n)
        bad += 1
    print("pxasm messages: %d found, %d without a test" % (n, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
