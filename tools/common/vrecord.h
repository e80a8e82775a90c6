/*
 * vrecord.h — the layout record that kernel/vram.c writes in row 0 of every
 * pxOS screen (kernel/vram.h), read back from a screendump by the host tools
 * (pxdis, pxdiff): each pixel k of row 0 carries a 24-bit value R | G << 8 |
 * B << 16: 'pxO', 'S' major minor, width, height, slot count, tile size (128),
 * y and height of each of the six regions, then per slot tile x, tile y,
 * canvas x, canvas y.
 */
#ifndef PXOS_TOOLS_VRECORD_H
#define PXOS_TOOLS_VRECORD_H

#include <stddef.h>
#include <stdint.h>

#define VRECORD_MAGIC   0x4F7870u /* 'p','x','O' (kernel/vram.h VRAM_RECORD_MAGIC0) */
#define VRECORD_SLOTS   18u       /* index of the first slot entry */
#define VRECORD_REGIONS 6u

struct vrecord {
	uint32_t major, minor;
	uint32_t width, height, nslots, tile;
	uint32_t region_y[VRECORD_REGIONS], region_h[VRECORD_REGIONS];
	const uint8_t *rgb;  /* the screen the record came from (row 0 holds the slots) */
};

/* vrecord_read: the record of screen `rgb` (width x height RGB, 3 bytes a
 * pixel). Checks the magic, version 0.x, the size against the image's, the
 * tile size (PXVM_TILE_W) and that row 0 can hold the slot count. Returns 0,
 * or -1 with the reason in err (cap bytes); `tool` names the reader in the
 * version message ("pxdis reads version 0.x"). */
int vrecord_read(const uint8_t *rgb, uint32_t width, uint32_t height, const char *tool, struct vrecord *r,
                 char *err, size_t cap);

/* vrecord_slot: slot `slot`'s (< r->nslots) tile and canvas positions. */
void vrecord_slot(const struct vrecord *r, uint32_t slot, uint32_t *tile_x, uint32_t *tile_y, uint32_t *canvas_x,
                  uint32_t *canvas_y);

#endif /* PXOS_TOOLS_VRECORD_H */
