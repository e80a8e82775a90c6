/*
 * vrecord.c — reading the row-0 layout record of a pxOS screendump; see
 * vrecord.h.
 */
#include "tools/common/vrecord.h"
#include "tools/common/hostio.h"
#include "pxvm/abi.h"

/* The 24-bit value of pixel x of row 0. */
static uint32_t rec(const uint8_t *rgb, uint32_t x)
{
	const uint8_t *p = rgb + (size_t)x * 3;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

int vrecord_read(const uint8_t *rgb, uint32_t width, uint32_t height, const char *tool, struct vrecord *r,
                 char *err, size_t cap)
{
	if (width < VRECORD_SLOTS || !height || rec(rgb, 0) != VRECORD_MAGIC)
		return hostio_fail(err, cap, "no pxOS layout record in row 0 (it starts with the colour 0x%06X, not "
			    "'pxO' 0x%06X): not a pxOS screen, or scaled or cropped; use --tile X,Y",
			    width && height ? (unsigned)rec(rgb, 0) : 0u, (unsigned)VRECORD_MAGIC);
	uint32_t ver = rec(rgb, 1);
	r->major = (ver >> 8) & 0xFFu;
	r->minor = ver >> 16;
	if ((ver & 0xFFu) != 'S' || r->major != 0)
		return hostio_fail(err, cap, "layout record version %u.%u: %s reads version 0.x", (unsigned)r->major,
			    (unsigned)r->minor, tool);
	r->width = rec(rgb, 2);
	r->height = rec(rgb, 3);
	if (r->width != width || r->height != height)
		return hostio_fail(err, cap, "the layout record is for a %u x %u screen, the PNG is %u x %u (scaled?)",
			    (unsigned)r->width, (unsigned)r->height, (unsigned)width, (unsigned)height);
	r->nslots = rec(rgb, 4);
	r->tile = rec(rgb, 5);
	if (r->tile != PXVM_TILE_W)
		return hostio_fail(err, cap, "the layout record has tiles of %u pixels, pxVM's are %u", (unsigned)r->tile,
			    (unsigned)PXVM_TILE_W);
	if (r->nslots > (width - VRECORD_SLOTS) / 4)
		return hostio_fail(err, cap, "the layout record claims %u slots, more than row 0 can hold",
			    (unsigned)r->nslots);
	for (uint32_t i = 0; i < VRECORD_REGIONS; i++) {
		r->region_y[i] = rec(rgb, 6 + 2 * i);
		r->region_h[i] = rec(rgb, 7 + 2 * i);
	}
	r->rgb = rgb;
	return 0;
}

void vrecord_slot(const struct vrecord *r, uint32_t slot, uint32_t *tile_x, uint32_t *tile_y, uint32_t *canvas_x,
                  uint32_t *canvas_y)
{
	uint32_t k = VRECORD_SLOTS + 4 * slot;
	*tile_x = rec(r->rgb, k);
	*tile_y = rec(r->rgb, k + 1);
	*canvas_x = rec(r->rgb, k + 2);
	*canvas_y = rec(r->rgb, k + 3);
}
