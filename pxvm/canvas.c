/*
 * canvas.c — process canvases in RAM; see canvas.h.
 *
 * A layer is drawn through drivers/fb.c as a framebuffer in RAM whose pixel
 * format is the memory word itself (RGBX8: R in the low byte), so the words
 * are exactly the colours the guest gave, and the platform shows them as it
 * shows a tile (pxhost_show_canvas).
 */
#include "canvas.h"
#include "host.h"
#include "port.h"
#include "boot/bootinfo.h"
#include "drivers/fb.h"
#include "drivers/font.h"

#define ALL_ROWS (~0ull)

/* canvas_proc_gone: free `p`'s canvas and back layer. */
static void canvas_proc_gone(struct proc *p);

void canvas_init(void) { proc_on_gone(canvas_proc_gone); }

/* new_layer: a layer in CANVAS_BG, or NULL. */
static uint32_t *new_layer(void)
{
	uint32_t *w = pxhost_mem_alloc();
	if (w)
		for (uint32_t i = 0; i < PXVM_TILE_W * PXVM_TILE_H; i++)
			w[i] = CANVAS_BG;
	return w;
}

/* front: p's canvas, allocated (all rows changed) on first use; NULL when out
 * of memory. */
static uint32_t *front(struct proc *p)
{
	if (!p->canvas) {
		p->canvas = new_layer();
		p->canvas_dirty[0] = p->canvas_dirty[1] = ALL_ROWS;
	}
	return p->canvas;
}

/* target: the layer drawing goes to now, as a framebuffer; `rows` gets the
 * changed-row mask to mark (NULL for the back layer). 0 or -PXE_ENOMEM. */
static int target(struct proc *p, struct fb *out, uint64_t **rows)
{
	static const uint32_t masks[4] = { 0xFFu, 0xFF00u, 0xFF0000u, 0xFF000000u };
	uint32_t *words;
	if (p->layer == PXVM_LAYER_BACK) {
		words = p->back;
		*rows = 0;
	} else {
		words = front(p);
		*rows = p->canvas_dirty;
	}
	if (!words)
		return -PXE_ENOMEM;
	fb_init(out, words, PXVM_TILE_W, PXVM_TILE_H, PXVM_TILE_W, PXOS_PIXEL_RGBX8, masks);
	return 0;
}

/* mark: rows y0 .. y1 - 1 (inside the layer) changed. */
static void mark(uint64_t *rows, int y0, int y1)
{
	if (!rows)
		return;
	for (int y = y0; y < y1; y++)
		rows[y >> 6] |= 1ull << (y & 63);
}

/* clip: [*a, *a + *len) clipped to [0, size); false when nothing is left.
 * 64-bit arithmetic, so any guest value is safe. */
static bool clip(int64_t *a, int64_t *len, int64_t size)
{
	int64_t lo = *a < 0 ? 0 : *a, hi = *a + *len > size ? size : *a + *len;
	if (*len <= 0 || lo >= hi)
		return false;
	*a = lo;
	*len = hi - lo;
	return true;
}

int canvas_rect(struct proc *p, int32_t x, int32_t y, int32_t w, int32_t h, uint32_t color)
{
	struct fb t;
	uint64_t *rows;
	int64_t x0 = x, y0 = y, ww = w, hh = h;
	if (target(p, &t, &rows))
		return -PXE_ENOMEM;
	if (!clip(&x0, &ww, PXVM_TILE_W) || !clip(&y0, &hh, PXVM_TILE_H))
		return 0;
	fb_fill(&t, (int)x0, (int)y0, (int)ww, (int)hh, color);
	mark(rows, (int)y0, (int)(y0 + hh));
	return (int)(ww * hh);
}

int canvas_text(struct proc *p, int32_t x, int32_t y, const char *s, uint32_t n, uint32_t color)
{
	struct fb t;
	uint64_t *rows;
	const struct font *font = font_builtin(16);
	if (target(p, &t, &rows))
		return -PXE_ENOMEM;
	if (!font)
		return 0;
	const int64_t fw = font->width, fh = font->height;
	if (y < 0 || (int64_t)y + fh > PXVM_TILE_H)
		return 0;
	int drawn = 0;
	int64_t cx = x;
	for (uint32_t i = 0; i < n && s[i] && cx < PXVM_TILE_W; i++, cx += fw) {
		if (cx < 0 || cx + fw > PXVM_TILE_W)
			continue;
		fb_text(&t, font, (int)cx, y, &s[i], 1, color, FB_TRANSPARENT);
		drawn++;
	}
	if (drawn)
		mark(rows, y, (int)(y + fh));
	return drawn;
}

int canvas_use_back(struct proc *p)
{
	if (!p->back)
		p->back = new_layer();
	return p->back ? 0 : -PXE_ENOMEM;
}

int canvas_show_back(struct proc *p)
{
	uint32_t *c = front(p);
	if (!c)
		return -PXE_ENOMEM;
	memcpy(c, p->back, PXVM_TILE_W * PXVM_TILE_H * sizeof(uint32_t));
	p->canvas_dirty[0] = p->canvas_dirty[1] = ALL_ROWS;
	return 0;
}

static void canvas_proc_gone(struct proc *p)
{
	pxhost_mem_free(p->canvas);
	pxhost_mem_free(p->back);
	p->canvas = p->back = 0;
	p->canvas_dirty[0] = p->canvas_dirty[1] = 0;
	p->layer = PXVM_LAYER_FRONT;
}
