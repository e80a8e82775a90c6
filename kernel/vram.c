/*
 * vram.c — the VRAM substrate: layout, static drawing, tiles and canvases;
 * see vram.h.
 */
#include "vram.h"
#include "param.h"
#include "pxvm/isa.h"
#include "pxvm/abi.h"
#include "pxvm/port.h"
#include "boot/bootinfo.h"

#define COL_BG        FB_RGB(6, 6, 14)
#define COL_TEXT      FB_RGB(210, 210, 210)
#define COL_DIM       FB_RGB(120, 120, 130)
#define COL_FRAME     FB_RGB(70, 70, 90)
#define COL_TILE_BG   FB_RGB(0, 0, 0)
#define GAP 4

static const uint32_t header_bg[VR_COUNT] = {
	FB_RGB(30, 30, 60), FB_RGB(60, 24, 24), FB_RGB(20, 52, 28),
	FB_RGB(56, 50, 18), FB_RGB(18, 48, 56), FB_RGB(48, 22, 56),
};

static const char *const region_names[VR_COUNT] = {
	"metadata", "palette", "kernel", "syscalls", "processes", "programs",
};

static const char *const region_titles[VR_COUNT] = {
	"", "OPCODE PALETTE  opcode = red channel of the instruction pixel",
	"KERNEL  console", "SYSCALL TABLE  number name calls",
	"PROCESS TABLE  pid name state steps syscalls faults",
	"PROGRAM AREA  tile = 64 KiB of process memory, 1 word per pixel | canvas",
};

static struct fb fb;
static struct vram_layout L;
static bool ready;

/* Palette and syscall table geometry, derived in layout(). */
static uint32_t pal_cols, pal_cell_w;
static bool pal_labels;
static uint32_t sys_cols, sys_cell_w, proc_cols, proc_cell_w;
static int sys_compact; /* small screens: "num:count" cells without the name */

#define OPCODE_COUNT_X(name, code, fmt, imm, syn, doc) +1
static const uint32_t n_opcodes = 0 PXVM_OPCODES(OPCODE_COUNT_X);
#define SYSCALL_COUNT_X(name, num, cost, args, doc) +1
static const uint32_t n_syscalls = 0 PXVM_SYSCALLS(SYSCALL_COUNT_X);

static const uint8_t opcode_codes[] = {
#define OPCODE_CODE_X(name, code, fmt, imm, syn, doc) code,
	PXVM_OPCODES(OPCODE_CODE_X)
};
static const uint16_t syscall_numbers[] = {
#define SYSCALL_NUM_X(name, num, cost, args, doc) num,
	PXVM_SYSCALLS(SYSCALL_NUM_X)
};

const char *vram_region_name(enum vram_region r) { return (unsigned)r < VR_COUNT ? region_names[r] : "?"; }
bool vram_ready(void) { return ready; }
const struct vram_layout *vram_layout(void) { return &L; }
const struct fb *vram_fb(void) { return &fb; }

static uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

static void band(enum vram_region r, int *y, int body_h)
{
	int fh = (int)L.font->height;
	int header = r == VR_META ? 0 : fh;
	L.region[r] = (struct vram_rect){ 0, *y, (int)L.width, header + body_h };
	L.body[r] = (struct vram_rect){ 0, *y + header, (int)L.width, body_h };
	*y += header + body_h;
}

static int layout(void)
{
	const int fw = (int)L.font->width, fh = (int)L.font->height;
	const int W = (int)L.width, H = (int)L.height;
	const int line = fh + 2;

	/* Palette: labelled cells if they fit in four rows, else bare swatches. */
	pal_cell_w = (uint32_t)(fh + 2 + 7 * fw + 6);
	pal_cols = (uint32_t)W / pal_cell_w;
	pal_labels = pal_cols && ceil_div(n_opcodes, pal_cols) <= 4;
	if (!pal_labels) {
		pal_cell_w = (uint32_t)fh + 2;
		pal_cols = (uint32_t)W / pal_cell_w;
	}
	if (!pal_cols)
		return -1;
	int pal_h = (int)ceil_div(n_opcodes, pal_cols) * line + 2;

	sys_cell_w = (uint32_t)(20 * fw); /* "nn NAME_____ count_" */
	sys_cols = (uint32_t)W / sys_cell_w;
	sys_compact = !sys_cols || ceil_div(n_syscalls, sys_cols) > 4;
	if (sys_compact) {
		sys_cell_w = (uint32_t)(10 * fw);
		sys_cols = (uint32_t)W / sys_cell_w;
	}
	proc_cell_w = (uint32_t)(40 * fw);
	proc_cols = (uint32_t)W / proc_cell_w;
	if (!sys_cols || !proc_cols)
		return -1;
	int sys_h = (int)ceil_div(n_syscalls, sys_cols) * line + 2;

	const int slot_w = (int)PXVM_TILE_W * 2 + GAP + 3 * GAP;
	const int slot_h = fh + 2 + (int)PXVM_TILE_H + GAP + 2;
	const int slot_cols = (W - GAP) / slot_w;
	if (slot_cols < 1)
		return -1;

	/* Most slot rows that leave the console at least 5 lines (3 if only one
	 * row fits); the process table is sized for the slots it will show. */
	int fixed = (fh + 3) + (fh + pal_h) + fh /* kernel header */ + (fh + sys_h) + fh /* procs header */ + fh;
	int slot_rows = 0, console_rows = 0, proc_h = 0;
	for (int sr = (H - fixed) / slot_h; sr >= 1; sr--) {
		uint32_t slots = (uint32_t)(sr * slot_cols);
		if (slots > NPROC)
			slots = NPROC;
		int ph = (int)ceil_div(slots, proc_cols) * line + 2;
		int cr = (H - fixed - ph - sr * slot_h) / fh;
		if (cr >= 5 || (sr == 1 && cr >= 3)) {
			slot_rows = sr;
			console_rows = cr > 10 ? 10 : cr;
			proc_h = ph;
			break;
		}
	}
	if (!slot_rows)
		return -1;

	int y = 0;
	band(VR_META, &y, fh + 3);
	band(VR_PALETTE, &y, pal_h);
	band(VR_KERNEL, &y, console_rows * fh);
	band(VR_SYSCALLS, &y, sys_h);
	band(VR_PROCS, &y, proc_h);
	band(VR_PROGRAMS, &y, H - y - fh);

	/* Centre the slot grid horizontally. */
	int x_off = (W - slot_cols * slot_w) / 2 + GAP;
	L.nslots = 0;
	for (int r = 0; r < slot_rows; r++) {
		for (int c = 0; c < slot_cols && L.nslots < VRAM_MAX_SLOTS; c++) {
			struct vram_slot *s = &L.slot[L.nslots++];
			int x0 = x_off + c * slot_w, y0 = L.body[VR_PROGRAMS].y + 2 + r * slot_h;
			s->label = (struct vram_rect){ x0, y0, 2 * (int)PXVM_TILE_W + GAP, fh };
			s->tile = (struct vram_rect){ x0 + 1, y0 + fh + 2, (int)PXVM_TILE_W, (int)PXVM_TILE_H };
			s->canvas = (struct vram_rect){ x0 + 1 + (int)PXVM_TILE_W + GAP, y0 + fh + 2,
			                                (int)PXVM_TILE_W, (int)PXVM_TILE_H };
		}
	}
	return 0;
}

/* The machine-readable record in row 0 (see vram.h). */
static void draw_record(void)
{
	uint32_t rec[18 + 4 * VRAM_MAX_SLOTS];
	uint32_t n = 0;
	rec[n++] = VRAM_RECORD_MAGIC0;
	rec[n++] = 'S' | (0u << 8) | (1u << 16); /* record format 0.1 */
	rec[n++] = L.width;
	rec[n++] = L.height;
	rec[n++] = L.nslots;
	rec[n++] = PXVM_TILE_W;
	for (int r = 0; r < VR_COUNT; r++) {
		rec[n++] = (uint32_t)L.region[r].y;
		rec[n++] = (uint32_t)L.region[r].h;
	}
	for (uint32_t i = 0; i < L.nslots; i++) {
		rec[n++] = (uint32_t)L.slot[i].tile.x;
		rec[n++] = (uint32_t)L.slot[i].tile.y;
		rec[n++] = (uint32_t)L.slot[i].canvas.x;
		rec[n++] = (uint32_t)L.slot[i].canvas.y;
	}
	for (uint32_t i = 0; i < n; i++)
		rec[i] &= 0xFFFFFFu; /* visible channels only: alpha 0 */
	fb_put_row(&fb, 0, 0, rec, n);
}

static void draw_headers(void)
{
	for (int r = 1; r < VR_COUNT; r++) {
		const struct vram_rect *g = &L.region[r];
		fb_fill(&fb, g->x, g->y, g->w, (int)L.font->height, header_bg[r]);
		fb_text(&fb, L.font, g->x + 4, g->y, region_titles[r], 200, COL_TEXT, FB_TRANSPARENT);
	}
}

static void draw_palette(void)
{
	const struct vram_rect *b = &L.body[VR_PALETTE];
	const int fh = (int)L.font->height, line = fh + 2;
	for (uint32_t i = 0; i < n_opcodes; i++) {
		uint32_t op = opcode_codes[i];
		int x = b->x + 2 + (int)((i % pal_cols) * pal_cell_w);
		int y = b->y + 1 + (int)(i / pal_cols) * line;
		int sw = fh - 2;
		/* The literal instruction pixel: opcode in red, no operands. */
		fb_frame(&fb, x, y, sw + 2, sw + 2, COL_FRAME);
		fb_fill(&fb, x + 1, y + 1, sw, sw, op);
		if (pal_labels) {
			char buf[16];
			snprintf(buf, sizeof(buf), "%s", pxvm_opinfo(op)->name);
			fb_text(&fb, L.font, x + fh + 2, y, buf, sizeof(buf), COL_DIM, FB_TRANSPARENT);
		}
	}
}

void vram_syscall_counts(const uint64_t *counts, uint32_t n)
{
	if (!ready)
		return;
	const struct vram_rect *b = &L.body[VR_SYSCALLS];
	const int line = (int)L.font->height + 2;
	for (uint32_t i = 0; i < n_syscalls; i++) {
		uint32_t num = syscall_numbers[i];
		char buf[32];
		unsigned long long c = (counts && num < n) ? (unsigned long long)counts[num] : 0;
		char cnt[16]; /* at most 6 characters: 999999, then 1000k.., then M */
		if (c < 1000000ull)
			snprintf(cnt, sizeof(cnt), "%llu", c);
		else if (c < 100000000ull)
			snprintf(cnt, sizeof(cnt), "%lluk", c / 1000);
		else
			snprintf(cnt, sizeof(cnt), "%lluM", c / 1000000 % 100000);
		if (sys_compact)
			snprintf(buf, sizeof(buf), "%2u:%-6s", num, cnt);
		else
			snprintf(buf, sizeof(buf), "%2u %-9s %-6s", num, pxvm_syscall_name(num), cnt);
		int x = b->x + 4 + (int)((i % sys_cols) * sys_cell_w);
		int y = b->y + 1 + (int)(i / sys_cols) * line;
		fb_text(&fb, L.font, x, y, buf, sizeof(buf), COL_TEXT, COL_BG);
	}
}

void vram_proc_cell(unsigned slot, const char *text, uint32_t color)
{
	if (!ready || slot >= L.nslots)
		return;
	const struct vram_rect *b = &L.body[VR_PROCS];
	const int line = (int)L.font->height + 2;
	int x = b->x + 4 + (int)((slot % proc_cols) * proc_cell_w);
	int y = b->y + 1 + (int)(slot / proc_cols) * line;
	if (y + line > b->y + b->h)
		return;
	char buf[48];
	snprintf(buf, sizeof(buf), "%-39.39s", text);
	fb_text(&fb, L.font, x, y, buf, sizeof(buf), color, COL_BG);
}

static void draw_slots(void)
{
	for (uint32_t i = 0; i < L.nslots; i++) {
		const struct vram_slot *s = &L.slot[i];
		fb_frame(&fb, s->tile.x - 1, s->tile.y - 1, s->tile.w + 2, s->tile.h + 2, COL_FRAME);
		fb_frame(&fb, s->canvas.x - 1, s->canvas.y - 1, s->canvas.w + 2, s->canvas.h + 2, COL_FRAME);
		fb_fill(&fb, s->tile.x, s->tile.y, s->tile.w, s->tile.h, COL_TILE_BG);
		vram_canvas_clear(i, VRAM_CANVAS_BG);
		char buf[32];
		snprintf(buf, sizeof(buf), "slot %u: free", i);
		vram_slot_label(i, buf, COL_DIM);
		vram_proc_cell(i, "-", COL_DIM);
	}
}

int vram_init(const struct fb *f)
{
	fb = *f;
	ready = false;
	memset(&L, 0, sizeof(L));
	L.width = fb.width;
	L.height = fb.height;
	L.font = font_builtin(fb.width >= 2560 && fb.height >= 1440 ? 32 : 16);
	if (!L.font)
		return -1;
	fb_fill(&fb, 0, 0, (int)fb.width, (int)fb.height, COL_BG);
	if (layout() != 0)
		return -1;
	ready = true;
	draw_record();
	draw_headers();
	draw_palette();
	vram_syscall_counts(0, 0);
	draw_slots();
	return 0;
}

void vram_status(const char *text)
{
	if (!ready)
		return;
	const struct vram_rect *b = &L.body[VR_META];
	fb_fill(&fb, b->x, b->y + 2, b->w, b->h - 2, COL_BG);
	fb_text(&fb, L.font, b->x + 4, b->y + 2, text, 256, COL_TEXT, FB_TRANSPARENT);
}

void vram_tile_flush(unsigned slot, const uint32_t *mem, uint64_t dirty[2])
{
	if (!ready || slot >= L.nslots)
		return;
	const struct vram_rect *t = &L.slot[slot].tile;
	for (unsigned w = 0; w < 2; w++) {
		uint64_t bits = dirty[w];
		dirty[w] = 0;
		while (bits) {
			unsigned y = w * 64 + (unsigned)__builtin_ctzll(bits);
			bits &= bits - 1;
			fb_put_row(&fb, t->x, t->y + (int)y, mem + y * PXVM_TILE_W, PXVM_TILE_W);
		}
	}
}

void vram_slot_label(unsigned slot, const char *text, uint32_t color)
{
	if (!ready || slot >= L.nslots)
		return;
	const struct vram_rect *r = &L.slot[slot].label;
	fb_fill(&fb, r->x, r->y, r->w, r->h, COL_BG);
	fb_text(&fb, L.font, r->x, r->y, text, (uint32_t)(r->w / (int)L.font->width), color, FB_TRANSPARENT);
}

void vram_canvas_clear(unsigned slot, uint32_t color)
{
	if (!ready || slot >= L.nslots)
		return;
	const struct vram_rect *c = &L.slot[slot].canvas;
	fb_fill(&fb, c->x, c->y, c->w, c->h, color);
}

/* Clip a canvas-relative rectangle to the canvas; false when empty. */
static bool canvas_clip(const struct vram_rect *c, int *x, int *y, int *w, int *h)
{
	int64_t x0 = *x, y0 = *y, x1 = (int64_t)*x + *w, y1 = (int64_t)*y + *h;
	if (*w <= 0 || *h <= 0)
		return false;
	if (x0 < 0) x0 = 0;
	if (y0 < 0) y0 = 0;
	if (x1 > c->w) x1 = c->w;
	if (y1 > c->h) y1 = c->h;
	if (x0 >= x1 || y0 >= y1)
		return false;
	*x = (int)x0 + c->x;
	*y = (int)y0 + c->y;
	*w = (int)(x1 - x0);
	*h = (int)(y1 - y0);
	return true;
}

/* draw_target: where drawing for slot `slot` lands: its visible canvas on the
 * screen (back == NULL) or its back layer in RAM. False when there is none. */
static bool draw_target(unsigned slot, uint32_t *back, struct fb *out, struct vram_rect *r)
{
	if (back) {
		static const uint32_t masks[4] = { 0xFFu, 0xFF00u, 0xFF0000u, 0xFF000000u };
		*r = (struct vram_rect){ 0, 0, (int)PXVM_TILE_W, (int)PXVM_TILE_H };
		return fb_init(out, back, PXVM_TILE_W, PXVM_TILE_H, PXVM_TILE_W, PXOS_PIXEL_RGBX8, masks) == 0;
	}
	if (!ready || slot >= L.nslots)
		return false;
	*out = fb;
	*r = L.slot[slot].canvas;
	return true;
}

static const struct font *canvas_font(void)
{
	return ready ? L.font : font_builtin(16);
}

void vram_draw_rect(unsigned slot, uint32_t *back, int x, int y, int w, int h, uint32_t color)
{
	struct fb t;
	struct vram_rect c;
	if (draw_target(slot, back, &t, &c) && canvas_clip(&c, &x, &y, &w, &h))
		fb_fill(&t, x, y, w, h, color);
}

void vram_draw_pixel(unsigned slot, uint32_t *back, int x, int y, uint32_t color)
{
	vram_draw_rect(slot, back, x, y, 1, 1, color);
}

int vram_draw_text(unsigned slot, uint32_t *back, int x, int y, const char *s, uint32_t n, uint32_t color)
{
	struct fb t;
	struct vram_rect c;
	const struct font *font = canvas_font();
	if (!font || !draw_target(slot, back, &t, &c))
		return x;
	const int fw = (int)font->width, fh = (int)font->height;
	/* Draw glyph by glyph, only those wholly inside the canvas; 64-bit x so
	 * that any start (a guest's R1) is safe. */
	int64_t cx = x;
	uint32_t i = 0;
	for (; i < n && s[i]; i++, cx += fw) {
		if (cx >= c.w)
			break;
		if (cx < 0 || y < 0 || cx + fw > c.w || (int64_t)y + fh > c.h)
			continue;
		fb_text(&t, font, c.x + (int)cx, c.y + y, &s[i], 1, color, FB_TRANSPARENT);
	}
	for (; i < n && s[i]; i++)
		cx += fw;
	return cx > INT32_MAX ? INT32_MAX : (int)cx;
}

void vram_layer_show(unsigned slot, const uint32_t *back)
{
	if (!ready || slot >= L.nslots || !back)
		return;
	const struct vram_rect *c = &L.slot[slot].canvas;
	for (int y = 0; y < c->h; y++)
		fb_put_row(&fb, c->x, c->y + y, back + (size_t)y * PXVM_TILE_W, (uint32_t)c->w);
}

void vram_layer_fill(uint32_t *back, uint32_t color)
{
	for (uint32_t i = 0; i < PXVM_TILE_W * PXVM_TILE_H; i++)
		back[i] = color;
}
