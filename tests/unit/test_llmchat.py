#!/usr/bin/python3
"""test_llmchat.py — LLM conversations on the host, through pxsim's scripted
backend (pxsim --llm-script: tools/common/llmscript.c, the rules of pxbridge's
--script; docs/bridge-protocol.md, docs/hypervisor.md):

  - Python: pxos.chat with the pxasm system prompt, two rounds in one
    conversation (the second answered by the rule for its last user turn,
    the errors sent back, not again by the rule for the first question), the
    reply streamed into a /home file and returned, max_tokens and the system
    id reaching the backend, a rule's sequence of replies (next:), a reply
    cut short (truncate:), pxos.call_llm's max_tokens, pxos.system_prompts();
    errors: an unknown system id (ENOENT), bad messages (ValueError), a system
    prompt pxOS has but the backend does not know, or whose text differs
    (EIO, with the reason on stderr), no backend at all (ENOBRIDGE);
  - pxVM: LLM_CHAT through the trap page (tests/programs/llmchat.pxs, px.pxs
    llm_chat): a chat file with marker lines, the reply file, a 40 KiB answer
    kept to HV_CHAT_REPLY_MAX and flagged TRUNCATED, and every malformed chat
    file or argument refused with its error, nothing sent;
  - the system prompt: it names every PXVM_OPCODES mnemonic (the list comes
    from gen-sysprompt --mnemonics, i.e. from the table itself) and every
    system call, and its example program (tools/sysprompt/example.pxs)
    assembles with pxasm and runs in pxsim with the output it promises.

usage: test_llmchat.py PXSIM PIXELFS.png LLMCHAT.pxe GEN-SYSPROMPT SYSPROMPT-DIR PXASM INCLUDE-DIR LIB-DIR EXAMPLE.pxs
"""
import os
import re
import subprocess
import sys
import tempfile
import time

PXSIM, FS, LLMCHAT, GEN, SPDIR, PXASM, INC, LIB, EXAMPLE = sys.argv[1:10]
EROFS = re.search(r"^\.equ EROFS,\s*(\d+)", open(os.path.join(INC, "pxos.inc")).read(), re.M).group(1)
t0 = time.time()
failures = checks = 0
TMP = tempfile.mkdtemp(prefix="test_llmchat.")


def check(cond, what, detail=""):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print("FAIL - %s%s" % (what, ("\n" + detail) if detail else ""))
    else:
        print("ok - %s" % what)


def write(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w" if isinstance(text, str) else "wb") as f:
        f.write(text)
    return path


def pxsim(prog, args=(), script=None, adds=(), fs=FS):
    cmd = [PXSIM, "--fs", fs, "--screen", "none"]
    if script:
        cmd += ["--llm-script", script]
    for host, guest in adds:
        cmd += ["--add", "%s=%s" % (host, guest)]
    cmd += [prog] + list(args)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return r.stdout, r.stderr, r.returncode


RULES = r"""
# the errors of the first round, sent back: matched in the last user turn
rule: unknown mnemonic
kind: chat
system: pxasm
reply: Sorry, FOO is no instruction. Fixed:\n```pxasm\n_start:\n    HALT\n```\n
# the first question (again and again: its second match gets the next reply)
rule: prints squares
kind: chat
system: pxasm
reply: Here:\n```pxasm\n_start:\n    FOO R1\n```\n
next:
reply: Second try, cut short: 0123456789
truncate: 30
rule: same text anywhere
where: any
reply: matched an earlier turn
rule: say hi
kind: llm
reply: hi!
rule: *
kind: chat
system: bogus
reply: never sent
rule: forty
kind: chat
reply: 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/
repeat: 640
"""

PY = r'''
import pxos
print("prompts", sorted(pxos.system_prompts()))
q = "Write a program that prints squares"
r1 = pxos.chat([("user", q)], system="pxasm", reply_path="/home/r1.txt", max_tokens=300)
print("R1", repr(r1), r1 == open("/home/r1.txt").read())
r2 = pxos.chat([("user", q), ("assistant", r1), ("user", "t.pxs:3:5: error: unknown mnemonic FOO")],
               system="pxasm", reply_path="r2.txt")
print("R2", repr(r2), r2 == open("/home/r2.txt").read())
r3 = pxos.chat([("user", q)], system="pxasm", max_tokens=65535)
print("R3", repr(r3))
r4 = pxos.chat([("user", "same text anywhere"), ("assistant", "?"), ("user", "and now?")])
print("R4", repr(r4))
print("plain", pxos.call_llm("say hi", max_tokens=7))
def err(f, kind):
    try:
        f()
        print("noerr")
    except kind as e:
        print("err", type(e).__name__, e.args[0] if isinstance(e, OSError) else "")
err(lambda: pxos.chat([("user", "x")], system="nosuch"), OSError)
err(lambda: pxos.chat([("user", "x")], system="pxasm@12345678"), ValueError)
err(lambda: pxos.chat([]), ValueError)
err(lambda: pxos.chat([("user", "x"), ("assistant", "y")]), ValueError)
err(lambda: pxos.chat([("robot", "x")]), ValueError)
err(lambda: pxos.chat([("user", "x")], max_tokens=0), ValueError)
err(lambda: pxos.chat([("user", "x")], max_tokens=65536), ValueError)
err(lambda: pxos.chat([("user", "x" * 50000)]), ValueError)
err(lambda: pxos.chat([("user", "x")], reply_path="/apps/nope.txt"), OSError)
err(lambda: pxos.chat([("user", "x")], system="bogus"), OSError)
print("EIO", pxos.EIO, "ENOENT", pxos.ENOENT, "EROFS", pxos.EROFS)
'''


def python_cases():
    rules = write("rules.txt", RULES)
    prog = write("chat.py", PY)
    bogus = write("bogus.txt", "a prompt the backend does not know\n")
    out, err, rc = pxsim("/home/chat.py", script=rules, adds=[(prog, "/home/chat.py"), (bogus, "/lib/llm/bogus.txt")])
    check(rc == 0, "the Python program ran to its end", out + err)
    check("prompts ['bogus', 'pxasm', 'python']" in out, "pxos.system_prompts() lists /lib/llm", out)
    first = "Here:\\n```pxasm\\n_start:\\n    FOO R1\\n```\\n"
    check("R1 '%s' True" % first in out, "round 1: the reply, also streamed into /home/r1.txt", out)
    check("R2 'Sorry, FOO is no instruction. Fixed:\\n```pxasm\\n_start:\\n    HALT\\n```\\n' True" in out,
          "round 2: answered by the rule for its last user turn (the errors), into relative r2.txt", out)
    check("R3 'Second try, cut short: 0123456'" in out, "the rule's second reply (next:), cut at 30 bytes", out)
    check("R4 'matched an earlier turn'" in out, "where: any matches an earlier turn", out)
    check("plain hi!" in out, "call_llm still answered", out)
    check(re.search(r"llm request 1 chat model 0 max_tokens 300 system pxasm@[0-9A-F]{8}: \d+ bytes", err),
          "max_tokens 300 and the system id with pxOS's CRC reach the backend", err)
    check(re.search(r"llm request 2 chat model 0 max_tokens 1024 system pxasm@", err), "max_tokens' default 1024", err)
    check(re.search(r"llm request 3 chat model 0 max_tokens 65535 ", err), "max_tokens 65535", err)
    check(re.search(r"llm request \d+ llm model 0 max_tokens 7 system none", err), "call_llm's max_tokens travels", err)
    errs = re.findall(r"^(err \w+ \S*|noerr)$", out, re.M)
    eio, enoent, erofs = (re.search(r"EIO (\d+) ENOENT (\d+) EROFS (\d+)", out) or re.search("()()()", "")).groups()
    want = ["err OSError %s" % enoent, "err ValueError ", "err ValueError ", "err ValueError ", "err ValueError ",
            "err ValueError ", "err ValueError ", "err ValueError ", "err OSError %s" % erofs,
            "err OSError %s" % eio]
    check(errs == want, "errors: unknown id ENOENT, bad arguments ValueError, read-only reply file EROFS, "
          "a prompt the backend does not know EIO", "%s\n%s" % (errs, want))
    check("unknown system prompt 'bogus' (known: pxasm python)" in err, "the backend says which ids it knows", err)

    # The text differs from the backend's copy: refused, with both CRCs.
    other = write("pxasm.txt", "an older pxasm prompt\n")
    prog2 = write("one.py", 'import pxos\ntry:\n    pxos.chat([("user", "prints squares")], system="pxasm")\n'
                  'except OSError as e:\n    print("err", e.args[0])\n')
    out, err, rc = pxsim("/home/one.py", script=rules, adds=[(prog2, "/home/one.py"), (other, "/lib/llm/pxasm.txt")])
    check(re.search(r"err %s" % eio, out) and "system prompt 'pxasm' differs: pxOS has CRC" in err,
          "a system prompt whose text differs from the backend's: EIO, both CRCs named", out + err)
    # No backend: ENOBRIDGE at once.
    out, err, rc = pxsim("/home/one.py", adds=[(prog2, "/home/one.py")])
    check(re.search(r"err 19\b", out), "without --llm-script: ENOBRIDGE", out + err)


def pxvm_cases():
    rules = write("rules2.txt", RULES)
    runner = r'''
import pxos, sys
def run(*args):
    pid = pxos.spawn("/home/llmchat", list(args))
    st = pxos.wait(pid)
    try:
        data = open("/home/" + args[1]).read() if not args[1].startswith("/") else open(args[1]).read()
    except OSError:
        data = None
    print("RUN", args[0], st[1], repr(data[:60]) if data else data, len(data) if data else 0)
run("good.txt", "out1.txt", "77", "3")
run("forty.txt", "out2.txt", "0")
for f in ("before.txt", "lastasst.txt", "nosys.txt", "twosys.txt", "empty.txt", "badname.txt"):
    run(f, "outx.txt", "0")
run("good.txt", "/apps/x.txt", "0")
run("good.txt", "out3.txt", "65536")
run("nonexistent.txt", "out3.txt", "0")
'''
    files = {
        "good.txt": "@@system pxasm\r\n@@user\r\nWrite a program that prints squares\r\n@@assistant\r\nsure\n\n@@user\n"
                    "t.pxs:1:1: error: unknown mnemonic FOO\n",
        "forty.txt": "\n  \n@@user\nforty kilobytes\n",
        "before.txt": "hello\n@@user\nx\n",
        "lastasst.txt": "@@user\nx\n@@assistant\ny\n",
        "nosys.txt": "@@system nosuch\n@@user\nx\n",
        "twosys.txt": "@@user\nx\n@@system pxasm\n@@user\ny\n",
        "empty.txt": "",
        "badname.txt": "@@system Bad/Name\n@@user\nx\n",
    }
    adds = [(write("run.py", runner), "/home/run.py"), (LLMCHAT, "/home/llmchat")]
    adds += [(write(k, v), "/home/" + k) for k, v in files.items()]
    out, err, rc = pxsim("/home/run.py", script=rules, adds=adds)
    lines = re.findall(r"^RUN .*$", out, re.M)
    stat = {}
    for ln in lines:
        parts = ln.split(" ", 3)
        stat.setdefault(parts[1], []).append(ln)
    check(len(lines) == 11, "every LLM_CHAT run finished", out + err)
    check(lines and lines[0] == "RUN good.txt 0 'Sorry, FOO is no instruction. Fixed:\\n```pxasm\\n_start:\\n    HA' 67",
          "a chat file with CR LF lines and a system prompt: the last user turn answered, into the reply file",
          "\n".join(lines))
    check(re.search(r"llm request \d+ chat model 3 max_tokens 77 system pxasm@[0-9A-F]{8}: \d+ bytes", err),
          "ARG2: max_tokens 77, model 3", err)
    check(re.search(r"llmchat: result %d\b" % (0x40000000 | 32768), out) and len(lines) > 1 and
          lines[1].endswith(" 32768"), "a 40 KiB answer: 32 KiB (HV_CHAT_REPLY_MAX) in the file, TRUNCATED", out)
    einval, enoent = 2**32 - 4, 2**32 - 2
    results = [int(x) for x in re.findall(r"llmchat: result (\d+)", out)]
    want = [67, 0x40000000 | 32768, einval, einval, enoent, einval, einval, einval]
    check(results[:8] == want, "malformed chat files refused (text outside a turn, last turn the assistant's, "
          "unknown system prompt, a late @@system, no turn, a bad name)", "%s\n%s" % (results, want))
    check(len(results) == 11 and results[8] == 2**32 - int(EROFS) and results[9] == einval and
          results[10] == enoent, "a read-only reply file (EROFS), max_tokens 65536, a missing chat file: refused",
          str(results))
    check(err.count("llm request") == 2, "nothing was sent for the refused calls", err)


def prompt_cases():
    txt = open(os.path.join(SPDIR, "pxasm.txt")).read()
    mn = subprocess.run([GEN, "--mnemonics"], capture_output=True, text=True, check=True).stdout.split()
    check(len(mn) > 40, "gen-sysprompt --mnemonics lists the opcode table (%d)" % len(mn))
    missing = [m for m in mn if not re.search(r"(?m)^%s\b" % re.escape(m), txt)]
    check(not missing, "the pxasm system prompt has a line for every PXVM_OPCODES mnemonic", str(missing))
    for m in ("RAND", "UNIF", "NOISE", "PJMP"):
        if m in mn:
            check(re.search(r"(?m)^%s\b" % m, txt), "%s (imperfect computing) reaches the prompt" % m)
    inc = open(os.path.join(INC, "pxos.inc")).read()
    sys_names = re.findall(r"^\.equ (SYS_\w+),\s*\d+", inc, re.M)
    sys_names = [s for s in sys_names if not s.endswith("_ADDR")]
    missing = [s for s in sys_names if s not in txt]
    check(sys_names and not missing, "... and every system call of pxos.inc", str(missing))
    check("```pxasm" in txt and "_start:" in txt and "@" + "EXAMPLE@" not in txt, "the example is in it")
    check(txt == open(os.path.join(SPDIR, "pxasm.txt")).read() and len(txt) < 64 * 1024,
          "the prompt fits a PixelFS file (%d bytes)" % len(txt))
    py = open(os.path.join(SPDIR, "python.txt")).read()
    check("chat(" in py and "call_llm(" in py and "rect(" in py, "the python prompt has the pxos reference")
    # The example assembles and does what it says.
    pxe = os.path.join(TMP, "example.pxe")
    r = subprocess.run([PXASM, "-I", INC, "-I", LIB, "-o", pxe, EXAMPLE], capture_output=True, text=True)
    check(r.returncode == 0, "the prompt's example program assembles", r.stderr)
    if r.returncode == 0:
        r = subprocess.run([PXSIM, "--screen", "none", "--quiet", pxe], capture_output=True, text=True, timeout=60)
        check(r.stdout == "squares:\n1\n4\n9\n16\n25\n" and r.returncode == 0, "... and prints what it promises",
              r.stdout + r.stderr)


python_cases()
pxvm_cases()
prompt_cases()
print("test_llmchat: %d/%d checks passed, wall time %.1f s" % (checks - failures, checks, time.time() - t0))
sys.exit(1 if failures else 0)
