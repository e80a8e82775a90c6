#!/usr/bin/python3
"""test_pxbridge_link.py PXBRIDGE — pxbridge's link rules with the test as pxOS.

The test listens on a Unix socket, starts pxbridge on it (scripted backend) and
speaks frames (docs/bridge-protocol.md) as the kernel would, then as a forger:
  - the handshake: HELLO, HELLO_ACK with pxbridge's session, the link key;
  - a forged HELLO with another session does not drop the calls in flight;
    a frame keyed with the new session does ("pxOS restarted");
  - a REQUEST with another key (a forger) is refused (NAK, never served);
  - a REQUEST outside the sequence window is dropped without an ACK;
  - more than HV_INFLIGHT_MAX + 1 requests at once: ERROR "bridge busy";
  - a NAK storm: the unacknowledged frame is resent at most once per 100 ms
    and at most 10 times in all;
  - a conversation (LLM_CHAT) larger than a frame: REQUEST, then
    REQUEST_DATA pieces; answered by the rule for its last user turn, its
    max_tokens and system prompt in the log; an unknown system prompt, one
    whose CRC differs, and more data than announced are refused (ERROR)
    with the reason.
Prints its wall time; exit status 0 when every check passed.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pxframe  # noqa: E402

K1, K2, K3 = 0x11112222, 0x33334444, 0x55556666
INFLIGHT = 9          # HV_INFLIGHT_MAX + 1 (kernel/param.h)
RETRIES = 10          # PXB_RETRIES
SCRIPT = """\
rule: hold
delay: 30000
reply: late
rule: quick
reply: quick answer
rule: trickle
reply: t
repeat: 3
chunk: 1
gap: 20
rule: the errors
kind: chat
system: pxasm
reply: chat answer
"""
PAYLOAD_MAX = 4608    # BRIDGE_PAYLOAD_MAX


def chat_body(system, turns):
    """An LLM_CHAT conversation (pxvm/frame.h frame_chat_*)."""
    out = bytes([len(system)]) + system
    for role, text in turns:
        out += role + len(text).to_bytes(4, "little") + text
    return out

failures = []


def check(cond, what):
    print("%s - %s" % ("ok" if cond else "not ok", what))
    if not cond:
        failures.append(what)


class Line:
    """The kernel's end of the serial line."""

    def __init__(self, conn):
        self.conn = conn
        self.buf = b""
        self.seen = 0           # frames of self.buf already returned
        self.auto_ack = True    # acknowledge pxbridge's reliable frames as they come

    def send(self, data):
        self.conn.sendall(data)

    def frames(self, key, wait=0.5):
        """New frames (decoded with `key`) that arrive within `wait` seconds."""
        end = time.monotonic() + wait
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            self.conn.settimeout(left)
            try:
                chunk = self.conn.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            self.buf += chunk
        all_frames = pxframe.decode_all(self.buf, key)
        new = all_frames[self.seen:]
        self.seen = len(all_frames)
        if self.auto_ack:
            for f in new:
                if f.good and f.kind in "PEX":
                    self.send(pxframe.encode("A", 0, f.seq, key=key))
        return new

    def until(self, key, pred, wait=10):
        """Frames until one satisfies pred (returned last), or all after `wait` s."""
        got = []
        end = time.monotonic() + wait
        while time.monotonic() < end:
            for f in self.frames(key, 0.1):
                got.append(f)
                if pred(f):
                    return got
        return got


def main():
    t0 = time.monotonic()
    pxbridge = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="pxbridge-link-")
    sock_path = os.path.join(tmp, "line")
    script = os.path.join(tmp, "script")
    log = os.path.join(tmp, "pxbridge.log")
    with open(script, "w") as f:
        f.write(SCRIPT)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(sock_path)
    srv.listen(1)
    out = open(os.path.join(tmp, "console.txt"), "wb")
    bridge = subprocess.Popen([pxbridge, "--socket", sock_path, "--no-tty", "--script", script,
                               "--log", log, "--wait", "10", "--no-home"], stdin=subprocess.DEVNULL, stdout=out,
                              stderr=subprocess.STDOUT)
    srv.settimeout(10)
    conn, _ = srv.accept()
    line = Line(conn)

    def log_text():
        with open(log, errors="replace") as f:
            return f.read()

    try:
        # Handshake.
        line.send(pxframe.encode("H", K1, 0, b"pxOS test proto=3"))
        got = line.until(None, lambda f: f.kind == "h")
        acks = [f for f in got if f.kind == "h"]
        check(acks and acks[-1].good, "HELLO answered with HELLO_ACK")
        if not acks:
            return 1
        b = acks[-1].id
        key = K1 ^ b
        seq = 0

        def request(ident, prompt, k=None, s=None):
            nonlocal seq
            if s is None:
                seq += 1
                s = seq
            line.send(pxframe.encode("Q", ident, s, pxframe.request_payload(prompt), key=key if k is None else k))
            return s

        # A call, answered.
        s = request(1, b"quick")
        got = line.until(key, lambda f: f.kind == "E" and f.id == 1)
        check(any(f.kind == "A" and f.seq == s and f.good for f in got), "REQUEST acknowledged")
        parts = [f for f in got if f.kind in "PE" and f.id == 1]
        check(parts and all(f.good for f in parts), "answer frames carry the link key")
        check(b"".join(f.payload for f in parts if f.kind == "P") == b"quick answer", "answer text")

        # A conversation of 3 frames: the REQUEST, then REQUEST_DATA pieces,
        # each acknowledged before the next (stop-and-wait).
        def chat(ident, body, max_tokens=321, total=None):
            nonlocal seq
            head = pxframe.request_payload(b"", kind=6, max_tokens=max_tokens,
                                           total=len(body) if total is None else total)
            room = PAYLOAD_MAX - len(head)
            pieces = [body[room:][i:i + PAYLOAD_MAX] for i in range(0, len(body) - room, PAYLOAD_MAX)]
            frames = [("Q", head + body[:room])] + [("G", p) for p in pieces]
            got = []

            def collect(pred, wait):  # every frame (until() drops those after its match)
                end = time.monotonic() + wait
                while not any(pred(f) for f in got) and time.monotonic() < end:
                    got.extend(line.frames(key, 0.1))
            for kind, payload in frames:
                seq += 1
                line.send(pxframe.encode(kind, ident, seq, payload, key=key))
                collect(lambda f, s=seq: f.kind == "A" and f.seq == s, 5)
            collect(lambda f: f.kind in "EX" and f.id == ident, 10)
            return got

        big = bytes(range(32, 127)) * 100
        body = chat_body(b"pxasm", [(b"u", b"write it"), (b"a", big), (b"u", b"here are the errors")])
        check(len(body) > 2 * PAYLOAD_MAX, "the conversation takes 3 frames (%d bytes)" % len(body))
        got = chat(20, body)
        check(b"".join(f.payload for f in got if f.kind == "P" and f.id == 20) == b"chat answer",
              "a conversation over 3 frames is answered by the rule for its last user turn")
        check("request 20 chat model default (guest 0) max_tokens 321 system pxasm" in log_text(),
              "... max_tokens and the system prompt in the log")
        got = chat(21, chat_body(b"nosuch", [(b"u", b"x")]))
        errs = [f for f in got if f.kind == "X" and f.id == 21]
        check(errs and b"unknown system prompt 'nosuch' (known: pxasm python)" in errs[0].payload,
              "an unknown system prompt: ERROR naming the known ones")
        got = chat(22, chat_body(b"pxasm@00000000", [(b"u", b"x")]))
        errs = [f for f in got if f.kind == "X" and f.id == 22]
        check(errs and b"system prompt 'pxasm' differs" in errs[0].payload,
              "a system prompt whose CRC differs from the bridge's copy: ERROR")
        got = chat(23, body[:6000], total=5000)
        errs = [f for f in got if f.kind == "X" and f.id == 23]
        check(errs and b"more request data than announced" in errs[0].payload, "more data than announced: ERROR")
        got = chat(24, chat_body(b"", [(b"a", b"x")]))
        errs = [f for f in got if f.kind == "X" and f.id == 24]
        check(errs and b"malformed conversation" in errs[0].payload, "a conversation ending with the assistant: ERROR")

        # A NAK storm against an unacknowledged frame: the `trickle` answer's
        # first part is never acknowledged; 4 KiB of NAKs over about 1 s.
        line.auto_ack = False
        s = request(50, b"trickle")
        first = line.until(key, lambda f: f.kind == "P" and f.id == 50)
        nak = pxframe.encode("N", 0, 0, key=key)
        t_storm = time.monotonic()
        n_naks = 4096 // len(nak) + 1
        for i in range(n_naks):
            line.send(nak)
            time.sleep(0.4 / n_naks)
        got = first + line.frames(key, 0.1)
        took = time.monotonic() - t_storm
        sends = [f for f in got if f.kind == "P" and f.id == 50]
        check(1 < len(sends) <= min(RETRIES, took / 0.1 + 2),
              "%d NAKs in %.2f s: the part sent %d times (at most one per 100 ms, %d in all)"
              % (n_naks, took, len(sends), RETRIES))
        line.auto_ack = True
        line.send(pxframe.encode("A", 0, sends[-1].seq, key=key))
        got = line.until(key, lambda f: f.kind == "E" and f.id == 50)
        check(any(f.kind == "E" for f in got), "the answer completes after the storm")

        # A call in flight, then a forged HELLO with another session.
        s = request(2, b"hold")
        line.until(key, lambda f: f.kind == "A" and f.seq == s)
        line.send(pxframe.encode("H", K2, 0, b"forged"))
        line.frames(key, 0.5)
        text = log_text()
        check("says it restarted" in text and "pxOS restarted:" not in text,
              "a HELLO with another session alone drops nothing")
        check("dropped" not in text, "the call in flight survives the forged HELLO")

        # A REQUEST with another key: refused with a NAK, never served.
        request(3, b"quick", k=K2 ^ 0xDEADBEEF, s=seq + 1)  # not accepted: seq stays
        got = line.frames(key, 1.0)
        check(any(f.kind == "N" for f in got), "a frame with a wrong key is NAKed")
        check(not any(f.kind == "A" for f in got), "... and not acknowledged")
        check("request 3 " not in log_text(), "... and not served")

        # Outside the sequence window: dropped, no ACK.
        request(4, b"quick", s=seq + 5)
        got = line.frames(key, 1.0)
        check(not any(f.kind == "A" for f in got), "a REQUEST outside the sequence window is not acknowledged")
        check("outside the window" in log_text() and "request 4 " not in log_text(),
              "... dropped and logged")

        # In-flight limit: the `hold` call (id 2) and 8 more fill it; the next is busy.
        for i in range(INFLIGHT - 1):
            s = request(10 + i, b"hold")
            line.until(key, lambda f, s=s: f.kind == "A" and f.seq == s)
        s = request(99, b"hold")
        got = line.until(key, lambda f: f.kind == "X" and f.id == 99, wait=5)
        errs = [f for f in got if f.kind == "X" and f.id == 99]
        check(errs and errs[0].payload[:1] == b"\x04" and b"busy" in errs[0].payload,
              "request %d in flight is refused as busy" % (INFLIGHT + 1))
        check("refused" in log_text(), "... and logged")

        # A real restart: HELLO with a new session, then a frame keyed with it.
        line.send(pxframe.encode("H", K3, 0, b"pxOS restarted"))
        line.until(key, lambda f: f.kind == "h", wait=5)
        key = K3 ^ b
        seq = 0
        s = request(7, b"quick")
        got = line.until(key, lambda f: f.kind == "E" and f.id == 7)
        check(any(f.kind == "A" and f.seq == s and f.good for f in got), "the new session's REQUEST is served")
        text = log_text()
        check("pxOS restarted: now session" in text and "dropped: pxOS restarted" in text,
              "the keyed frame proves the restart; the old session's calls are dropped")
    finally:
        conn.close()
        bridge.terminate()
        try:
            bridge.wait(5)
        except subprocess.TimeoutExpired:
            bridge.kill()
        out.close()
        srv.close()
    print("test_pxbridge_link: %d failed; %.1f s" % (len(failures), time.monotonic() - t0))
    if failures:
        print("pxbridge log (%s):\n%s" % (log, log_text()))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
