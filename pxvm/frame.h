/*
 * frame.h — the serial bridge's frame codec and stream demultiplexer, shared by
 * the kernel (kernel/bridge.c, freestanding) and the host bridge
 * (tools/pxbridge, hosted). docs/bridge-protocol.md is the specification.
 *
 * A frame is an ANSI APC string (ECMA-48 §8.3.2 APPLICATION PROGRAM COMMAND,
 * terminated by ST = ESC '\'), so a plain terminal shows nothing of it:
 *
 *   ESC '_' "PXB" VER TYPE ID SEQ LEN PAYLOAD64 CRC ESC '\'
 *
 *   VER        '3' (FRAME_VERSION)
 *   TYPE       one letter (enum frame_type)
 *   ID         8 upper-case hex digits: request id (HELLO, HELLO_ACK: session)
 *   SEQ        4 hex digits: sequence number of a reliable frame (ACK: the one acked)
 *   LEN        4 hex digits: payload length in bytes, 0..FRAME_PAYLOAD_MAX
 *   PAYLOAD64  the payload in base64 (RFC 4648 §4, '=' padded): 4*ceil(LEN/3) chars
 *   CRC        8 hex digits: CRC-32/ISO-HDLC (pxvm/crc32.h) of every body byte
 *              before it ("PXB" up to the end of PAYLOAD64); for every type but
 *              HELLO and HELLO_ACK the CRC starts with the link key (4 bytes,
 *              little-endian): CRC-32(key ++ body). The link key is the XOR
 *              of the two sides' session numbers, which only the two ends of
 *              the line know, so a frame from anyone else (a guest's output
 *              that got onto the line) fails the check.
 *
 * Every byte between ESC '_' and ESC '\' is one of [A-Za-z0-9+/=], so any byte
 * value can be carried and no control byte appears inside a frame.
 */
#ifndef PXVM_FRAME_H
#define PXVM_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/param.h"

#define FRAME_VERSION      '3'
#define FRAME_KEYS_MAX     2   /* link keys a demultiplexer accepts at once */
#define FRAME_PAYLOAD_MAX  BRIDGE_PAYLOAD_MAX
#define FRAME_HEADER_CHARS 21u /* "PXB" VER TYPE ID SEQ LEN */
#define FRAME_B64_LEN(n)   ((((size_t)(n) + 2u) / 3u) * 4u)
/* FRAME_BODY_MAX: the longest body (between ESC '_' and ESC '\'). */
#define FRAME_BODY_MAX     (FRAME_HEADER_CHARS + FRAME_B64_LEN(FRAME_PAYLOAD_MAX) + 8u)
/* FRAME_ENCODED_MAX: the longest encoded frame, with ESC '_' and ESC '\'. */
#define FRAME_ENCODED_MAX  (FRAME_BODY_MAX + 4u)

/* Frame types (the TYPE letter). Reliable frames (frame_reliable) carry a SEQ
 * and are acknowledged; the others are not. */
enum frame_type {
	FRAME_HELLO      = 'H', /* "I am here": payload = text banner (name, version, limits) */
	FRAME_HELLO_ACK  = 'h', /* answer to HELLO: payload = text banner */
	FRAME_REQUEST    = 'Q', /* kernel → bridge: payload = frame_request_encode() */
	FRAME_REQUEST_DATA = 'G', /* kernel → bridge: the next bytes of request ID's body */
	FRAME_ACK        = 'A', /* SEQ = the reliable frame received intact */
	FRAME_NAK        = 'N', /* a damaged frame arrived: resend the unacknowledged one */
	FRAME_KEEPALIVE  = 'K', /* bridge → kernel: request ID is still being worked on */
	FRAME_REPLY_PART = 'P', /* bridge → kernel: next bytes of the answer to ID */
	FRAME_REPLY_END  = 'E', /* bridge → kernel: the answer to ID is complete */
	FRAME_ERROR      = 'X', /* bridge → kernel: ID failed; payload = frame_error_encode() */
	FRAME_CANCEL     = 'C', /* kernel → bridge: ID is no longer wanted */
	FRAME_SNAPSHOT   = 'S', /* kernel → bridge: a piece of snapshot file ID (frame_snap_*) */
	/* Files of /home kept by the bridge (docs/bridge-protocol.md, "Files"): */
	FRAME_RESTORE    = 'R', /* kernel → bridge: send the files you keep for /home */
	FRAME_FILE       = 'F', /* both: transfer ID of a file begins: frame_file_encode() */
	FRAME_FILE_DATA  = 'D', /* both: the next bytes of transfer ID */
	FRAME_FILE_END   = 'T', /* both: transfer ID is complete: check size and CRC, then keep it */
	FRAME_FILE_GONE  = 'U', /* kernel → bridge: payload = a path: that file was removed */
	FRAME_RESTORE_END = 'W', /* bridge → kernel: every file was sent; payload = count (4 bytes) */
};

/* SNAPSHOT payloads (docs/bridge-protocol.md, docs/snapshots.md): byte 0 is
 * the step, then little-endian words:
 *   FRAME_SNAP_BEGIN  total file length, CRC-32 of the file
 *   FRAME_SNAP_DATA   offset, then the bytes (at most FRAME_SNAP_DATA_MAX)
 *   FRAME_SNAP_END    total file length, CRC-32 of the file (again)
 * The pieces of one file go in order, one reliable frame at a time. */
enum frame_snap_step {
	FRAME_SNAP_BEGIN = 1,
	FRAME_SNAP_DATA  = 2,
	FRAME_SNAP_END   = 3,
};
#define FRAME_SNAP_DATA_MAX (FRAME_PAYLOAD_MAX - 5u)

/* A FILE frame's payload: the file's size and CRC-32 (4 bytes each,
 * little-endian), then its path relative to /home (1..FRAME_FILE_PATH_MAX
 * bytes, no NUL). */
#define FRAME_FILE_PATH_MAX 89 /* "/home/" + path fits PXFS_PATH_MAX (96) with its NUL */
#define FRAME_FILE_DATA_MAX 4096 /* file bytes per FILE_DATA frame */

/* frame_file_encode: the FILE payload for a file of `size` bytes with CRC-32
 * `crc` at `path` (relative to /home, `plen` bytes) into `out` (room for 8 +
 * FRAME_FILE_PATH_MAX bytes). Returns its length, or 0 when plen is 0 or over
 * FRAME_FILE_PATH_MAX. */
size_t frame_file_encode(uint8_t *out, uint32_t size, uint32_t crc, const char *path, size_t plen);

/* frame_file_parse: the fields of a FILE payload (`len` bytes); the path is
 * copied NUL-terminated into `path` (FRAME_FILE_PATH_MAX + 1 bytes). Returns
 * 0, or -1 when the payload is too short, the path empty or too long, or it
 * holds a NUL. The path's syntax is the receiver's to check. */
int frame_file_parse(const uint8_t *p, size_t len, uint32_t *size, uint32_t *crc, char *path);

/* Error reasons in an ERROR frame's payload (byte 0). */
enum frame_error_code {
	FRAME_ERR_BACKEND = 1, /* the LLM server failed or answered nonsense */
	FRAME_ERR_TIMEOUT = 2, /* connect, first-token or between-token timeout */
	FRAME_ERR_REQUEST = 3, /* the request was malformed (bad payload) */
	FRAME_ERR_BUSY    = 4, /* the bridge has too many requests in flight */
};

/* Results of decoding (negative). */
enum frame_status {
	FRAME_OK         = 0,
	FRAME_EMAGIC     = -1, /* not a pxOS frame (no "PXB") */
	FRAME_EVERSION   = -2, /* another protocol version */
	FRAME_ETYPE      = -3, /* unknown type letter */
	FRAME_ESYNTAX    = -4, /* bad hex or base64, or a body of the wrong length */
	FRAME_ETOOBIG    = -5, /* LEN (or the body) over the limit */
	FRAME_ECRC       = -6, /* CRC mismatch (damaged, or another link key) */
	FRAME_ETRUNCATED = -7, /* the frame was cut short (a stray byte or a new ESC '_') */
};

struct frame {
	uint8_t type;     /* enum frame_type */
	uint8_t key_slot; /* which of the demultiplexer's keys it carried (0 for HELLO/HELLO_ACK) */
	uint32_t id;
	uint16_t seq;
	uint16_t len;     /* payload bytes */
	uint8_t payload[FRAME_PAYLOAD_MAX];
};

/* frame_type_valid: whether `t` is one of enum frame_type. */
int frame_type_valid(uint8_t t);

/* frame_reliable: whether frames of type `t` are acknowledged and retransmitted
 * (REQUEST, CANCEL, REPLY_PART, REPLY_END, ERROR). */
int frame_reliable(uint8_t t);

/* frame_keyed: whether frames of type `t` carry the link key in their CRC
 * (every type but HELLO and HELLO_ACK, which set up the sessions). */
int frame_keyed(uint8_t t);

/* frame_encode: write the frame (type, id, seq, `len` payload bytes at
 * `payload`, link key `key` for a keyed type) into `out` (`cap` bytes),
 * ESC '_' to ESC '\' inclusive. Returns the number of bytes written (at most
 * FRAME_ENCODED_MAX), or 0 when `type` is invalid, `len` > FRAME_PAYLOAD_MAX
 * or `cap` is too small. */
size_t frame_encode(uint8_t *out, size_t cap, uint32_t key, uint8_t type, uint32_t id, uint16_t seq,
                    const void *payload, size_t len);

/* frame_decode_body: decode a body (the `n` bytes between ESC '_' and ESC '\')
 * into `f`, checking a keyed type's CRC with link key `key`. Returns FRAME_OK
 * or a negative enum frame_status; `f` is meaningful only on FRAME_OK. */
int frame_decode_body(const uint8_t *body, size_t n, uint32_t key, struct frame *f);

/* The demultiplexer separates console bytes from frames in a byte stream. */
enum frame_demux_state { FD_TEXT, FD_ESC, FD_BODY, FD_BODY_ESC, FD_SKIP, FD_SKIP_ESC };

struct frame_demux {
	enum frame_demux_state state;
	size_t blen;                     /* body bytes collected */
	uint8_t body[FRAME_BODY_MAX];
	uint32_t frames, bad, foreign;   /* counters: good frames, damaged pxOS frames, other APCs */
	uint32_t keys[FRAME_KEYS_MAX];   /* link keys accepted on keyed frames */
	unsigned nkeys;
};

/* frame_demux_init: empty state, counters zero, no link key (so only HELLO
 * and HELLO_ACK can be decoded until frame_demux_set_keys). */
void frame_demux_init(struct frame_demux *d);

/* frame_demux_set_keys: accept keyed frames carrying one of the `n` (at most
 * FRAME_KEYS_MAX) link keys at `keys`; a frame's key_slot is its index. */
void frame_demux_set_keys(struct frame_demux *d, const uint32_t *keys, unsigned n);

/* Results of frame_demux_byte. */
enum frame_demux_result {
	FD_NONE = 0,   /* nothing completed (console bytes may have been produced) */
	FD_FRAME = 1,  /* a good frame is in *f */
	FD_BAD = 2,    /* a damaged pxOS frame was dropped (the receiver may NAK) */
};

/* frame_demux_byte: feed one byte. Console bytes that pass through go to
 * `out` (0..2 bytes, count in *nout: an ESC is held until the next byte shows
 * whether a frame starts). Returns enum frame_demux_result; on FD_FRAME the
 * frame is in `f`; on FD_BAD *status (if not NULL) gets the frame_status.
 * Bytes of frames (good or bad) never reach `out`; other APC strings
 * (not "PXB") are dropped too and counted in `foreign`. A keyed frame whose
 * CRC matches none of the keys is bad (FRAME_ECRC). */
int frame_demux_byte(struct frame_demux *d, uint8_t b, uint8_t out[2], size_t *nout,
                     struct frame *f, int *status);

/* frame_demux_flush: end of input: emit a held ESC (0 or 1 byte into `out`)
 * and drop an unfinished frame. Returns the count written. */
size_t frame_demux_flush(struct frame_demux *d, uint8_t out[1]);

/* A REQUEST payload (protocol '3'): kind (1 byte: PXVM_TRAP_CALL_LLM,
 * PXVM_TRAP_ORACLE or PXVM_TRAP_LLM_CHAT), max_tokens (2 bytes LE, 0 = the
 * bridge's default), model length m (1 byte), m bytes of model id (no NUL),
 * the body's total length (4 bytes LE), then the body's first bytes. The
 * body is the prompt (CALL_LLM, ORACLE) or a conversation (LLM_CHAT,
 * frame_chat_*). A body longer than what fits follows in REQUEST_DATA
 * frames of the same id, in order; the bridge starts the request once it
 * has all of it. */
#define FRAME_MODEL_MAX 64
#define FRAME_REQUEST_HEAD(m) (8u + (m)) /* payload bytes before the body */
#define FRAME_BODY_MAX_TOTAL (64u * 1024u) /* longest body a bridge accepts */

struct frame_request {
	uint8_t kind;
	uint16_t max_tokens;             /* 0: the bridge's default */
	char model[FRAME_MODEL_MAX + 1]; /* NUL-terminated */
	uint32_t total;                  /* the body's length */
	const uint8_t *body;             /* its first bytes: points into the payload */
	uint32_t body_len;               /* ... how many (<= total) */
};

/* frame_request_encode: build a REQUEST payload in `out` (`cap` bytes) for a
 * body of `total` bytes, of which the first min(total, room) are copied from
 * `body`. `model` is a NUL-terminated string of at most FRAME_MODEL_MAX
 * bytes. Returns the payload length and sets *copied to the body bytes in
 * it, or 0 when the model or the head does not fit. */
size_t frame_request_encode(uint8_t *out, size_t cap, uint8_t kind, uint16_t max_tokens, const char *model,
                            const void *body, uint32_t total, uint32_t *copied);

/* frame_request_parse: split a REQUEST payload. Returns 0, or -PXE_EINVAL
 * (pxvm/abi.h) when the payload is too short, the model length is over
 * FRAME_MODEL_MAX or overruns the payload, the model contains a NUL, or the
 * body bytes present exceed its total. */
int frame_request_parse(const uint8_t *p, size_t n, struct frame_request *r);

/* A conversation (the body of an LLM_CHAT request): system-id length s
 * (1 byte, 0 = no system prompt), s bytes of system id ("NAME" or
 * "NAME@XXXXXXXX": the CRC-32 of pxOS's copy of the prompt in 8 upper-case
 * hex digits, so the bridge can tell its own copy differs), then turns, each
 * a role byte (FRAME_ROLE_USER 'u' or FRAME_ROLE_ASSISTANT 'a'), a length
 * (4 bytes LE) and that many bytes of text. At least one turn; the last one
 * is the user's. */
#define FRAME_ROLE_USER      'u'
#define FRAME_ROLE_ASSISTANT 'a'
#define FRAME_SYSTEM_MAX     48   /* system id bytes, with its "@CRC" */
#define FRAME_SYSTEM_NAME_MAX 32  /* the name part: [a-z0-9_-] */

/* frame_chat_begin: start a conversation in `out` (`cap` bytes) with system
 * id `system` (NULL or "" = none; at most FRAME_SYSTEM_MAX bytes). Returns
 * the bytes used, or 0 when it does not fit. */
size_t frame_chat_begin(uint8_t *out, size_t cap, const char *system);

/* frame_chat_turn: append a turn (role, `len` bytes of text) at offset `at`
 * of `out` (`cap` bytes). Returns the new length, or 0 when it does not fit
 * or the role is not one of FRAME_ROLE_*. */
size_t frame_chat_turn(uint8_t *out, size_t cap, size_t at, uint8_t role, const void *text, size_t len);

struct frame_chat {
	char system[FRAME_SYSTEM_MAX + 1]; /* NUL-terminated, "" = none */
	const uint8_t *p;                  /* the body */
	size_t n, off;                     /* its length; the next turn's offset */
	uint32_t turns;                    /* turns in the body (frame_chat_parse counts them) */
	const uint8_t *last_user;          /* the last user turn's text */
	uint32_t last_user_len;
};

/* frame_chat_parse: check a conversation body (`n` bytes) and ready *c for
 * frame_chat_next. Returns 0, or -PXE_EINVAL when the system id is too long
 * or holds a byte outside [A-Za-z0-9_@-], a turn has another role or
 * overruns the body, there is no turn, or the last turn is not the user's. */
int frame_chat_parse(const uint8_t *p, size_t n, struct frame_chat *c);

/* frame_chat_next: the next turn of a parsed conversation: 1 with *role,
 * *text, *len set, or 0 after the last. */
int frame_chat_next(struct frame_chat *c, uint8_t *role, const uint8_t **text, uint32_t *len);

/* frame_system_split: split system id `id` ("NAME" or "NAME@XXXXXXXX") into
 * `name` (FRAME_SYSTEM_NAME_MAX + 1 bytes) and *crc (*has_crc = 0 when there
 * is none). Returns 0, or -PXE_EINVAL when the name is empty, too long or
 * holds a byte outside [a-z0-9_-], or the CRC is not 8 hex digits. */
int frame_system_split(const char *id, char *name, uint32_t *crc, int *has_crc);

/* frame_error_encode: ERROR payload = code byte + message (truncated to fit
 * `cap`). Returns the length (0 when cap is 0). */
size_t frame_error_encode(uint8_t *out, size_t cap, uint8_t code, const char *msg);

/* frame_error_parse: code from an ERROR payload (FRAME_ERR_BACKEND when empty);
 * the message is p+1 .. p+n. */
uint8_t frame_error_parse(const uint8_t *p, size_t n);

#endif /* PXVM_FRAME_H */
