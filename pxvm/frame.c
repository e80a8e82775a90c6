/*
 * frame.c — the serial bridge's frame codec and demultiplexer; see frame.h and
 * docs/bridge-protocol.md.
 */
#include "frame.h"
#include "abi.h"
#include "crc32.h"
#include "port.h"

#define ESC 0x1B

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char hex_digits[] = "0123456789ABCDEF";

int frame_type_valid(uint8_t t)
{
	switch (t) {
	case FRAME_HELLO: case FRAME_HELLO_ACK: case FRAME_REQUEST: case FRAME_REQUEST_DATA: case FRAME_ACK:
	case FRAME_NAK: case FRAME_KEEPALIVE: case FRAME_REPLY_PART: case FRAME_REPLY_END:
	case FRAME_ERROR: case FRAME_CANCEL: case FRAME_RESTORE: case FRAME_FILE: case FRAME_FILE_DATA:
	case FRAME_FILE_END: case FRAME_FILE_GONE: case FRAME_RESTORE_END: case FRAME_SNAPSHOT:
		return 1;
	default:
		return 0;
	}
}

int frame_reliable(uint8_t t)
{
	return t == FRAME_REQUEST || t == FRAME_REQUEST_DATA || t == FRAME_CANCEL || t == FRAME_REPLY_PART ||
	       t == FRAME_REPLY_END || t == FRAME_ERROR || t == FRAME_RESTORE || t == FRAME_FILE ||
	       t == FRAME_FILE_DATA || t == FRAME_FILE_END || t == FRAME_FILE_GONE || t == FRAME_RESTORE_END ||
	       t == FRAME_SNAPSHOT;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

size_t frame_file_encode(uint8_t *out, uint32_t size, uint32_t crc, const char *path, size_t plen)
{
	if (!plen || plen > FRAME_FILE_PATH_MAX)
		return 0;
	put_le32(out, size);
	put_le32(out + 4, crc);
	memcpy(out + 8, path, plen);
	return 8 + plen;
}

int frame_file_parse(const uint8_t *p, size_t len, uint32_t *size, uint32_t *crc, char *path)
{
	if (len < 9 || len > 8 + FRAME_FILE_PATH_MAX)
		return -1;
	for (size_t i = 8; i < len; i++)
		if (!p[i])
			return -1;
	*size = get_le32(p);
	*crc = get_le32(p + 4);
	memcpy(path, p + 8, len - 8);
	path[len - 8] = '\0';
	return 0;
}

int frame_keyed(uint8_t t) { return t != FRAME_HELLO && t != FRAME_HELLO_ACK; }

/* body_crc: the CRC field of a body of `n` bytes (before the CRC) of type `t`. */
static uint32_t body_crc(const uint8_t *b, size_t n, uint8_t t, uint32_t key)
{
	uint32_t c = 0;
	if (frame_keyed(t)) {
		uint8_t k[4] = { (uint8_t)key, (uint8_t)(key >> 8), (uint8_t)(key >> 16), (uint8_t)(key >> 24) };
		c = crc32_update(0, k, 4);
	}
	return crc32_update(c, b, n);
}

/* b64_value: the 6-bit value of base64 character c, or -1. */
static int b64_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

/* body_char: whether c may appear inside a frame body. */
static int body_char(uint8_t c) { return b64_value(c) >= 0 || c == '='; }

static void put_hex(uint8_t *out, uint32_t v, int digits)
{
	for (int i = digits - 1; i >= 0; i--) {
		out[i] = (uint8_t)hex_digits[v & 0xF];
		v >>= 4;
	}
}

/* get_hex: parse `digits` upper-case hex digits; -1 on a bad digit. */
static int get_hex(const uint8_t *in, int digits, uint32_t *v)
{
	uint32_t r = 0;
	for (int i = 0; i < digits; i++) {
		uint8_t c = in[i];
		uint32_t d;
		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return -1;
		r = (r << 4) | d;
	}
	*v = r;
	return 0;
}

size_t frame_encode(uint8_t *out, size_t cap, uint32_t key, uint8_t type, uint32_t id, uint16_t seq,
                    const void *payload, size_t len)
{
	if (!frame_type_valid(type) || len > FRAME_PAYLOAD_MAX || (len && !payload))
		return 0;
	size_t total = 2 + FRAME_HEADER_CHARS + FRAME_B64_LEN(len) + 8 + 2;
	if (!out || cap < total)
		return 0;
	uint8_t *b = out + 2;
	out[0] = ESC;
	out[1] = '_';
	b[0] = 'P'; b[1] = 'X'; b[2] = 'B'; b[3] = FRAME_VERSION; b[4] = type;
	put_hex(b + 5, id, 8);
	put_hex(b + 13, seq, 4);
	put_hex(b + 17, (uint32_t)len, 4);
	const uint8_t *p = payload;
	uint8_t *o = b + FRAME_HEADER_CHARS;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < len) v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len) v |= p[i + 2];
		*o++ = (uint8_t)b64_alphabet[(v >> 18) & 63];
		*o++ = (uint8_t)b64_alphabet[(v >> 12) & 63];
		*o++ = i + 1 < len ? (uint8_t)b64_alphabet[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? (uint8_t)b64_alphabet[v & 63] : '=';
	}
	put_hex(o, body_crc(b, (size_t)(o - b), type, key), 8);
	o += 8;
	*o++ = ESC;
	*o++ = '\\';
	return (size_t)(o - out);
}

int frame_decode_body(const uint8_t *body, size_t n, uint32_t key, struct frame *f)
{
	if (n < 3 || body[0] != 'P' || body[1] != 'X' || body[2] != 'B')
		return FRAME_EMAGIC;
	if (n < 4 || body[3] != FRAME_VERSION)
		return FRAME_EVERSION;
	if (n < FRAME_HEADER_CHARS + 8)
		return FRAME_ESYNTAX;
	if (!frame_type_valid(body[4]))
		return FRAME_ETYPE;
	uint32_t id, seq, len, crc;
	if (get_hex(body + 5, 8, &id) || get_hex(body + 13, 4, &seq) || get_hex(body + 17, 4, &len))
		return FRAME_ESYNTAX;
	if (len > FRAME_PAYLOAD_MAX)
		return FRAME_ETOOBIG;
	size_t b64 = FRAME_B64_LEN(len);
	if (n != FRAME_HEADER_CHARS + b64 + 8)
		return FRAME_ESYNTAX;
	if (get_hex(body + n - 8, 8, &crc))
		return FRAME_ESYNTAX;
	if (body_crc(body, n - 8, body[4], key) != crc)
		return FRAME_ECRC;
	const uint8_t *in = body + FRAME_HEADER_CHARS;
	size_t o = 0;
	for (size_t i = 0; i < b64; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++)
			v[k] = b64_value(in[i + k]);
		size_t left = len - o; /* bytes this quad must carry: 1, 2 or >= 3 */
		if (v[0] < 0 || v[1] < 0)
			return FRAME_ESYNTAX;
		if (left >= 3 ? (v[2] < 0 || v[3] < 0)
		              : left == 2 ? (v[2] < 0 || in[i + 3] != '=')
		                          : (in[i + 2] != '=' || in[i + 3] != '='))
			return FRAME_ESYNTAX;
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
		             (uint32_t)(v[2] < 0 ? 0 : v[2]) << 6 | (uint32_t)(v[3] < 0 ? 0 : v[3]);
		/* Canonical padding only: the bits a short quad does not use are zero. */
		if ((left == 1 && (w & 0xFFFF)) || (left == 2 && (w & 0xFF)))
			return FRAME_ESYNTAX;
		f->payload[o++] = (uint8_t)(w >> 16);
		if (left >= 2) f->payload[o++] = (uint8_t)(w >> 8);
		if (left >= 3) f->payload[o++] = (uint8_t)w;
	}
	f->type = body[4];
	f->key_slot = 0;
	f->id = id;
	f->seq = (uint16_t)seq;
	f->len = (uint16_t)len;
	return FRAME_OK;
}

void frame_demux_init(struct frame_demux *d)
{
	d->state = FD_TEXT;
	d->blen = 0;
	d->frames = d->bad = d->foreign = 0;
	d->nkeys = 0;
}

void frame_demux_set_keys(struct frame_demux *d, const uint32_t *keys, unsigned n)
{
	if (n > FRAME_KEYS_MAX)
		n = FRAME_KEYS_MAX;
	for (unsigned i = 0; i < n; i++)
		d->keys[i] = keys[i];
	d->nkeys = n;
}

/* decode: the body with each key the demultiplexer holds (HELLO and
 * HELLO_ACK need none); a keyed frame no key fits is FRAME_ECRC. */
static int decode(struct frame_demux *d, size_t n, struct frame *f)
{
	if (n > 4 && !frame_keyed(d->body[4]))
		return frame_decode_body(d->body, n, 0, f);
	int st = FRAME_ECRC;
	for (unsigned i = 0; i < d->nkeys; i++) {
		st = frame_decode_body(d->body, n, d->keys[i], f);
		if (st != FRAME_ECRC) {
			f->key_slot = (uint8_t)i;
			return st;
		}
	}
	if (!d->nkeys) { /* no key yet: what is wrong with it short of the key */
		st = frame_decode_body(d->body, n, 0, f);
		if (st == FRAME_OK)
			st = FRAME_ECRC;
	}
	return st;
}

/* ours: whether the collected body so far may still be (or is) a pxOS frame. */
static int ours(const struct frame_demux *d)
{
	static const uint8_t magic[3] = { 'P', 'X', 'B' };
	for (size_t i = 0; i < d->blen && i < 3; i++)
		if (d->body[i] != magic[i])
			return 0;
	return 1;
}

/* drop: an unfinished or overlong frame ends here; count it. */
static int drop(struct frame_demux *d, int *status, int why)
{
	int mine = d->blen > 0 && ours(d);
	d->blen = 0;
	if (!mine) {
		d->foreign++;
		return FD_NONE;
	}
	d->bad++;
	if (status)
		*status = why;
	return FD_BAD;
}

int frame_demux_byte(struct frame_demux *d, uint8_t b, uint8_t out[2], size_t *nout,
                     struct frame *f, int *status)
{
	*nout = 0;
	switch (d->state) {
	case FD_TEXT:
		if (b == ESC)
			d->state = FD_ESC;
		else
			out[(*nout)++] = b;
		return FD_NONE;
	case FD_ESC:
		if (b == '_') {
			d->state = FD_BODY;
			d->blen = 0;
		} else if (b == ESC) {
			out[(*nout)++] = ESC; /* the first ESC was plain; hold the second */
		} else {
			out[(*nout)++] = ESC;
			out[(*nout)++] = b;
			d->state = FD_TEXT;
		}
		return FD_NONE;
	case FD_BODY:
		if (b == ESC) {
			d->state = FD_BODY_ESC;
			return FD_NONE;
		}
		if (!body_char(b)) {
			/* A stray byte cut the frame: drop it, the byte is console text. */
			d->state = FD_TEXT;
			int r = drop(d, status, FRAME_ETRUNCATED);
			out[(*nout)++] = b;
			return r;
		}
		if (d->blen >= FRAME_BODY_MAX) {
			d->state = FD_SKIP;
			return drop(d, status, FRAME_ETOOBIG);
		}
		d->body[d->blen++] = b;
		return FD_NONE;
	case FD_BODY_ESC:
		if (b == '\\') {
			d->state = FD_TEXT;
			size_t n = d->blen;
			d->blen = 0;
			int st = decode(d, n, f);
			if (st == FRAME_OK) {
				d->frames++;
				return FD_FRAME;
			}
			if (st == FRAME_EMAGIC) {
				d->foreign++;
				return FD_NONE;
			}
			d->bad++;
			if (status)
				*status = st;
			return FD_BAD;
		}
		if (b == '_') { /* a new frame starts before this one ended */
			int r = drop(d, status, FRAME_ETRUNCATED);
			d->state = FD_BODY;
			return r;
		}
		/* ESC + something else: the frame is cut; ESC b is console input. */
		d->state = FD_TEXT;
		{
			int r = drop(d, status, FRAME_ETRUNCATED);
			if (b == ESC) {
				d->state = FD_ESC;
			} else {
				out[(*nout)++] = ESC;
				out[(*nout)++] = b;
			}
			return r;
		}
	case FD_SKIP:
		/* Inside an overlong APC: swallow body characters up to its end. */
		if (b == ESC)
			d->state = FD_SKIP_ESC;
		else if (!body_char(b)) {
			d->state = FD_TEXT;
			out[(*nout)++] = b;
		}
		return FD_NONE;
	case FD_SKIP_ESC:
		if (b == '\\') {
			d->state = FD_TEXT;
		} else if (b == '_') {
			d->state = FD_BODY;
			d->blen = 0;
		} else if (b == ESC) {
			d->state = FD_ESC;
		} else {
			d->state = FD_TEXT;
			out[(*nout)++] = ESC;
			out[(*nout)++] = b;
		}
		return FD_NONE;
	}
	d->state = FD_TEXT;
	return FD_NONE;
}

size_t frame_demux_flush(struct frame_demux *d, uint8_t out[1])
{
	size_t n = 0;
	if (d->state == FD_ESC)
		out[n++] = ESC;
	else if (d->state != FD_TEXT && d->state != FD_SKIP && d->state != FD_SKIP_ESC && d->blen)
		(void)drop(d, NULL, FRAME_ETRUNCATED);
	d->state = FD_TEXT;
	d->blen = 0;
	return n;
}

size_t frame_request_encode(uint8_t *out, size_t cap, uint8_t kind, uint16_t max_tokens, const char *model,
                            const void *body, uint32_t total, uint32_t *copied)
{
	size_t m = model ? strlen(model) : 0;
	*copied = 0;
	if (m > FRAME_MODEL_MAX || cap < FRAME_REQUEST_HEAD(m) || (total && !body))
		return 0;
	out[0] = kind;
	out[1] = (uint8_t)max_tokens;
	out[2] = (uint8_t)(max_tokens >> 8);
	out[3] = (uint8_t)m;
	if (m)
		memcpy(out + 4, model, m);
	put_le32(out + 4 + m, total);
	size_t room = cap - FRAME_REQUEST_HEAD(m), k = total < room ? total : room;
	if (k)
		memcpy(out + FRAME_REQUEST_HEAD(m), body, k);
	*copied = (uint32_t)k;
	return FRAME_REQUEST_HEAD(m) + k;
}

int frame_request_parse(const uint8_t *p, size_t n, struct frame_request *r)
{
	if (n < FRAME_REQUEST_HEAD(0))
		return -PXE_EINVAL;
	size_t m = p[3];
	if (m > FRAME_MODEL_MAX || FRAME_REQUEST_HEAD(m) > n)
		return -PXE_EINVAL;
	for (size_t i = 0; i < m; i++) {
		if (p[4 + i] == 0)
			return -PXE_EINVAL;
		r->model[i] = (char)p[4 + i];
	}
	r->model[m] = '\0';
	r->kind = p[0];
	r->max_tokens = (uint16_t)(p[1] | p[2] << 8);
	r->total = get_le32(p + 4 + m);
	r->body = p + FRAME_REQUEST_HEAD(m);
	r->body_len = (uint32_t)(n - FRAME_REQUEST_HEAD(m));
	if (r->body_len > r->total)
		return -PXE_EINVAL;
	return 0;
}

/* ---- conversations ---------------------------------------------------------- */

size_t frame_chat_begin(uint8_t *out, size_t cap, const char *system)
{
	size_t s = system ? strlen(system) : 0;
	if (s > FRAME_SYSTEM_MAX || cap < 1 + s)
		return 0;
	out[0] = (uint8_t)s;
	if (s)
		memcpy(out + 1, system, s);
	return 1 + s;
}

size_t frame_chat_turn(uint8_t *out, size_t cap, size_t at, uint8_t role, const void *text, size_t len)
{
	if ((role != FRAME_ROLE_USER && role != FRAME_ROLE_ASSISTANT) || at > cap || cap - at < 5 ||
	    len > cap - at - 5 || (len && !text))
		return 0;
	out[at] = role;
	put_le32(out + at + 1, (uint32_t)len);
	if (len)
		memcpy(out + at + 5, text, len);
	return at + 5 + len;
}

/* system_char: may byte c appear in a system id (the name and its "@CRC")? */
static int system_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-' || c == '@';
}

int frame_chat_parse(const uint8_t *p, size_t n, struct frame_chat *c)
{
	if (n < 1)
		return -PXE_EINVAL;
	size_t s = p[0];
	if (s > FRAME_SYSTEM_MAX || 1 + s > n)
		return -PXE_EINVAL;
	for (size_t i = 0; i < s; i++) {
		if (!system_char(p[1 + i]))
			return -PXE_EINVAL;
		c->system[i] = (char)p[1 + i];
	}
	c->system[s] = '\0';
	c->p = p;
	c->n = n;
	c->off = 1 + s;
	c->turns = 0;
	c->last_user = 0;
	c->last_user_len = 0;
	uint8_t last = 0;
	for (size_t at = c->off; at < n;) {
		if (n - at < 5 || (p[at] != FRAME_ROLE_USER && p[at] != FRAME_ROLE_ASSISTANT))
			return -PXE_EINVAL;
		uint32_t len = get_le32(p + at + 1);
		if (len > n - at - 5)
			return -PXE_EINVAL;
		last = p[at];
		if (last == FRAME_ROLE_USER) {
			c->last_user = p + at + 5;
			c->last_user_len = len;
		}
		c->turns++;
		at += 5 + (size_t)len;
	}
	if (!c->turns || last != FRAME_ROLE_USER)
		return -PXE_EINVAL;
	return 0;
}

int frame_chat_next(struct frame_chat *c, uint8_t *role, const uint8_t **text, uint32_t *len)
{
	if (c->off + 5 > c->n)
		return 0;
	*role = c->p[c->off];
	*len = get_le32(c->p + c->off + 1);
	*text = c->p + c->off + 5;
	c->off += 5 + (size_t)*len;
	return 1;
}

int frame_system_split(const char *id, char *name, uint32_t *crc, int *has_crc)
{
	size_t k = 0;
	*has_crc = 0;
	*crc = 0;
	for (; id[k] && id[k] != '@'; k++) {
		char ch = id[k];
		if (k >= FRAME_SYSTEM_NAME_MAX ||
		    !((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return -PXE_EINVAL;
		name[k] = ch;
	}
	name[k] = '\0';
	if (!k)
		return -PXE_EINVAL;
	if (!id[k])
		return 0;
	const char *h = id + k + 1;
	if (strlen(h) != 8 || get_hex((const uint8_t *)h, 8, crc))
		return -PXE_EINVAL;
	*has_crc = 1;
	return 0;
}

size_t frame_error_encode(uint8_t *out, size_t cap, uint8_t code, const char *msg)
{
	if (cap == 0)
		return 0;
	size_t m = msg ? strlen(msg) : 0;
	if (m > cap - 1)
		m = cap - 1;
	out[0] = code;
	if (m)
		memcpy(out + 1, msg, m);
	return 1 + m;
}

uint8_t frame_error_parse(const uint8_t *p, size_t n)
{
	return n ? p[0] : FRAME_ERR_BACKEND;
}
