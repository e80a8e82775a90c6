"""pxframe — the serial bridge's frames in Python, for the tests that play one
end of the line (tests/unit/test_pxbridge_link.py, tests/qemu/test_bridge.py).
The specification is docs/bridge-protocol.md; pxvm/frame.c is the C codec.
"""

import base64
import re
import struct
import zlib

VERSION = b"3"                     # FRAME_VERSION (pxvm/frame.h)
UNKEYED = ("H", "h")               # HELLO, HELLO_ACK carry the sessions: plain CRC

FRAME_RX = re.compile(rb"\x1b_PXB3(.)([0-9A-F]{8})([0-9A-F]{4})([0-9A-F]{4})([A-Za-z0-9+/=]*)([0-9A-F]{8})\x1b\\")


def crc(body, kind, key):
    """The CRC field: CRC-32 of the body, after the link key for keyed types."""
    if kind in UNKEYED:
        return zlib.crc32(body)
    return zlib.crc32(body, zlib.crc32(struct.pack("<I", key or 0)))


def encode(kind, ident, seq=0, payload=b"", key=None):
    """One frame as pxvm/frame.c encodes it; `key` is the link key (the XOR of
    both sessions) of a keyed type."""
    body = b"PXB" + VERSION + kind.encode() + b"%08X%04X%04X" % (ident, seq, len(payload))
    body += base64.b64encode(payload)
    return b"\x1b_" + body + b"%08X" % crc(body, kind, key) + b"\x1b\\"


class Frame:
    def __init__(self, kind, ident, seq, payload, good):
        self.kind, self.id, self.seq, self.payload, self.good = kind, ident, seq, payload, good

    def __repr__(self):
        return "Frame(%s id=%08X seq=%d len=%d%s)" % (self.kind, self.id, self.seq, len(self.payload),
                                                      "" if self.good else " BAD CRC")


def decode_all(data, key=None):
    """Every frame in raw line bytes; `good` tells whether its CRC holds with `key`."""
    out = []
    for m in FRAME_RX.finditer(data):
        kind = m.group(1).decode()
        body = m.group(0)[2:-10]
        want = int(m.group(6), 16)
        out.append(Frame(kind, int(m.group(2), 16), int(m.group(3), 16), base64.b64decode(m.group(5)),
                         crc(body, kind, key) == want))
    return out


def request_payload(prompt, kind=2, model=b"0", max_tokens=0, total=None):
    """A REQUEST payload (protocol '3'): kind, max_tokens, model length,
    model, the body's total length, the body's first bytes (`prompt`)."""
    total = len(prompt) if total is None else total
    return struct.pack("<BHB", kind, max_tokens, len(model)) + model + struct.pack("<I", total) + prompt
