/*
 * lineedit.h — the one line editor of pxOS: the console's cooked mode
 * (pxvm/tty.c) and the debug monitor's prompt (kernel/monitor.c) both edit
 * typed bytes into a line with it. Portable, no state but the caller's.
 *
 * Bytes, as a serial terminal or kernel/kbdmap.c sends them:
 *   printable, TAB and bytes >= 0x80   appended and echoed (a full line
 *                                      drops them)
 *   CR, LF, or CR LF                   LE_LINE: the line is complete ("\n"
 *                                      echoed; a LF right after a CR is the
 *                                      same line end, even across lines)
 *   BS or DEL                          erase the last byte ("\b \b")
 *   Ctrl-U                             erase the whole line
 *   Ctrl-C                             LE_INTR (nothing echoed: the caller
 *                                      decides)
 *   Ctrl-D                             LE_EOF on an empty line, else LE_FLUSH
 *                                      (hand the line over without a line end)
 *   ESC sequences                      swallowed: ESC [ ... final byte
 *                                      (0x40..0x7E), ESC O x, ESC x; the
 *                                      arrow keys do nothing
 *   other control bytes                ignored
 */
#ifndef PXVM_LINEEDIT_H
#define PXVM_LINEEDIT_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

enum lineedit_event {
	LE_NONE = 0, /* the byte was taken, or ignored */
	LE_LINE,     /* the line (buf, len) is complete: an end of line was typed */
	LE_FLUSH,    /* Ctrl-D on a non-empty line: hand it over as it is */
	LE_EOF,      /* Ctrl-D on an empty line: end of input */
	LE_INTR,     /* Ctrl-C */
};

struct lineedit {
	char *buf;        /* the line being edited, not NUL-terminated */
	uint32_t cap;     /* bytes of buf; at most cap - 1 are used (room for a
	                   * terminator the caller adds) */
	uint32_t len;     /* bytes in the line */
	uint8_t esc;      /* 0: none, 1: after ESC, 2: inside ESC [ or ESC O */
	bool after_cr;    /* the last byte was CR: a LF now belongs to it */
	void (*echo)(void *ctx, const char *s, size_t n); /* what the typist sees */
	void *ctx;
};

/* lineedit_init: an empty line in `buf` (`cap` >= 1 bytes), echoing through
 * `echo` (with `ctx`). */
void lineedit_init(struct lineedit *le, char *buf, uint32_t cap, void (*echo)(void *ctx, const char *s, size_t n),
                   void *ctx);

/* lineedit_feed: edit with one typed byte `c`; returns what it ended, if
 * anything. After LE_LINE or LE_FLUSH the caller takes buf[0..len) and calls
 * lineedit_clear. */
enum lineedit_event lineedit_feed(struct lineedit *le, uint8_t c);

/* lineedit_clear: forget the line (what was echoed stays on screen). */
void lineedit_clear(struct lineedit *le);

/* lineedit_erase: erase the line on screen ("\b \b" per byte) and forget it. */
void lineedit_erase(struct lineedit *le);

#endif /* PXVM_LINEEDIT_H */
