/*
 * test_vt.c — kernel/vt.c, the screen console's terminal: byte strings in
 * (what guests send through the output escaper: the Python REPL's redraws,
 * edit's screen, colours, hostile input), the cell grid and cursor checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/vt.h"
#include "pxvm/escape.h"
#include "drivers/fb.h"

#define FG FB_RGB(200, 200, 200)
#define BG FB_RGB(0, 0, 0)

static struct vt vt, vt2;

static void wr(struct vt *v, const char *s) { vt_write(v, s, strlen(s)); }

static const char *row(const struct vt *v, int r)
{
	static char buf[2 * CONSOLE_COLS_MAX + 1];
	vt_row_text(v, r, buf, sizeof(buf));
	return buf;
}

static void cursor_is(const struct vt *v, int r, int c)
{
	if (v->row != r || v->col != c)
		fail_msg("cursor at %d,%d, expected %d,%d", v->row, v->col, r, c);
}

static uint32_t fg_at(const struct vt *v, int r, int c)
{
	uint8_t ch;
	uint32_t fg, bg;
	vt_cell(v, r, c, &ch, &fg, &bg);
	return fg;
}

static uint32_t bg_at(const struct vt *v, int r, int c)
{
	uint8_t ch;
	uint32_t fg, bg;
	vt_cell(v, r, c, &ch, &fg, &bg);
	return bg;
}

/* same: two terminals show the same cells, cursor and window. */
static void assert_same(const struct vt *a, const struct vt *b)
{
	assert_int_equal(a->row, b->row);
	assert_int_equal(a->col, b->col);
	assert_int_equal(a->wrap, b->wrap);
	assert_int_equal(a->view_top, b->view_top);
	for (int r = 0; r < a->rows; r++)
		for (int c = 0; c < a->cols; c++) {
			uint8_t c1, c2;
			uint32_t f1, f2, b1, b2;
			vt_cell(a, r, c, &c1, &f1, &b1);
			vt_cell(b, r, c, &c2, &f2, &b2);
			if (c1 != c2 || f1 != f2 || b1 != b2)
				fail_msg("cell %d,%d differs: '%c' %06x/%06x vs '%c' %06x/%06x", r, c, c1, f1, b1, c2, f2, b2);
		}
}

static void test_geometry(void **state)
{
	(void)state;
	vt_init(&vt, 10, 80, FG, BG);
	assert_int_equal(vt.rows, VT_ROWS_MIN); /* edit's 24 rows, 10 of them shown */
	assert_int_equal(vt.view_rows, 10);
	assert_int_equal(vt.cols, 80);
	vt_init(&vt, 40, 100, FG, BG);
	assert_int_equal(vt.rows, 40);
	assert_int_equal(vt.view_rows, 40);
	vt_init(&vt, 100000, 100000, FG, BG); /* clamped to the buffer */
	assert_int_equal(vt.rows, CONSOLE_ROWS_MAX);
	assert_int_equal(vt.cols, CONSOLE_COLS_MAX);
	vt_init(&vt, 0, -5, FG, BG);
	assert_int_equal(vt.cols, 1);
	assert_int_equal(vt.view_rows, 1);
	wr(&vt, "abc\x1b[99;99H\x1b[5Axyz");
	assert_true(vt.row >= 0 && vt.row < vt.rows && vt.col == 0);
}

static void test_text_wrap_scroll(void **state)
{
	(void)state;
	vt_init(&vt, 4, 10, FG, BG);
	wr(&vt, "hello\nworld");
	assert_string_equal(row(&vt, 0), "hello");
	assert_string_equal(row(&vt, 1), "world");
	cursor_is(&vt, 1, 5);
	/* The last column: the cursor stays on it (the flag) until the next character. */
	wr(&vt, "\r0123456789");
	cursor_is(&vt, 1, 9);
	assert_true(vt.wrap);
	assert_string_equal(row(&vt, 2), "");
	wr(&vt, "X");
	assert_string_equal(row(&vt, 1), "0123456789");
	assert_string_equal(row(&vt, 2), "X");
	cursor_is(&vt, 2, 1);
	/* The flag and CR: no new row. */
	wr(&vt, "\r0123456789\rab");
	assert_string_equal(row(&vt, 2), "ab23456789");
	/* LF at the bottom of the 24-row grid scrolls it; the window follows the cursor. */
	vt_init(&vt, 4, 10, FG, BG);
	for (int i = 0; i < 30; i++) {
		char line[16];
		snprintf(line, sizeof(line), "line %d\n", i);
		wr(&vt, line);
	}
	cursor_is(&vt, VT_ROWS_MIN - 1, 0);
	assert_string_equal(row(&vt, VT_ROWS_MIN - 2), "line 29");
	assert_string_equal(row(&vt, 0), "line 7");
	assert_int_equal(vt.view_top, VT_ROWS_MIN - 4);
}

static void test_bs_cr_tab(void **state)
{
	(void)state;
	vt_init(&vt, 4, 40, FG, BG);
	wr(&vt, "abcdef\b\b");
	assert_string_equal(row(&vt, 0), "abcdef"); /* BS moves, never erases */
	cursor_is(&vt, 0, 4);
	wr(&vt, "\b \b");
	assert_string_equal(row(&vt, 0), "abc ef");
	cursor_is(&vt, 0, 3);
	wr(&vt, "\b\b\b\b\b\b");
	cursor_is(&vt, 0, 0); /* stops at column 0 */
	wr(&vt, "\tX\tY");
	assert_string_equal(row(&vt, 0), "abc ef  X       Y"); /* TAB moves, never erases */
	cursor_is(&vt, 0, 17);
	wr(&vt, "\t\t\t\t\t\t");
	cursor_is(&vt, 0, 39); /* stops at the last column */
	wr(&vt, "\rZ");
	assert_string_equal(row(&vt, 0), "Zbc ef  X       Y");
	/* BS with the last-column flag: from the last column, like a VT100. */
	vt_init(&vt, 4, 5, FG, BG);
	wr(&vt, "abcde\bX");
	assert_string_equal(row(&vt, 0), "abcXe");
}

static void test_cursor_moves(void **state)
{
	(void)state;
	vt_init(&vt, 10, 80, FG, BG);
	wr(&vt, "\x1b[5;10H");
	cursor_is(&vt, 4, 9);
	wr(&vt, "\x1b[2A");
	cursor_is(&vt, 2, 9);
	wr(&vt, "\x1b[A"); /* default 1 */
	cursor_is(&vt, 1, 9);
	wr(&vt, "\x1b[0B"); /* 0 is the default too */
	cursor_is(&vt, 2, 9);
	wr(&vt, "\x1b[3B\x1b[4C");
	cursor_is(&vt, 5, 13);
	wr(&vt, "\x1b[10D");
	cursor_is(&vt, 5, 3);
	wr(&vt, "\x1b[20G");
	cursor_is(&vt, 5, 19);
	wr(&vt, "\x1b[G");
	cursor_is(&vt, 5, 0);
	wr(&vt, "\x1b[7;3f");
	cursor_is(&vt, 6, 2);
	wr(&vt, "\x1b[H");
	cursor_is(&vt, 0, 0);
	wr(&vt, "\x1b[;5H");
	cursor_is(&vt, 0, 4);
	wr(&vt, "\x1b[3;H");
	cursor_is(&vt, 2, 0);
	/* Clamped: to the grid, never beyond; huge counts saturate. */
	wr(&vt, "\x1b[99A");
	cursor_is(&vt, 0, 0);
	wr(&vt, "\x1b[99999999999999B");
	cursor_is(&vt, VT_ROWS_MIN - 1, 0);
	wr(&vt, "\x1b[9999C");
	cursor_is(&vt, VT_ROWS_MIN - 1, 79);
	wr(&vt, "\x1b[9999D");
	cursor_is(&vt, VT_ROWS_MIN - 1, 0);
	wr(&vt, "\x1b[1000;1000H");
	cursor_is(&vt, VT_ROWS_MIN - 1, 79);
	wr(&vt, "\x1b[1000G");
	cursor_is(&vt, VT_ROWS_MIN - 1, 79);
	/* A move clears the last-column flag. */
	vt_init(&vt, 4, 5, FG, BG);
	wr(&vt, "abcde\x1b[2DX");
	assert_string_equal(row(&vt, 0), "abXde");
	cursor_is(&vt, 0, 3);
}

static void fill(struct vt *v)
{
	vt_init(v, 4, 10, FG, BG);
	wr(v, "0123456789\r\n0123456789\r\n0123456789\r\n0123456789");
}

static void test_erase(void **state)
{
	(void)state;
	fill(&vt);
	wr(&vt, "\x1b[2;5H\x1b[K");
	assert_string_equal(row(&vt, 1), "0123");
	cursor_is(&vt, 1, 4); /* an erase does not move the cursor */
	wr(&vt, "\x1b[1K");
	assert_string_equal(row(&vt, 1), "");
	fill(&vt);
	wr(&vt, "\x1b[2;5H\x1b[0K");
	assert_string_equal(row(&vt, 1), "0123");
	wr(&vt, "\x1b[3;5H\x1b[1K");
	assert_string_equal(row(&vt, 2), "     56789");
	wr(&vt, "\x1b[2K");
	assert_string_equal(row(&vt, 2), "");
	assert_string_equal(row(&vt, 3), "0123456789");
	fill(&vt);
	wr(&vt, "\x1b[2;5H\x1b[J");
	assert_string_equal(row(&vt, 0), "0123456789");
	assert_string_equal(row(&vt, 1), "0123");
	assert_string_equal(row(&vt, 2), "");
	assert_string_equal(row(&vt, 3), "");
	fill(&vt);
	wr(&vt, "\x1b[3;5H\x1b[1J");
	assert_string_equal(row(&vt, 0), "");
	assert_string_equal(row(&vt, 1), "");
	assert_string_equal(row(&vt, 2), "     56789");
	assert_string_equal(row(&vt, 3), "0123456789");
	fill(&vt);
	wr(&vt, "\x1b[3;5H\x1b[2J");
	for (int r = 0; r < vt.rows; r++)
		assert_string_equal(row(&vt, r), "");
	cursor_is(&vt, 2, 4);
	/* Blank rows are not erased again: erasing a blank grid changes
	 * nothing (the generation moves once, for the sequence). */
	vt_init(&vt, 4, 10, FG, BG);
	uint64_t g = vt.gen;
	wr(&vt, "\x1b[2J\x1b[J\x1b[2K");
	assert_int_equal(vt.gen - g, 3);
	wr(&vt, "\x1b[44m\x1b[2J"); /* another background: erased */
	assert_int_equal(bg_at(&vt, 5, 5), FB_RGB(0, 0, 238));
	assert_int_equal(fg_at(&vt, 5, 5), FG);
	assert_true(vt.gen - g > 4 + VT_ROWS_MIN - 1);
	/* A row marked blank gets its cells when written: the rest of it keeps
	 * the erase's background, not the writer's. */
	wr(&vt, "\x1b[6;3H\x1b[41mx\x1b[K");
	assert_string_equal(row(&vt, 5), "  x");
	assert_int_equal(bg_at(&vt, 5, 0), FB_RGB(0, 0, 238));
	assert_int_equal(bg_at(&vt, 5, 2), FB_RGB(205, 0, 0));
	assert_int_equal(bg_at(&vt, 5, 3), FB_RGB(205, 0, 0));
	assert_int_equal(bg_at(&vt, 4, 3), FB_RGB(0, 0, 238));
	wr(&vt, "\x1b[44m\x1b[1K"); /* to the cursor (column 3), inclusive */
	assert_int_equal(bg_at(&vt, 5, 2), FB_RGB(0, 0, 238));
	assert_int_equal(bg_at(&vt, 5, 3), FB_RGB(0, 0, 238));
	assert_int_equal(bg_at(&vt, 5, 4), FB_RGB(205, 0, 0));
	assert_string_equal(row(&vt, 5), "");
	/* Unknown modes do nothing. */
	fill(&vt);
	wr(&vt, "\x1b[3;5H\x1b[5J\x1b[3K\x1b[3J");
	assert_string_equal(row(&vt, 2), "0123456789");
}

static void test_sgr(void **state)
{
	(void)state;
	const uint32_t red = FB_RGB(205, 0, 0), bright_red = FB_RGB(255, 0, 0), blue = FB_RGB(0, 0, 238);
	vt_init(&vt, 4, 40, FG, BG);
	wr(&vt, "a\x1b[31mb\x1b[1mc\x1b[22;44md\x1b[0me\x1b[91;41mf\x1b[39;49mg\x1b[7mh\x1b[27mi\x1b[mj");
	assert_string_equal(row(&vt, 0), "abcdefghij");
	assert_int_equal(fg_at(&vt, 0, 0), FG);
	assert_int_equal(fg_at(&vt, 0, 1), red);
	assert_int_equal(fg_at(&vt, 0, 2), bright_red); /* bold: the bright colour */
	assert_int_equal(fg_at(&vt, 0, 3), red);
	assert_int_equal(bg_at(&vt, 0, 3), blue);
	assert_int_equal(fg_at(&vt, 0, 4), FG);
	assert_int_equal(bg_at(&vt, 0, 4), BG);
	assert_int_equal(fg_at(&vt, 0, 5), bright_red);
	assert_int_equal(bg_at(&vt, 0, 5), red);
	assert_int_equal(fg_at(&vt, 0, 6), FG);
	assert_int_equal(bg_at(&vt, 0, 6), BG);
	assert_int_equal(fg_at(&vt, 0, 7), BG); /* reverse */
	assert_int_equal(bg_at(&vt, 0, 7), FG);
	assert_int_equal(fg_at(&vt, 0, 8), FG);
	assert_int_equal(fg_at(&vt, 0, 9), FG);
	/* 256 colours, direct colour, bright backgrounds, bold default. */
	wr(&vt, "\r\n\x1b[38;5;196mA\x1b[48;5;21mB\x1b[0;38;2;1;2;3mC\x1b[48;2;4;5;6mD\x1b[0;38;5;244mE"
	        "\x1b[0;104mF\x1b[0;1mG\x1b[0;38;5;9999mH\x1b[0;38;2;300;1;1mI\x1b[0;38;7mJ\x1b[0;4;5;8mK");
	assert_string_equal(row(&vt, 1), "ABCDEFGHIJK");
	assert_int_equal(fg_at(&vt, 1, 0), FB_RGB(255, 0, 0));
	assert_int_equal(bg_at(&vt, 1, 1), FB_RGB(0, 0, 255));
	assert_int_equal(fg_at(&vt, 1, 2), FB_RGB(1, 2, 3));
	assert_int_equal(bg_at(&vt, 1, 3), FB_RGB(4, 5, 6));
	assert_int_equal(fg_at(&vt, 1, 4), FB_RGB(128, 128, 128));
	assert_int_equal(bg_at(&vt, 1, 5), FB_RGB(92, 92, 255));
	assert_int_equal(fg_at(&vt, 1, 6), FB_RGB(255, 255, 255));
	assert_int_equal(fg_at(&vt, 1, 7), FG); /* out of range: ignored */
	assert_int_equal(fg_at(&vt, 1, 8), FG);
	assert_int_equal(fg_at(&vt, 1, 9), FG);
	assert_int_equal(fg_at(&vt, 1, 10), FG); /* underline, blink, hidden: ignored */
	/* Erase takes the current background (bce), the default foreground. */
	wr(&vt, "\x1b[0;31;42m\x1b[K");
	assert_int_equal(bg_at(&vt, 1, 20), FB_RGB(0, 205, 0));
	assert_int_equal(fg_at(&vt, 1, 20), FG);
	/* The kernel's colours: plain, on the default background; the guest's
	 * SGR state (red on green) comes back after them. */
	vt_set_color(&vt, FB_RGB(1, 1, 1));
	wr(&vt, "\r\nk");
	vt_set_color(&vt, FB_RGB(2, 2, 2));
	wr(&vt, "K");
	assert_int_equal(fg_at(&vt, 2, 0), FB_RGB(1, 1, 1));
	assert_int_equal(bg_at(&vt, 2, 0), BG);
	assert_int_equal(fg_at(&vt, 2, 1), FB_RGB(2, 2, 2));
	vt_set_color(&vt, FG);
	wr(&vt, "g");
	assert_int_equal(fg_at(&vt, 2, 2), red);
	assert_int_equal(bg_at(&vt, 2, 2), FB_RGB(0, 205, 0));
	vt_set_color(&vt, FG); /* no kernel colour on: nothing changes */
	wr(&vt, "\x1b[0;1ml");
	assert_int_equal(fg_at(&vt, 2, 3), FB_RGB(255, 255, 255));
}

/* The allowlist is the escaper's: the finals the terminal acts on are
 * exactly escape_csi_final's, and any other is dropped without effect. */
static void test_allowlist(void **state)
{
	(void)state;
	const char *acted = "ABCDGHJKfm";
	for (int b = 0x40; b <= 0x7E; b++) {
		assert_int_equal(escape_csi_final((uint8_t)b) != 0, strchr(acted, b) != NULL);
		if (escape_csi_final((uint8_t)b))
			continue;
		fill(&vt);
		fill(&vt2);
		wr(&vt, "\x1b[2;3H\x1b[31m");
		wr(&vt2, "\x1b[2;3H\x1b[31m");
		char seq[16];
		snprintf(seq, sizeof(seq), "\x1b[2;2%c", b);
		wr(&vt, seq);
		assert_same(&vt, &vt2);
		wr(&vt, "x");
		wr(&vt2, "x");
		assert_same(&vt, &vt2);
	}
	/* Private markers, intermediates, ':' and other escapes end the sequence; what follows is text. */
	vt_init(&vt, 4, 40, FG, BG);
	wr(&vt, "\x1b[?25l|\x1b[1 q|\x1b[2:3m|\x1b]0;t\a|\x1b" "c|\x1b\x1b[2G");
	assert_string_equal(row(&vt, 0), "?25l| q|:3m|]0;t|c|");
	cursor_is(&vt, 0, 1);
}

static void test_long_sequence_dropped(void **state)
{
	(void)state;
	char s[64];
	vt_init(&vt, 4, 40, FG, BG);
	wr(&vt, "ab");
	/* ESCAPE_CSI_MAX parameter bytes: acted on. */
	snprintf(s, sizeof(s), "\x1b[%0*dG", ESCAPE_CSI_MAX, 5);
	wr(&vt, s);
	cursor_is(&vt, 0, 4);
	/* One more: dropped whole, up to its final byte. */
	snprintf(s, sizeof(s), "\x1b[%0*dGcd", ESCAPE_CSI_MAX + 1, 9);
	wr(&vt, s);
	assert_string_equal(row(&vt, 0), "ab  cd");
	snprintf(s, sizeof(s), "\x1b[%0*d;1HX", ESCAPE_CSI_MAX, 2);
	wr(&vt, s);
	assert_string_equal(row(&vt, 0), "ab  cdX");
	/* The most parameters there can be: all ';'. */
	wr(&vt, "\x1b[;;;;;;;;;;;;;;;;m\x1b[;;;;;;;;;;;;;;;;H");
	cursor_is(&vt, 0, 0);
}

static void test_utf8(void **state)
{
	(void)state;
	vt_init(&vt, 4, 40, FG, BG);
	wr(&vt, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 x\xc3");
	wr(&vt, "\xa0y\xc2\x85z");
	assert_int_equal(vt.ch[0][3], 0xE9);
	assert_string_equal(row(&vt, 0), "caf\xc3\xa9 ? ? x\xc3\xa0y?z"); /* one cell each, split or not */
	cursor_is(&vt, 0, 14);
	wr(&vt, "\r\n\xe2\x82x\x80\xff"); /* cut short, stray: the escaper never sends them */
	assert_string_equal(row(&vt, 1), "x??");
}

/* What MicroPython's shared/readline sends (pxvm/py/pymain.c's REPL): echo,
 * a recalled line, an edit in its middle (cursor back with BS or CSI n D,
 * erase with CSI K, the rest of the line again). */
static void test_repl_redraw(void **state)
{
	(void)state;
	vt_init(&vt, 10, 80, FG, BG);
	wr(&vt, ">>> 12345 + 1\r\n12346\r\n>>> ");
	/* Up: the history line. */
	wr(&vt, "12345 + 1");
	/* Left x4 (cursor after "12345"), then Backspace: back one, the rest
	 * again, erase the old end, back to the cursor. */
	wr(&vt, "\b\b\b\b");
	wr(&vt, "\b + 1\x1b[K\x1b[4D");
	cursor_is(&vt, 2, 8);
	wr(&vt, "9 + 1\x1b[4D");
	assert_string_equal(row(&vt, 2), ">>> 12349 + 1");
	cursor_is(&vt, 2, 9);
	/* A shorter recalled line over a longer one: erase to the end. */
	wr(&vt, "\x1b[5D\x1b[K6 * 7");
	assert_string_equal(row(&vt, 2), ">>> 6 * 7");
	/* Ctrl-U style: back to the prompt and erase. */
	wr(&vt, "\b\b\b\b\b\x1b[K");
	assert_string_equal(row(&vt, 2), ">>>");
	cursor_is(&vt, 2, 4);
}

/* edit's 80 x 24 screen (userland/lib/edit_screen.pxs draw_terminal) on a
 * console that shows 10 rows. */
static void test_edit_screen(void **state)
{
	(void)state;
	char buf[8192];
	size_t n = 0;
	vt_init(&vt, 10, 100, FG, BG);
	wr(&vt, "[ 0.1] INFO boot\nsh$ edit k.txt\n");
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\x1b[H\x1b[J");
	for (int i = 0; i < 22; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, i < 3 ? "line %d\x1b[K\r\n" : "~\x1b[K\r\n", i + 1);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\x1b[7m k.txt   line 1/3, col 1\x1b[0m\r\n");
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "Ctrl-S save  Ctrl-Q quit\x1b[K\x1b[1;1H");
	vt_write(&vt, buf, n);
	assert_string_equal(row(&vt, 0), "line 1");
	assert_string_equal(row(&vt, 2), "line 3");
	assert_string_equal(row(&vt, 3), "~");
	assert_string_equal(row(&vt, 21), "~");
	assert_string_equal(row(&vt, 22), " k.txt   line 1/3, col 1");
	assert_string_equal(row(&vt, 23), "Ctrl-S save  Ctrl-Q quit");
	assert_int_equal(fg_at(&vt, 22, 1), BG); /* reverse video */
	assert_int_equal(bg_at(&vt, 22, 1), FG);
	assert_int_equal(bg_at(&vt, 23, 1), BG);
	cursor_is(&vt, 0, 0);
	assert_int_equal(vt.view_top, 0); /* the screen shows the rows with the cursor */
	wr(&vt, "\x1b[15;3H");
	assert_int_equal(vt.view_top, 14 - 9);
	wr(&vt, "\x1b[13;1H");
	assert_int_equal(vt.view_top, 14 - 9); /* still in the window: it stays */
	wr(&vt, "\x1b[24;1H");
	assert_int_equal(vt.view_top, VT_ROWS_MIN - 10);
}

/* Split anywhere, the same result; random bytes (raw and escaped) keep the
 * cursor and window in the grid. */
static void test_split_and_random(void **state)
{
	(void)state;
	const char *s = "ab\x1b[31;44mcd\x1b[2;3Hx\x1b[Ky\xc3\xa9z\x1b[1;5;38;2;9;8;7mq\tw\b\b\x1b[3D\x1b[J\r\n"
	                "\x1b[10;70H0123456789abcdefghij\x1b[?1h\x1b[2J\x1b[999;999f!";
	vt_init(&vt, 6, 64, FG, BG);
	wr(&vt, s);
	for (size_t cut = 0; cut <= strlen(s); cut++) {
		vt_init(&vt2, 6, 64, FG, BG);
		vt_write(&vt2, s, cut);
		vt_write(&vt2, s + cut, strlen(s) - cut);
		assert_same(&vt, &vt2);
	}
	vt_init(&vt2, 6, 64, FG, BG);
	for (size_t i = 0; s[i]; i++)
		vt_write(&vt2, s + i, 1);
	assert_same(&vt, &vt2);

	uint64_t x = 0x243F6A8885A308D3ull;
	static const char alphabet[] = "\x1b[;0123456789ABCDGHJKfmq?\r\n\b\t\xc3\xa9\x80 x";
	struct escaper e;
	escape_init(&e);
	vt_init(&vt, 7, 33, FG, BG);
	vt_init(&vt2, 7, 33, FG, BG);
	for (int round = 0; round < 20000; round++) {
		char in[64], out[ESCAPE_OUT_MAX(64)];
		size_t n = 1 + round % 63;
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			in[i] = round & 1 ? (char)alphabet[x % (sizeof(alphabet) - 1)] : (char)(x >> 24);
		}
		vt_write(&vt, in, n);
		vt_write(&vt2, out, escape_run(&e, in, n, out));
		for (struct vt *v = &vt; v; v = v == &vt ? &vt2 : NULL) {
			assert_true(v->row >= 0 && v->row < v->rows);
			assert_true(v->col >= 0 && v->col < v->cols);
			assert_true(v->view_top >= 0 && v->view_top + v->view_rows <= v->rows);
			assert_true(v->row >= v->view_top && v->row < v->view_top + v->view_rows);
			assert_true(v->top >= 0 && v->top < v->rows);
			assert_true(v->nparam <= VT_PARAMS_MAX);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_text_wrap_scroll),
		cmocka_unit_test(test_bs_cr_tab),
		cmocka_unit_test(test_cursor_moves),
		cmocka_unit_test(test_erase),
		cmocka_unit_test(test_sgr),
		cmocka_unit_test(test_allowlist),
		cmocka_unit_test(test_long_sequence_dropped),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_repl_redraw),
		cmocka_unit_test(test_edit_screen),
		cmocka_unit_test(test_split_and_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
