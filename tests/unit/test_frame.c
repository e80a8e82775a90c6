/*
 * test_frame.c — pxvm/frame.c, the bridge's frame codec and demultiplexer (the
 * same code runs in the kernel and in tools/pxbridge): round trips, every byte
 * value, damaged, truncated and oversized frames, console text interleaved with
 * frames and both split across reads at every position.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxvm/abi.h"
#include "pxvm/frame.h"
#include "pxvm/crc32.h"

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* The link key of these tests' frames (docs/bridge-protocol.md: the XOR of
 * the two sessions); the demultiplexers below accept it. */
#define TK 0x5EED1234u

static void demux_init(struct frame_demux *d)
{
	frame_demux_init(d);
	uint32_t k = TK;
	frame_demux_set_keys(d, &k, 1);
}

/* keyed_crc: the CRC field of a keyed frame's body under TK. */
static uint32_t keyed_crc(const uint8_t *b, size_t n)
{
	const uint8_t k[4] = { TK & 0xFF, (TK >> 8) & 0xFF, (TK >> 16) & 0xFF, TK >> 24 };
	return crc32_update(crc32_update(0, k, 4), b, n);
}

static struct frame fr;
static uint8_t enc[FRAME_ENCODED_MAX + 64];

/* A sink that collects what the demultiplexer produces. */
struct sink {
	uint8_t text[1 << 16];
	size_t ntext;
	struct frame frames[16];
	int nframes;
	int nbad;
	int last_status;
};

static void feed(struct frame_demux *d, struct sink *s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t out[2];
		size_t no;
		int st = 0;
		int r = frame_demux_byte(d, p[i], out, &no, &fr, &st);
		assert_true(no <= 2);
		assert_true(s->ntext + no <= sizeof(s->text));
		memcpy(s->text + s->ntext, out, no);
		s->ntext += no;
		if (r == FD_FRAME) {
			assert_true(s->nframes < 16);
			s->frames[s->nframes++] = fr;
		} else if (r == FD_BAD) {
			s->nbad++;
			s->last_status = st;
		} else {
			assert_int_equal(r, FD_NONE);
		}
	}
}

static struct sink *new_sink(void) { return calloc(1, sizeof(struct sink)); }

static void test_roundtrip_lengths(void **state)
{
	(void)state;
	static uint8_t payload[FRAME_PAYLOAD_MAX];
	for (size_t len = 0; len <= FRAME_PAYLOAD_MAX; len += (len < 40 ? 1 : 97)) {
		for (size_t i = 0; i < len; i++)
			payload[i] = (uint8_t)rng();
		uint32_t id = rng() * 2654435761u;
		uint16_t seq = (uint16_t)rng();
		size_t n = frame_encode(enc, sizeof(enc), TK, FRAME_REPLY_PART, id, seq, payload, len);
		assert_int_equal(n, 4 + FRAME_HEADER_CHARS + FRAME_B64_LEN(len) + 8);
		assert_true(n <= FRAME_ENCODED_MAX);
		assert_int_equal(enc[0], 0x1B);
		assert_int_equal(enc[1], '_');
		assert_int_equal(enc[n - 2], 0x1B);
		assert_int_equal(enc[n - 1], '\\');
		/* No control byte and nothing outside the base64 set inside the body. */
		for (size_t i = 2; i < n - 2; i++)
			assert_true(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=",
			                   enc[i]) != NULL);
		assert_int_equal(frame_decode_body(enc + 2, n - 4, TK, &fr), FRAME_OK);
		assert_int_equal(fr.type, FRAME_REPLY_PART);
		assert_int_equal(fr.id, id);
		assert_int_equal(fr.seq, seq);
		assert_int_equal(fr.len, len);
		assert_memory_equal(fr.payload, payload, len);
	}
}

static void test_every_byte_value(void **state)
{
	(void)state;
	uint8_t payload[256];
	for (int i = 0; i < 256; i++)
		payload[i] = (uint8_t)i;
	/* Every byte at every offset modulo 3 (the base64 quad positions). */
	for (int shift = 0; shift < 3; shift++) {
		size_t n = frame_encode(enc, sizeof(enc), TK, FRAME_REQUEST, 7, 1, payload + shift,
		                        (size_t)(256 - shift));
		assert_true(n > 0);
		struct frame_demux *d = malloc(sizeof(*d));
		struct sink *s = new_sink();
		demux_init(d);
		feed(d, s, enc, n);
		assert_int_equal(s->nframes, 1);
		assert_int_equal(s->ntext, 0);
		assert_int_equal(s->frames[0].len, 256 - shift);
		assert_memory_equal(s->frames[0].payload, payload + shift, (size_t)(256 - shift));
		free(d);
		free(s);
	}
	/* A payload of one repeated byte, for each byte value. */
	for (int v = 0; v < 256; v++) {
		uint8_t p[5];
		memset(p, v, sizeof(p));
		size_t n = frame_encode(enc, sizeof(enc), TK, FRAME_REPLY_PART, (uint32_t)v, 0, p, sizeof(p));
		assert_int_equal(frame_decode_body(enc + 2, n - 4, TK, &fr), FRAME_OK);
		assert_memory_equal(fr.payload, p, sizeof(p));
	}
}

static void test_encode_rejects(void **state)
{
	(void)state;
	uint8_t p[4] = { 1, 2, 3, 4 };
	assert_int_equal(frame_encode(enc, sizeof(enc), TK, 'Z', 1, 1, p, 4), 0);
	assert_int_equal(frame_encode(enc, sizeof(enc), TK, FRAME_ACK, 1, 1, p, FRAME_PAYLOAD_MAX + 1), 0);
	size_t need = 4 + FRAME_HEADER_CHARS + FRAME_B64_LEN(4) + 8;
	assert_int_equal(frame_encode(enc, need - 1, TK, FRAME_ACK, 1, 1, p, 4), 0);
	assert_int_equal(frame_encode(enc, need, TK, FRAME_ACK, 1, 1, p, 4), need);
	assert_int_equal(frame_encode(enc, sizeof(enc), TK, FRAME_ACK, 1, 1, NULL, 4), 0);
}

/* Every single-byte change of a frame's body is caught: no frame comes out. */
static void test_corrupt_every_byte(void **state)
{
	(void)state;
	const char *msg = "the answer is 42";
	size_t n = frame_encode(enc, sizeof(enc), TK, FRAME_REPLY_PART, 0x1234, 9, msg, strlen(msg));
	int crc_errors = 0;
	for (size_t i = 2; i < n - 2; i++) {
		for (int k = 0; k < 4; k++) {
			uint8_t save = enc[i];
			static const uint8_t subst[4] = { 'A', '0', '+', 'z' };
			enc[i] = (k == 3) ? (uint8_t)(save ^ 0x01) : subst[k];
			if (enc[i] == save)
				continue;
			struct frame_demux d;
			struct sink *s = new_sink();
			demux_init(&d);
			feed(&d, s, enc, n);
			assert_int_equal(s->nframes, 0);
			if (i >= 2 + 3) /* past "PXB" it is our frame, damaged */
				assert_int_equal(s->nbad, 1);
			if (s->last_status == FRAME_ECRC)
				crc_errors++;
			enc[i] = save;
			free(s);
		}
	}
	assert_true(crc_errors > 0);
	/* The CRC field itself wrong. */
	enc[n - 3] = enc[n - 3] == '0' ? '1' : '0';
	assert_int_equal(frame_decode_body(enc + 2, n - 4, TK, &fr), FRAME_ECRC);
}

static void test_decode_errors(void **state)
{
	(void)state;
	size_t n = frame_encode(enc, sizeof(enc), TK, FRAME_ACK, 1, 2, NULL, 0);
	assert_int_equal(frame_decode_body(enc + 2, n - 4, TK, &fr), FRAME_OK);
	uint8_t b[FRAME_BODY_MAX + 16];
	memcpy(b, enc + 2, n - 4);
	size_t bn = n - 4;
	b[3] = FRAME_VERSION + 1;
	assert_int_equal(frame_decode_body(b, bn, TK, &fr), FRAME_EVERSION);
	b[3] = FRAME_VERSION;
	b[4] = 'Z';
	assert_int_equal(frame_decode_body(b, bn, TK, &fr), FRAME_ETYPE);
	b[4] = FRAME_ACK;
	b[0] = 'Q';
	assert_int_equal(frame_decode_body(b, bn, TK, &fr), FRAME_EMAGIC);
	b[0] = 'P';
	b[6] = 'g'; /* not upper-case hex */
	assert_int_equal(frame_decode_body(b, bn, TK, &fr), FRAME_ESYNTAX);
	b[6] = '0';
	assert_int_equal(frame_decode_body(b, bn - 1, TK, &fr), FRAME_ESYNTAX);
	assert_int_equal(frame_decode_body(b, 10, TK, &fr), FRAME_ESYNTAX);
	/* LEN over the limit, with a correct CRC: ETOOBIG before anything else. */
	memcpy(b + 17, "FFFF", 4);
	uint32_t c = keyed_crc(b, bn - 8);
	char hex[9];
	snprintf(hex, sizeof(hex), "%08X", c);
	memcpy(b + bn - 8, hex, 8);
	assert_int_equal(frame_decode_body(b, bn, TK, &fr), FRAME_ETOOBIG);
	/* Non-canonical base64 (padding bits set) with a matching CRC. */
	n = frame_encode(enc, sizeof(enc), TK, FRAME_REPLY_PART, 1, 2, "A", 1); /* "QQ==" */
	memcpy(b, enc + 2, n - 4);
	bn = n - 4;
	assert_int_equal(b[FRAME_HEADER_CHARS + 1], 'Q');
	b[FRAME_HEADER_CHARS + 1] = 'R';
	snprintf(hex, sizeof(hex), "%08X", keyed_crc(b, bn - 8));
	memcpy(b + bn - 8, hex, 8);
	assert_int_equal(frame_decode_body(b, bn, TK, &fr), FRAME_ESYNTAX);
}

/* A frame cut at every position by a newline: dropped as truncated, the text
 * after it passes through, and the next frame is decoded. */
static void test_truncated(void **state)
{
	(void)state;
	uint8_t good[200];
	size_t gn = frame_encode(good, sizeof(good), TK, FRAME_REPLY_END, 5, 6, "ok", 2);
	size_t n = frame_encode(enc, sizeof(enc), TK, FRAME_REPLY_PART, 3, 4, "hello", 5);
	for (size_t cut = 2; cut < n; cut++) {
		struct frame_demux d;
		struct sink *s = new_sink();
		demux_init(&d);
		feed(&d, s, enc, cut);
		feed(&d, s, (const uint8_t *)"\nafter", 6);
		feed(&d, s, good, gn);
		assert_int_equal(s->nframes, 1);
		assert_int_equal(s->frames[0].type, FRAME_REPLY_END);
		assert_int_equal(s->frames[0].id, 5);
		if (cut == n - 1) {
			/* ESC then '\n': the ESC and newline come out as console bytes. */
			assert_int_equal(s->ntext, 7);
			assert_memory_equal(s->text, "\x1b\nafter", 7);
		} else {
			assert_int_equal(s->ntext, 6);
			assert_memory_equal(s->text, "\nafter", 6);
		}
		assert_int_equal(s->nbad, cut >= 3 ? 1 : 0); /* a prefix of "PXB" counts as ours */
		free(s);
	}
	/* Cut by the start of the next frame (its ESC '_'). */
	struct frame_demux d;
	struct sink *s = new_sink();
	demux_init(&d);
	feed(&d, s, enc, n / 2);
	feed(&d, s, good, gn);
	assert_int_equal(s->nframes, 1);
	assert_int_equal(s->nbad, 1);
	assert_int_equal(s->last_status, FRAME_ETRUNCATED);
	assert_int_equal(s->ntext, 0);
	free(s);
}

/* A body longer than FRAME_BODY_MAX is swallowed up to its end and counted;
 * the next frame and the text after it are intact. */
static void test_oversized(void **state)
{
	(void)state;
	static uint8_t big[FRAME_BODY_MAX + 100];
	memcpy(big, "\x1b_PXB1P", 7);
	memset(big + 7, 'A', sizeof(big) - 7);
	uint8_t good[200];
	size_t gn = frame_encode(good, sizeof(good), TK, FRAME_KEEPALIVE, 77, 0, NULL, 0);
	struct frame_demux d;
	struct sink *s = new_sink();
	demux_init(&d);
	feed(&d, s, (const uint8_t *)"x", 1);
	feed(&d, s, big, sizeof(big));
	feed(&d, s, (const uint8_t *)"\x1b\\y", 3);
	feed(&d, s, good, gn);
	assert_int_equal(s->nbad, 1);
	assert_int_equal(s->last_status, FRAME_ETOOBIG);
	assert_int_equal(s->nframes, 1);
	assert_int_equal(s->frames[0].id, 77);
	assert_int_equal(s->ntext, 2);
	assert_memory_equal(s->text, "xy", 2);
	free(s);
}

/* Console text (with other escape sequences and other APC strings) and frames
 * interleaved, fed in pieces split at random points: the text comes out
 * byte for byte, the frames in order. */
static void test_interleaved(void **state)
{
	(void)state;
	static const char *texts[] = {
		"[    0.001] INFO kernel: pxOS\r\n", "\x1b[31mred\x1b[0m", "plain", "\x1b\x1b[A",
		"_underscore_", "PXB1", "\x1b_foreign apc\x1b\\", "\x1b_foreignapc\x1b\\", "",
	};
	static uint8_t stream[1 << 15];
	static uint8_t expect[1 << 15];
	for (int round = 0; round < 200; round++) {
		size_t sn = 0, en = 0;
		int nframes = 0;
		uint32_t ids[16];
		for (int part = 0; part < 12; part++) {
			if (rng() % 2 && nframes < 16) {
				uint8_t p[64];
				size_t pl = rng() % sizeof(p);
				for (size_t i = 0; i < pl; i++)
					p[i] = (uint8_t)rng();
				ids[nframes] = rng();
				sn += frame_encode(stream + sn, sizeof(stream) - sn, TK, FRAME_REPLY_PART, ids[nframes],
				                   (uint16_t)nframes, p, pl);
				nframes++;
			} else {
				const char *t = texts[rng() % (sizeof(texts) / sizeof(texts[0]))];
				size_t tl = strlen(t);
				memcpy(stream + sn, t, tl);
				sn += tl;
				/* A foreign APC vanishes; an ESC followed by ESC '_' (a frame)
				 * is held and then emitted as is. */
				if (!strcmp(t, "\x1b_foreignapc\x1b\\")) {
					/* vanishes */
				} else if (!strcmp(t, "\x1b_foreign apc\x1b\\")) {
					/* "foreign apc" has a space: the APC is cut there, so
					 * " apc" + ESC '\' come out as text. */
					memcpy(expect + en, " apc\x1b\\", 6);
					en += 6;
				} else {
					memcpy(expect + en, t, tl);
					en += tl;
				}
			}
		}
		/* A lone ESC at the very end is held until flushed. */
		struct frame_demux d;
		struct sink *s = new_sink();
		demux_init(&d);
		size_t pos = 0;
		while (pos < sn) {
			size_t k = 1 + rng() % 50;
			if (k > sn - pos)
				k = sn - pos;
			feed(&d, s, stream + pos, k);
			pos += k;
		}
		uint8_t tail[1];
		size_t tn = frame_demux_flush(&d, tail);
		memcpy(s->text + s->ntext, tail, tn);
		s->ntext += tn;
		assert_int_equal(s->nframes, nframes);
		for (int i = 0; i < nframes; i++) {
			assert_int_equal(s->frames[i].id, ids[i]);
			assert_int_equal(s->frames[i].seq, i);
		}
		assert_int_equal(s->ntext, en);
		assert_memory_equal(s->text, expect, en);
		assert_int_equal(s->nbad, 0);
		free(s);
	}
}

/* A frame split across reads at every position still decodes (byte-wise feed
 * with a reset of nothing in between is the same as one read). */
static void test_split_every_position(void **state)
{
	(void)state;
	size_t n = frame_encode(enc, sizeof(enc), TK, FRAME_ERROR, 0xDEADBEEF, 0xFFFF, "\x02slow", 5);
	for (size_t cut = 0; cut <= n; cut++) {
		struct frame_demux d;
		struct sink *s = new_sink();
		demux_init(&d);
		feed(&d, s, (const uint8_t *)"ab", 2);
		feed(&d, s, enc, cut);
		feed(&d, s, enc + cut, n - cut);
		feed(&d, s, (const uint8_t *)"cd", 2);
		assert_int_equal(s->nframes, 1);
		assert_int_equal(s->frames[0].id, 0xDEADBEEF);
		assert_int_equal(s->frames[0].seq, 0xFFFF);
		assert_int_equal(frame_error_parse(s->frames[0].payload, s->frames[0].len), FRAME_ERR_TIMEOUT);
		assert_int_equal(s->ntext, 4);
		assert_memory_equal(s->text, "abcd", 4);
		free(s);
	}
}

static void test_request_payload(void **state)
{
	(void)state;
	uint8_t p[FRAME_PAYLOAD_MAX];
	struct frame_request r;
	uint32_t copied;
	size_t n = frame_request_encode(p, sizeof(p), 2, 300, "0", "why?", 4, &copied);
	assert_int_equal(n, FRAME_REQUEST_HEAD(1) + 4);
	assert_int_equal(copied, 4);
	assert_int_equal(frame_request_parse(p, n, &r), 0);
	assert_int_equal(r.kind, 2);
	assert_int_equal(r.max_tokens, 300);
	assert_string_equal(r.model, "0");
	assert_int_equal(r.total, 4);
	assert_int_equal(r.body_len, 4);
	assert_memory_equal(r.body, "why?", 4);
	/* Empty model and empty prompt; max_tokens 0 (the bridge's default) and 65535. */
	n = frame_request_encode(p, sizeof(p), 5, 0, "", NULL, 0, &copied);
	assert_int_equal(n, FRAME_REQUEST_HEAD(0));
	assert_int_equal(frame_request_parse(p, n, &r), 0);
	assert_string_equal(r.model, "");
	assert_int_equal(r.body_len, 0);
	assert_int_equal(r.max_tokens, 0);
	n = frame_request_encode(p, sizeof(p), 2, 0, "7", "x", 1, &copied);
	p[1] = 0xFF, p[2] = 0xFF;
	assert_int_equal(frame_request_parse(p, n, &r), 0);
	assert_int_equal(r.max_tokens, 65535);
	/* The largest prompt the kernel sends fits one frame, with the largest model id. */
	static uint8_t prompt[HV_PROMPT_MAX + 128];
	char model[FRAME_MODEL_MAX + 2];
	memset(model, 'm', FRAME_MODEL_MAX);
	model[FRAME_MODEL_MAX] = 0;
	assert_true(frame_request_encode(p, sizeof(p), 2, 0, model, prompt, sizeof(prompt), &copied) > 0);
	assert_int_equal(copied, sizeof(prompt));
	model[FRAME_MODEL_MAX] = 'm';
	model[FRAME_MODEL_MAX + 1] = 0;
	assert_int_equal(frame_request_encode(p, sizeof(p), 2, 0, model, prompt, 1, &copied), 0);
	assert_int_equal(frame_request_encode(p, 10, 2, 0, "abc", prompt, 6, &copied), 0);
	/* A body larger than a frame: the head carries what fits, the total says the rest. */
	static uint8_t big[HV_CHAT_MAX];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	n = frame_request_encode(p, sizeof(p), 6, 1024, "0", big, sizeof(big), &copied);
	assert_int_equal(n, sizeof(p));
	assert_int_equal(copied, sizeof(p) - FRAME_REQUEST_HEAD(1));
	assert_int_equal(frame_request_parse(p, n, &r), 0);
	assert_int_equal(r.total, sizeof(big));
	assert_int_equal(r.body_len, copied);
	assert_memory_equal(r.body, big, copied);
	/* Malformed payloads: too short, model overrun, NUL in the model, model
	 * too long, more body than the total. */
	assert_int_equal(frame_request_parse(p, FRAME_REQUEST_HEAD(0) - 1, &r), -PXE_EINVAL);
	uint8_t bad1[] = { 2, 0, 0, 5, 'a', 'b', 0, 0, 0, 0 };
	assert_int_equal(frame_request_parse(bad1, sizeof(bad1), &r), -PXE_EINVAL);
	uint8_t bad2[] = { 2, 0, 0, 2, 'a', 0, 1, 0, 0, 0, 'x' };
	assert_int_equal(frame_request_parse(bad2, sizeof(bad2), &r), -PXE_EINVAL);
	uint8_t bad3[8 + 70] = { 2, 0, 0, 70 };
	assert_int_equal(frame_request_parse(bad3, sizeof(bad3), &r), -PXE_EINVAL);
	uint8_t bad4[] = { 2, 0, 0, 1, '0', 1, 0, 0, 0, 'x', 'y' };
	assert_int_equal(frame_request_parse(bad4, sizeof(bad4), &r), -PXE_EINVAL);
	bad4[5] = 2;
	assert_int_equal(frame_request_parse(bad4, sizeof(bad4), &r), 0);
}

/* Conversations: built, parsed, walked; every malformed shape refused. */
static void test_chat_body(void **state)
{
	(void)state;
	uint8_t b[256];
	struct frame_chat c;
	size_t n = frame_chat_begin(b, sizeof(b), "pxasm@0123ABCD");
	n = frame_chat_turn(b, sizeof(b), n, FRAME_ROLE_USER, "write", 5);
	n = frame_chat_turn(b, sizeof(b), n, FRAME_ROLE_ASSISTANT, "", 0);
	n = frame_chat_turn(b, sizeof(b), n, FRAME_ROLE_USER, "errors", 6);
	assert_int_equal(n, 1 + 14 + 3 * 5 + 5 + 0 + 6);
	assert_int_equal(frame_chat_parse(b, n, &c), 0);
	assert_string_equal(c.system, "pxasm@0123ABCD");
	assert_int_equal(c.turns, 3);
	assert_int_equal(c.last_user_len, 6);
	assert_memory_equal(c.last_user, "errors", 6);
	uint8_t role;
	const uint8_t *t;
	uint32_t len;
	assert_int_equal(frame_chat_next(&c, &role, &t, &len), 1);
	assert_true(role == 'u' && len == 5 && !memcmp(t, "write", 5));
	assert_int_equal(frame_chat_next(&c, &role, &t, &len), 1);
	assert_true(role == 'a' && len == 0);
	assert_int_equal(frame_chat_next(&c, &role, &t, &len), 1);
	assert_int_equal(frame_chat_next(&c, &role, &t, &len), 0);
	/* Every cut of it is refused, except the cuts at a turn's end that
	 * leave a user turn last. */
	for (size_t k = 0; k < n; k++)
		assert_int_equal(frame_chat_parse(b, k, &c) == 0, k == 1 + 14 + 5 + 5);
	/* The last turn the assistant's; another role; a bad system id byte. */
	size_t m = frame_chat_begin(b, sizeof(b), "");
	m = frame_chat_turn(b, sizeof(b), m, FRAME_ROLE_ASSISTANT, "x", 1);
	assert_int_equal(frame_chat_parse(b, m, &c), -PXE_EINVAL);
	b[1] = 'x';
	assert_int_equal(frame_chat_parse(b, m, &c), -PXE_EINVAL);
	assert_int_equal(frame_chat_turn(b, sizeof(b), 0, 'x', "a", 1), 0);
	m = frame_chat_begin(b, sizeof(b), "a b");
	m = frame_chat_turn(b, sizeof(b), m, FRAME_ROLE_USER, "x", 1);
	assert_int_equal(frame_chat_parse(b, m, &c), -PXE_EINVAL);
	/* Does not fit: 0. */
	assert_int_equal(frame_chat_turn(b, 10, 0, FRAME_ROLE_USER, "0123456789", 10), 0);
	char longid[FRAME_SYSTEM_MAX + 2];
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = 0;
	assert_int_equal(frame_chat_begin(b, sizeof(b), longid), 0);
	/* System ids: NAME, NAME@CRC; bad names and CRCs refused. */
	char name[FRAME_SYSTEM_NAME_MAX + 1];
	uint32_t crc;
	int has;
	assert_int_equal(frame_system_split("pxasm", name, &crc, &has), 0);
	assert_true(!strcmp(name, "pxasm") && !has);
	assert_int_equal(frame_system_split("py-thon_2@DEADBEEF", name, &crc, &has), 0);
	assert_true(!strcmp(name, "py-thon_2") && has && crc == 0xDEADBEEFu);
	assert_int_equal(frame_system_split("", name, &crc, &has), -PXE_EINVAL);
	assert_int_equal(frame_system_split("@DEADBEEF", name, &crc, &has), -PXE_EINVAL);
	assert_int_equal(frame_system_split("PXASM", name, &crc, &has), -PXE_EINVAL);
	assert_int_equal(frame_system_split("pxasm@DEADBEE", name, &crc, &has), -PXE_EINVAL);
	assert_int_equal(frame_system_split("pxasm@DEADBEEFF", name, &crc, &has), -PXE_EINVAL);
	assert_int_equal(frame_system_split("pxasm@deadbeef", name, &crc, &has), -PXE_EINVAL);
	assert_int_equal(frame_system_split("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", name, &crc, &has), -PXE_EINVAL);
}

static void test_error_payload(void **state)
{
	(void)state;
	uint8_t p[8];
	size_t n = frame_error_encode(p, sizeof(p), FRAME_ERR_TIMEOUT, "first token too slow");
	assert_int_equal(n, 8);
	assert_memory_equal(p + 1, "first t", 7);
	assert_int_equal(frame_error_parse(p, n), FRAME_ERR_TIMEOUT);
	assert_int_equal(frame_error_parse(p, 0), FRAME_ERR_BACKEND);
	assert_int_equal(frame_error_encode(p, 0, 1, "x"), 0);
}

/* FILE payloads: size, CRC, path; and what frame_file_parse refuses. */
static void test_file_payload(void **state)
{
	(void)state;
	uint8_t p[8 + FRAME_FILE_PATH_MAX + 1];
	char path[FRAME_FILE_PATH_MAX + 1];
	uint32_t size, crc;
	size_t n = frame_file_encode(p, 70000, 0xCBF43926, "src/a.pxs", 9);
	assert_int_equal(n, 17);
	assert_int_equal(frame_file_parse(p, n, &size, &crc, path), 0);
	assert_int_equal(size, 70000);
	assert_int_equal(crc, 0xCBF43926);
	assert_string_equal(path, "src/a.pxs");
	assert_int_equal(frame_file_encode(p, 1, 1, "", 0), 0);
	char longp[FRAME_FILE_PATH_MAX + 1];
	memset(longp, 'a', sizeof(longp));
	assert_int_equal(frame_file_encode(p, 1, 1, longp, FRAME_FILE_PATH_MAX + 1), 0);
	n = frame_file_encode(p, 1, 1, longp, FRAME_FILE_PATH_MAX);
	assert_int_equal(frame_file_parse(p, n, &size, &crc, path), 0);
	assert_int_equal(strlen(path), FRAME_FILE_PATH_MAX);
	assert_int_equal(frame_file_parse(p, 8, &size, &crc, path), -1);      /* no path */
	assert_int_equal(frame_file_parse(p, n + 1, &size, &crc, path), -1);  /* too long */
	n = frame_file_encode(p, 1, 1, "a\0b", 3);
	assert_int_equal(frame_file_parse(p, n, &size, &crc, path), -1);      /* a NUL in it */
}

static void test_reliable(void **state)
{
	(void)state;
	assert_true(frame_reliable(FRAME_REQUEST));
	assert_true(frame_reliable(FRAME_REPLY_PART));
	assert_true(frame_reliable(FRAME_REPLY_END));
	assert_true(frame_reliable(FRAME_ERROR));
	assert_true(frame_reliable(FRAME_CANCEL));
	assert_false(frame_reliable(FRAME_ACK));
	assert_false(frame_reliable(FRAME_NAK));
	assert_false(frame_reliable(FRAME_HELLO));
	assert_false(frame_reliable(FRAME_HELLO_ACK));
	assert_false(frame_reliable(FRAME_KEEPALIVE));
	/* The files of /home: every one is acknowledged. */
	assert_true(frame_reliable(FRAME_RESTORE));
	assert_true(frame_reliable(FRAME_FILE));
	assert_true(frame_reliable(FRAME_FILE_DATA));
	assert_true(frame_reliable(FRAME_FILE_END));
	assert_true(frame_reliable(FRAME_FILE_GONE));
	assert_true(frame_reliable(FRAME_RESTORE_END));
}

/* Link keys: a keyed frame decodes only with its key (a frame from anyone
 * who does not know both sessions is bad), HELLO and HELLO_ACK need none, and
 * a demultiplexer holding two keys says which one a frame carried. */
static void test_link_keys(void **state)
{
	(void)state;
	uint8_t a[FRAME_ENCODED_MAX], h[FRAME_ENCODED_MAX];
	size_t an = frame_encode(a, sizeof(a), 0x1111u, FRAME_REQUEST, 3, 1, "hi", 2);
	size_t hn = frame_encode(h, sizeof(h), 0x2222u, FRAME_HELLO, 0xABCD, 0, "pxOS", 4);
	assert_int_equal(frame_decode_body(a + 2, an - 4, 0x1111u, &fr), FRAME_OK);
	assert_int_equal(frame_decode_body(a + 2, an - 4, 0x1112u, &fr), FRAME_ECRC);
	assert_int_equal(frame_decode_body(a + 2, an - 4, 0, &fr), FRAME_ECRC);
	assert_int_equal(frame_decode_body(h + 2, hn - 4, 0, &fr), FRAME_OK);
	assert_int_equal(frame_decode_body(h + 2, hn - 4, 0x9999u, &fr), FRAME_OK);
	assert_int_equal(fr.id, 0xABCD);
	for (int t = 0; t < 256; t++)
		assert_int_equal(frame_keyed((uint8_t)t), t != FRAME_HELLO && t != FRAME_HELLO_ACK);

	struct frame_demux d;
	struct sink *s = new_sink();
	frame_demux_init(&d); /* no key yet: HELLO passes, REQUEST is bad */
	feed(&d, s, h, hn);
	feed(&d, s, a, an);
	assert_int_equal(s->nframes, 1);
	assert_int_equal(s->frames[0].type, FRAME_HELLO);
	assert_int_equal(s->nbad, 1);
	assert_int_equal(s->last_status, FRAME_ECRC);
	uint32_t keys[2] = { 0x5555u, 0x1111u };
	frame_demux_set_keys(&d, keys, 2);
	feed(&d, s, a, an);
	assert_int_equal(s->nframes, 2);
	assert_int_equal(s->frames[1].key_slot, 1);
	frame_demux_set_keys(&d, keys, 1);
	feed(&d, s, a, an);
	assert_int_equal(s->nframes, 2);
	assert_int_equal(s->nbad, 2);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_keys),
		cmocka_unit_test(test_roundtrip_lengths),
		cmocka_unit_test(test_every_byte_value),
		cmocka_unit_test(test_encode_rejects),
		cmocka_unit_test(test_corrupt_every_byte),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_interleaved),
		cmocka_unit_test(test_split_every_position),
		cmocka_unit_test(test_request_payload),
		cmocka_unit_test(test_chat_body),
		cmocka_unit_test(test_error_payload),
		cmocka_unit_test(test_reliable),
		cmocka_unit_test(test_file_payload),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
