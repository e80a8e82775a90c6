/*
 * vram_watch.h — watching execution drawn beside the tile (docs/watching.md).
 *
 * A slot whose process is watched (pxvm/watch.h, any of WATCH_SHOWN) shows,
 * in place of its canvas, the watch pane that watch_frame draws at the
 * screen's frame rate (vram_refresh): the tile dimmed, the words run in the
 * last frame bright, the pc in a square, written words flashing and fading,
 * rewritten code magenta. The pc's column and row are also marked on the
 * tile's frame, outside the tile. Nothing is ever drawn on a tile's own
 * pixels, so a screendump's tile is exactly the process's memory (pxdis,
 * pxdiff and snapshots read it) and nothing drawn here is read back as
 * memory. When watching stops, the slot shows its canvas again; when the
 * process ends watched, its last pane stays (the slot keeps an ended
 * process's last image, and its canvas ended with it) until the slot shows
 * another process. Portable, as kernel/vram.c.
 */
#ifndef PXOS_VRAM_WATCH_H
#define PXOS_VRAM_WATCH_H

#include <stdbool.h>

/* vram_watch_reset: no slot shows a pane (vram_init). */
void vram_watch_reset(void);

/* vram_watch_frame: draw one frame of every watched slot's pane and pc ticks;
 * give the canvas back to slots no longer watched. Called by vram_refresh. */
void vram_watch_frame(void);

/* vram_watch_pane: whether slot `slot` shows a watch pane now (its canvas
 * rows are then not drawn: the canvas stays in RAM and comes back whole). */
bool vram_watch_pane(unsigned slot);

#endif /* PXOS_VRAM_WATCH_H */
