/*
 * test_pngcheck.c — pxvm/pngcheck.c: PNG datastreams checked before stb_image.
 *
 * Valid images (stb_image_write's, every colour type and depth, interlaced)
 * pass and then decode; each rule of the specification the checker follows
 * is broken once with a correct CRC (so only that rule can catch it) and the
 * reason names it; every truncation and every single-byte change either fails
 * with a reason or still decodes; an image whose size would not fit in the
 * memory given is refused before decoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pxvm/abi.h"
#include "pxvm/crc32.h"
#include "pxvm/pngcheck.h"

#pragma GCC diagnostic push
#define STBI_ONLY_PNG
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

#define MEM (64u << 20)

/* A growable datastream built chunk by chunk (CRCs computed). */
struct png {
	uint8_t *b;
	size_t n;
};

static void put(struct png *p, const void *d, size_t n)
{
	p->b = realloc(p->b, p->n + n);
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

static void put32(struct png *p, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	put(p, b, 4);
}

static void chunk(struct png *p, const char *type, const void *d, uint32_t n)
{
	put32(p, n);
	size_t at = p->n;
	put(p, type, 4);
	if (n)
		put(p, d, n);
	put32(p, crc32(p->b + at, 4 + (size_t)n));
}

static void signature(struct png *p)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A };
	p->n = 0;
	put(p, sig, 8);
}

static void ihdr(struct png *p, uint32_t w, uint32_t h, uint8_t depth, uint8_t type, uint8_t interlace)
{
	uint8_t d[13] = { (uint8_t)(w >> 24), (uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w,
	                  (uint8_t)(h >> 24), (uint8_t)(h >> 16), (uint8_t)(h >> 8), (uint8_t)h,
	                  depth, type, 0, 0, interlace };
	chunk(p, "IHDR", d, 13);
}

/* idat: zlib stream (stored block) of `h` filtered rows of `row` bytes. */
static void idat(struct png *p, uint32_t h, uint32_t row)
{
	uint32_t raw = h * (row + 1);
	uint8_t *z = calloc(1, raw + 11);
	z[0] = 0x78;
	z[1] = 0x01;
	z[2] = 1; /* final stored block */
	z[3] = (uint8_t)raw;
	z[4] = (uint8_t)(raw >> 8);
	z[5] = (uint8_t)~raw;
	z[6] = (uint8_t)(~raw >> 8);
	uint32_t a = 1, b = 0; /* Adler-32 of zeros */
	for (uint32_t i = 0; i < raw; i++)
		b = (b + a) % 65521;
	uint32_t adler = b << 16 | a;
	z[7 + raw] = (uint8_t)(adler >> 24);
	z[8 + raw] = (uint8_t)(adler >> 16);
	z[9 + raw] = (uint8_t)(adler >> 8);
	z[10 + raw] = (uint8_t)adler;
	chunk(p, "IDAT", z, raw + 11);
	free(z);
}

static char why[256];

/* A failure with `reason` in its text: -PXE_ENOMEM when decoding would need
 * too much memory, -PXE_EINVAL for every fault of the datastream. */
static void expect_bad(const struct png *p, const char *reason)
{
	int want = strstr(reason, "decoding needs") ? -PXE_ENOMEM : -PXE_EINVAL;
	int r = png_check(p->b, p->n, MEM, NULL, why, sizeof why);
	if (r != want || !strstr(why, reason))
		fail_msg("wanted %d with '%s', got %d '%s'", want, reason, r, why);
}

static void expect_good(const struct png *p)
{
	struct png_info in;
	if (png_check(p->b, p->n, MEM, &in, why, sizeof why))
		fail_msg("rejected: %s", why);
	int w, h, c;
	uint8_t *px = stbi_load_from_memory(p->b, (int)p->n, &w, &h, &c, 4);
	if (!px)
		fail_msg("checked but stb_image says %s", stbi_failure_reason());
	assert_int_equal((uint32_t)w, in.width);
	assert_int_equal((uint32_t)h, in.height);
	stbi_image_free(px);
}

/* A small valid grey image: IHDR, IDAT, IEND. */
static void minimal(struct png *p, uint32_t w, uint32_t h)
{
	signature(p);
	ihdr(p, w, h, 8, 0, 0);
	idat(p, h, w);
	chunk(p, "IEND", NULL, 0);
}

static void test_valid(void **state)
{
	(void)state;
	struct png p = { 0 };
	minimal(&p, 5, 3);
	expect_good(&p);
	/* stb_image_write's images, every channel count */
	for (int comp = 1; comp <= 4; comp++) {
		uint8_t px[32 * 17 * 4];
		for (size_t i = 0; i < sizeof px; i++)
			px[i] = (uint8_t)(i * 7);
		int len;
		unsigned char *png = stbi_write_png_to_mem(px, 32 * comp, 32, 17, comp, &len);
		assert_non_null(png);
		struct png q = { png, (size_t)len };
		expect_good(&q);
		struct png_info in;
		assert_int_equal(png_check(png, (size_t)len, MEM, &in, why, sizeof why), 0);
		assert_int_equal(in.channels, comp == 1 ? 1 : comp == 2 ? 2 : comp == 3 ? 3 : 4);
		assert_true(in.decode_bytes >= (uint64_t)32 * 17 * 4);
		STBIW_FREE(png);
	}
	/* interlaced, palette with PLTE, 16-bit */
	signature(&p);
	ihdr(&p, 9, 9, 8, 0, 1);
	idat(&p, 9 * 2, 9); /* enough zeros for the seven passes */
	chunk(&p, "IEND", NULL, 0);
	assert_int_equal(png_check(p.b, p.n, MEM, NULL, why, sizeof why), 0);
	signature(&p);
	ihdr(&p, 4, 2, 8, 3, 0);
	chunk(&p, "PLTE", "\0\0\0\xff\xff\xff", 6);
	chunk(&p, "tEXt", "Comment\0ok", 10); /* ancillary chunks are fine */
	idat(&p, 2, 4);
	chunk(&p, "IEND", NULL, 0);
	expect_good(&p);
	signature(&p);
	ihdr(&p, 3, 2, 16, 6, 0);
	idat(&p, 2, 3 * 8);
	chunk(&p, "IEND", NULL, 0);
	expect_good(&p);
	free(p.b);
}

static void test_rules(void **state)
{
	(void)state;
	struct png p = { 0 };
	expect_bad(&(struct png){ (uint8_t *)"\x89PNG", 4 }, "too short");
	expect_bad(&(struct png){ (uint8_t *)"GIF89a\0\0\0\0", 10 }, "no PNG signature");
	signature(&p);
	expect_bad(&p, "no chunks");
	/* CRC: one bit of the IDAT's data */
	minimal(&p, 5, 3);
	p.b[8 + 25 + 10] ^= 1;
	expect_bad(&p, "chunk 2 (IDAT at byte 33): CRC mismatch");
	/* a length running past the end */
	minimal(&p, 5, 3);
	p.b[8 + 25 + 1] = 0x10;
	expect_bad(&p, "runs past the end");
	/* a length over 2^31 - 1 */
	minimal(&p, 5, 3);
	p.b[8 + 25] = 0x80;
	expect_bad(&p, "runs past the end");
	/* type not letters */
	minimal(&p, 5, 3);
	memcpy(p.b + 8 + 25 + 4, "ID1T", 4);
	expect_bad(&p, "not four letters");
	/* first chunk not IHDR */
	signature(&p);
	chunk(&p, "tEXt", "a\0b", 3);
	expect_bad(&p, "first chunk is tEXt, not IHDR");
	/* IHDR: length, size, depth/type, methods, twice */
	signature(&p);
	chunk(&p, "IHDR", "\0\0\0\1\0\0\0\1\x08\0\0\0", 12);
	expect_bad(&p, "IHDR has 12 bytes, not 13");
	signature(&p);
	ihdr(&p, 0, 5, 8, 0, 0);
	expect_bad(&p, "size 0 x 5");
	signature(&p);
	ihdr(&p, 0x80000000u, 5, 8, 0, 0);
	expect_bad(&p, "each must be 1..2147483647");
	static const uint8_t bad_pairs[][2] = { { 3, 0 }, { 16, 3 }, { 4, 2 }, { 1, 6 }, { 8, 1 }, { 8, 7 }, { 32, 0 } };
	for (size_t i = 0; i < sizeof bad_pairs / sizeof bad_pairs[0]; i++) {
		signature(&p);
		ihdr(&p, 4, 4, bad_pairs[i][0], bad_pairs[i][1], 0);
		expect_bad(&p, "is not a PNG combination");
	}
	signature(&p);
	ihdr(&p, 4, 4, 8, 0, 2);
	expect_bad(&p, "interlace 2");
	signature(&p);
	ihdr(&p, 4, 4, 8, 0, 0);
	ihdr(&p, 4, 4, 8, 0, 0);
	expect_bad(&p, "a second IHDR");
	/* PLTE rules */
	signature(&p);
	ihdr(&p, 4, 2, 8, 0, 0);
	chunk(&p, "PLTE", "\0\0\0", 3);
	expect_bad(&p, "PLTE of 3 bytes not allowed here (colour type 0");
	signature(&p);
	ihdr(&p, 4, 2, 1, 3, 0);
	chunk(&p, "PLTE", "\0\0\0\1\1\1\2\2\2", 9); /* 3 entries for a 1-bit palette */
	expect_bad(&p, "PLTE of 9 bytes");
	signature(&p);
	ihdr(&p, 4, 2, 8, 3, 0);
	idat(&p, 2, 4);
	expect_bad(&p, "IDAT before the PLTE");
	/* IDAT rules */
	signature(&p);
	ihdr(&p, 4, 2, 8, 0, 0);
	idat(&p, 2, 4);
	chunk(&p, "IDAT", NULL, 0); /* legal PNG, but stb_image mishandles it */
	chunk(&p, "IEND", NULL, 0);
	expect_bad(&p, "empty IDAT chunk");
	signature(&p);
	ihdr(&p, 4, 2, 8, 0, 0);
	idat(&p, 2, 4);
	chunk(&p, "tEXt", "a\0b", 3);
	idat(&p, 2, 4);
	chunk(&p, "IEND", NULL, 0);
	expect_bad(&p, "not consecutive");
	signature(&p);
	ihdr(&p, 4, 2, 8, 0, 0);
	chunk(&p, "IEND", NULL, 0);
	expect_bad(&p, "IEND before any IDAT");
	/* IEND rules */
	minimal(&p, 5, 3);
	p.n -= 12;
	expect_bad(&p, "no IEND");
	signature(&p);
	ihdr(&p, 4, 2, 8, 0, 0);
	idat(&p, 2, 4);
	chunk(&p, "IEND", "x", 1);
	expect_bad(&p, "IEND has 1 bytes of data");
	minimal(&p, 5, 3);
	chunk(&p, "tEXt", "a\0b", 3);
	expect_bad(&p, "chunk 4 (tEXt at byte 86): after IEND");
	minimal(&p, 5, 3);
	put(&p, "junk", 4);
	expect_bad(&p, "cut short");
	/* unknown critical chunk (Apple's CgBI) */
	signature(&p);
	chunk(&p, "CgBI", "\0\0\0\0", 4);
	expect_bad(&p, "first chunk is CgBI");
	signature(&p);
	ihdr(&p, 4, 2, 8, 0, 0);
	chunk(&p, "ABCD", NULL, 0);
	expect_bad(&p, "unknown critical chunk ABCD");
	free(p.b);
}

/* The declared size against memory: refused before any decoding. */
static void test_memory(void **state)
{
	(void)state;
	struct png p = { 0 };
	signature(&p);
	ihdr(&p, 100000, 100000, 8, 6, 0);
	idat(&p, 1, 8);
	chunk(&p, "IEND", NULL, 0);
	expect_bad(&p, "100000 x 100000 pixels: decoding needs more than the 64 MiB available");
	signature(&p);
	ihdr(&p, 2000, 2000, 16, 6, 0);
	idat(&p, 1, 8);
	chunk(&p, "IEND", NULL, 0);
	expect_bad(&p, "2000 x 2000 pixels: decoding needs ");
	assert_non_null(strstr(why, "more than the 64 MiB available"));
	assert_int_equal(png_check(p.b, p.n, 1ull << 30, NULL, why, sizeof why), 0);
	signature(&p);
	ihdr(&p, 0x7FFFFFFF, 0x7FFFFFFF, 16, 6, 1); /* no overflow on the largest sizes */
	idat(&p, 1, 8);
	chunk(&p, "IEND", NULL, 0);
	assert_int_equal(png_check(p.b, p.n, UINT64_MAX, NULL, why, sizeof why), -PXE_ENOMEM);
	assert_non_null(strstr(why, "2147483647 x 2147483647 pixels"));
	free(p.b);
}

/* Cut at every length, and every byte changed: a reason, or it decodes. */
static void test_damage(void **state)
{
	(void)state;
	uint8_t px[16 * 8 * 3];
	for (size_t i = 0; i < sizeof px; i++)
		px[i] = (uint8_t)(i * 13);
	int len;
	unsigned char *png = stbi_write_png_to_mem(px, 16 * 3, 16, 8, 3, &len);
	assert_non_null(png);
	for (int n = 0; n < len; n++) {
		why[0] = 0;
		assert_int_equal(png_check(png, (size_t)n, MEM, NULL, why, sizeof why), -PXE_EINVAL);
		assert_true(why[0] != 0);
	}
	unsigned passed = 0;
	for (int i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			png[i] ^= (uint8_t)(1 << bit);
			why[0] = 0;
			if (png_check(png, (size_t)len, MEM, NULL, why, sizeof why) == 0) {
				passed++;
				int w, h, c;
				uint8_t *d = stbi_load_from_memory(png, len, &w, &h, &c, 4);
				stbi_image_free(d); /* may fail (a flipped CRC byte cannot pass) */
			} else {
				assert_true(why[0] != 0);
			}
			png[i] ^= (uint8_t)(1 << bit);
		}
	}
	/* Only the signature's and chunk CRCs' protection counts: a flipped bit
	 * anywhere is caught by the signature, a CRC or a length check. */
	assert_int_equal(passed, 0);
	STBIW_FREE(png);
}

int main(void)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_damage),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("test_pngcheck: %.2f s\n", (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return r;
}
