/*
 * vram.h — the VRAM substrate: the screen divided into the regions of the
 * design notes (003), top to bottom, scaled to the mode the loader chose:
 *
 *   METADATA        a machine-readable record (row 0) + a status line
 *   OPCODE PALETTE  every opcode's literal pixel colour and mnemonic
 *   KERNEL          the kernel console (log and program output)
 *   SYSCALL TABLE   every system call with its number and call count
 *   PROCESS TABLE   one cell per process slot: pid, name, state, steps
 *   PROGRAM AREA    process slots: a 128x128 memory tile (the process's 64 KiB,
 *                   one word per pixel) beside a 128x128 canvas it draws on
 *
 * The record in row 0 lets a screenshot be decoded without this code: each
 * pixel carries a 24-bit value in R (low byte), G, B (high byte), in this order:
 *   0 'p','x','O'   1 'S', major, minor   2 width   3 height   4 slot count
 *   5 tile size (128)   6..17 y and height of each of the six regions
 *   18.. per slot: tile x, tile y, canvas x, canvas y
 * docs/architecture.md draws the map.
 *
 * Tiles are mirrors of RAM: the interpreter runs on each process's RAM shadow
 * and vram_tile_flush copies the rows it dirtied (reading VRAM back is slow on
 * real hardware, writing it in whole rows is fast). Portable: the framebuffer
 * may be host memory (tools/pxsim).
 */
#ifndef PXOS_VRAM_H
#define PXOS_VRAM_H

#include <stdint.h>
#include <stdbool.h>
#include "drivers/fb.h"
#include "drivers/font.h"

enum vram_region { VR_META, VR_PALETTE, VR_KERNEL, VR_SYSCALLS, VR_PROCS, VR_PROGRAMS, VR_COUNT };

#define VRAM_MAX_SLOTS 64
#define VRAM_RECORD_MAGIC0 0x4F7870u /* 'p','x','O' as R, G, B */

struct vram_rect {
	int x, y, w, h;
};

struct vram_slot {
	struct vram_rect label, tile, canvas;
};

struct vram_layout {
	uint32_t width, height;
	const struct font *font;
	struct vram_rect region[VR_COUNT]; /* whole bands, header line included */
	struct vram_rect body[VR_COUNT];   /* bands below their header line */
	uint32_t nslots;
	struct vram_slot slot[VRAM_MAX_SLOTS];
};

/* vram_init: lay the regions out on `fb` and draw their static parts. Returns 0,
 * or -1 when the screen is too small for even one process slot (the kernel
 * then keeps the console only). */
int vram_init(const struct fb *fb);

/* vram_ready: whether vram_init succeeded. */
bool vram_ready(void);

/* vram_layout: the layout computed by vram_init. */
const struct vram_layout *vram_layout(void);

/* vram_fb: the framebuffer in use. */
const struct fb *vram_fb(void);

/* vram_region_name: "metadata", "palette", "kernel", "syscalls", "processes", "programs". */
const char *vram_region_name(enum vram_region r);

/* vram_status: replace the metadata status line. */
void vram_status(const char *text);

/* vram_tile_flush: copy the rows of `mem` (PXVM_MEM_WORDS words) marked in
 * `dirty` (2 x 64 bits, bit y = tile row y) into slot `slot`'s tile and clear
 * those bits. */
void vram_tile_flush(unsigned slot, const uint32_t *mem, uint64_t dirty[2]);

/* vram_slot_label: set the one-line label above slot `slot`. */
void vram_slot_label(unsigned slot, const char *text, uint32_t color);

/* The colour of an empty canvas (and of a fresh back layer). */
#define VRAM_CANVAS_BG FB_RGB(16, 16, 24)

/* vram_canvas_clear: fill slot `slot`'s whole visible canvas with `color`. */
void vram_canvas_clear(unsigned slot, uint32_t color);

/* Canvas layers (LAYER_USE): each slot's canvas is the visible layer; a
 * process may also draw on a back layer, a PXVM_TILE_W x PXVM_TILE_H array of
 * pixel words in RAM (`back`), and show it. vram_draw_*: draw on slot `slot`'s
 * visible canvas when `back` is NULL, else on `back`; canvas coordinates,
 * clipped to the canvas, so nothing lands outside it. Text returns the x just
 * past it. */
void vram_draw_rect(unsigned slot, uint32_t *back, int x, int y, int w, int h, uint32_t color);
void vram_draw_pixel(unsigned slot, uint32_t *back, int x, int y, uint32_t color);
int vram_draw_text(unsigned slot, uint32_t *back, int x, int y, const char *s, uint32_t n, uint32_t color);

/* vram_layer_show: copy back layer `back` onto slot `slot`'s visible canvas. */
void vram_layer_show(unsigned slot, const uint32_t *back);

/* vram_layer_fill: set every pixel of back layer `back` to `color`. */
void vram_layer_fill(uint32_t *back, uint32_t color);

/* vram_proc_cell: write the process-table cell of slot `slot`. */
void vram_proc_cell(unsigned slot, const char *text, uint32_t color);

/* vram_syscall_counts: redraw the syscall table with call counts indexed by
 * syscall number (`n` entries). */
void vram_syscall_counts(const uint64_t *counts, uint32_t n);

#endif /* PXOS_VRAM_H */
