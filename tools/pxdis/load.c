/*
 * load.c — where pxdis's bytes come from (see pxdis.h): .pxe files, raw
 * binaries, PixelFS images (pxvm/pixelfs.c) and screendump tiles. PNG (and,
 * for screendumps, PPM) decoding is stb_image (Debian libstb-dev), compiled
 * here for this tool.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pxvm/abi.h"
#include "pxvm/pixelfs.h"
#include "tools/pxdis/pxdis.h"

/* Third-party code: any warning suppression it needs goes inside this push/pop. */
#pragma GCC diagnostic push
#define STBI_ONLY_PNG
#define STBI_ONLY_PNM /* QEMU's `screendump` writes PPM unless asked for PNG */
#define STBI_NO_HDR
#define STBI_NO_LINEAR
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

static int fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (cap)
		vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int pxdis_from_raw(const uint8_t *data, size_t len, uint32_t base, uint32_t entry,
		   struct pxdis_image *img, char *err, size_t cap)
{
	memset(img, 0, sizeof *img);
	if (base & 3u)
		return fail(err, cap, "base 0x%X is not 4-aligned", (unsigned)base);
	if (base > PXVM_MEM_SIZE || len > PXVM_MEM_SIZE - base)
		return fail(err, cap, "%zu bytes at 0x%04X do not fit in the 64 KiB of a process", len,
			    (unsigned)base);
	img->bytes = malloc(len + 1);
	if (!img->bytes)
		return fail(err, cap, "out of memory");
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
		return fail(err, cap, "not a .pxe: %zu bytes, shorter than the 16-byte header", len);
	if (le32(file) != PXE_MAGIC)
		return fail(err, cap, "not a .pxe: no \"PXE1\" magic");
	uint32_t version = (uint32_t)file[4] | (uint32_t)file[5] << 8;
	uint32_t flags = (uint32_t)file[6] | (uint32_t)file[7] << 8;
	uint32_t entry = le32(file + 8), size = le32(file + 12);
	if (version != PXE_VERSION)
		return fail(err, cap, "unsupported .pxe version %u (pxasm writes %u)", (unsigned)version,
			    (unsigned)PXE_VERSION);
	if (flags != 0)
		return fail(err, cap, ".pxe flags 0x%04X: pxasm writes 0", (unsigned)flags);
	if ((size & 3u) || size > PXVM_IMAGE_MAX)
		return fail(err, cap, "bad image size %u in the .pxe header (a multiple of 4, at most %u)",
			    (unsigned)size, (unsigned)PXVM_IMAGE_MAX);
	if (len - PXE_HEADER_SIZE != size)
		return fail(err, cap, "the .pxe header says %u image bytes, the file has %zu", (unsigned)size,
			    len - PXE_HEADER_SIZE);
	if ((entry & 3u) || ((entry < PXVM_IMAGE_BASE || entry - PXVM_IMAGE_BASE >= size) &&
			     !(size == 0 && entry == PXVM_IMAGE_BASE)))
		return fail(err, cap, "entry point 0x%04X is not a 4-aligned address in the image 0x%04X..0x%04X",
			    (unsigned)entry, (unsigned)PXVM_IMAGE_BASE, (unsigned)(PXVM_IMAGE_BASE + size));
	if (pxdis_from_raw(file + PXE_HEADER_SIZE, size, PXVM_IMAGE_BASE, entry, img, err, cap) != 0)
		return -1;
	img->pxe = true;
	return 0;
}

int pxdis_read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	*data = NULL;
	*len = 0;
	if (!f)
		return errno;
	size_t cap = 0, n = 0;
	uint8_t *buf = NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			uint8_t *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return ENOMEM;
			}
			buf = nb;
		}
		size_t k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (k == 0)
			break;
	}
	int rc = ferror(f) ? EIO : 0;
	fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	*data = buf;
	*len = n;
	return 0;
}

int pxdis_fs_file(const char *png, const char *path, uint8_t **data, size_t *len, char *err, size_t cap)
{
	int w, h, comp;
	*data = NULL;
	*len = 0;
	FILE *f = fopen(png, "rb");
	if (!f)
		return fail(err, cap, "%s: %s", png, strerror(errno));
	if (!stbi_info_from_file(f, &w, &h, &comp)) {
		fclose(f);
		return fail(err, cap, "%s: not a readable PNG (%s)", png, stbi_failure_reason());
	}
	if (w < 1 || h < 1 || w > (int)PXFS_MAX_WIDTH || h > (int)PXFS_MAX_HEIGHT) {
		fclose(f);
		return fail(err, cap, "%s: %d x %d pixels is not a PixelFS image size", png, w, h);
	}
	uint8_t *px = stbi_load_from_file(f, &w, &h, &comp, 4);
	fclose(f);
	if (!px)
		return fail(err, cap, "%s: cannot decode PNG (%s)", png, stbi_failure_reason());
	struct pxfs fs;
	static uint8_t bad[PXFS_MAX_FILES];
	int rc = pxfs_mount(&fs, px, (uint32_t)w, (uint32_t)h, bad, NULL, NULL);
	if (rc != 0) {
		stbi_image_free(px);
		return fail(err, cap, "%s: %s", png, pxfs_strerror(rc));
	}
	struct pxfs_file file;
	if (pxfs_lookup(&fs, path, &file) != 0) {
		stbi_image_free(px);
		return fail(err, cap, "%s: no file '%s' (or it failed its checks; see `pxfs verify`)", png, path);
	}
	*data = malloc(file.size + 1u);
	if (!*data) {
		stbi_image_free(px);
		return fail(err, cap, "out of memory");
	}
	memcpy(*data, file.data, file.size);
	*len = file.size;
	stbi_image_free(px);
	return 0;
}

int pxdis_shot_load(const char *path, struct pxdis_shot *s, char *err, size_t cap)
{
	int w, h, comp;
	memset(s, 0, sizeof *s);
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(err, cap, "%s: %s", path, strerror(errno));
	if (!stbi_info_from_file(f, &w, &h, &comp)) {
		fclose(f);
		return fail(err, cap, "%s: not a readable PNG or PPM (%s)", path, stbi_failure_reason());
	}
	if (w < 1 || h < 1 || w > 16384 || h > 16384) {
		fclose(f);
		return fail(err, cap, "%s: %d x %d pixels: a screendump is at most 16384 x 16384", path, w, h);
	}
	uint8_t *px = stbi_load_from_file(f, &w, &h, &comp, 3);
	fclose(f);
	if (!px)
		return fail(err, cap, "%s: cannot decode the image (%s)", path, stbi_failure_reason());
	s->rgb = px;
	s->width = (uint32_t)w;
	s->height = (uint32_t)h;
	return 0;
}

void pxdis_shot_free(struct pxdis_shot *s)
{
	stbi_image_free(s->rgb);
	s->rgb = NULL;
}

/* The 24-bit value of pixel (x, y): R | G << 8 | B << 16. */
static uint32_t pixel24(const struct pxdis_shot *s, uint32_t x, uint32_t y)
{
	const uint8_t *p = s->rgb + ((size_t)y * s->width + x) * 3;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

#define REC_MAGIC   0x4F7870u /* 'p','x','O' (kernel/vram.h VRAM_RECORD_MAGIC0) */
#define REC_SLOTS   18u       /* index of the first slot entry */

int pxdis_shot_slot(const struct pxdis_shot *s, uint32_t slot, uint32_t *x, uint32_t *y,
		    char *err, size_t cap)
{
	if (s->width < REC_SLOTS || pixel24(s, 0, 0) != REC_MAGIC)
		return fail(err, cap, "no pxOS layout record in row 0 (it starts with the colour 0x%06X, not "
			    "'pxO' 0x%06X): not a pxOS screen, or scaled or cropped; use --tile X,Y",
			    s->width ? (unsigned)pixel24(s, 0, 0) : 0u, (unsigned)REC_MAGIC);
	uint32_t ver = pixel24(s, 1, 0);
	if ((ver & 0xFFu) != 'S' || ((ver >> 8) & 0xFFu) != 0)
		return fail(err, cap, "layout record version %u.%u: pxdis reads version 0.x",
			    (unsigned)((ver >> 8) & 0xFFu), (unsigned)(ver >> 16));
	if (pixel24(s, 2, 0) != s->width || pixel24(s, 3, 0) != s->height)
		return fail(err, cap, "the layout record is for a %u x %u screen, the PNG is %u x %u (scaled?)",
			    (unsigned)pixel24(s, 2, 0), (unsigned)pixel24(s, 3, 0), (unsigned)s->width,
			    (unsigned)s->height);
	uint32_t nslots = pixel24(s, 4, 0), tile = pixel24(s, 5, 0);
	if (tile != PXVM_TILE_W)
		return fail(err, cap, "the layout record has tiles of %u pixels, pxVM's are %u", (unsigned)tile,
			    (unsigned)PXVM_TILE_W);
	if (nslots > (s->width - REC_SLOTS) / 4)
		return fail(err, cap, "the layout record claims %u slots, more than row 0 can hold", (unsigned)nslots);
	if (slot >= nslots)
		return fail(err, cap, "no slot %u: the screen has %u slot%s (0..%u)", (unsigned)slot,
			    (unsigned)nslots, nslots == 1 ? "" : "s", nslots ? (unsigned)nslots - 1 : 0u);
	*x = pixel24(s, REC_SLOTS + 4 * slot, 0);
	*y = pixel24(s, REC_SLOTS + 4 * slot + 1, 0);
	return 0;
}

int pxdis_from_tile(const struct pxdis_shot *s, uint32_t x, uint32_t y, uint32_t from, uint32_t to,
		    struct pxdis_image *img, char *err, size_t cap)
{
	memset(img, 0, sizeof *img);
	if (x >= s->width || y >= s->height || s->width - x < PXVM_TILE_W || s->height - y < PXVM_TILE_H)
		return fail(err, cap, "a 128x128 tile at (%u,%u) does not fit in the %u x %u screen", (unsigned)x,
			    (unsigned)y, (unsigned)s->width, (unsigned)s->height);
	if ((from & 3u) || (to & 3u) || from >= PXVM_MEM_SIZE || to > PXVM_MEM_SIZE || (to && to <= from))
		return fail(err, cap, "bad range 0x%04X..0x%04X: 4-aligned, start below end, end at most 0x10000",
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
		return fail(err, cap, "out of memory");
	}
	for (size_t i = 0; i < img->size; i++)
		img->known[i] = ((from + i) & 3u) != 3u;
	return 0;
}
