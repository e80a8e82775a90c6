/*
 * vt.c — the screen console's terminal; see vt.h.
 *
 * The parser is the ground / escape / CSI part of the DEC VT500 state
 * machine (ECMA-48 §5.4 syntax), reduced to what the output escaper passes:
 * parameters are digits and ';' only, anything else ends the sequence.
 */
#include "vt.h"
#include "pxvm/escape.h"
#include "pxvm/port.h"
#include "drivers/fb.h"

#define ESC 0x1B

enum { VT_GROUND, VT_ESC, VT_CSI, VT_CSI_DROP };
enum { COLOR_DEFAULT = -1, COLOR_RGB = -2 };

/* The 16 colours (xterm's defaults). */
static const uint8_t palette16[16][3] = {
	{ 0, 0, 0 },       { 205, 0, 0 },     { 0, 205, 0 },     { 205, 205, 0 },
	{ 0, 0, 238 },     { 205, 0, 205 },   { 0, 205, 205 },   { 229, 229, 229 },
	{ 127, 127, 127 }, { 255, 0, 0 },     { 0, 255, 0 },     { 255, 255, 0 },
	{ 92, 92, 255 },   { 255, 0, 255 },   { 0, 255, 255 },   { 255, 255, 255 },
};

/* color256: xterm's 256-colour palette: 16 colours, a 6x6x6 cube, 24 greys. */
static uint32_t color256(unsigned i)
{
	if (i < 16)
		return FB_RGB(palette16[i][0], palette16[i][1], palette16[i][2]);
	if (i < 232) {
		static const uint8_t level[6] = { 0, 95, 135, 175, 215, 255 };
		i -= 16;
		return FB_RGB(level[i / 36], level[i / 6 % 6], level[i % 6]);
	}
	unsigned g = 8 + 10 * (i - 232);
	return FB_RGB(g, g, g);
}

static uint32_t resolve(int16_t index, uint32_t rgb, uint32_t def)
{
	if (index == COLOR_DEFAULT)
		return def;
	if (index == COLOR_RGB)
		return rgb;
	return color256((unsigned)index);
}

/* cur_fg, cur_bg: the colours a character written now gets. Bold makes the
 * 8 basic colours and the default foreground bright. */
static uint32_t cur_fg(const struct vt *v)
{
	int16_t i = v->fg_index;
	if ((v->attr & VT_BOLD) && i >= 0 && i < 8)
		i += 8;
	if ((v->attr & VT_BOLD) && i == COLOR_DEFAULT)
		return FB_RGB(255, 255, 255);
	return resolve(i, v->fg_rgb, v->def_fg);
}

static uint32_t cur_bg(const struct vt *v) { return resolve(v->bg_index, v->bg_rgb, v->def_bg); }

static int clamp(int x, int lo, int hi) { return x < lo ? lo : x > hi ? hi : x; }

static int ring(const struct vt *v, int row) { return (v->top + row) % v->rows; }

/* materialize: a row marked blank gets its blank cells (before it changes). */
static void materialize(struct vt *v, int r)
{
	if (!v->blank[r])
		return;
	for (int c = 0; c < v->cols; c++) {
		v->ch[r][c] = ' ';
		v->fg[r][c] = v->def_fg;
		v->bg[r][c] = v->blank_bg[r];
	}
	v->blank[r] = false;
}

/* erase: cells [c0, c1) of grid row `row` become blanks in the current
 * background: a whole row is only marked so (O(1)), a row that is all such
 * blanks already is left alone. */
static void erase(struct vt *v, int row, int c0, int c1)
{
	int r = ring(v, row);
	uint32_t bg = cur_bg(v);
	if (c0 >= c1 || (v->blank[r] && v->blank_bg[r] == bg))
		return;
	v->gen++;
	if (c0 == 0 && c1 == v->cols) {
		v->blank[r] = true;
		v->blank_bg[r] = bg;
		return;
	}
	materialize(v, r);
	for (int c = c0; c < c1; c++) {
		v->ch[r][c] = ' ';
		v->fg[r][c] = v->def_fg;
		v->bg[r][c] = bg;
	}
}

static void reset_sgr(struct vt *v)
{
	v->attr = 0;
	v->fg_index = v->bg_index = COLOR_DEFAULT;
}

void vt_init(struct vt *v, int view_rows, int cols, uint32_t fg, uint32_t bg)
{
	v->cols = clamp(cols, 1, CONSOLE_COLS_MAX);
	v->rows = clamp(view_rows > VT_ROWS_MIN ? view_rows : VT_ROWS_MIN, 1, CONSOLE_ROWS_MAX);
	v->view_rows = clamp(view_rows, 1, v->rows);
	v->view_top = 0;
	v->top = 0;
	v->row = v->col = 0;
	v->wrap = false;
	v->def_fg = fg;
	v->def_bg = bg;
	reset_sgr(v);
	v->fg_rgb = v->bg_rgb = 0;
	v->kernel_color = false;
	v->state = VT_GROUND;
	v->nbytes = v->nparam = 0;
	v->utf8_need = 0;
	v->utf8_cp = 0;
	v->gen = 0;
	for (int r = 0; r < v->rows; r++) {
		v->blank[r] = true;
		v->blank_bg[r] = bg;
	}
}

void vt_set_color(struct vt *v, uint32_t fg)
{
	if (fg == v->def_fg) {
		if (v->kernel_color) {
			v->attr = v->saved_attr;
			v->fg_index = v->saved_fg_index;
			v->bg_index = v->saved_bg_index;
			v->fg_rgb = v->saved_fg_rgb;
			v->bg_rgb = v->saved_bg_rgb;
			v->kernel_color = false;
		}
		return;
	}
	if (!v->kernel_color) {
		v->saved_attr = v->attr;
		v->saved_fg_index = v->fg_index;
		v->saved_bg_index = v->bg_index;
		v->saved_fg_rgb = v->fg_rgb;
		v->saved_bg_rgb = v->bg_rgb;
		v->kernel_color = true;
	}
	reset_sgr(v);
	v->fg_index = COLOR_RGB;
	v->fg_rgb = fg;
}

/* line_feed: next row, column 0; at the bottom the grid scrolls up a row. */
static void line_feed(struct vt *v)
{
	v->col = 0;
	v->wrap = false;
	if (v->row + 1 < v->rows) {
		v->row++;
	} else {
		v->top = (v->top + 1) % v->rows;
		erase(v, v->rows - 1, 0, v->cols);
	}
	v->gen++;
}

/* put: character `c` (a code point) at the cursor. */
static void put(struct vt *v, uint32_t c)
{
	if (v->wrap)
		line_feed(v);
	int r = ring(v, v->row);
	uint32_t fg = cur_fg(v), bg = cur_bg(v);
	if (v->attr & VT_REVERSE) {
		uint32_t t = fg;
		fg = bg;
		bg = t;
	}
	materialize(v, r);
	v->ch[r][v->col] = c <= 0xFF && !(c >= 0x80 && c < 0xA0) ? (uint8_t)c : '?';
	v->fg[r][v->col] = fg;
	v->bg[r][v->col] = bg;
	if (v->col + 1 < v->cols)
		v->col++;
	else
		v->wrap = true;
	v->gen++;
}

/* param: parameter i, `def` when absent or 0 (ECMA-48 §5.4.2: 0 is the default). */
static int param(const struct vt *v, unsigned i, int def)
{
	return i < v->nparam && v->param[i] ? (int)v->param[i] : def;
}

/* sgr_color: the 38/48 extended colour starting at parameter i (38 or 48):
 * stores it in *index / *rgb and returns how many parameters it used. */
static unsigned sgr_color(const struct vt *v, unsigned i, int16_t *index, uint32_t *rgb)
{
	if (i + 2 < v->nparam && v->param[i + 1] == 5) {
		if (v->param[i + 2] < 256)
			*index = (int16_t)v->param[i + 2];
		return 3;
	}
	if (i + 4 < v->nparam && v->param[i + 1] == 2) {
		uint32_t r = v->param[i + 2], g = v->param[i + 3], b = v->param[i + 4];
		if (r < 256 && g < 256 && b < 256) {
			*index = COLOR_RGB;
			*rgb = FB_RGB(r, g, b);
		}
		return 5;
	}
	return v->nparam - i; /* malformed: the rest is its argument */
}

static void sgr(struct vt *v)
{
	if (!v->nparam) {
		reset_sgr(v);
		return;
	}
	for (unsigned i = 0; i < v->nparam;) {
		uint32_t p = v->param[i];
		if (p == 0)
			reset_sgr(v);
		else if (p == 1)
			v->attr |= VT_BOLD;
		else if (p == 22)
			v->attr &= (uint8_t)~VT_BOLD;
		else if (p == 7)
			v->attr |= VT_REVERSE;
		else if (p == 27)
			v->attr &= (uint8_t)~VT_REVERSE;
		else if (p >= 30 && p <= 37)
			v->fg_index = (int16_t)(p - 30);
		else if (p >= 90 && p <= 97)
			v->fg_index = (int16_t)(p - 90 + 8);
		else if (p == 39)
			v->fg_index = COLOR_DEFAULT;
		else if (p >= 40 && p <= 47)
			v->bg_index = (int16_t)(p - 40);
		else if (p >= 100 && p <= 107)
			v->bg_index = (int16_t)(p - 100 + 8);
		else if (p == 49)
			v->bg_index = COLOR_DEFAULT;
		else if (p == 38 || p == 48) {
			i += p == 38 ? sgr_color(v, i, &v->fg_index, &v->fg_rgb) : sgr_color(v, i, &v->bg_index, &v->bg_rgb);
			continue;
		}
		i++;
	}
}

/* csi: the CSI sequence with final byte `f` (one the escaper allows). */
static void csi(struct vt *v, uint8_t f)
{
	int n = param(v, 0, 1), mode = param(v, 0, 0);
	v->wrap = false;
	switch (f) {
	case 'A': v->row = clamp(v->row - n, 0, v->rows - 1); break;
	case 'B': v->row = clamp(v->row + n, 0, v->rows - 1); break;
	case 'C': v->col = clamp(v->col + n, 0, v->cols - 1); break;
	case 'D': v->col = clamp(v->col - n, 0, v->cols - 1); break;
	case 'G': v->col = clamp(n - 1, 0, v->cols - 1); break;
	case 'H':
	case 'f':
		v->row = clamp(n - 1, 0, v->rows - 1);
		v->col = clamp(param(v, 1, 1) - 1, 0, v->cols - 1);
		break;
	case 'J':
		if (mode == 0) {
			erase(v, v->row, v->col, v->cols);
			for (int r = v->row + 1; r < v->rows; r++)
				erase(v, r, 0, v->cols);
		} else if (mode == 1) {
			for (int r = 0; r < v->row; r++)
				erase(v, r, 0, v->cols);
			erase(v, v->row, 0, v->col + 1);
		} else if (mode == 2) {
			for (int r = 0; r < v->rows; r++)
				erase(v, r, 0, v->cols);
		}
		break;
	case 'K':
		if (mode == 0)
			erase(v, v->row, v->col, v->cols);
		else if (mode == 1)
			erase(v, v->row, 0, v->col + 1);
		else if (mode == 2)
			erase(v, v->row, 0, v->cols);
		break;
	case 'm': sgr(v); break;
	default: break; /* escape_csi_final allows nothing else */
	}
	v->gen++;
}

/* ground: byte b outside any sequence. */
static void ground(struct vt *v, uint8_t b)
{
	if (v->utf8_need) {
		if (b >= 0x80 && b <= 0xBF) {
			v->utf8_cp = v->utf8_cp << 6 | (b & 0x3F);
			if (--v->utf8_need == 0)
				put(v, v->utf8_cp);
			return;
		}
		v->utf8_need = 0; /* cut short: the lead is dropped, b starts afresh */
	}
	switch (b) {
	case ESC: v->state = VT_ESC; return;
	case '\n': line_feed(v); return;
	case '\r': v->col = 0; v->wrap = false; v->gen++; return;
	case '\b':
		if (v->col > 0 && !v->wrap)
			v->col--;
		else if (v->wrap && v->cols > 1)
			v->col = v->cols - 2; /* the flag: the cursor is on the last column */
		v->wrap = false;
		v->gen++;
		return;
	case '\t':
		v->col = clamp((v->col / 8 + 1) * 8, 0, v->cols - 1);
		v->wrap = false;
		v->gen++;
		return;
	default: break;
	}
	if (b < 0x20 || b == 0x7F)
		return; /* other controls: the escaper shows them as ^X */
	if (b < 0x80) {
		put(v, b);
	} else if (b >= 0xC2 && b <= 0xDF) {
		v->utf8_need = 1;
		v->utf8_cp = b & 0x1F;
	} else if (b >= 0xE0 && b <= 0xEF) {
		v->utf8_need = 2;
		v->utf8_cp = b & 0x0F;
	} else if (b >= 0xF0 && b <= 0xF4) {
		v->utf8_need = 3;
		v->utf8_cp = b & 0x07;
	} else {
		put(v, '?'); /* not UTF-8 (the escaper never sends it) */
	}
}

/* window: the screen shows the rows holding the cursor. */
static void follow_cursor(struct vt *v)
{
	int top = v->view_top;
	if (v->row < top)
		top = v->row;
	else if (v->row >= top + v->view_rows)
		top = v->row - v->view_rows + 1;
	if (top != v->view_top) {
		v->view_top = top;
		v->gen++;
	}
}

static void step(struct vt *v, uint8_t b)
{
	switch (v->state) {
	case VT_ESC:
		if (b == '[') {
			v->state = VT_CSI;
			v->nbytes = v->nparam = 0;
			return;
		}
		v->state = VT_GROUND;
		if (b == ESC) {
			v->state = VT_ESC;
			return;
		}
		break; /* not a CSI: the ESC is dropped, b is text */
	case VT_CSI:
	case VT_CSI_DROP:
		if ((b >= '0' && b <= '9') || b == ';') {
			if (v->state == VT_CSI_DROP || ++v->nbytes > ESCAPE_CSI_MAX) {
				v->state = VT_CSI_DROP; /* too long: dropped up to its final byte */
				return;
			}
			if (!v->nparam)
				v->param[v->nparam++] = 0;
			if (b == ';') {
				v->param[v->nparam++] = 0; /* nbytes <= ESCAPE_CSI_MAX: room */
			} else {
				uint32_t *p = &v->param[v->nparam - 1];
				*p = *p * 10 + (uint32_t)(b - '0');
				if (*p > VT_PARAM_MAX)
					*p = VT_PARAM_MAX;
			}
			return;
		}
		if (b >= 0x40 && b <= 0x7E) {
			if (v->state == VT_CSI && escape_csi_final(b))
				csi(v, b);
			v->state = VT_GROUND;
			return;
		}
		v->state = VT_GROUND;
		if (b == ESC) {
			v->state = VT_ESC;
			return;
		}
		break; /* not allowed here: the sequence is dropped, b is text */
	default:
		break;
	}
	ground(v, b);
}

void vt_write(struct vt *v, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		step(v, (uint8_t)s[i]);
	follow_cursor(v);
}

size_t vt_text_utf8(const uint8_t *cells, int n, char *out, size_t cap)
{
	size_t k = 0, end = 0;
	if (!cap)
		return 0;
	for (int c = 0; c < n; c++) {
		uint8_t ch = cells[c];
		if (k + (ch < 0x80 ? 1 : 2) + 1 > cap)
			break;
		if (ch < 0x80) {
			out[k++] = (char)ch;
		} else {
			out[k++] = (char)(0xC0 | ch >> 6);
			out[k++] = (char)(0x80 | (ch & 0x3F));
		}
		if (ch != ' ')
			end = k;
	}
	out[end] = 0;
	return end;
}

size_t vt_row_text(const struct vt *v, int row, char *out, size_t cap)
{
	if (row < 0 || row >= v->rows || v->blank[ring(v, row)])
		return vt_text_utf8(NULL, 0, out, cap);
	return vt_text_utf8(v->ch[ring(v, row)], v->cols, out, cap);
}
