/*
 * test_escape.c — pxvm/escape.c, the output escaper (docs/isolation.md).
 *
 * The property of issue 9's "Done when": every byte value, every ESC followed
 * by every one- and two-byte suffix, and random strings (fed whole and split
 * at random between calls) go through the escaper, then through the bridge's
 * frame demultiplexer (pxvm/frame.c, what pxbridge runs on the line), then
 * through an independent terminal: a UTF-8 decoder and the DEC/ECMA-48 parser
 * state machine (vt100.net's, as xterm and VTE implement it, with C1 code
 * points acting as C1 controls). Zero frames and zero control functions
 * outside the allowlist may come out, and after every escaper output both the
 * demultiplexer and the terminal are back in their ground state, so pieces of
 * output from different writers can be put on one line in any order.
 * Plus: allowed text and sequences pass unchanged, the rest is shown as
 * documented, and splitting the input anywhere changes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pxvm/escape.h"
#include "pxvm/frame.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* ---- an independent terminal: UTF-8 decoder + ECMA-48/DEC parser ---------- */

enum tstate {
	T_GROUND, T_ESC, T_ESC_INT, T_CSI_ENTRY, T_CSI_PARAM, T_CSI_INT, T_CSI_IGNORE,
	T_DCS, T_OSC, T_SOS_PM_APC,
};

struct term {
	enum tstate st;
	/* UTF-8 decoder */
	uint32_t cp;
	int need;
	uint32_t min;
	/* CSI being collected */
	char priv, inter;
	/* results */
	unsigned long prints, executes, csis, violations;
	char why[160];
};

static void violation(struct term *t, const char *fmt, unsigned v)
{
	if (!t->violations)
		snprintf(t->why, sizeof t->why, fmt, v);
	t->violations++;
}

static int csi_final_ok(unsigned f)
{
	return f && strchr("ABCDGHJKfm", (int)f) != NULL;
}

static void execute(struct term *t, unsigned c)
{
	if (c == 0x08 || c == 0x09 || c == 0x0A || c == 0x0D)
		t->executes++;
	else
		violation(t, "C0 control 0x%02x executed", c);
}

/* A code point after UTF-8 decoding (C0 and C1 as controls, others graphic). */
static void term_cp(struct term *t, uint32_t c)
{
	/* "anywhere" transitions (vt100.net DEC parser) */
	if (c == 0x18 || c == 0x1A) {
		violation(t, "CAN/SUB 0x%02x", c);
		t->st = T_GROUND;
		return;
	}
	if (c == 0x1B) {
		t->st = T_ESC;
		t->priv = t->inter = 0;
		return;
	}
	if (c >= 0x80 && c <= 0x9F) {
		violation(t, "C1 control U+%04X", c);
		t->st = c == 0x9B ? T_CSI_ENTRY : c == 0x90 ? T_DCS : c == 0x9D ? T_OSC
		      : (c == 0x98 || c == 0x9E || c == 0x9F) ? T_SOS_PM_APC : T_GROUND;
		return;
	}
	int c0 = c < 0x20;
	switch (t->st) {
	case T_GROUND:
		if (c0)
			execute(t, c);
		else if (c != 0x7F)
			t->prints++;
		return;
	case T_ESC:
		if (c0) {
			execute(t, c);
		} else if (c >= 0x20 && c <= 0x2F) {
			t->st = T_ESC_INT;
		} else if (c == '[') {
			t->st = T_CSI_ENTRY;
		} else if (c == ']') {
			violation(t, "OSC string (ESC %c)", c);
			t->st = T_OSC;
		} else if (c == 'P') {
			violation(t, "DCS string (ESC %c)", c);
			t->st = T_DCS;
		} else if (c == 'X' || c == '^' || c == '_') {
			violation(t, "SOS/PM/APC string (ESC %c)", c);
			t->st = T_SOS_PM_APC;
		} else if (c != 0x7F) {
			violation(t, "escape sequence ESC 0x%02x", c);
			t->st = T_GROUND;
		}
		return;
	case T_ESC_INT:
		if (c0) {
			execute(t, c);
		} else if (c >= 0x30 && c <= 0x7E) {
			violation(t, "escape sequence with intermediate, final 0x%02x", c);
			t->st = T_GROUND;
		}
		return;
	case T_CSI_ENTRY:
	case T_CSI_PARAM:
		if (c0) {
			execute(t, c);
		} else if ((c >= '0' && c <= '9') || c == ';') {
			t->st = T_CSI_PARAM;
		} else if (c >= 0x3C && c <= 0x3F) {
			if (t->st == T_CSI_ENTRY) {
				t->priv = (char)c;
				t->st = T_CSI_PARAM;
			} else {
				t->st = T_CSI_IGNORE;
			}
		} else if (c == ':') {
			t->st = T_CSI_IGNORE;
		} else if (c >= 0x20 && c <= 0x2F) {
			t->inter = (char)c;
			t->st = T_CSI_INT;
		} else if (c >= 0x40 && c <= 0x7E) {
			if (t->priv || t->inter || !csi_final_ok(c))
				violation(t, "CSI with final 0x%02x (or a private/intermediate byte)", c);
			else
				t->csis++;
			t->st = T_GROUND;
		}
		return;
	case T_CSI_INT:
		if (c0) {
			execute(t, c);
		} else if (c >= 0x20 && c <= 0x2F) {
			t->inter = (char)c;
		} else if (c >= 0x30 && c <= 0x3F) {
			t->st = T_CSI_IGNORE;
		} else if (c >= 0x40 && c <= 0x7E) {
			violation(t, "CSI with an intermediate byte, final 0x%02x", c);
			t->st = T_GROUND;
		}
		return;
	case T_CSI_IGNORE:
		if (c0)
			execute(t, c);
		else if (c >= 0x40 && c <= 0x7E) {
			violation(t, "malformed CSI ended by 0x%02x", c);
			t->st = T_GROUND;
		}
		return;
	case T_OSC:
		if (c == 0x07)
			t->st = T_GROUND;
		return;
	case T_DCS:
	case T_SOS_PM_APC:
		return; /* until ST (ESC \, handled above) */
	}
}

/* term_byte: one byte from the line; UTF-8 decoded as VTE does (an ill-formed
 * sequence gives U+FFFD and the byte that broke it is read afresh). */
static void term_byte(struct term *t, uint8_t b)
{
	for (;;) {
		if (t->need) {
			if ((b & 0xC0) == 0x80) {
				t->cp = (t->cp << 6) | (b & 0x3F);
				if (--t->need == 0) {
					uint32_t c = t->cp;
					if (c < t->min || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
						t->prints++; /* U+FFFD */
					else
						term_cp(t, c);
				}
				return;
			}
			t->need = 0;
			t->prints++; /* U+FFFD, then b afresh */
			continue;
		}
		if (b < 0x80) {
			term_cp(t, b);
		} else if ((b & 0xE0) == 0xC0) {
			t->cp = b & 0x1F; t->need = 1; t->min = 0x80;
		} else if ((b & 0xF0) == 0xE0) {
			t->cp = b & 0x0F; t->need = 2; t->min = 0x800;
		} else if ((b & 0xF8) == 0xF0) {
			t->cp = b & 0x07; t->need = 3; t->min = 0x10000;
		} else {
			t->prints++; /* a stray continuation or 0xF8..0xFF: U+FFFD */
		}
		return;
	}
}

/* ---- the chain: escaper -> demultiplexer -> terminal -------------------------- */

struct chain {
	struct escaper e;
	struct frame_demux d;
	struct term t;
	struct frame f;
	unsigned long out_bytes, fd_frames, fd_bad;
};

static void chain_init(struct chain *c)
{
	memset(c, 0, sizeof *c);
	escape_init(&c->e);
	frame_demux_init(&c->d);
}

/* line: escaper output onto the line; afterwards the line must be quiet. */
static void line(struct chain *c, const char *p, size_t n)
{
	c->out_bytes += n;
	for (size_t i = 0; i < n; i++) {
		uint8_t out[2];
		size_t no;
		int st = 0;
		int r = frame_demux_byte(&c->d, (uint8_t)p[i], out, &no, &c->f, &st);
		if (r == FD_FRAME)
			c->fd_frames++;
		else if (r == FD_BAD)
			c->fd_bad++;
		for (size_t k = 0; k < no; k++)
			term_byte(&c->t, out[k]);
	}
	/* Between two outputs the line is in its ground state: a frame or another
	 * writer's text may follow without being read as part of this one. */
	assert_int_equal(c->d.state, FD_TEXT);
	assert_int_equal(c->t.st, T_GROUND);
	assert_int_equal(c->t.need, 0);
}

static void run(struct chain *c, const void *in, size_t n)
{
	char *out = malloc(ESCAPE_OUT_MAX(n));
	assert_non_null(out);
	size_t m = escape_run(&c->e, in, n, out);
	assert_true(m <= ESCAPE_OUT_MAX(n));
	line(c, out, m);
	free(out);
}

static void flush(struct chain *c)
{
	char out[ESCAPE_FLUSH_MAX];
	size_t m = escape_flush(&c->e, out);
	assert_true(m <= ESCAPE_FLUSH_MAX);
	assert_false(escape_pending(&c->e));
	line(c, out, m);
}

static void check_clean(const struct chain *c, const char *what)
{
	if (c->t.violations || c->fd_frames || c->fd_bad || c->d.frames || c->d.bad || c->d.foreign)
		fail_msg("%s: %lu terminal violations (first: %s), %lu frames, %lu bad frames, %u foreign APCs",
		         what, c->t.violations, c->t.violations ? c->t.why : "-", c->fd_frames, c->fd_bad,
		         c->d.foreign);
}

/* escaped: the whole output for `in` (one call, then flush) as a string. */
static char *escaped(const char *in, size_t n, size_t *outlen)
{
	struct escaper e;
	escape_init(&e);
	char *out = malloc(ESCAPE_OUT_MAX(n) + ESCAPE_FLUSH_MAX + 1);
	size_t m = escape_run(&e, in, n, out);
	m += escape_flush(&e, out + m);
	out[m] = '\0';
	if (outlen)
		*outlen = m;
	return out;
}

static void expect_escaped(const char *in, size_t n, const char *want)
{
	char *got = escaped(in, n, NULL);
	if (strcmp(got, want))
		fail_msg("escaped output '%s', wanted '%s'", got, want);
	free(got);
}
#define EXPECT(in, want) expect_escaped(in, sizeof(in) - 1, want)

/* ---- the property test ------------------------------------------------------------ */

static void test_every_byte(void **state)
{
	(void)state;
	struct chain c;
	chain_init(&c);
	for (unsigned b = 0; b < 256; b++) {
		uint8_t in[3] = { (uint8_t)b, 'x', (uint8_t)b };
		run(&c, in, 1);
		flush(&c);
		run(&c, in, 3);
		flush(&c);
	}
	check_clean(&c, "every byte value");
	assert_true(c.t.prints > 256);
}

static void test_every_esc_suffix(void **state)
{
	(void)state;
	struct chain c;
	chain_init(&c);
	unsigned long allowed = 0;
	for (unsigned b1 = 0; b1 < 256; b1++) {
		uint8_t one[2] = { 0x1B, (uint8_t)b1 };
		run(&c, one, 2);
		flush(&c);
		for (unsigned b2 = 0; b2 < 256; b2++) {
			uint8_t two[3] = { 0x1B, (uint8_t)b1, (uint8_t)b2 };
			unsigned long before = c.t.csis;
			run(&c, two, 3);
			flush(&c);
			/* ...and split after the ESC and after the first suffix byte */
			run(&c, two, 1);
			run(&c, two + 1, 1);
			run(&c, two + 2, 1);
			flush(&c);
			allowed += c.t.csis - before;
		}
	}
	check_clean(&c, "ESC + every one- and two-byte suffix");
	/* ESC [ F for the ten allowed finals, whole and split */
	assert_int_equal(allowed, 2 * 10);
}

/* Bytes a forger would try, weighted towards trouble. */
static uint8_t nasty_byte(void)
{
	static const uint8_t pick[] = {
		0x1B, 0x1B, 0x1B, '[', '[', ']', '_', 'P', 'X', '^', '\\', '?', ';', ';', '0', '1', '6',
		'9', 'n', 'c', 't', 'm', 'H', 'A', 'f', 'J', 0x07, 0x9B, 0x9C, 0x9D, 0x90, 0x9F, 0xC2,
		0xC2, 0x80, 0x9B, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0xED, 0xA0, 0xC0, 0xAF, 0xFF,
		'B', 'X', '1', 'Q', 0x18, 0x1A, 0x00, '\r', '\n', '\b', '\t', 0x7F, ':', '<', ' ', '!',
	};
	uint32_t r = rng();
	return (r & 3) ? pick[(r >> 2) % sizeof pick] : (uint8_t)(r >> 8);
}

static void test_random_strings(void **state)
{
	(void)state;
	struct chain c;
	chain_init(&c);
	uint8_t buf[96];
	for (int i = 0; i < 200000; i++) {
		size_t n = 1 + rng() % (sizeof buf - 8);
		for (size_t k = 0; k < n; k++) {
			if (rng() % 16 == 0) { /* an allowed sequence, to be cut and mixed up */
				static const char fin[] = "ABCDGHJKfm";
				buf[k++] = 0x1B;
				buf[k++] = '[';
				for (int p = rng() % 4; p > 0; p--)
					buf[k++] = (rng() & 1) ? ';' : (uint8_t)('0' + rng() % 10);
				buf[k] = (uint8_t)fin[rng() % 10];
				continue;
			}
			buf[k] = (rng() & 7) ? nasty_byte() : (uint8_t)rng();
		}
		/* whole, or split at random between calls (the escaper keeps state) */
		size_t at = 0;
		while (at < n) {
			size_t k = (rng() & 1) ? n - at : 1 + rng() % (n - at);
			run(&c, buf + at, k);
			at += k;
		}
		if (rng() % 4 == 0)
			flush(&c);
	}
	flush(&c);
	check_clean(&c, "random strings");
	assert_true(c.t.csis > 1000); /* allowed sequences did occur and pass */
}

/* Well-formed frames of every type, printed by a "guest": never a frame. */
static void test_forged_frames(void **state)
{
	(void)state;
	static const uint8_t types[] = { 'H', 'h', 'Q', 'A', 'N', 'K', 'P', 'E', 'X', 'C' };
	struct chain c;
	chain_init(&c);
	uint8_t enc[FRAME_ENCODED_MAX];
	for (size_t i = 0; i < sizeof types; i++) {
		size_t n = frame_encode(enc, sizeof enc, 0x5EED1234u, types[i], 0x1234, 7, "hello", 5);
		assert_true(n > 0);
		run(&c, enc, n);
		for (size_t k = 0; k < n; k++) /* byte by byte */
			run(&c, enc + k, 1);
	}
	flush(&c);
	check_clean(&c, "forged frames");
	size_t m;
	size_t n = frame_encode(enc, sizeof enc, 0, 'H', 1, 0, NULL, 0);
	char *s = escaped((const char *)enc, n, &m);
	assert_int_equal(strncmp(s, "^[_PXB", 6), 0);
	assert_int_equal(s[6], FRAME_VERSION);
	assert_int_equal(s[7], FRAME_HELLO);
	assert_int_equal(strcmp(s + m - 3, "^[\\"), 0);
	free(s);
}

/* ---- documented behaviour -------------------------------------------------------- */

static void test_allowed_unchanged(void **state)
{
	(void)state;
	static const char *const pass[] = {
		"plain text 0123 ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./",
		"cr\rlf\ntab\tbs\b",
		"\x1b[m\x1b[0m\x1b[1;31m\x1b[38;5;208m\x1b[2J\x1b[K\x1b[10;20H\x1b[3A\x1b[B\x1b[12C\x1b[D\x1b[5G\x1b[1;1f",
		"caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80 \xc2\xa0 \xef\xbf\xbd \xf4\x8f\xbf\xbf",
		"\x1b[1234567890123456m",
	};
	for (size_t i = 0; i < sizeof pass / sizeof pass[0]; i++)
		expect_escaped(pass[i], strlen(pass[i]), pass[i]);
}

static void test_shown_harmlessly(void **state)
{
	(void)state;
	EXPECT("\x1b_PXB1Hx\x1b\\", "^[_PXB1Hx^[\\");          /* APC: a frame */
	EXPECT("\x1b]52;c;aGk=\x07", "^[]52;c;aGk=^G");        /* OSC 52: clipboard */
	EXPECT("\x1bP1$r\x1b\\", "^[P1$r^[\\");               /* DCS */
	EXPECT("\x1bX\x1b^\x1b\\", "^[X^[^^[\\");             /* SOS, PM, ST */
	EXPECT("\x1b[6n\x1b[c\x1b[18t\x1b[>c", "^[[6n^[[c^[[18t^[[>c"); /* queries */
	EXPECT("\x1b[?25l\x1b[1 q\x1b[2:3m", "^[[?25l^[[1 q^[[2:3m"); /* private, intermediate, ':' */
	EXPECT("\x1b[12345678901234567m", "^[[12345678901234567m"); /* too many parameters */
	EXPECT("\x1b" "c\x1b" "7\x1b(0\x1b\x1b[m", "^[c^[7^[(0^[\x1b[m");
	EXPECT("\x9b" "6n\x9d" "0;x\x07\x9c\x80", "M-^[6nM-^]0;x^GM-^\\M-^@"); /* 8-bit C1 */
	EXPECT("\xc2\x9b\xc2\x85", "M-BM-^[M-BM-^E");         /* C1 as UTF-8 */
	EXPECT("\xc0\x9b\xe0\x80\x9b\xed\xa0\x80\xf4\x90\x80\x80\xff", /* overlong, surrogate, > U+10FFFF */
	       "M-@M-^[M-`M-^@M-^[M-mM- M-^@M-tM-^PM-^@M-^@M-^?");
	EXPECT("\x00\x01\x07\x0b\x0c\x0e\x18\x1a\x7f", "^@^A^G^K^L^N^X^Z^?");
	EXPECT("\xe2\x9c", "M-bM-^\\");                       /* cut short at the end */
	EXPECT("\x1b[12", "^[[12");
	EXPECT("\x1b", "^[");
}

/* Splitting the input anywhere gives the same output as one call. */
static void test_split_anywhere(void **state)
{
	(void)state;
	static const char in[] = "a\x1b[1;3xb\x1b[31mred\x1b[0m \xe2\x9c\x93\x1b_PXB\x1b\\\xc2\x9b\xf0\x9f\x98\x80z\x1b";
	size_t n = sizeof in - 1, whole_len;
	char *whole = escaped(in, n, &whole_len);
	for (size_t i = 0; i <= n; i++) {
		for (size_t j = i; j <= n; j++) {
			struct escaper e;
			escape_init(&e);
			char out[ESCAPE_OUT_MAX(sizeof in) * 2];
			size_t m = escape_run(&e, in, i, out);
			m += escape_run(&e, in + i, j - i, out + m);
			m += escape_run(&e, in + j, n - j, out + m);
			m += escape_flush(&e, out + m);
			assert_int_equal(m, whole_len);
			assert_memory_equal(out, whole, m);
		}
	}
	free(whole);
}

/* The worst case fits ESCAPE_OUT_MAX: every byte 4 wide, plus a held piece. */
static void test_output_bound(void **state)
{
	(void)state;
	uint8_t in[64];
	memset(in, 0x9B, sizeof in);
	size_t m;
	free(escaped((const char *)in, sizeof in, &m));
	assert_int_equal(m, 4 * sizeof in);
	struct escaper e;
	escape_init(&e);
	char out[ESCAPE_OUT_MAX(ESCAPE_HOLD_MAX)];
	uint8_t csi[ESCAPE_HOLD_MAX] = { 0x1B, '[' };
	memset(csi + 2, '1', ESCAPE_CSI_MAX);
	assert_int_equal(escape_run(&e, csi, sizeof csi, out), 0);
	assert_true(escape_pending(&e));
	m = escape_run(&e, "\x9b", 1, out);
	assert_int_equal(m, 2 + 1 + ESCAPE_CSI_MAX + 4);
	assert_true(m <= ESCAPE_OUT_MAX(1));
}

int main(void)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_every_esc_suffix),
		cmocka_unit_test(test_random_strings),
		cmocka_unit_test(test_forged_frames),
		cmocka_unit_test(test_allowed_unchanged),
		cmocka_unit_test(test_shown_harmlessly),
		cmocka_unit_test(test_split_anywhere),
		cmocka_unit_test(test_output_bound),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("test_escape: %.2f s\n", (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return r;
}
