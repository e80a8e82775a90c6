/*
 * lex.c — pxasm's lexer: one source line into tokens (docs/pxasm.md, "Syntax").
 *
 * Identifiers [A-Za-z_.][A-Za-z0-9_.]* (a lone "." is the current address);
 * numbers 123, 0x7F, 0b101; character literals 'c'; strings "..."; the
 * punctuation , : [ ] ( ) + - * / % & | ^ ~ = << >>; comments from ";" or "//".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxvm/ascii.h"
#include "tools/pxasm/internal.h"

bool pa_is_ident_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.';
}

static bool ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* A printable rendering of byte c for messages. */
static void char_desc(int c, char buf[8])
{
	if (ascii_printable((unsigned)c))
		snprintf(buf, 8, "%c", c);
	else
		snprintf(buf, 8, "\\x%02X", (unsigned)c & 0xFFu);
}

static void lex_error(struct pa_toks *t, int col, const char *fmt, const char *arg)
{
	if (t->err_col >= 0)
		return;
	t->err_col = col;
	snprintf(t->err, sizeof t->err, fmt, arg);
}

static struct pa_tok *push(struct pa_toks *t, int kind, int col, int len)
{
	PA_GROW(t->v, t->n, t->cap);
	struct pa_tok *k = &t->v[t->n++];
	memset(k, 0, sizeof *k);
	k->kind = (uint8_t)kind;
	k->col = col;
	k->len = len;
	return k;
}

static void sbuf_put(struct pa_toks *t, char c)
{
	PA_GROW(t->sbuf, t->sn, t->scap);
	t->sbuf[t->sn++] = c;
}

/* Decode one character or escape at s[*i] (inside quotes); returns the byte,
 * or -1 after a lexical error. */
static int lex_char(const char *s, size_t len, size_t *i, struct pa_toks *t)
{
	size_t at = *i;
	unsigned char c = (unsigned char)s[at];
	if (c != '\\') {
		*i = at + 1;
		return c;
	}
	if (at + 1 >= len) {
		lex_error(t, (int)at, "%s", "bad escape '\\' at the end of the line");
		return -1;
	}
	char e = s[at + 1];
	*i = at + 2;
	switch (e) {
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case '0': return 0;
	case '\\': return '\\';
	case '"': return '"';
	case '\'': return '\'';
	case 'x': {
		int h = at + 2 < len ? hexval((unsigned char)s[at + 2]) : -1;
		int l = at + 3 < len ? hexval((unsigned char)s[at + 3]) : -1;
		if (h < 0 || l < 0) {
			lex_error(t, (int)at, "%s", "bad escape: \\x needs two hex digits (\\xHH)");
			return -1;
		}
		*i = at + 4;
		return h * 16 + l;
	}
	default: {
		char d[8];
		char_desc((unsigned char)e, d);
		lex_error(t, (int)at,
			  "bad escape '\\%s'; the escapes are \\n \\t \\r \\0 \\\\ \\\" \\' \\xHH", d);
		return -1;
	}
	}
}

static void lex_number(const char *s, size_t len, size_t *ip, struct pa_toks *t)
{
	size_t i = *ip, start = i;
	int base = 10;
	const char *what = "decimal";
	if (s[i] == '0' && i + 1 < len && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		base = 16, what = "hex", i += 2;
	} else if (s[i] == '0' && i + 1 < len && (s[i + 1] == 'b' || s[i + 1] == 'B')) {
		base = 2, what = "binary", i += 2;
	}
	size_t digits = i;
	uint64_t v = 0;
	bool overflow = false;
	while (i < len && pa_is_ident_char((unsigned char)s[i]) && s[i] != '.') {
		int d = hexval((unsigned char)s[i]);
		if (d < 0 || d >= base) {
			char cd[8], msg[64];
			char_desc((unsigned char)s[i], cd);
			snprintf(msg, sizeof msg, "bad digit '%s' in %s number", cd, what);
			lex_error(t, (int)i, "%s", msg);
			*ip = len;
			return;
		}
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			overflow = true;
		v = v * (uint64_t)base + (uint64_t)d;
		i++;
	}
	if (i == digits) {
		lex_error(t, (int)start, "bad number: '%s' prefix without digits",
			  base == 16 ? "0x" : "0b");
		*ip = len;
		return;
	}
	if (overflow || v > (uint64_t)INT64_MAX) {
		lex_error(t, (int)start, "%s", "number too large (limit 2^63-1)");
		*ip = len;
		return;
	}
	push(t, TK_NUM, (int)start, (int)(i - start))->num = (int64_t)v;
	*ip = i;
}

static void lex_quoted(const char *s, size_t len, size_t *ip, struct pa_toks *t)
{
	size_t i = *ip, start = i;
	char q = s[i++];
	size_t sstart = t->sn;
	int count = 0, first = 0;
	while (i < len && s[i] != q) {
		int c = lex_char(s, len, &i, t);
		if (c < 0) {
			*ip = len;
			return;
		}
		if (count++ == 0)
			first = c;
		if (q == '"')
			sbuf_put(t, (char)c);
	}
	if (i >= len) {
		lex_error(t, (int)start, "%s", q == '"' ? "unterminated string (missing closing \")"
							: "unterminated character literal (missing closing ')");
		*ip = len;
		return;
	}
	i++;
	if (q == '"') {
		struct pa_tok *k = push(t, TK_STR, (int)start, (int)(i - start));
		k->str = sstart;
		k->slen = t->sn - sstart;
	} else if (count != 1) {
		lex_error(t, (int)start, "%s", count ? "a character literal holds one character (use .ascii for more)"
						     : "empty character literal");
		i = len;
	} else {
		push(t, TK_NUM, (int)start, (int)(i - start))->num = first;
	}
	*ip = i;
}

void pa_lex(const char *s, size_t len, struct pa_toks *t)
{
	size_t i = 0;
	t->n = 0;
	t->sn = 0;
	t->err_col = -1;
	t->err[0] = '\0';
	while (i < len && t->err_col < 0) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			i++;
		} else if (c == ';' || (c == '/' && i + 1 < len && s[i + 1] == '/')) {
			break;
		} else if (ident_start(c) || (c == '.' && i + 1 < len && ident_start((unsigned char)s[i + 1]))) {
			size_t st = i++;
			while (i < len && pa_is_ident_char((unsigned char)s[i]))
				i++;
			push(t, TK_IDENT, (int)st, (int)(i - st));
		} else if (c == '.') {
			push(t, TK_DOT, (int)i, 1);
			i++;
		} else if (c >= '0' && c <= '9') {
			lex_number(s, len, &i, t);
		} else if (c == '"' || c == '\'') {
			lex_quoted(s, len, &i, t);
		} else if ((c == '<' || c == '>') && i + 1 < len && s[i + 1] == (char)c) {
			push(t, TK_PUNCT, (int)i, 2)->op = c == '<' ? P_SHL : P_SHR;
			i += 2;
		} else if (strchr(",:[]()+-*/%&|^~=", c) && c) {
			push(t, TK_PUNCT, (int)i, 1)->op = c;
			i++;
		} else if (c == '\\') {
			lex_error(t, (int)i, "%s", "stray '\\': macro parameters (\\name) are replaced only "
					  "inside a .macro body, and only for that macro's parameter names");
		} else {
			char d[8];
			char_desc(c, d);
			lex_error(t, (int)i, c == '<' || c == '>' ? "unexpected character '%s' (shifts are << and >>)"
							      : "unexpected character '%s'", d);
		}
	}
	int endcol = (int)(i < len ? i : len);
	push(t, TK_END, endcol, 0);
}

void pa_toks_free(struct pa_toks *t)
{
	free(t->v);
	free(t->sbuf);
	memset(t, 0, sizeof *t);
}

bool pa_is_punct(const struct pa_tok *k, int op)
{
	return k->kind == TK_PUNCT && k->op == op;
}

int pa_split_commas(const struct pa_toks *t, size_t first, size_t *start, size_t *end, int max)
{
	int n = 0, nest = 0;
	if (t->v[first].kind == TK_END)
		return 0;
	size_t st = first;
	for (size_t j = first;; j++) {
		const struct pa_tok *a = &t->v[j];
		if (pa_is_punct(a, '(') || pa_is_punct(a, '['))
			nest++;
		else if ((pa_is_punct(a, ')') || pa_is_punct(a, ']')) && nest > 0)
			nest--;
		if (a->kind != TK_END && !(nest == 0 && pa_is_punct(a, ',')))
			continue;
		if (n < max) {
			start[n] = st;
			end[n] = j;
		}
		n++;
		if (a->kind == TK_END)
			return n;
		st = j + 1;
	}
}
