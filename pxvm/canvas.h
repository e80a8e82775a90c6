/*
 * canvas.h — what a process draws on (RECT, PIXEL, TEXT, LAYER_USE), kept in
 * RAM whatever the screen.
 *
 * Each process has a canvas: PXVM_TILE_W x PXVM_TILE_H pixel words
 * (0x00BBGGRR, as in memory), allocated when it first draws, with a mask of
 * the rows changed since they were last shown (pxvm/view.h shows them in the
 * process's visible slot, if it has one). It may also draw on a back layer
 * of the same size and copy it onto the canvas in one step (LAYER_SHOW).
 * Drawing is clipped to the layer: nothing lands outside it, whatever the
 * coordinates. Text uses the 8x16 Terminus font on every screen. Both layers
 * start in CANVAS_BG and are freed when the process ends (a teardown hook).
 */
#ifndef PXVM_CANVAS_H
#define PXVM_CANVAS_H

#include <stdint.h>
#include "proc.h"

/* The colour of an empty canvas and of a fresh back layer. */
#define CANVAS_BG 0x181010u /* R 16, G 16, B 24 */

/* canvas_init: register canvas_proc_gone as a teardown hook. */
void canvas_init(void);

/* canvas_rect: fill x, y, w, h (signed, clipped) of `p`'s current layer
 * (p->layer) with `color`. Returns the pixels filled, or -PXE_ENOMEM when the
 * layer cannot be allocated. */
int canvas_rect(struct proc *p, int32_t x, int32_t y, int32_t w, int32_t h, uint32_t color);

/* canvas_text: draw `n` bytes of `s` (stopping at a NUL) at x, y of `p`'s
 * current layer in `color`: only glyphs that fit whole are drawn. Returns
 * the glyphs drawn, or -PXE_ENOMEM. */
int canvas_text(struct proc *p, int32_t x, int32_t y, const char *s, uint32_t n, uint32_t color);

/* canvas_use_back: make sure `p` has a back layer (allocated in CANVAS_BG on
 * first use). 0 or -PXE_ENOMEM. */
int canvas_use_back(struct proc *p);

/* canvas_show_back: copy `p`'s back layer (which must exist) onto its canvas.
 * 0 or -PXE_ENOMEM (no canvas could be allocated). */
int canvas_show_back(struct proc *p);

#endif /* PXVM_CANVAS_H */
