#!/usr/bin/python3
"""test_bridge — LLM calls end to end: pxOS in QEMU → serial frames → pxbridge → HTTP.

    /usr/bin/python3 tests/qemu/test_bridge.py [--build DIR] [-k SUBSTRING]

Each test boots build/pxos.img headless with its serial port (a Unix socket)
connected to build/tools/pxbridge, the way `make run` does; the test types
into pxbridge's stdin and reads the console from its stdout. The kernel's
debug monitor command `llm` sends a call through kernel/bridge.c (the same
pxhost_llm_submit the hypervisor uses for CALL_LLM/ORACLE traps) and prints the
answer as it streams. A stdlib mock of an OpenAI-compatible server
(tests/qemu/mock_llm.py) answers on loopback. Checked:
  - the real HTTP path: the streamed answer on the console byte for byte, the
    oracle, the request the server got (model mapped from the guest's id,
    prompt, stream, the API key from the environment), the key never on the
    serial line, the exchange in pxbridge's log with its timing;
  - no bridge at all: the call fails at once with "no host bridge";
  - server down: an I/O error naming the cause, and the offline backend,
    which says it is offline;
  - a server slower than pxbridge's first-token timeout: "timed out"; a server
    slower than the kernel's idle timeout but kept alive by KEEPALIVE frames:
    answered;
  - garbled and dropped frames (pxbridge --corrupt-frames): the answer arrives
    intact, with retransmissions counted;
  - pxbridge quitting and restarting in the middle of a call: before any
    answer byte the call is re-sent and answered; mid-answer it fails with an
    I/O error; the monitor keeps working in both cases;
  - a guest program (tests/programs/llmtrap.pxs) trapping CALL_LLM: RESULT and
    the reply in its buffer, an answer longer than the buffer cut and flagged,
    and one (tests/programs/llmchat.pxs) trapping LLM_CHAT: a conversation with
    the pxasm system prompt and max_tokens 333, which reach the scripted
    backend (pxbridge's log), and a 20 KiB reply streamed into a /home file
    that reaches pxbridge's copy of /home byte for byte;
    -ENOBRIDGE at once without a bridge (-ENOSYS fails the test); the `ask`
    program: answer on the console and drawn on its canvas;
  - a guest printing well-formed frames (HELLO, REQUEST, ACK, keyed or not)
    and terminal sequences (OSC 52, queries, 8-bit CSI) with `cat`: pxbridge
    sees them as harmless text (issue 9), its session and the next call are
    untouched; on the raw line none of them appears;
  - storms from the host, with the test as the bridge (StormTests, one
    boot): 4 KiB of damaged frames, of HELLOs with new sessions, and of NAKs
    against an unacknowledged REQUEST: bounded output (BRIDGE_RETRIES sends
    of the frame, then the link is lost), and the monitor answers at once;
    an output flood (tests/programs/flood.pxs: 16 WRITEs of 4096 newlines)
    takes well under a second a write.
Logs: build/tests/qemu/bridge-*/ (serial.log = what pxbridge printed,
pxbridge.log, qemu.log). Last line: "bridge: N passed, N failed".
"""

import os
import shutil
import re
import socket
import subprocess
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "unit"))
import pxqemu  # noqa: E402
import pxframe  # noqa: E402
from mock_llm import MockLLM  # noqa: E402

import unittest  # noqa: E402

CFG = {}
API_KEY = "sk-test-4b1d9e-never-on-the-wire"


BRIDGE_RETRIES = 8        # kernel/param.h
BRIDGE_HELLO_GAP_MS = 200
BRIDGE_NAK_GAP_MS = 100
FORGED_ID = 0x0BADF00D

frame = pxframe.encode


def frames_in(data):
    """(type, id, seq) of every frame in raw line bytes."""
    return [(f.kind, f.id, f.seq) for f in pxframe.decode_all(data)]


# What a hostile guest prints (with /apps/cat, in 512-byte WRITEs): frames of
# each kind a forger would want, unkeyed and keyed with guesses, and terminal
# controls outside the allowlist; one allowed colour sequence; a marker.
FORGED = (b"forged-begin\n"
          + frame("H", FORGED_ID, 0, b"pxOS 0.1 proto=3 max=4608")
          + frame("h", FORGED_ID, 0, b"pxOS 0.1 proto=3 max=4608")
          + frame("Q", FORGED_ID, 1, b"\x02\x00\x00\x010\x0e\x00\x00\x00forged request", key=0)
          + frame("Q", FORGED_ID, 2, b"\x02\x00\x00\x010\x0e\x00\x00\x00forged request", key=FORGED_ID)
          + frame("A", 0, 1, key=0)
          + b"\n\x1b]52;c;Zm9yZ2Vk\x07 \x1b[6n \x1b[c \x9b6n \xc2\x9b6n \x1bP1$r\x1b\\ "
          + b"\x1b[1;32mgreen\x1b[0m\nforged-end\n")


# LLM_CHAT's conversation (a chat file) and its 20 KiB scripted answer.
CHAT_FILE = b"@@system pxasm\n@@user\nWrite twenty kilobytes please\n"
CHAT_LINE = "chat-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV\n"
CHAT_REPLY = (CHAT_LINE * 320).encode()
# A conversation for the HTTP backend: system prompt, user, assistant, user.
CHAT2_FILE = b"@@system pxasm\n@@user\nWrite a program.\n@@assistant\nFOO R1\n@@user\nasm: unknown mnemonic FOO\n"
assert len(CHAT_REPLY) == 20480


def guest_image(build, llmtrap):
    """The disk image with /test/llmtrap, /test/llmchat, /test/chat.txt,
    /test/flood and /test/forged.txt."""
    stage = os.path.join(build, "tests", "qemu", "variants", "bridge-rootfs")
    shutil.rmtree(stage, ignore_errors=True)
    shutil.copytree(os.path.join(build, "rootfs"), stage)
    os.makedirs(os.path.join(stage, "test"))
    shutil.copy(llmtrap, os.path.join(stage, "test"))
    shutil.copy(os.path.join(build, "tests", "programs", "flood.pxe"), os.path.join(stage, "test"))
    shutil.copy(os.path.join(build, "tests", "programs", "llmchat.pxe"), os.path.join(stage, "test"))
    with open(os.path.join(stage, "test", "chat.txt"), "wb") as f:
        f.write(CHAT_FILE)
    with open(os.path.join(stage, "test", "chat2.txt"), "wb") as f:
        f.write(CHAT2_FILE)
    with open(os.path.join(stage, "test", "forged.txt"), "wb") as f:
        f.write(FORGED)
    ramdisk = stage + ".png"
    subprocess.run([os.path.join(build, "tools", "pxfs"), "build", ramdisk, stage],
                   check=True, stdout=subprocess.DEVNULL)
    dst = os.path.join(build, "tests", "qemu", "variants", "bridge.img")
    return pxqemu.make_variant(os.path.join(build, "pxos.img"), dst, replace={"/pxos/pixelfs.png": ramdisk})


class BridgeCase(unittest.TestCase):
    T = 120  # seconds for boot markers

    def boot(self, name, bridge_args=(), env=None, bridge=True, img=None):
        img = img or CFG["img"]
        if bridge:
            vm = pxqemu.BridgeQemu(img, name, CFG["pxbridge"], bridge_args=bridge_args, env=env,
                                    build=CFG["build"])
        else:
            vm = pxqemu.Qemu(img, name, build=CFG["build"])
        self.addCleanup(vm.close)
        self.monitor(vm, self.T)
        return vm

    @staticmethod
    def monitor(vm, timeout=60):
        """Wait until the boot is done (init has started the shell, which
        prompts), then open the monitor with its hot key."""
        vm.expect(r"sh\$ ", timeout)
        BridgeCase.reenter(vm)

    def llm(self, vm, args, timeout=60):
        """Run `llm ARGS` in the monitor; return (answer text, result line match)."""
        vm.send("llm %s\r" % args)
        vm.expect(re.escape("llm %s" % args) + r"\r?\n", 30)
        start = vm._pos
        # Without pxbridge the kernel's HELLO probe (a raw APC frame) may
        # stand before the result on its line.
        m = vm.expect(r"(?m)^(?:\x1b_[A-Za-z0-9+/=]*\x1b\\)*llm: ([^\r\n]*)\r?\n", timeout)
        answer = vm.output[start:m.start()]
        if answer.endswith("\r\n"):
            answer = answer[:-2]  # the newline the monitor prints before "llm: "
        vm.expect(r"pxmon> ", 30)
        return answer, m

    @staticmethod
    def script():
        """The --script rules file for the fault and guest tests."""
        path = os.path.join(CFG["build"], "tests", "qemu", "bridge-script.txt")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(SCRIPT_LONG)
        return path

    @staticmethod
    def summary(text, m):
        """The monitor's line for a complete answer `text` (the time taken from m)."""
        data = text.encode()
        ms = re.search(r" in (\d+) ms", m.group(1))
        return "%d bytes in %s ms, crc32 %08x" % (len(data), ms.group(1) if ms else "?", zlib.crc32(data))

    @staticmethod
    def reenter(vm):
        """Open the monitor with its hot key, Ctrl-\\: after the boot, and
        after a program started with `run` has ended (`run` goes back to the
        scheduler, where init and the shell run on)."""
        vm.send("\x1c")
        vm.expect(r"monitor: hot key \(Ctrl-\\\): debug monitor", 30)
        vm.expect(r"pxmon> ", 30)

    def finish(self, vm):
        """The monitor still answers and `exit` ends QEMU."""
        vm.send("bridge\r")
        m = vm.expect(r"bridge: (present|absent)[^\r\n]*\r?\n", 30)
        vm.expect(r"pxmon> ", 30)
        vm.send("exit\r")
        vm.wait_exit(30)
        return m.group(0)


class HttpTests(BridgeCase):
    def test_stream_and_oracle(self):
        reply = "The answer is 42: six times seven, streamed in pieces. \u00e9t\u00e9 \u2713"
        with MockLLM() as mock:
            mock.config.update(reply=reply, pieces=7, gap=0.1, oracle="yes")
            vm = self.boot("bridge-http", ["--url", mock.url, "--model", "fallback",
                                           "--model-map", "0=mock-model-a,3=mock-model-b"],
                           env={"PXBRIDGE_API_KEY": API_KEY}, img=guest_image(CFG["build"], CFG["llmtrap"]))
            self.assertRegex(vm.output, r"bridge: host bridge connected \(pxbridge proto=3 max=\d+ backend=http home=1\)")
            answer, m = self.llm(vm, "What is six times seven?")
            self.assertEqual(answer.replace("\r\n", "\n"), reply)
            self.assertEqual(m.group(1), self.summary(reply, m))
            # The oracle (a yes/no system prompt) through guest model id 3.
            answer, m = self.llm(vm, "-o -m 3 Is 42 even?")
            self.assertEqual(answer, "yes")
            # An unmapped guest model id uses --model.
            mock.config.update(reply="ok")
            answer, _ = self.llm(vm, "-m 9 hi")
            self.assertEqual(answer, "ok")
            # A conversation (LLM_CHAT) with the pxasm system prompt and max_tokens.
            vm.send("run /test/llmchat /test/chat2.txt /tmp/r.txt 333 3\r")
            m = vm.expect(r"llmchat: result (\d+)\r?\n", 60)
            self.assertEqual(int(m.group(1)), 2)
            vm.expect(r"pid \d+ \(llmchat\) exited with status 0", 30)
            self.reenter(vm)
            status = self.finish(vm)
            self.assertIn("0 calls in flight", status)
            # Programs started at boot may have asked too: pick ours by prompt.
            def asked(prompt):
                found = [r for r in mock.chat_requests()
                         if r["body"]["messages"][-1]["content"] == prompt]
                self.assertEqual(len(found), 1, prompt)
                return found[0]
            chats = [asked("What is six times seven?"), asked("Is 42 even?"), asked("hi")]
            b0 = chats[0]["body"]
            self.assertEqual(b0["model"], "mock-model-a")
            self.assertTrue(b0["stream"])
            self.assertEqual(b0["messages"][-1], {"role": "user", "content": "What is six times seven?"})
            self.assertEqual(chats[0]["headers"].get("Authorization"), "Bearer " + API_KEY)
            self.assertEqual(chats[1]["body"]["model"], "mock-model-b")
            self.assertIn("yes or no", chats[1]["body"]["messages"][0]["content"])
            self.assertEqual(chats[2]["body"]["model"], "fallback")
            conv = asked("asm: unknown mnemonic FOO")["body"]
            self.assertEqual(conv["model"], "mock-model-b")
            self.assertEqual(conv["max_tokens"], 333)
            self.assertEqual([m["role"] for m in conv["messages"]], ["system", "user", "assistant", "user"])
            self.assertEqual([m["content"] for m in conv["messages"][1:]],
                             ["Write a program.", "FOO R1", "asm: unknown mnemonic FOO"])
            with open(os.path.join(CFG["build"], "sysprompt", "pxasm.txt")) as f:
                self.assertEqual(conv["messages"][0]["content"], f.read())  # the whole generated prompt
            self.assertEqual(b0.get("max_tokens"), 1024)  # CALL_LLM from the monitor: --max-tokens' default
            with open(vm.serial_log, "rb") as f:
                self.assertNotIn(API_KEY.encode(), f.read())
            log = vm.log_text()
            self.assertRegex(log, r"request \d+ llm model mock-model-a \(guest 0\) max_tokens 0: prompt 24 bytes, "
                                  r"answer %d bytes, first part \d+ ms, total \d+ ms: answered"
                             % len(reply.encode()))
            self.assertRegex(log, r"request \d+ oracle model mock-model-b \(guest 3\)")

    def test_ask_app(self):
        """The hypervisor's `ask` program: the answer on the console, the
        process ends with 0, and its canvas shows the drawn answer."""
        reply = "Forty-two: the product of six and seven."
        with MockLLM() as mock:
            mock.config.update(reply=reply, pieces=5)
            vm = self.boot("bridge-ask", ["--url", mock.url])
            vm.send("run /apps/ask What is six times seven?\r")
            m = vm.expect(r"spawned pid (\d+) /apps/ask \(parent \d+\) in slot (\d+)", 30)
            vm.expect(re.escape(reply), 60)
            vm.expect(r"pid %s \(ask\) exited with status 0" % m.group(1), 60)
            self.reenter(vm)
            vm.send("regions\r")
            c = vm.expect(r"slot %s tile \d+,\d+ canvas (\d+),(\d+)\r?\n" % m.group(2), 10)
            vm.expect(r"pxmon> ", 10)
            shot = vm.screendump(os.path.join(vm.dir, "ask.png"))
            cx, cy = int(c.group(1)), int(c.group(2))
            counts = {}
            for y in range(128):
                for x in range(128):
                    px = shot.get_pixel(cx + x, cy + y)
                    counts[px] = counts.get(px, 0) + 1
            # The answer is drawn in white: about 40 Terminus glyphs, some 560
            # pixels ("asking..." alone, in yellow, would leave none).
            self.assertGreater(counts.get((255, 255, 255), 0), 400,
                               "ask's canvas does not show the answer (%r)" % counts)
            self.assertTrue(any(r["body"]["messages"][-1]["content"].endswith("What is six times seven?")
                                for r in mock.chat_requests()))
            self.finish(vm)

    def test_server_down(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        vm = self.boot("bridge-server-down", ["--url", "http://127.0.0.1:%d" % port])
        answer, m = self.llm(vm, "anyone there?")
        self.assertEqual(m.group(1).split(" after")[0], "input/output error (bridge or device)")
        self.assertRegex(vm.output, r"WARN  bridge: call \d+ failed on the host: .*127\.0\.0\.1:%d" % port)
        self.assertIn("failed", vm.log_text())
        self.finish(vm)

    def test_server_error_status(self):
        with MockLLM() as mock:
            mock.config.update(status=500)
            vm = self.boot("bridge-server-500", ["--url", mock.url])
            _, m = self.llm(vm, "fail please")
            self.assertTrue(m.group(1).startswith("input/output error"))
            self.assertRegex(vm.output, r"failed on the host: HTTP 500: mock failure 500")
            self.finish(vm)

    def test_offline_backend(self):
        vm = self.boot("bridge-offline", ["--offline"])
        answer, _ = self.llm(vm, "What is pxOS?")
        self.assertTrue(answer.startswith("[offline] pxbridge found no LLM server"), answer)
        self.assertIn("You asked: What is pxOS?", answer)
        # The offline oracle is deterministic: the CRC-32 of the question decides.
        for q in ("Is the sky blue?", "Shall we cooperate?"):
            answer, _ = self.llm(vm, "-o " + q)
            want = "yes" if zlib.crc32(q.encode()) & 1 else "no"
            self.assertTrue(answer.startswith(want + " (offline oracle"), answer)
        self.finish(vm)


class TimeoutTests(BridgeCase):
    def test_first_token_timeout(self):
        with MockLLM() as mock:
            mock.config.update(first_delay=6, reply="too late")
            vm = self.boot("bridge-slow", ["--url", mock.url, "--first-token-timeout", "2000"])
            t0 = time.monotonic()
            _, m = self.llm(vm, "slow one")
            took = time.monotonic() - t0
            self.assertTrue(m.group(1).startswith("timed out"), m.group(1))
            self.assertLess(took, 5.5)
            self.assertRegex(vm.output, r"failed on the host: no first token within 2000 ms")
            self.finish(vm)

    def test_keepalive_beats_kernel_idle_timeout(self):
        # 24 s before the first token: longer than the kernel's 20 s idle
        # timeout (BRIDGE_IDLE_TIMEOUT_MS), so only KEEPALIVE frames save it.
        with MockLLM() as mock:
            mock.config.update(first_delay=24, reply="worth the wait")
            vm = self.boot("bridge-keepalive", ["--url", mock.url])
            answer, m = self.llm(vm, "take your time", timeout=90)
            self.assertEqual(answer, "worth the wait")
            self.finish(vm)


class NoBridgeTests(BridgeCase):
    def test_no_bridge_fails_at_once(self):
        vm = self.boot("bridge-none", bridge=False)
        self.assertRegex(vm.output, r"bridge: no host bridge answered in \d+ ms")
        t0 = time.monotonic()
        _, m = self.llm(vm, "hello?", timeout=10)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertEqual(m.group(1), "no host bridge on the serial line")
        self.assertIn("absent", self.finish(vm))


SCRIPT_LONG = """\
# a long answer in many parts, for the fault tests
rule: long
reply: 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-=+*/.,;:!?\\n
repeat: 40
chunk: 97
gap: 1
rule: slowstart
delay: 6000
reply: answered after a restart
rule: trickle
reply: part-
repeat: 30
chunk: 5
gap: 400
rule: twenty kilobytes
kind: chat
system: pxasm
reply: %s
repeat: 320
""" % CHAT_LINE.replace("\n", "\\n")


class FaultTests(BridgeCase):

    def test_corrupt_frames(self):
        vm = self.boot("bridge-corrupt", ["--script", self.script(), "--corrupt-frames", "25",
                                          "--seed", "7"])
        answer, m = self.llm(vm, "long answer please", timeout=120)
        line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-=+*/.,;:!?\n"
        # What the kernel received, byte for byte (its length and CRC-32); the
        # console echo of it is not checked byte for byte: under host load
        # the 16550 driver drops an output byte when QEMU's socket is slow.
        self.assertEqual(m.group(1), self.summary(line * 40, m))
        self.assertGreater(len(answer), len(line * 40) * 0.9)
        status = self.finish(vm)
        retransmits = int(re.search(r"(\d+) retransmits", status).group(1))
        naks = int(re.search(r"(\d+) NAKs out", status).group(1))
        dups = int(re.search(r"(\d+) duplicates", status).group(1))
        self.assertGreater(retransmits + naks + dups, 0, status)
        self.assertRegex(vm.log_text(), r"bye: .* [1-9]\d* frames damaged/dropped on purpose")

    def test_restart_before_answer(self):
        vm = self.boot("bridge-restart", ["--script", self.script()])
        vm.send("llm slowstart\r")
        deadline = time.monotonic() + 30
        while "request" not in vm.log_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertIn("request", vm.log_text())
        vm.restart_bridge()
        m = vm.expect(r"(?m)^llm: ([^\r\n]*)\r?\n", 60)
        self.assertRegex(vm.output, r"bridge: host bridge reconnected")
        self.assertIn("answered after a restart\r\nllm: ", vm.output)
        self.assertEqual(m.group(1), self.summary("answered after a restart", m))
        vm.expect(r"pxmon> ", 10)
        self.finish(vm)

    def test_restart_mid_answer(self):
        vm = self.boot("bridge-restart-mid", ["--script", self.script()])
        vm.send("llm trickle\r")
        vm.expect(r"part-part-", 30)
        vm.restart_bridge()
        m = vm.expect(r"(?m)^llm: ([^\r\n]*)\r?\n", 60)
        self.assertTrue(m.group(1).startswith("input/output error"), m.group(1))
        self.assertRegex(vm.output, r"the bridge restarted mid-answer")
        vm.expect(r"pxmon> ", 10)
        # The new bridge serves the next call.
        answer, _ = self.llm(vm, "slowstart")
        self.assertEqual(answer, "answered after a restart")
        self.finish(vm)


class GuestTrapTests(BridgeCase):
    """A guest program (tests/programs/llmtrap.pxs) calls CALL_LLM through the
    hypervisor (SYSCALL HVTRAP) and prints RESULT and its reply buffer."""

    def image(self):
        return guest_image(CFG["build"], CFG["llmtrap"])

    def trap(self, vm, prompt):
        vm.send("run /test/llmtrap %s\r" % prompt)
        m = vm.expect(r"llmtrap: result (\d+)\r?\n", 60)
        reply = vm.expect(r"([^\r\n]*)\r?\n", 10).group(1)
        vm.expect(r"pid \d+ \(llmtrap\) exited", 30)
        self.reenter(vm)
        result = int(m.group(1))
        self.assertNotEqual(result, 2**32 - 1, "the hypervisor answered CALL_LLM with -ENOSYS")
        return result, reply

    def test_guest_call_and_truncation(self):
        vm = self.boot("bridge-guest", ["--script", self.script()], img=self.image())
        result, reply = self.trap(vm, "slowstart")
        self.assertEqual((result, reply), (24, "answered after a restart"))
        # LLM_CHAT: the conversation with a system prompt and max_tokens; the
        # 20 KiB answer streams into /home/big.txt (far more than a process's
        # reply buffer could hold), which pxbridge keeps: intact on the host.
        vm.send("run /test/llmchat /test/chat.txt big.txt 333\r")
        m = vm.expect(r"llmchat: result (\d+)\r?\n", 120)
        vm.expect(r"pid \d+ \(llmchat\) exited with status 0", 30)
        self.assertEqual(int(m.group(1)), len(CHAT_REPLY))
        self.assertRegex(vm.log_text(), r"request \d+ chat model \S+ \(guest 0\) max_tokens 333 system pxasm: "
                                        r"prompt \d+ bytes, answer 20480 bytes, .*: answered")
        kept = os.path.join(vm.dir, "home", "big.txt")
        data, deadline = b"", time.monotonic() + 90
        while data != CHAT_REPLY and time.monotonic() < deadline:
            time.sleep(0.5)
            if os.path.exists(kept):
                with open(kept, "rb") as f:
                    data = f.read()
        self.assertEqual(len(data), len(CHAT_REPLY))
        self.assertEqual(data, CHAT_REPLY)
        self.reenter(vm)
        # An answer longer than the 48-byte buffer: 47 bytes kept, flagged.
        result, reply = self.trap(vm, "long")
        self.assertEqual(result, 0x40000000 | 47)
        self.assertEqual(reply, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJK")
        # A guest prints forged frames and terminal controls: pxbridge shows
        # them as text and none acts as a frame (issue 9).
        log_before = vm.log_text()
        vm.send("run /apps/cat /test/forged.txt\r")
        vm.expect(r"forged-begin", 30)
        m = vm.expect(r"forged-end", 30)
        shown = vm.output[m.string.rfind("forged-begin", 0, m.start()):m.end()]
        self.assertIn("^[_PXB%sH%08X" % (pxframe.VERSION.decode(), FORGED_ID), shown)
        self.assertIn("^[_PXB%sQ%08X" % (pxframe.VERSION.decode(), FORGED_ID), shown)
        self.assertIn("^[]52;c;Zm9yZ2Vk^G", shown)
        self.assertIn("^[[6n", shown)
        self.assertIn("M-^[6n", shown)
        self.assertIn("M-BM-^[6n", shown)
        self.assertIn("\x1b[1;32mgreen\x1b[0m", shown)        # allowed: passes unchanged
        self.assertNotRegex(shown, "\x1b[^\\[]|\x1b\\[[0-9;]*[^0-9;ABCDGHJKfm]")
        vm.expect(r"pid \d+ \(cat\) exited with status 0", 30)
        self.reenter(vm)
        new_log = vm.log_text()[len(log_before):]
        self.assertNotIn("restarted", new_log)
        self.assertNotRegex(new_log, r"request %d\b" % FORGED_ID)
        self.assertNotRegex(new_log, r"outside the window")
        # The session is untouched: the next call is answered.
        result, reply = self.trap(vm, "slowstart")
        self.assertEqual((result, reply), (24, "answered after a restart"))
        self.finish(vm)

    def test_guest_no_bridge(self):
        vm = self.boot("bridge-guest-none", bridge=False, img=self.image())
        t0 = time.monotonic()
        result, _ = self.trap(vm, "hello")
        self.assertEqual(result, 2**32 - 19)  # -ENOBRIDGE, at once
        self.assertLess(time.monotonic() - t0, 10)
        self.finish(vm)


class StormTests(BridgeCase):
    """The test is the host bridge itself (no pxbridge): it knows both session
    numbers, so it can send what a broken or hostile bridge would."""

    SESSION = 0x7E570001

    def raw(self, vm):
        with open(vm.serial_log, "rb") as f:
            return f.read()

    def hello(self, vm, session):
        """HELLO from the 'bridge'; returns the kernel's session (its HELLO_ACK)."""
        start = len(self.raw(vm))
        vm.send(frame("H", session, 0, b"test bridge"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            acks = [f for f in frames_in(self.raw(vm)[start:]) if f[0] == "h"]
            if acks:
                return acks[-1][1]
            time.sleep(0.05)
        self.fail("no HELLO_ACK from the kernel")

    def test_storms_and_flood(self):
        vm = self.boot("bridge-storms", bridge=False, img=guest_image(CFG["build"], CFG["llmtrap"]))
        # An output flood: before issue 9 one write took 8-11 s here.
        vm.send("run /test/flood 16\r")
        m = vm.expect(r"flood: 65536 newlines in (\d+) ms", 300)
        flood_ms = int(m.group(1))
        print("\n  flood: 16 writes of 4096 newlines in %d ms (guest time)" % flood_ms, file=sys.stderr)
        self.assertLess(flood_ms, 16 * 500)
        vm.expect(r"pid \d+ \(flood\) exited with status 0", 60)
        self.reenter(vm)

        # The guest's forged frames and controls never reach the line raw.
        start = len(self.raw(vm))
        vm.send("run /apps/cat /test/forged.txt\r")
        vm.expect(r"pid \d+ \(cat\) exited with status 0", 60)
        self.reenter(vm)
        line = self.raw(vm)[start:]
        self.assertIn(b"forged-end", line)
        self.assertFalse([f for f in frames_in(line) if f[1] == FORGED_ID], "a forged frame on the line")
        for bad in (b"\x1b]", b"\x1bP", b"\x1b[6n", b"\x1b[c", b"\x9b", b"\xc2\x9b"):
            self.assertNotIn(bad, line)
        self.assertIn(b"\x1b[1;32mgreen\x1b[0m", line)

        key = self.hello(vm, self.SESSION) ^ self.SESSION
        time.sleep(0.3)
        # 4 KiB of damaged frames at once: at most a NAK per BRIDGE_NAK_GAP_MS.
        start, t0 = len(self.raw(vm)), time.monotonic()
        vm.send((b"\x1b_PXB" + pxframe.VERSION + b"Q") * (4096 // 7) + b"\r")
        vm.send("bridge\r")
        vm.expect(r"storms held off: [^\r\n]*\r?\n", 30)
        naks = [f for f in frames_in(self.raw(vm)[start:]) if f[0] == "N"]
        took = time.monotonic() - t0
        self.assertGreaterEqual(len(naks), 1)
        self.assertLessEqual(len(naks), took * 1000 / BRIDGE_NAK_GAP_MS + 1)
        vm.expect(r"pxmon> ", 10)

        # 4 KiB of HELLOs, each with a new session, at once: a few answers.
        start, t0 = len(self.raw(vm)), time.monotonic()
        hellos = b"".join(frame("H", 0x5E550000 + i, 0, b"x") for i in range(4096 // 45))
        vm.send(hellos)
        vm.send("bridge\r")
        vm.expect(r"storms held off: (\d+) NAKs in ignored, (\d+) NAKs out held, (\d+) HELLOs ignored", 30)
        vm.expect(r"pxmon> ", 10)
        took = time.monotonic() - t0
        answers = [f for f in frames_in(self.raw(vm)[start:]) if f[0] == "h"]
        self.assertLessEqual(len(answers), took * 1000 / BRIDGE_HELLO_GAP_MS + 1)

        # Back to our session, then a NAK storm against an unacknowledged
        # REQUEST: BRIDGE_RETRIES sends of it in all, then the link is lost.
        time.sleep(1.2)  # BRIDGE_SESSION_GAP_MS
        key = self.hello(vm, self.SESSION) ^ self.SESSION
        start = len(self.raw(vm))
        vm.send("llm %s\r" % ("storm " * 80))
        deadline = time.monotonic() + 30
        while not [f for f in frames_in(self.raw(vm)[start:]) if f[0] == "Q"]:
            self.assertLess(time.monotonic(), deadline, "no REQUEST from the kernel")
            time.sleep(0.05)
        t0 = time.monotonic()
        nak = frame("N", 0, 0, key=key)
        vm.send(nak * (4096 // len(nak) + 1))
        m = vm.expect(r"(?m)^llm: ([^\r\n]*)\r?\n", 60)
        self.assertTrue(m.group(1).startswith("input/output error"), m.group(1))
        vm.expect(r"pxmon> ", 10)
        line = self.raw(vm)[start:]
        sends = [f for f in frames_in(line) if f[0] == "Q"]
        self.assertLessEqual(len(sends), BRIDGE_RETRIES)
        self.assertLess(len(line), BRIDGE_RETRIES * 6200 + 8192, "output for 4 KiB of NAKs")
        print("  NAK storm: %d REQUEST sends, %d bytes out, link lost after %.1f s" %
              (len(sends), len(line), time.monotonic() - t0), file=sys.stderr)
        # The kernel answers at once.
        t0 = time.monotonic()
        vm.send("bridge\r")
        vm.expect(r"bridge: absent", 10)
        vm.expect(r"pxmon> ", 10)
        self.assertLess(time.monotonic() - t0, 10)
        self.assertRegex(vm.output, r"link lost \(no acknowledgement\)")
        self.finish(vm)


def main():
    def suites(cfg):
        cfg["pxbridge"] = os.path.join(cfg["build"], "tools", "pxbridge")
        cfg["llmtrap"] = os.path.join(cfg["build"], "tests", "programs", "llmtrap.pxe")
        return (HttpTests, TimeoutTests, NoBridgeTests, FaultTests, GuestTrapTests, StormTests)
    return pxqemu.test_main("bridge", __doc__, CFG, suites,
                            need=("tools/pxbridge", "tests/programs/llmtrap.pxe", "tests/programs/flood.pxe",
                                  "tests/programs/llmchat.pxe"))

if __name__ == "__main__":
    sys.exit(main())
