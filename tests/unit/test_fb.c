/*
 * test_fb.c — the framebuffer driver's pixel formats (UEFI 2.10 §12.9:
 * PixelRedGreenBlueReserved8BitPerColor, PixelBlueGreenRedReserved8BitPerColor,
 * PixelBitMask) and its clipping and stride handling.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "drivers/fb.h"
#include "drivers/font.h"
#include "boot/bootinfo.h"

#define W 40
#define H 20
#define STRIDE 48
static uint32_t vram[STRIDE * H];

static void test_native_values(void **state)
{
	(void)state;
	struct fb fb;
	const uint32_t word = FB_RGB(0x11, 0x22, 0x33) | 0x44000000u;
	assert_int_equal(fb_init(&fb, vram, W, H, STRIDE, PXOS_PIXEL_RGBX8, NULL), 0);
	assert_int_equal(fb_encode(&fb, word), 0x44332211u); /* bytes R, G, B, X */
	assert_int_equal(fb_init(&fb, vram, W, H, STRIDE, PXOS_PIXEL_BGRX8, NULL), 0);
	assert_int_equal(fb_encode(&fb, word), 0x44112233u); /* bytes B, G, R, X */
	assert_int_equal(fb_decode(&fb, 0x44112233u), word);
	/* A 10-bit-style layout squeezed into 8-bit channels: R at 24..31, G at
	 * 16..23, B at 8..15, reserved 0..7. */
	const uint32_t m1[4] = { 0xFF000000u, 0x00FF0000u, 0x0000FF00u, 0x000000FFu };
	assert_int_equal(fb_init(&fb, vram, W, H, STRIDE, PXOS_PIXEL_BITMASK, m1), 0);
	assert_int_equal(fb_encode(&fb, word), 0x11223344u);
	assert_int_equal(fb_decode(&fb, 0x11223344u), word);
	/* 5-6-5-style narrow channels in a 32-bit pixel: high bits kept, decode
	 * replicates them back to 8 bits. */
	const uint32_t m2[4] = { 0x0000F800u, 0x000007E0u, 0x0000001Fu, 0 };
	assert_int_equal(fb_init(&fb, vram, W, H, STRIDE, PXOS_PIXEL_BITMASK, m2), 0);
	assert_int_equal(fb_encode(&fb, FB_RGB(0xFF, 0x80, 0x08)), (0x1Fu << 11) | (0x20u << 5) | 0x01u);
	assert_int_equal(fb_decode(&fb, 0xFFFFu), FB_RGB(0xFF, 0xFF, 0xFF));
	assert_int_equal(fb_decode(&fb, 0), 0);
}

static void test_bad_descriptions(void **state)
{
	(void)state;
	struct fb fb;
	const uint32_t split[4] = { 0x00FF00FFu, 0x0000FF00u, 0xFF000000u, 0 };    /* not contiguous */
	const uint32_t overlap[4] = { 0x0000FFFFu, 0x0000FF00u, 0x00FF0000u, 0 };  /* R and G overlap */
	const uint32_t wide[4] = { 0x000003FFu, 0x000FFC00u, 0x3FF00000u, 0 };     /* 10-bit channels */
	const uint32_t no_blue[4] = { 0x000000FFu, 0x0000FF00u, 0, 0 };
	assert_int_equal(fb_init(&fb, vram, W, H, STRIDE, PXOS_PIXEL_BITMASK, split), -1);
	assert_int_equal(fb_init(&fb, vram, W, H, STRIDE, PXOS_PIXEL_BITMASK, overlap), -1);
	assert_int_equal(fb_init(&fb, vram, W, H, STRIDE, PXOS_PIXEL_BITMASK, wide), -1);
	assert_int_equal(fb_init(&fb, vram, W, H, STRIDE, PXOS_PIXEL_BITMASK, no_blue), -1);
	assert_int_equal(fb_init(&fb, vram, W, H, W - 1, PXOS_PIXEL_BGRX8, NULL), -1); /* stride < width */
	assert_int_equal(fb_init(&fb, vram, W, H, STRIDE, 3, NULL), -1);               /* BltOnly */
	assert_int_equal(fb_init(&fb, NULL, W, H, STRIDE, PXOS_PIXEL_BGRX8, NULL), -1);
}

static void test_clipping_and_stride(void **state)
{
	(void)state;
	struct fb fb;
	memset(vram, 0xAB, sizeof(vram));
	assert_int_equal(fb_init(&fb, vram, W, H, STRIDE, PXOS_PIXEL_BGRX8, NULL), 0);
	fb_fill(&fb, -10, -10, 1000, 1000, FB_RGB(1, 2, 3));
	for (int y = 0; y < H; y++)
		for (int x = 0; x < STRIDE; x++) {
			uint32_t v = vram[y * STRIDE + x];
			if (x < W)
				assert_int_equal(v, 0x00010203u);
			else
				assert_int_equal(v, 0xABABABABu); /* the padding past the width is never written */
		}
	fb_fill(&fb, W, 0, 1, 1, 0);  /* one pixel right of the screen */
	fb_fill(&fb, -1, 0, 1, 1, 0); /* and one left of it */
	fb_fill(&fb, 5, 5, -3, 4, 0);
	fb_fill(&fb, 0x7FFFFFF0, 0, 100, 1, 0); /* would overflow int without care */
	assert_int_equal(vram[W], 0xABABABABu);
	assert_int_equal(fb_get(&fb, 39, 19), FB_RGB(1, 2, 3));
	assert_int_equal(fb_get(&fb, 40, 19), 0);
	uint32_t row[100];
	for (int i = 0; i < 100; i++)
		row[i] = (uint32_t)i;
	fb_put_row(&fb, -5, 3, row, 100);
	assert_int_equal(fb_get(&fb, 0, 3), 5);
	assert_int_equal(fb_get(&fb, 39, 3), 44);
	assert_int_equal(vram[3 * STRIDE + W], 0xABABABABu);
}

static void test_text(void **state)
{
	(void)state;
	struct fb fb;
	const struct font *f = font_builtin(16);
	assert_non_null(f);
	assert_int_equal(f->width, 8);
	assert_int_equal(f->height, 16);
	memset(vram, 0, sizeof(vram));
	assert_int_equal(fb_init(&fb, vram, W, H, STRIDE, PXOS_PIXEL_RGBX8, NULL), 0);
	int end = fb_text(&fb, f, 0, 0, "H", 8, FB_RGB(255, 255, 255), FB_TRANSPARENT);
	assert_int_equal(end, 8);
	int lit = 0;
	for (int y = 0; y < 16; y++)
		for (int x = 0; x < 8; x++)
			lit += fb_get(&fb, x, y) != 0;
	assert_true(lit > 10 && lit < 64); /* an H, not a blank and not a block */
	/* Both vertical strokes of the H: column 1 lit on row 8, the middle not on row 3. */
	const uint8_t *g = font_glyph(f, 'H');
	assert_true(g[8] != 0);
	assert_int_equal(font_glyph(f, 0x01)[0], font_glyph(f, '?')[0]); /* controls show '?' */
	/* The 16x32 font for large screens. */
	const struct font *big = font_builtin(32);
	assert_non_null(big);
	assert_int_equal(big->width, 16);
	assert_int_equal(big->height, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_native_values),
		cmocka_unit_test(test_bad_descriptions),
		cmocka_unit_test(test_clipping_and_stride),
		cmocka_unit_test(test_text),
	};
	return cmocka_run_group_tests_name("framebuffer", tests, NULL, NULL);
}
