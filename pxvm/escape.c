/*
 * escape.c — the output escaper; see escape.h and docs/isolation.md.
 */
#include "escape.h"
#include "ascii.h"
#include "port.h"

#define ESC 0x1B

enum { ES_GROUND, ES_ESC, ES_CSI, ES_UTF8 };

void escape_init(struct escaper *e)
{
	e->state = ES_GROUND;
	e->need = 0;
	e->lo = e->hi = 0;
	e->len = 0;
}

int escape_pending(const struct escaper *e) { return e->state != ES_GROUND; }

/* visible: byte b in `cat -v` notation (1..4 printable ASCII bytes). */
static size_t visible(uint8_t b, char *o)
{
	size_t n = 0;
	if (b >= 0x80) {
		o[n++] = 'M';
		o[n++] = '-';
		b &= 0x7F;
	}
	if (b < 0x20) {
		o[n++] = '^';
		o[n++] = (char)(b + '@');
	} else if (b == 0x7F) {
		o[n++] = '^';
		o[n++] = '?';
	} else {
		o[n++] = (char)b;
	}
	return n;
}

/* release: the held bytes do not form an allowed sequence: show them. */
static size_t release(struct escaper *e, char *o)
{
	size_t n = 0;
	for (unsigned i = 0; i < e->len; i++)
		n += visible(e->hold[i], o + n);
	escape_init(e);
	return n;
}

int escape_csi_final(uint8_t b)
{
	switch (b) {
	case 'A': case 'B': case 'C': case 'D': case 'G': case 'H': case 'J': case 'K':
	case 'f': case 'm':
		return 1;
	default:
		return 0;
	}
}

/* utf8_start: begin a UTF-8 sequence with lead byte b (RFC 3629 §4 table of
 * well-formed sequences; C2 may not be followed by 80..9F, which would encode
 * the C1 controls U+0080..U+009F). Returns 0 when b cannot start one. */
static int utf8_start(struct escaper *e, uint8_t b)
{
	uint8_t lo = 0x80, hi = 0xBF, need;
	if (b == 0xC2) {
		lo = 0xA0;
		need = 1;
	} else if (b >= 0xC3 && b <= 0xDF) {
		need = 1;
	} else if (b >= 0xE0 && b <= 0xEF) {
		need = 2;
		if (b == 0xE0)
			lo = 0xA0;
		else if (b == 0xED)
			hi = 0x9F;
	} else if (b >= 0xF0 && b <= 0xF4) {
		need = 3;
		if (b == 0xF0)
			lo = 0x90;
		else if (b == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	e->state = ES_UTF8;
	e->need = need;
	e->lo = lo;
	e->hi = hi;
	e->hold[0] = b;
	e->len = 1;
	return 1;
}

/* step: one input byte. Writes at most 4 + 4 * ESCAPE_HOLD_MAX bytes. */
static size_t step(struct escaper *e, uint8_t b, char *o)
{
	size_t n = 0;
	for (;;) {
		switch (e->state) {
		case ES_GROUND:
			if (ascii_printable(b) || b == '\r' || b == '\n' || b == '\t' || b == '\b') {
				o[n++] = (char)b;
			} else if (b == ESC) {
				e->state = ES_ESC;
				e->hold[0] = b;
				e->len = 1;
			} else if (!utf8_start(e, b)) {
				n += visible(b, o + n);
			}
			return n;
		case ES_ESC:
			if (b == '[') {
				e->state = ES_CSI;
				e->hold[e->len++] = b;
				return n;
			}
			break; /* show the ESC, then b afresh */
		case ES_CSI:
			if ((b >= '0' && b <= '9') || b == ';') {
				if (e->len < ESCAPE_HOLD_MAX) {
					e->hold[e->len++] = b;
					return n;
				}
				break; /* too many parameters */
			}
			if (escape_csi_final(b)) {
				for (unsigned i = 0; i < e->len; i++)
					o[n++] = (char)e->hold[i];
				o[n++] = (char)b;
				escape_init(e);
				return n;
			}
			break; /* not allowed: show it, then b afresh */
		case ES_UTF8:
			if (b >= e->lo && b <= e->hi) {
				e->hold[e->len++] = b;
				e->lo = 0x80;
				e->hi = 0xBF;
				if (--e->need == 0) {
					for (unsigned i = 0; i < e->len; i++)
						o[n++] = (char)e->hold[i];
					escape_init(e);
				}
				return n;
			}
			break; /* ill-formed: show the lead bytes, then b afresh */
		default:
			escape_init(e);
			continue;
		}
		n += release(e, o + n);
	}
}

size_t escape_run(struct escaper *e, const void *in, size_t n, char *out)
{
	const uint8_t *p = in;
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		o += step(e, p[i], out + o);
	return o;
}

size_t escape_flush(struct escaper *e, char *out)
{
	return release(e, out);
}
