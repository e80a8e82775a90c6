/*
 * vram_watch.c — watching execution on the screen, beside the tile; see
 * vram_watch.h.
 */
#include "vram_watch.h"
#include "vram.h"
#include "pxvm/canvas.h"
#include "pxvm/proc.h"
#include "pxvm/view.h"
#include "pxvm/watch.h"
#include "pxvm/port.h"

#define COL_TICK FB_RGB(255, 255, 255)
#define TICKS 8 /* 2 pixels on each side of the tile's frame */

static uint32_t pane[PXVM_MEM_WORDS];
static uint32_t pane_pid[VRAM_MAX_SLOTS]; /* the pid whose pane the slot shows; 0: its canvas */
static struct tick {
	int n;                          /* pixels drawn (0: none) */
	int x[TICKS], y[TICKS];
	uint32_t under[TICKS];          /* what they covered */
} ticks[VRAM_MAX_SLOTS];

void vram_watch_reset(void)
{
	memset(pane_pid, 0, sizeof(pane_pid));
	memset(ticks, 0, sizeof(ticks));
}

bool vram_watch_pane(unsigned slot) { return slot < VRAM_MAX_SLOTS && pane_pid[slot]; }

/* untick: put back what slot `i`'s pc ticks covered. */
static void untick(uint32_t i)
{
	const struct fb *fb = vram_fb();
	for (int k = ticks[i].n - 1; k >= 0; k--)
		fb_fill(fb, ticks[i].x[k], ticks[i].y[k], 1, 1, ticks[i].under[k]);
	ticks[i].n = 0;
}

/* tick: mark the pc's column on the tile's top and bottom frame and its row
 * on the left and right frame, each two pixels outward from the tile, so the
 * marker moves beside the tile without touching one of its pixels. */
static void tick(uint32_t i, const struct vram_rect *t, uint32_t pc)
{
	const struct fb *fb = vram_fb();
	int cx = t->x + (int)((pc >> 2) % PXVM_TILE_W), cy = t->y + (int)((pc >> 2) / PXVM_TILE_W);
	const int xs[TICKS] = { cx, cx, cx, cx, t->x - 1, t->x - 2, t->x + t->w, t->x + t->w + 1 };
	const int ys[TICKS] = { t->y - 1, t->y - 2, t->y + t->h, t->y + t->h + 1, cy, cy, cy, cy };
	untick(i);
	for (int k = 0; k < TICKS; k++) {
		ticks[i].x[k] = xs[k];
		ticks[i].y[k] = ys[k];
		ticks[i].under[k] = fb_get(fb, xs[k], ys[k]);
		fb_fill(fb, xs[k], ys[k], 1, 1, COL_TICK);
	}
	ticks[i].n = TICKS;
}

/* restore: slot `i` shows its canvas again (the one of `p`, or blank). */
static void restore(uint32_t i, const struct proc *p)
{
	static const uint64_t all[2] = { ~0ull, ~0ull };
	pane_pid[i] = 0;
	untick(i);
	vram_canvas_flush(i, p ? p->canvas : 0, all);
}

void vram_watch_frame(void)
{
	const struct vram_layout *L = vram_layout();
	for (uint32_t i = 0; i < L->nslots && i < view_slots(); i++) {
		const struct view_slot *v = view_slot(i);
		const struct proc *p = v->pid && !v->ended ? proc_find(v->pid) : 0;
		struct pxvm_watch *w = p && p->slot == i && p->vm.mem ? p->vm.watch : 0;
		if (!w || !(w->flags & WATCH_SHOWN)) {
			if (pane_pid[i] && v->ended && v->pid == pane_pid[i]) {
				/* It ended watched: as the view keeps an ended process's
				 * last image, its last pane stays (its canvas is gone with
				 * it) until the slot shows another process. */
				pane_pid[i] = 0;
				untick(i);
			} else if (pane_pid[i]) {
				restore(i, p && p->slot == i ? p : 0);
			}
			continue;
		}
		pane_pid[i] = p->pid;
		watch_frame(w, p->vm.mem, p->vm.pc, pane);
		const struct vram_rect *c = &L->slot[i].canvas;
		for (uint32_t y = 0; y < PXVM_TILE_H; y++)
			fb_put_row(vram_fb(), c->x, c->y + (int)y, pane + y * PXVM_TILE_W, PXVM_TILE_W);
		if (w->flags & WATCH_PC)
			tick(i, &L->slot[i].tile, p->vm.pc < PXVM_MEM_SIZE ? p->vm.pc : PXVM_MEM_SIZE - 4);
		else
			untick(i);
	}
}
