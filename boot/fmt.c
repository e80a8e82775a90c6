/*
 * fmt.c — printf-style formatting for the loader; see fmt.h.
 */
#include "boot/fmt.h"

#include <stdint.h>
#include <stdbool.h>

struct out {
	char *buf;
	size_t cap;
	size_t len; /* bytes the full output needs so far */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int count)
{
	while (count-- > 0)
		put(o, c);
}

/* Emit `digits` (already in order) with sign/prefix, width and flags. */
static void emit_number(struct out *o, const char *prefix, const char *digits,
			int ndigits, int width, bool left, bool zero)
{
	int plen = 0;
	while (prefix[plen])
		plen++;
	int fill = width - plen - ndigits;
	if (!left && !zero)
		pad(o, ' ', fill);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (!left && zero)
		pad(o, '0', fill);
	for (int i = 0; i < ndigits; i++)
		put(o, digits[i]);
	if (left)
		pad(o, ' ', fill);
}

static int to_digits(uint64_t v, unsigned base, bool upper, char *out)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char rev[24];
	int n = 0;
	do {
		rev[n++] = set[v % base];
		v /= base;
	} while (v);
	for (int i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	return n;
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_MAX };

static uint64_t fetch_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR: return (unsigned char)va_arg(*ap, unsigned);
	case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned);
	case LEN_LONG: return va_arg(*ap, unsigned long);
	case LEN_LLONG: return va_arg(*ap, unsigned long long);
	case LEN_SIZE: return va_arg(*ap, size_t);
	case LEN_MAX: return va_arg(*ap, uintmax_t);
	default: return va_arg(*ap, unsigned);
	}
}

static int64_t fetch_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR: return (signed char)va_arg(*ap, int);
	case LEN_SHORT: return (short)va_arg(*ap, int);
	case LEN_LONG: return va_arg(*ap, long);
	case LEN_LLONG: return va_arg(*ap, long long);
	case LEN_SIZE: return (int64_t)va_arg(*ap, size_t);
	case LEN_MAX: return va_arg(*ap, intmax_t);
	default: return va_arg(*ap, int);
	}
}

int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap_in)
{
	struct out o = { buf, n, 0 };
	va_list ap;
	va_copy(ap, ap_in);

	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(&o, *p);
			continue;
		}
		const char *start = p++;
		bool left = false, zero = false;
		for (;; p++) {
			if (*p == '-')
				left = true;
			else if (*p == '0')
				zero = true;
			else
				break;
		}
		int width = 0;
		if (*p == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = true;
				width = -width;
			}
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				width = width * 10 + (*p++ - '0');
		}
		int prec = -1;
		if (*p == '.') {
			p++;
			prec = 0;
			if (*p == '*') {
				prec = va_arg(ap, int);
				p++;
			} else {
				while (*p >= '0' && *p <= '9')
					prec = prec * 10 + (*p++ - '0');
			}
		}
		enum length len = LEN_INT;
		if (*p == 'h') {
			len = LEN_SHORT;
			if (*++p == 'h') {
				len = LEN_CHAR;
				p++;
			}
		} else if (*p == 'l') {
			len = LEN_LONG;
			if (*++p == 'l') {
				len = LEN_LLONG;
				p++;
			}
		} else if (*p == 'z') {
			len = LEN_SIZE;
			p++;
		} else if (*p == 'j') {
			len = LEN_MAX;
			p++;
		}

		char digits[24];
		int nd;
		switch (*p) {
		case '%':
			put(&o, '%');
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!left)
				pad(&o, ' ', width - 1);
			put(&o, c);
			if (left)
				pad(&o, ' ', width - 1);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int sl = 0;
			while (s[sl] && (prec < 0 || sl < prec))
				sl++;
			if (!left)
				pad(&o, ' ', width - sl);
			for (int i = 0; i < sl; i++)
				put(&o, s[i]);
			if (left)
				pad(&o, ' ', width - sl);
			break;
		}
		case 'd':
		case 'i': {
			int64_t v = fetch_signed(&ap, len);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			nd = to_digits(mag, 10, false, digits);
			emit_number(&o, v < 0 ? "-" : "", digits, nd, width, left, zero);
			break;
		}
		case 'u':
			nd = to_digits(fetch_unsigned(&ap, len), 10, false, digits);
			emit_number(&o, "", digits, nd, width, left, zero);
			break;
		case 'x':
		case 'X':
			nd = to_digits(fetch_unsigned(&ap, len), 16, *p == 'X', digits);
			emit_number(&o, "", digits, nd, width, left, zero);
			break;
		case 'p':
			nd = to_digits((uint64_t)(uintptr_t)va_arg(ap, void *), 16, false, digits);
			emit_number(&o, "0x", digits, nd, width, left, zero);
			break;
		default:
			/* Unknown conversion: copy it through verbatim. */
			for (const char *q = start; q <= p && *q; q++)
				put(&o, *q);
			if (!*p)
				p--; /* the format ended inside the conversion */
			break;
		}
	}
	va_end(ap);
	if (n > 0)
		buf[o.len < n ? o.len : n - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = fmt_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}
