/*
 * input.c — pxdiff's input layer: the readers of pictures of a machine; see
 * pxdiff.h. Files and images come through tools/common/hostio.c (stb_image,
 * PNG checked first), the row-0 record through tools/common/vrecord.c.
 */
#include <stdlib.h>
#include <string.h>

#include "tools/common/hostio.h"
#include "tools/common/vrecord.h"
#include "tools/pxdis/pxdis.h"
#include "tools/pxdiff/pxdiff.h"

int pxdiff_map_code(struct pxdiff_proc *p)
{
	static uint8_t bytes[PXVM_MEM_SIZE], known[PXVM_MEM_SIZE];
	struct pxdis_image img = { bytes, known, PXVM_MEM_SIZE, 0, false, PXVM_IMAGE_BASE };
	uint32_t roots[2] = { PXVM_IMAGE_BASE, p->pc };
	for (uint32_t i = 0; i < PXVM_MEM_SIZE; i++) {
		bytes[i] = (uint8_t)(p->mem[i / 4] >> (8 * (i % 4)));
		known[i] = (uint8_t)((p->known >> (8 * (i % 4))) & 1u);
	}
	return pxdis_code_map(&img, roots, p->pc == PXDIFF_NONE ? 1 : 2, p->code);
}

void pxdiff_free(struct pxdiff_machine *m)
{
	free(m->rgb);
	free(m->proc);
	memset(m, 0, sizeof(*m));
}

/* The 24-bit value of screen pixel (x, y): R | G << 8 | B << 16. */
static uint32_t pixel(const uint8_t *rgb, uint32_t w, uint32_t x, uint32_t y)
{
	const uint8_t *p = rgb + ((size_t)y * w + x) * 3;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

int pxdiff_from_screen(const uint8_t *rgb, uint32_t w, uint32_t h, struct pxdiff_machine *m, char *err, size_t cap)
{
	struct vrecord r;
	memset(m, 0, sizeof(*m));
	if (vrecord_read(rgb, w, h, "pxdiff", &r, err, cap) != 0)
		return -1;
	m->kind = "screendump";
	m->width = w;
	m->height = h;
	m->rgb = malloc((size_t)w * h * 3);
	m->proc = calloc(r.nslots ? r.nslots : 1, sizeof(*m->proc));
	if (!m->rgb || !m->proc) {
		pxdiff_free(m);
		return hostio_fail(err, cap, "out of memory");
	}
	memcpy(m->rgb, rgb, (size_t)w * h * 3);
	for (uint32_t s = 0; s < r.nslots; s++) {
		uint32_t tx, ty, cx, cy;
		vrecord_slot(&r, s, &tx, &ty, &cx, &cy);
		if (tx > w || w - tx < PXVM_TILE_W || ty > h || h - ty < PXVM_TILE_H || cx > w ||
		    w - cx < PXVM_TILE_W || cy > h || h - cy < PXVM_TILE_H) {
			pxdiff_free(m);
			return hostio_fail(err, cap, "the layout record puts slot %u (tile %u,%u, canvas %u,%u) outside the %u x %u "
			            "screen", (unsigned)s, (unsigned)tx, (unsigned)ty, (unsigned)cx, (unsigned)cy,
			            (unsigned)w, (unsigned)h);
		}
		struct pxdiff_proc *p = &m->proc[m->nproc++];
		p->slot = s;
		p->known = 0x00FFFFFFu; /* a screen shows bytes 0..2 of every word */
		p->has_canvas = true;
		p->tile_x = (int)tx;
		p->tile_y = (int)ty;
		p->canvas_x = (int)cx;
		p->canvas_y = (int)cy;
		p->pc = PXDIFF_NONE;
		for (uint32_t i = 0; i < PXVM_MEM_WORDS; i++) {
			p->mem[i] = pixel(rgb, w, tx + i % PXVM_TILE_W, ty + i / PXVM_TILE_W);
			p->canvas[i] = pixel(rgb, w, cx + i % PXVM_TILE_W, cy + i / PXVM_TILE_W);
		}
		if (pxdiff_map_code(p) != 0) {
			pxdiff_free(m);
			return hostio_fail(err, cap, "out of memory");
		}
	}
	return 0;
}

/* ---- screendumps: PNG or PPM/PGM of a pxOS screen ------------------------------ */

static bool screendump_probe(const uint8_t *head, size_t n)
{
	return (n >= 8 && !memcmp(head, "\x89PNG\r\n\x1a\n", 8)) ||
	       (n >= 2 && head[0] == 'P' && (head[1] == '5' || head[1] == '6'));
}

static int screendump_load(const char *path, struct pxdiff_machine *m, char *err, size_t cap)
{
	struct hostio_image img;
	if (hostio_load_image(path, 3, 16384, 16384, &img, err, cap) != 0)
		return -1;
	char why[256];
	int rc = pxdiff_from_screen(img.px, img.width, img.height, m, why, sizeof(why));
	hostio_image_free(&img);
	return rc ? hostio_fail(err, cap, "%s: %s", path, why) : 0;
}

static const struct pxdiff_reader screendump = { "screendump", screendump_probe, screendump_load };

/* Snapshot readers go before the screendump reader: a snapshot is a PNG too. */
const struct pxdiff_reader *const pxdiff_readers[] = { &screendump, NULL };

int pxdiff_load(const char *path, struct pxdiff_machine *m, char *err, size_t cap)
{
	uint8_t *data;
	size_t n;
	memset(m, 0, sizeof(*m));
	int e = hostio_read_regular(path, HOSTIO_IMAGE_FILE_MAX, &data, &n);
	if (e)
		return hostio_fail(err, cap, "%s: %s", path, hostio_strerror(e));
	const struct pxdiff_reader *const *r = pxdiff_readers;
	while (*r && !(*r)->probe(data, n))
		r++;
	free(data);
	if (!*r)
		return hostio_fail(err, cap, "%s: not a picture pxdiff reads (a PNG or PPM screendump of pxOS)", path);
	return (*r)->load(path, m, err, cap);
}
