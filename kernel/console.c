/*
 * console.c — the screen console; see console.h.
 *
 * The console keeps its text and colours in RAM; writing only changes that
 * RAM (a scroll moves the ring's top), never VRAM. Drawing is done between
 * quanta by console_poll, in passes: a pass starts at most once per
 * CONSOLE_FRAME_US, draws only the cells whose character or colour differs
 * from what the screen shows (a shadow of it is kept: VRAM is never read
 * back, slow on real hardware), and spends at most CONSOLE_DRAW_US per call,
 * going on where it stopped at the next. So no write costs more than its
 * bytes in RAM, and no poll more than CONSOLE_DRAW_US of drawing: under TCG
 * a full console of glyphs takes tens of milliseconds, which no input may
 * wait for. 4096 newlines or 4096 glyphs cost one pass's worth of drawing
 * at most, spread out.
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
/* What VRAM shows at each visible cell, so a pass draws only what changed. */
static char shown[CONSOLE_ROWS_MAX][CONSOLE_COLS_MAX];
static uint32_t shown_color[CONSOLE_ROWS_MAX][CONSOLE_COLS_MAX];
static uint64_t gen;        /* bumped by every change of the text */
static uint64_t pass_gen;   /* gen when the pass in progress started */
static bool in_pass;        /* a pass is in progress (next_row: where it goes on) */
static int next_row;
static uint64_t pass_us;    /* when the last pass started */
static bool deferred;       /* console_defer: writes no longer draw */
static enum { S_TEXT, S_ESC, S_CSI } seq; /* inside a CSI sequence (not drawn) */

/* Before attach, keep early output to replay it. */
static char early[4096];
static size_t early_len;

static int ring(int visible_row) { return (top + visible_row) % rows; }

/* draw_row: draw the cells of visible row `r` that differ from what the
 * screen shows; returns how many it drew. */
static int draw_row(int r)
{
	int rr = ring(r), n = 0;
	for (int c = 0; c < cols; c++) {
		char ch = text[rr][c] ? text[rr][c] : ' ';
		if (shown[r][c] == ch && shown_color[r][c] == color[rr][c])
			continue;
		fb_text(&fb, font, ox + c * (int)font->width, oy + r * (int)font->height, &ch, 1, color[rr][c], BG);
		shown[r][c] = ch;
		shown_color[r][c] = color[rr][c];
		n++;
	}
	return n;
}

/* draw: go on with the pass (or start one), for at most `budget_us` (0: to
 * its end). */
static void draw(uint64_t budget_us)
{
	uint64_t t0 = timer_us();
	if (!in_pass) {
		in_pass = true;
		next_row = 0;
		pass_gen = gen;
		pass_us = t0;
	}
	while (next_row < rows) {
		draw_row(next_row++);
		if (budget_us && timer_us() - t0 >= budget_us)
			return;
	}
	in_pass = false;
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
	gen++;
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
	gen++;
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
	if (!deferred)
		console_flush();
}

void console_defer(void) { deferred = true; }

const char *console_early_text(size_t *n)
{
	*n = early_len;
	return early;
}

/* changed: whether the text differs from what the last complete pass drew. */
static bool changed(void) { return in_pass || gen != pass_gen; }

void console_poll(void)
{
	if (!attached || !changed())
		return;
	if (!in_pass && timer_us() - pass_us < CONSOLE_FRAME_US)
		return;
	draw(CONSOLE_DRAW_US);
}

void console_flush(void)
{
	if (!attached)
		return;
	while (changed())
		draw(0);
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
	seq = S_TEXT;
	fb_fill(&fb, x, y, w, h, BG);
	memset(shown, ' ', sizeof(shown)); /* the fill: blank cells */
	for (int r = 0; r < CONSOLE_ROWS_MAX; r++)
		for (int c = 0; c < CONSOLE_COLS_MAX; c++)
			shown_color[r][c] = CONSOLE_DEFAULT_COLOR;
	in_pass = false;
	gen = pass_gen = 0;
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
