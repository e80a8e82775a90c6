/*
 * vt.h — the screen console's terminal: a grid of character cells and the
 * parser that acts on the bytes written to it, like a VT100 (ECMA-48) for
 * exactly the control functions the output escaper lets through
 * (pxvm/escape.h, escape_csi_final; docs/isolation.md "The serial line"):
 *
 *   BS  back one column (no erase), CR  column 1, LF  next row, column 1 (the
 *   serial line's CR LF), TAB  next multiple of 8 (no erase);
 *   CSI n A / B / C / D   cursor up / down / forward / back n (default 1),
 *                         stopping at the edges (ECMA-48 §8.3.22 CUU, §8.3.19
 *                         CUD, §8.3.20 CUF, §8.3.18 CUB);
 *   CSI n G               column n (§8.3.9 CHA);
 *   CSI r ; c H or f      row r, column c (1-based, §8.3.21 CUP, §8.3.63 HVP);
 *   CSI n J               erase in display: 0 cursor to end, 1 start to
 *                         cursor, 2 all (§8.3.39 ED);
 *   CSI n K               erase in line: the same in the cursor's row (§8.3.41 EL);
 *   CSI ... m             SGR (§8.3.117): 0 reset, 1 bold (bright), 22 normal,
 *                         7 / 27 reverse on / off, 30-37 / 90-97 and 40-47 /
 *                         100-107 the 16 colours, 39 / 49 default, 38;5;n /
 *                         48;5;n the 256 colours (xterm), 38;2;r;g;b /
 *                         48;2;r;g;b direct colour; others are ignored.
 *
 * Every coordinate is clamped to the grid, a parameter saturates, a sequence
 * with more than ESCAPE_CSI_MAX parameter bytes is dropped whole, and any
 * other control byte or sequence is ignored, so no input can index outside
 * the grid. Erasing a whole row only marks it blank (its cells are filled
 * when a character is next written in it), so a byte costs O(columns) at
 * most, an erase in display O(rows), whatever the input.
 * A character written in the last column sets the VT100 last-column flag:
 * the next one starts the next row. UTF-8 is decoded; a character in
 * Latin-1 takes its glyph, any other one shows as '?'. Erased cells take the
 * current background colour (xterm's "bce").
 *
 * The grid has at least VT_ROWS_MIN rows (the 80 x 24 screen full-screen
 * programs such as edit draw), however few the screen shows: the screen
 * shows `view_rows` of them, the window that holds the cursor (it moves only
 * when the cursor leaves it). Output at the bottom scrolls the whole grid,
 * so a console smaller than the grid looks like one that scrolls itself.
 *
 * Portable: the kernel's console (kernel/console.c) draws it; the unit test
 * (tests/unit/test_vt.c) feeds it sequences and checks the cells.
 */
#ifndef PXOS_VT_H
#define PXOS_VT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/param.h"

#define VT_PARAMS_MAX (ESCAPE_CSI_MAX + 1) /* ";" between every parameter byte */
#define VT_PARAM_MAX  9999u                 /* a larger parameter counts as this */

enum { VT_BOLD = 1, VT_REVERSE = 2 };

struct vt {
	int rows, cols;           /* the grid */
	int view_rows, view_top;  /* the rows the screen shows: view_top.. */
	int top;                  /* ring index of row 0 (a scroll moves it) */
	int row, col;             /* the cursor, 0-based */
	bool wrap;                /* the last-column flag */
	uint8_t attr;             /* VT_BOLD | VT_REVERSE */
	int16_t fg_index, bg_index; /* 0..255: palette; -1: default; -2: *_rgb */
	uint32_t fg_rgb, bg_rgb;
	uint32_t def_fg, def_bg;  /* pixel words (FB_RGB) */
	bool kernel_color;        /* vt_set_color's colour is on; the SGR state below waits */
	uint8_t saved_attr;
	int16_t saved_fg_index, saved_bg_index;
	uint32_t saved_fg_rgb, saved_bg_rgb;
	uint8_t state;            /* parser state (vt.c) */
	uint8_t nbytes;           /* parameter bytes of the sequence so far */
	uint8_t nparam;
	uint32_t param[VT_PARAMS_MAX];
	uint8_t utf8_need;        /* continuation bytes still to come */
	uint32_t utf8_cp;
	uint64_t gen;             /* bumped by every change of cells, cursor or window */
	bool blank[CONSOLE_ROWS_MAX];      /* ring row is all blanks on blank_bg (its cells are stale) */
	uint32_t blank_bg[CONSOLE_ROWS_MAX];
	uint8_t ch[CONSOLE_ROWS_MAX][CONSOLE_COLS_MAX]; /* Latin-1; ring of rows */
	uint32_t fg[CONSOLE_ROWS_MAX][CONSOLE_COLS_MAX];
	uint32_t bg[CONSOLE_ROWS_MAX][CONSOLE_COLS_MAX];
};

/* vt_init: an empty grid `cols` wide (1..CONSOLE_COLS_MAX, clamped) of
 * max(view_rows, VT_ROWS_MIN) rows (at most CONSOLE_ROWS_MAX), of which
 * the screen shows `view_rows` (clamped to 1..rows); colours fg on bg (pixel
 * words), cursor at the top left. */
void vt_init(struct vt *v, int view_rows, int cols, uint32_t fg, uint32_t bg);

/* vt_write: act on `n` bytes at `s` (the escaper's output, but any bytes are
 * safe); a sequence or UTF-8 character split between calls is kept. */
void vt_write(struct vt *v, const char *s, size_t n);

/* vt_set_color: the kernel's own colours (log levels, stderr, panic
 * reports): `fg` other than the default foreground: the following characters
 * in `fg` on the default background, bold and reverse off, the SGR state the
 * guests set kept aside; the default foreground: that SGR state back. */
void vt_set_color(struct vt *v, uint32_t fg);

/* vt_cell: the character (Latin-1) and colours of grid row `row`, column
 * `col` (0-based, within the grid: the caller's invariant). */
static inline void vt_cell(const struct vt *v, int row, int col, uint8_t *ch, uint32_t *fg, uint32_t *bg)
{
	int r = (v->top + row) % v->rows;
	if (v->blank[r]) {
		*ch = ' ';
		*fg = v->def_fg;
		*bg = v->blank_bg[r];
		return;
	}
	*ch = v->ch[r][col];
	*fg = v->fg[r][col];
	*bg = v->bg[r][col];
}

/* vt_row_text: grid row `row` (0..rows-1) as UTF-8 without its trailing
 * blanks, NUL-terminated, into `out` of `cap` bytes (2 * cols + 1 hold any
 * row; a shorter buffer gets the row's start, never half a character).
 * Returns the length; 0 for a row outside the grid. */
size_t vt_row_text(const struct vt *v, int row, char *out, size_t cap);

/* vt_text_utf8: `n` Latin-1 cells as UTF-8 without trailing blanks,
 * NUL-terminated, into `out` of `cap` bytes (2 * n + 1 hold them all; a
 * shorter buffer gets their start, never half a character). Returns the
 * length. */
size_t vt_text_utf8(const uint8_t *cells, int n, char *out, size_t cap);

#endif /* PXOS_VT_H */
