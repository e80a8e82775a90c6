/*
 * lineedit.c — the line editor; see lineedit.h.
 */
#include "lineedit.h"

void lineedit_init(struct lineedit *le, char *buf, uint32_t cap, void (*echo)(void *ctx, const char *s, size_t n),
                   void *ctx)
{
	le->buf = buf;
	le->cap = cap;
	le->len = 0;
	le->esc = 0;
	le->after_cr = false;
	le->echo = echo;
	le->ctx = ctx;
}

void lineedit_clear(struct lineedit *le) { le->len = 0; }

static void rubout(struct lineedit *le)
{
	le->len--;
	le->echo(le->ctx, "\b \b", 3);
}

void lineedit_erase(struct lineedit *le)
{
	while (le->len)
		rubout(le);
}

enum lineedit_event lineedit_feed(struct lineedit *le, uint8_t c)
{
	bool crlf = le->after_cr && c == '\n';
	le->after_cr = c == '\r';
	if (crlf)
		return LE_NONE;
	if (le->esc == 1) {
		le->esc = (c == '[' || c == 'O') ? 2 : 0;
		return LE_NONE;
	}
	if (le->esc == 2) {
		if (c >= 0x40 && c <= 0x7E)
			le->esc = 0;
		return LE_NONE;
	}
	switch (c) {
	case 0x1B:
		le->esc = 1;
		return LE_NONE;
	case '\r':
	case '\n':
		le->echo(le->ctx, "\n", 1);
		return LE_LINE;
	case 0x08:
	case 0x7F:
		if (le->len)
			rubout(le);
		return LE_NONE;
	case 0x15: /* Ctrl-U */
		lineedit_erase(le);
		return LE_NONE;
	case 0x03: /* Ctrl-C */
		return LE_INTR;
	case 0x04: /* Ctrl-D */
		return le->len ? LE_FLUSH : LE_EOF;
	default:
		if (c < 0x20 && c != '\t')
			return LE_NONE;
		if (le->len + 1 >= le->cap)
			return LE_NONE;
		le->buf[le->len++] = (char)c;
		le->echo(le->ctx, (const char *)&c, 1);
		return LE_NONE;
	}
}
