/*
 * console.c — the screen console; see console.h.
 *
 * The console keeps its text and colours in RAM, in a terminal grid that
 * acts on the escaper's allowed CSI sequences (kernel/vt.h); writing only
 * changes that RAM (a scroll moves the ring's top), never VRAM. Drawing is done between
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
#include "vt.h"
#include "pxvm/port.h"
#include "drivers/timer.h"

#define BG FB_RGB(0, 0, 0)

static struct fb fb;
static const struct font *font;
static int ox, oy, cols, rows;  /* rows: the rows the screen shows (vt.view_rows) */
static bool attached;

static struct vt vt;            /* the text, its colours, the cursor (kernel/vt.h) */
/* What VRAM shows at each visible cell, so a pass draws only what changed. */
static uint8_t shown[CONSOLE_ROWS_MAX][CONSOLE_COLS_MAX];
static uint32_t shown_fg[CONSOLE_ROWS_MAX][CONSOLE_COLS_MAX];
static uint32_t shown_bg[CONSOLE_ROWS_MAX][CONSOLE_COLS_MAX];
static uint64_t pass_gen;   /* vt.gen when the pass in progress started */
static bool in_pass;        /* a pass is in progress (next_row, next_col: where it goes on) */
static int next_row, next_col;
static uint64_t pass_us;    /* when the last pass started */
static bool deferred;       /* console_defer: writes no longer draw */
static uint32_t cur_color = CONSOLE_DEFAULT_COLOR;

/* Before attach, keep early output to replay it. */
static char early[4096];
static size_t early_len;

/* The grid's text kept by console_text_save (the monitor, on entry). */
static uint8_t saved[CONSOLE_ROWS_MAX][CONSOLE_COLS_MAX];
static int saved_rows, saved_cols, saved_row, saved_col, saved_view_top;

/* draw_cell: draw the cell at screen row `r`, column `c` if it differs from
 * what the screen shows (the cursor's cell in reverse video); returns
 * whether it drew. */
static bool draw_cell(int r, int c)
{
	int gr = vt.view_top + r;
	uint8_t ch;
	uint32_t fg, bg;
	vt_cell(&vt, gr, c, &ch, &fg, &bg);
	if (gr == vt.row && c == vt.col) {
		uint32_t t = fg;
		fg = bg;
		bg = t;
	}
	if (shown[r][c] == ch && shown_fg[r][c] == fg && shown_bg[r][c] == bg)
		return false;
	char g = (char)ch;
	fb_text(&fb, font, ox + c * (int)font->width, oy + r * (int)font->height, &g, 1, fg, bg);
	shown[r][c] = ch;
	shown_fg[r][c] = fg;
	shown_bg[r][c] = bg;
	return true;
}

/* draw: go on with the pass (or start one), for at most `budget_us` (0: to
 * its end), checked after every glyph drawn (a row of them can take
 * milliseconds under TCG). */
static void draw(uint64_t budget_us)
{
	uint64_t t0 = timer_us();
	if (!in_pass) {
		in_pass = true;
		next_row = next_col = 0;
		pass_gen = vt.gen;
		pass_us = t0;
	}
	while (next_row < rows) {
		bool drew = draw_cell(next_row, next_col);
		if (++next_col == cols) {
			next_col = 0;
			next_row++;
		}
		if (drew && budget_us && timer_us() - t0 >= budget_us)
			return;
	}
	in_pass = false;
}

void console_set_color(uint32_t c)
{
	cur_color = c;
	if (attached)
		vt_set_color(&vt, c);
}

void console_screen_write(const char *s, size_t n)
{
	if (!attached) {
		for (size_t i = 0; i < n && early_len < sizeof(early); i++)
			early[early_len++] = s[i];
		return;
	}
	vt_write(&vt, s, n);
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
static bool changed(void) { return in_pass || vt.gen != pass_gen; }

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
	vt_init(&vt, rows, cols, CONSOLE_DEFAULT_COLOR, BG);
	vt_set_color(&vt, cur_color);
	fb_fill(&fb, x, y, w, h, BG);
	memset(shown, ' ', sizeof(shown)); /* the fill: blank cells */
	for (int r = 0; r < CONSOLE_ROWS_MAX; r++)
		for (int c = 0; c < CONSOLE_COLS_MAX; c++) {
			shown_fg[r][c] = CONSOLE_DEFAULT_COLOR;
			shown_bg[r][c] = BG;
		}
	in_pass = false;
	pass_gen = vt.gen - 1; /* the cursor is still to be drawn */
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

void console_text_save(void)
{
	if (!attached)
		return;
	saved_rows = vt.rows;
	saved_cols = vt.cols;
	saved_row = vt.row;
	saved_col = vt.col;
	saved_view_top = vt.view_top;
	for (int r = 0; r < vt.rows; r++)
		for (int c = 0; c < vt.cols; c++) {
			uint32_t fg, bg;
			vt_cell(&vt, r, c, &saved[r][c], &fg, &bg);
		}
}

int console_text_saved(struct console_text *t)
{
	if (!saved_rows)
		return -1;
	t->rows = saved_rows;
	t->cols = saved_cols;
	t->row = saved_row;
	t->col = saved_col;
	t->view_top = saved_view_top;
	t->view_rows = rows;
	return 0;
}

size_t console_text_row(int row, char *out, size_t cap)
{
	if (row < 0 || row >= saved_rows)
		return vt_text_utf8(NULL, 0, out, cap);
	return vt_text_utf8(saved[row], saved_cols, out, cap);
}
