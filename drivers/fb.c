/*
 * fb.c — framebuffer drawing; see fb.h.
 */
#include "fb.h"
#include "font.h"
#include "boot/bootinfo.h"
#include "pxvm/port.h"

static bool mask_run(uint32_t mask, uint8_t *shift, uint8_t *bits)
{
	if (!mask) {
		*shift = 0;
		*bits = 0;
		return true;
	}
	uint8_t s = 0;
	while (!(mask & 1u)) {
		mask >>= 1;
		s++;
	}
	uint8_t b = 0;
	while (mask & 1u) {
		mask >>= 1;
		b++;
	}
	if (mask || b > 8)
		return false; /* not one contiguous run, or wider than our 8-bit channels */
	*shift = s;
	*bits = b;
	return true;
}

int fb_init(struct fb *fb, void *base, uint32_t width, uint32_t height, uint32_t stride,
            uint32_t format, const uint32_t masks[4])
{
	static const uint32_t rgbx[4] = { 0x000000FFu, 0x0000FF00u, 0x00FF0000u, 0xFF000000u };
	static const uint32_t bgrx[4] = { 0x00FF0000u, 0x0000FF00u, 0x000000FFu, 0xFF000000u };
	if (!base || !width || !height || stride < width)
		return -1;
	const uint32_t *m;
	if (format == PXOS_PIXEL_RGBX8)
		m = rgbx;
	else if (format == PXOS_PIXEL_BGRX8)
		m = bgrx;
	else if (format == PXOS_PIXEL_BITMASK && masks)
		m = masks;
	else
		return -1;
	for (int i = 0; i < 4; i++)
		if (!mask_run(m[i], &fb->shift[i], &fb->bits[i]))
			return -1;
	if (!fb->bits[0] || !fb->bits[1] || !fb->bits[2] || (m[0] & m[1]) || (m[0] & m[2]) || (m[1] & m[2]) ||
	    ((m[0] | m[1] | m[2]) & m[3]))
		return -1;
	fb->base = base;
	fb->width = width;
	fb->height = height;
	fb->stride = stride;
	fb->format = format;
	return 0;
}

const char *fb_format_name(const struct fb *fb)
{
	switch (fb->format) {
	case PXOS_PIXEL_RGBX8: return "RGBX8";
	case PXOS_PIXEL_BGRX8: return "BGRX8";
	default: return "bitmask";
	}
}

static inline uint32_t chan_encode(uint32_t v8, uint8_t shift, uint8_t bits)
{
	return bits ? (v8 >> (8 - bits)) << shift : 0;
}

static inline uint32_t chan_decode(uint32_t native, uint8_t shift, uint8_t bits)
{
	if (!bits)
		return 0;
	uint32_t v = (native >> shift) & ((1u << bits) - 1u);
	/* Scale back to 8 bits by replicating the high bits. */
	uint32_t out = v << (8 - bits);
	for (uint32_t have = bits; have < 8; have += bits)
		out |= v << (8 - bits) >> have;
	return out & 0xFFu;
}

uint32_t fb_encode(const struct fb *fb, uint32_t w)
{
	switch (fb->format) {
	case PXOS_PIXEL_RGBX8:
		return w;
	case PXOS_PIXEL_BGRX8:
		return (w & 0xFF00FF00u) | ((w & 0xFFu) << 16) | ((w >> 16) & 0xFFu);
	default:
		return chan_encode(w & 0xFF, fb->shift[0], fb->bits[0]) |
		       chan_encode((w >> 8) & 0xFF, fb->shift[1], fb->bits[1]) |
		       chan_encode((w >> 16) & 0xFF, fb->shift[2], fb->bits[2]) |
		       chan_encode(w >> 24, fb->shift[3], fb->bits[3]);
	}
}

uint32_t fb_decode(const struct fb *fb, uint32_t n)
{
	switch (fb->format) {
	case PXOS_PIXEL_RGBX8:
		return n;
	case PXOS_PIXEL_BGRX8:
		return (n & 0xFF00FF00u) | ((n & 0xFFu) << 16) | ((n >> 16) & 0xFFu);
	default:
		return chan_decode(n, fb->shift[0], fb->bits[0]) |
		       (chan_decode(n, fb->shift[1], fb->bits[1]) << 8) |
		       (chan_decode(n, fb->shift[2], fb->bits[2]) << 16) |
		       (chan_decode(n, fb->shift[3], fb->bits[3]) << 24);
	}
}

static inline uint32_t *row(const struct fb *fb, int y)
{
	return fb->base + (uint64_t)(uint32_t)y * fb->stride;
}

uint32_t fb_get(const struct fb *fb, int x, int y)
{
	if (x < 0 || y < 0 || (uint32_t)x >= fb->width || (uint32_t)y >= fb->height)
		return 0;
	return fb_decode(fb, row(fb, y)[x]);
}

void fb_read_rgb(const struct fb *fb, uint8_t *out)
{
	for (uint32_t y = 0; y < fb->height; y++)
		for (uint32_t x = 0; x < fb->width; x++, out += 3) {
			uint32_t c = fb_get(fb, (int)x, (int)y);
			out[0] = (uint8_t)FB_R(c);
			out[1] = (uint8_t)FB_G(c);
			out[2] = (uint8_t)FB_B(c);
		}
}

/* clip: intersect [x, x+w) x [y, y+h) with the screen; false if empty. */
static bool clip(const struct fb *fb, int *x, int *y, int *w, int *h)
{
	int64_t x0 = *x, y0 = *y, x1 = (int64_t)*x + *w, y1 = (int64_t)*y + *h;
	if (x0 < 0) x0 = 0;
	if (y0 < 0) y0 = 0;
	if (x1 > (int64_t)fb->width) x1 = fb->width;
	if (y1 > (int64_t)fb->height) y1 = fb->height;
	if (x0 >= x1 || y0 >= y1)
		return false;
	*x = (int)x0;
	*y = (int)y0;
	*w = (int)(x1 - x0);
	*h = (int)(y1 - y0);
	return true;
}

void fb_fill(const struct fb *fb, int x, int y, int w, int h, uint32_t color)
{
	if (!clip(fb, &x, &y, &w, &h))
		return;
	uint32_t n = fb_encode(fb, color);
	for (int j = 0; j < h; j++) {
		uint32_t *p = row(fb, y + j) + x;
		for (int i = 0; i < w; i++)
			p[i] = n;
	}
}

void fb_frame(const struct fb *fb, int x, int y, int w, int h, uint32_t color)
{
	fb_fill(fb, x, y, w, 1, color);
	fb_fill(fb, x, y + h - 1, w, 1, color);
	fb_fill(fb, x, y, 1, h, color);
	fb_fill(fb, x + w - 1, y, 1, h, color);
}

void fb_put_row(const struct fb *fb, int x, int y, const uint32_t *words, uint32_t n)
{
	int cx = x, cy = y, w = (int)n, h = 1;
	if (!clip(fb, &cx, &cy, &w, &h))
		return;
	uint32_t *p = row(fb, cy) + cx;
	const uint32_t *src = words + (cx - x);
	switch (fb->format) {
	case PXOS_PIXEL_RGBX8:
		for (int i = 0; i < w; i++)
			p[i] = src[i];
		break;
	case PXOS_PIXEL_BGRX8:
		for (int i = 0; i < w; i++) {
			uint32_t v = src[i];
			p[i] = (v & 0xFF00FF00u) | ((v & 0xFFu) << 16) | ((v >> 16) & 0xFFu);
		}
		break;
	default:
		for (int i = 0; i < w; i++)
			p[i] = fb_encode(fb, src[i]);
	}
}

int fb_text(const struct fb *fb, const struct font *font, int x, int y, const char *s,
            uint32_t max, uint32_t fg, uint32_t bg)
{
	uint32_t nfg = fb_encode(fb, fg), nbg = fb_encode(fb, bg);
	bool opaque = bg != FB_TRANSPARENT;
	for (uint32_t k = 0; k < max && s[k]; k++, x += (int)font->width) {
		const uint8_t *g = font_glyph(font, (uint8_t)s[k]);
		for (uint32_t gy = 0; gy < font->height; gy++) {
			int py = y + (int)gy;
			if (py < 0 || (uint32_t)py >= fb->height)
				continue;
			const uint8_t *bitsrow = g + gy * font->row_bytes;
			uint32_t *p = row(fb, py);
			for (uint32_t gx = 0; gx < font->width; gx++) {
				int px = x + (int)gx;
				if (px < 0 || (uint32_t)px >= fb->width)
					continue;
				bool on = bitsrow[gx >> 3] & (0x80u >> (gx & 7));
				if (on)
					p[px] = nfg;
				else if (opaque)
					p[px] = nbg;
			}
		}
	}
	return x;
}
