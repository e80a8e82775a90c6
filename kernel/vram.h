/*
 * vram.h — the VRAM substrate: the screen divided into the regions of the
 * design notes (003), top to bottom, scaled to the mode the loader chose:
 *
 *   METADATA        a machine-readable record (row 0) + a status line
 *   OPCODE PALETTE  every opcode's literal pixel colour and mnemonic
 *   KERNEL          the kernel console (log and program output)
 *   SYSCALL TABLE   every system call with its number and call count
 *   PROCESS TABLE   one cell per process: pid, name, state, steps, calls, faults
 *   PROGRAM AREA    visible slots: a 128x128 memory tile (the 64 KiB of the
 *                   process the slot shows, one word per pixel) beside the
 *                   128x128 canvas it draws on; which process each slot shows
 *                   is pxvm/view.h's business, and a header line says which
 *                   page of processes is shown
 *
 * The record in row 0 lets a screenshot be decoded without this code: each
 * pixel carries a 24-bit value in R (low byte), G, B (high byte), in this order:
 *   0 'p','x','O'   1 'S', major, minor   2 width   3 height   4 slot count
 *   5 tile size (128)   6..17 y and height of each of the six regions
 *   18.. per slot: tile x, tile y, canvas x, canvas y
 * docs/architecture.md draws the map.
 *
 * Tiles and canvases are mirrors of RAM: the interpreter runs on each
 * process's RAM image and draws on its RAM canvas, and vram_tile_flush /
 * vram_canvas_flush copy the rows that changed (reading VRAM back is slow on
 * real hardware, writing it in whole rows is fast). The tables and labels are
 * drawn from the process table's state at a frame rate (vram_refresh).
 * Portable: the framebuffer may be host memory (tools/pxsim).
 */
#ifndef PXOS_VRAM_H
#define PXOS_VRAM_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "drivers/fb.h"
#include "drivers/font.h"
#include "kernel/param.h"

enum vram_region { VR_META, VR_PALETTE, VR_KERNEL, VR_SYSCALLS, VR_PROCS, VR_PROGRAMS, VR_COUNT };

#define VRAM_MAX_SLOTS VIEW_SLOTS_MAX
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

/* vram_tile_flush: copy the rows of `words` (PXVM_TILE_W x PXVM_TILE_H pixel
 * words, a process's memory) marked in `rows` (2 x 64 bits, bit y = tile row
 * y) into slot `slot`'s tile; `words` NULL: clear those rows (nobody there).
 * What the platform's pxhost_show_tile does (pxvm/host.h). */
void vram_tile_flush(unsigned slot, const uint32_t *words, const uint64_t rows[2]);

/* vram_canvas_flush: the same for slot `slot`'s canvas; `words` NULL: fill
 * the rows with CANVAS_BG (pxhost_show_canvas). */
void vram_canvas_flush(unsigned slot, const uint32_t *words, const uint64_t rows[2]);

/* vram_refresh: redraw what changed of the process table, the slot labels,
 * the program area's page line and the syscall counts, from the process
 * table's state (pxvm/proc.h, pxvm/view.h, pxvm/syscall.h); at most every
 * VRAM_FRAME_US of `now_us` unless `force`. The platform calls it from
 * pxhost_poll. */
void vram_refresh(uint64_t now_us, bool force);

/* vram_fmt_count: `v` in at most `width` characters (>= 5): as is, else in
 * thousands (k), millions (M), billions (G), ... with no digit of the unit
 * shown lost. buf has width + 1 bytes. */
void vram_fmt_count(char *buf, size_t width, uint64_t v);

/* vram_proc_cell_text: the process-table cell of `p` into buf (n bytes, at
 * most PROC_CELL_COLS characters): pid, name, state, instructions, system
 * calls, faults. */
#define PROC_CELL_COLS 39
struct proc;
void vram_proc_cell_text(char *buf, size_t n, const struct proc *p);

/* vram_slot_label: a slot's label, "pid PID NAME" then `tail` (": killed",
 * " [run]"), in at most `cols` characters (buf: cap bytes, cap > cols): the
 * tail always whole (it says how the process is), the name shortened with a
 * '~' first, then "pid " dropped, as the label's width needs. */
void vram_slot_label(char *buf, size_t cap, uint32_t cols, uint32_t pid, const char *name, const char *tail);

#endif /* PXOS_VRAM_H */
