/*
 * fb.h — drawing on a linear framebuffer of any GOP pixel format and stride.
 *
 * Colours everywhere in pxOS are pixel words, the same 32-bit values pxVM keeps
 * in memory: byte 0 red, byte 1 green, byte 2 blue, byte 3 alpha (0xAABBGGRR as
 * a number). fb_encode turns one into the framebuffer's native pixel: a byte
 * swap for BGRX, shifts and scaling for PixelBitMask (UEFI 2.10 §12.9.2,
 * EFI_PIXEL_BITMASK). The alpha byte lands in the reserved bits, so in 32-bit
 * modes VRAM holds the whole word even though the screen shows only R, G, B.
 *
 * Portable: the base pointer may be real VRAM (kernel) or host memory (pxsim
 * and tests). Every drawing call clips to the framebuffer.
 */
#ifndef PXOS_FB_H
#define PXOS_FB_H

#include <stdint.h>
#include <stdbool.h>

#define FB_RGB(r, g, b) ((uint32_t)(r) | ((uint32_t)(g) << 8) | ((uint32_t)(b) << 16))
#define FB_R(c) ((c) & 0xFFu)
#define FB_G(c) (((c) >> 8) & 0xFFu)
#define FB_B(c) (((c) >> 16) & 0xFFu)

struct font;

struct fb {
	uint32_t *base;        /* pixel (0, 0) */
	uint32_t width;        /* visible pixels per row */
	uint32_t height;       /* rows */
	uint32_t stride;       /* pixels per scan line (PixelsPerScanLine) */
	uint32_t format;       /* enum pxos_pixel_format (boot/bootinfo.h) */
	uint8_t shift[4];      /* bit position of R, G, B, reserved */
	uint8_t bits[4];       /* width in bits of R, G, B, reserved (0..8) */
};

/* fb_init: describe a framebuffer. `masks` = red, green, blue, reserved bit
 * masks (used for PXOS_PIXEL_BITMASK; ignored for RGBX8/BGRX8). Returns 0, or -1
 * when the geometry is empty, stride < width, the format is unknown, or a mask is
 * not one contiguous run of at most 8 bits (R, G and B must be non-empty and
 * must not overlap). */
int fb_init(struct fb *fb, void *base, uint32_t width, uint32_t height, uint32_t stride,
            uint32_t format, const uint32_t masks[4]);

/* fb_encode / fb_decode: pixel word <-> native pixel. Decoding a bitmask format
 * with fewer than 8 bits per channel scales back to 0..255. */
uint32_t fb_encode(const struct fb *fb, uint32_t word);
uint32_t fb_decode(const struct fb *fb, uint32_t native);

/* fb_format_name: "RGBX8", "BGRX8" or "bitmask". */
const char *fb_format_name(const struct fb *fb);

/* fb_get: one pixel, decoded to a pixel word (0 outside the screen). It reads
 * VRAM, which is slow on real hardware: for tests and screenshots only. */
uint32_t fb_get(const struct fb *fb, int x, int y);

/* fb_read_rgb: the whole screen into `out` (width * height * 3 bytes) as
 * opaque 8-bit RGB, rows top first, whatever the pixel format (RGB, BGR or
 * bit mask: UEFI 2.x 12.9, EFI_GRAPHICS_PIXEL_FORMAT). Reads VRAM: for
 * snapshots and screenshots only. */
void fb_read_rgb(const struct fb *fb, uint8_t *out);

/* fb_fill: fill the w x h rectangle at (x, y), clipped. */
void fb_fill(const struct fb *fb, int x, int y, int w, int h, uint32_t color);

/* fb_frame: a 1-pixel rectangle outline. */
void fb_frame(const struct fb *fb, int x, int y, int w, int h, uint32_t color);

/* fb_put_row: write `n` pixel words as consecutive pixels from (x, y), clipped. */
void fb_put_row(const struct fb *fb, int x, int y, const uint32_t *words, uint32_t n);

/* fb_text: draw `s` (Latin-1, up to `max` bytes or its NUL) with `font` at
 * (x, y): glyph pixels in `fg`, the rest in `bg` unless `bg` is FB_TRANSPARENT.
 * Returns the x just past the last glyph. '\n' and other controls are drawn
 * as the font's replacement glyph. */
#define FB_TRANSPARENT 0xFFFFFFFFu
int fb_text(const struct fb *fb, const struct font *font, int x, int y, const char *s,
            uint32_t max, uint32_t fg, uint32_t bg);

#endif /* PXOS_FB_H */
