/*
 * console.c — the screen console; see console.h.
 *
 * The console keeps its text and colours in RAM and draws into VRAM: a new
 * character is drawn where it lands. A scroll only moves the text in RAM and
 * marks the screen stale; the whole console is redrawn from the buffer at most
 * once per CONSOLE_FRAME_US (at the end of a write, or from console_poll), so
 * the cost of a write is bounded by its bytes, not by its lines: 4096
 * newlines cost one redraw, not 4096. VRAM is never read back (slow on real
 * hardware).
 */
#include "console.h"
#include "param.h"
#include "pxvm/port.h"
#include "drivers/timer.h"

#define BG FB_RGB(0, 0, 0)
#define ESC 0x1B

static struct fb fb;
static const struct font *font;
static int ox, oy, cols, rows;
static bool attached;

static char text[CONSOLE_ROWS_MAX][CONSOLE_COLS_MAX];
static uint32_t color[CONSOLE_ROWS_MAX][CONSOLE_COLS_MAX];
static int top;        /* ring index of the first visible row */
static int cur_row;    /* visible row of the cursor, 0..rows-1 */
static int cur_col;
static uint32_t cur_color = CONSOLE_DEFAULT_COLOR;
static bool stale;     /* scrolled since the last full redraw */
static uint64_t drawn_us;   /* when the last full redraw was */
static enum { S_TEXT, S_ESC, S_CSI } seq; /* inside a CSI sequence (not drawn) */

/* Before attach, keep early output to replay it. */
static char early[4096];
static size_t early_len;

static int ring(int visible_row) { return (top + visible_row) % rows; }

static void draw_cell(int r, int c)
{
	int rr = ring(r);
	char ch = text[rr][c] ? text[rr][c] : ' ';
	fb_text(&fb, font, ox + c * (int)font->width, oy + r * (int)font->height, &ch, 1, color[rr][c], BG);
}

static void redraw_all(void)
{
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < cols; c++)
			draw_cell(r, c);
	stale = false;
	drawn_us = timer_us();
}

static void newline(void)
{
	cur_col = 0;
	if (cur_row + 1 < rows) {
		cur_row++;
		return;
	}
	/* Scroll: the oldest row becomes the new, empty bottom row; the screen
	 * follows at the next frame. */
	memset(text[top], 0, sizeof(text[top]));
	top = (top + 1) % rows;
	stale = true;
}

static void put(char ch)
{
	/* The output escaper lets only CSI sequences through (pxvm/escape.h);
	 * the screen console does not act on them, and does not draw them. */
	if (seq == S_ESC) {
		seq = ch == '[' ? S_CSI : S_TEXT;
		return;
	}
	if (seq == S_CSI) {
		if ((uint8_t)ch >= 0x40 && (uint8_t)ch <= 0x7E)
			seq = S_TEXT;
		return;
	}
	switch (ch) {
	case ESC: seq = S_ESC; return;
	case '\n': newline(); return;
	case '\r': cur_col = 0; return;
	case '\b': if (cur_col > 0) cur_col--; return;
	case '\t':
		do put(' '); while (cur_col % 8 && cur_col < cols);
		return;
	default: break;
	}
	if (cur_col >= cols)
		newline();
	int rr = ring(cur_row);
	text[rr][cur_col] = ch;
	color[rr][cur_col] = cur_color;
	if (!stale)
		draw_cell(cur_row, cur_col);
	cur_col++;
}

void console_set_color(uint32_t c) { cur_color = c; }

void console_screen_write(const char *s, size_t n)
{
	if (!attached) {
		for (size_t i = 0; i < n && early_len < sizeof(early); i++)
			early[early_len++] = s[i];
		return;
	}
	for (size_t i = 0; i < n; i++)
		put(s[i]);
	console_poll();
}

const char *console_early_text(size_t *n)
{
	*n = early_len;
	return early;
}

void console_poll(void)
{
	if (attached && stale && timer_us() - drawn_us >= CONSOLE_FRAME_US)
		redraw_all();
}

void console_flush(void)
{
	if (attached && stale)
		redraw_all();
}

void console_attach(const struct fb *f, const struct font *fnt, int x, int y, int w, int h)
{
	fb = *f;
	font = fnt;
	ox = x;
	oy = y;
	cols = w / (int)font->width;
	rows = h / (int)font->height;
	if (cols > CONSOLE_COLS_MAX) cols = CONSOLE_COLS_MAX;
	if (rows > CONSOLE_ROWS_MAX) rows = CONSOLE_ROWS_MAX;
	if (cols < 1 || rows < 1)
		return;
	memset(text, 0, sizeof(text));
	for (int r = 0; r < CONSOLE_ROWS_MAX; r++)
		for (int c = 0; c < CONSOLE_COLS_MAX; c++)
			color[r][c] = CONSOLE_DEFAULT_COLOR;
	top = cur_row = cur_col = 0;
	stale = false;
	seq = S_TEXT;
	fb_fill(&fb, x, y, w, h, BG);
	attached = true;
	console_screen_write(early, early_len);
	early_len = 0;
	console_flush();
}

void console_grow_to_bottom(void)
{
	if (!attached)
		return;
	int h = (int)fb.height - oy;
	attached = false;
	console_attach(&fb, font, ox, oy, cols * (int)font->width, h);
}
