/*
 * load.c — where pxdis's bytes come from (see pxdis.h): .pxe files, raw
 * binaries, PixelFS images (pxvm/pixelfs.c) and screendump tiles. Files and
 * images are read by tools/common/hostio.c (stb_image for PNG and PPM).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pxvm/abi.h"
#include "pxvm/pixelfs.h"
#include "tools/common/hostio.h"
#include "tools/common/vrecord.h"
#include "tools/pxdis/pxdis.h"


static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int pxdis_from_raw(const uint8_t *data, size_t len, uint32_t base, uint32_t entry,
		   struct pxdis_image *img, char *err, size_t cap)
{
	memset(img, 0, sizeof *img);
	if (base & 3u)
		return hostio_fail(err, cap, "base 0x%X is not 4-aligned", (unsigned)base);
	if (base > PXVM_MEM_SIZE || len > PXVM_MEM_SIZE - base)
		return hostio_fail(err, cap, "%zu bytes at 0x%04X do not fit in the 64 KiB of a process", len,
			    (unsigned)base);
	img->bytes = malloc(len + 1);
	if (!img->bytes)
		return hostio_fail(err, cap, "out of memory");
	if (len)
		memcpy(img->bytes, data, len);
	img->size = len;
	img->base = base;
	img->entry = entry;
	return 0;
}

int pxdis_from_pxe(const uint8_t *file, size_t len, struct pxdis_image *img, char *err, size_t cap)
{
	memset(img, 0, sizeof *img);
	if (len < PXE_HEADER_SIZE)
		return hostio_fail(err, cap, "not a .pxe: %zu bytes, shorter than the 16-byte header", len);
	if (le32(file) != PXE_MAGIC)
		return hostio_fail(err, cap, "not a .pxe: no \"PXE1\" magic");
	uint32_t version = (uint32_t)file[4] | (uint32_t)file[5] << 8;
	uint32_t flags = (uint32_t)file[6] | (uint32_t)file[7] << 8;
	uint32_t entry = le32(file + 8), size = le32(file + 12);
	if (version != PXE_VERSION)
		return hostio_fail(err, cap, "unsupported .pxe version %u (pxasm writes %u)", (unsigned)version,
			    (unsigned)PXE_VERSION);
	if (flags != 0)
		return hostio_fail(err, cap, ".pxe flags 0x%04X: pxasm writes 0", (unsigned)flags);
	if ((size & 3u) || size > PXVM_IMAGE_MAX)
		return hostio_fail(err, cap, "bad image size %u in the .pxe header (a multiple of 4, at most %u)",
			    (unsigned)size, (unsigned)PXVM_IMAGE_MAX);
	if (len - PXE_HEADER_SIZE != size)
		return hostio_fail(err, cap, "the .pxe header says %u image bytes, the file has %zu", (unsigned)size,
			    len - PXE_HEADER_SIZE);
	if ((entry & 3u) || ((entry < PXVM_IMAGE_BASE || entry - PXVM_IMAGE_BASE >= size) &&
			     !(size == 0 && entry == PXVM_IMAGE_BASE)))
		return hostio_fail(err, cap, "entry point 0x%04X is not a 4-aligned address in the image 0x%04X..0x%04X",
			    (unsigned)entry, (unsigned)PXVM_IMAGE_BASE, (unsigned)(PXVM_IMAGE_BASE + size));
	if (pxdis_from_raw(file + PXE_HEADER_SIZE, size, PXVM_IMAGE_BASE, entry, img, err, cap) != 0)
		return -1;
	img->pxe = true;
	return 0;
}

int pxdis_fs_file(const char *png, const char *path, uint8_t **data, size_t *len, char *err, size_t cap)
{
	*data = NULL;
	*len = 0;
	struct hostio_image img;
	if (hostio_load_image(png, 4, PXFS_MAX_WIDTH, PXFS_MAX_HEIGHT, &img, err, cap) != 0)
		return -1;
	struct pxfs fs;
	static uint8_t bad[PXFS_MAX_FILES];
	struct pxfs_file file;
	int rc = pxfs_mount(&fs, img.px, img.width, img.height, bad, NULL, NULL);
	if (rc != 0)
		hostio_fail(err, cap, "%s: %s", png, pxfs_strerror(rc));
	else if (pxfs_lookup(&fs, path, &file) != 0)
		rc = hostio_fail(err, cap, "%s: no file '%s' (or it failed its checks; see `pxfs verify`)", png, path);
	else if (!(*data = malloc(file.size + 1u)))
		rc = hostio_fail(err, cap, "out of memory");
	else {
		memcpy(*data, file.data, file.size);
		*len = file.size;
	}
	hostio_image_free(&img);
	return rc ? -1 : 0;
}

int pxdis_shot_load(const char *path, struct pxdis_shot *s, char *err, size_t cap)
{
	memset(s, 0, sizeof *s);
	struct hostio_image img;
	if (hostio_load_image(path, 3, 16384, 16384, &img, err, cap) != 0)
		return -1;
	s->rgb = img.px;
	s->width = img.width;
	s->height = img.height;
	return 0;
}

void pxdis_shot_free(struct pxdis_shot *s)
{
	struct hostio_image img = { s->rgb, s->width, s->height, 3 };
	hostio_image_free(&img);
	s->rgb = NULL;
}

/* The 24-bit value of pixel (x, y): R | G << 8 | B << 16. */
static uint32_t pixel24(const struct pxdis_shot *s, uint32_t x, uint32_t y)
{
	const uint8_t *p = s->rgb + ((size_t)y * s->width + x) * 3;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

int pxdis_shot_slot(const struct pxdis_shot *s, uint32_t slot, uint32_t *x, uint32_t *y,
		    char *err, size_t cap)
{
	struct vrecord r;
	uint32_t cx, cy;
	if (vrecord_read(s->rgb, s->width, s->height, "pxdis", &r, err, cap) != 0)
		return -1;
	if (slot >= r.nslots)
		return hostio_fail(err, cap, "no slot %u: the screen has %u slot%s (0..%u)", (unsigned)slot,
			    (unsigned)r.nslots, r.nslots == 1 ? "" : "s", r.nslots ? (unsigned)r.nslots - 1 : 0u);
	vrecord_slot(&r, slot, x, y, &cx, &cy);
	return 0;
}

int pxdis_from_tile(const struct pxdis_shot *s, uint32_t x, uint32_t y, uint32_t from, uint32_t to,
		    struct pxdis_image *img, char *err, size_t cap)
{
	memset(img, 0, sizeof *img);
	if (x >= s->width || y >= s->height || s->width - x < PXVM_TILE_W || s->height - y < PXVM_TILE_H)
		return hostio_fail(err, cap, "a 128x128 tile at (%u,%u) does not fit in the %u x %u screen", (unsigned)x,
			    (unsigned)y, (unsigned)s->width, (unsigned)s->height);
	if ((from & 3u) || (to & 3u) || from >= PXVM_MEM_SIZE || to > PXVM_MEM_SIZE || (to && to <= from))
		return hostio_fail(err, cap, "bad range 0x%04X..0x%04X: 4-aligned, start below end, end at most 0x10000",
			    (unsigned)from, (unsigned)to);
	uint8_t mem[PXVM_MEM_SIZE];
	for (uint32_t i = 0; i < PXVM_MEM_WORDS; i++) {
		uint32_t v = pixel24(s, x + i % PXVM_TILE_W, y + i / PXVM_TILE_W);
		mem[4 * i] = (uint8_t)v;
		mem[4 * i + 1] = (uint8_t)(v >> 8);
		mem[4 * i + 2] = (uint8_t)(v >> 16);
		mem[4 * i + 3] = 0;
	}
	if (!to) {
		to = from + 4;
		for (uint32_t a = from; a < PXVM_STACK_TOP; a += 4)
			if (mem[a] | mem[a + 1] | mem[a + 2])
				to = a + 4;
	}
	if (pxdis_from_raw(mem + from, to - from, from, from, img, err, cap) != 0)
		return -1;
	img->known = malloc(img->size + 1);
	if (!img->known) {
		pxdis_image_free(img);
		return hostio_fail(err, cap, "out of memory");
	}
	for (size_t i = 0; i < img->size; i++)
		img->known[i] = ((from + i) & 3u) != 3u;
	return 0;
}
