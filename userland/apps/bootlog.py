# /apps/bootlog.py — what happened at boot? Reads the kernel log's kept lines
# (pxos.klog), asks the LLM about them (pxos.call_llm) and prints the answer:
# workflow 2 of seed 000 (docs/python.md).
#
#   bootlog.py            ask the LLM, print its answer
#   bootlog.py --prompt   print the prompt it would send and its size, ask nothing
#
# The prompt fits in pxos.PROMPT_MAX bytes: when the log is longer, it keeps
# the warnings and errors and the newest lines, and says where lines were
# left out.
import sys
import pxos

QUESTION = ("Below is the kernel log of pxOS, a small operating system, since it booted. "
            "What happened at boot, and is anything wrong? Answer in a few short sentences.\n\n")


def read_log():
    """The kept lines of the kernel log, and how many older bytes were lost."""
    parts, offset, lost = [], 0, 0
    while True:
        text, nxt = pxos.klog(offset)
        if not text:
            break
        lost += (nxt - len(text) - offset) & 0xFFFFFFFF
        parts.append(text)
        offset = nxt
    return [s for s in "".join(parts).split("\n") if s], lost


def important(line):
    return " WARN " in line or " ERROR " in line


def size(lines):
    return sum(len(s) + 1 for s in lines)


def fit(lines, budget):
    """The lines to send within `budget` bytes: all of them when they fit;
    else the warnings and errors (at most half the room, the first ones)
    and then the newest lines, in the log's order, with a note at each gap
    (the room shrinks until the notes fit too)."""
    room = budget
    out = lines
    while size(out) > budget:
        out = choose(lines, room)
        room -= 100
    return out


def choose(lines, budget):
    keep, used = set(), 0
    for i, s in enumerate(lines):
        if important(s) and used + len(s) + 1 <= budget // 2:
            keep.add(i)
            used += len(s) + 1
    for i in range(len(lines) - 1, -1, -1):
        if i in keep:
            continue
        if used + len(lines[i]) + 1 > budget:
            break
        keep.add(i)
        used += len(lines[i]) + 1
    out, gap = [], 0
    for i, s in enumerate(lines):
        if i in keep:
            if gap:
                out.append("[... %d lines left out ...]" % gap)
                gap = 0
            out.append(s)
        else:
            gap += 1
    if gap:
        out.append("[... %d lines left out ...]" % gap)
    return out


def main():
    lines, lost = read_log()
    if not lines:
        print("bootlog: the kernel log is empty")
        return 1
    head = QUESTION
    if lost:
        head += "[the oldest %d bytes of the log were no longer kept]\n" % lost
    prompt = head + "\n".join(fit(lines, pxos.PROMPT_MAX - len(head) - 1)) + "\n"
    if "--prompt" in sys.argv[1:]:
        print(prompt, end="")
        print("bootlog: a prompt of %d bytes from %d log lines" % (len(prompt), len(lines)))
        return 0
    print("bootlog: asking the LLM about %d log lines (%d bytes of prompt) ..." % (len(lines), len(prompt)))
    try:
        answer = pxos.call_llm(prompt)
    except OSError as e:
        print("bootlog: no answer:", e.args[1] if len(e.args) > 1 else e)
        return 1
    print(answer.strip())
    return 0


sys.exit(main())
