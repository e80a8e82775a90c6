/*
 * test_crc32.c — pxvm/crc32 against the standard check values and against
 * zlib's crc32() on random buffers, whole and in pieces.
 *
 * zlib is loaded with dlopen: pxOS defines its own `crc32` (one-shot, another
 * signature), so linking -lz would let our definition interpose on zlib's and the
 * comparison would test our code against itself. The test checks, with dladdr,
 * that the reference function really lives in libz.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "pxvm/crc32.h"

/* zlib.h: uLong crc32(uLong crc, const Bytef *buf, uInt len). */
typedef unsigned long (*zlib_crc32_fn)(unsigned long, const unsigned char *, unsigned int);

static zlib_crc32_fn zlib_crc32;

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng();
}

static int load_zlib(void **state)
{
	(void)state;
	void *h = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		print_error("cannot load zlib: %s\n", dlerror());
		return -1;
	}
	void *sym = dlsym(h, "crc32");
	Dl_info info;
	if (!sym || !dladdr(sym, &info) || !info.dli_fname || !strstr(info.dli_fname, "libz")) {
		print_error("zlib's crc32 not found in libz\n");
		return -1;
	}
	memcpy(&zlib_crc32, &sym, sizeof sym);
	return 0;
}

static void test_check_values(void **state)
{
	(void)state;
	static const char fox[] = "The quick brown fox jumps over the lazy dog";

	assert_int_equal(crc32("123456789", 9), 0xCBF43926u);
	assert_int_equal(crc32(fox, strlen(fox)), 0x414FA339u);
	assert_int_equal(crc32("a", 1), 0xE8B7BE43u);
	assert_int_equal(crc32(NULL, 0), 0u);
	assert_int_equal(crc32_update(0x12345678u, NULL, 0), 0x12345678u);
	/* The reference agrees on the check value too. */
	assert_int_equal(zlib_crc32(0, (const unsigned char *)"123456789", 9), 0xCBF43926u);
}

static void test_every_byte(void **state)
{
	(void)state;
	for (unsigned b = 0; b < 256; b++) {
		unsigned char c = (unsigned char)b;
		assert_int_equal(crc32(&c, 1), (uint32_t)zlib_crc32(0, &c, 1));
	}
}

static void test_random_vs_zlib(void **state)
{
	(void)state;
	enum { MAX = 1 << 20 };
	uint8_t *buf = malloc(MAX);
	assert_non_null(buf);
	fill_random(buf, MAX);

	for (size_t n = 0; n <= 1100; n++)
		assert_int_equal(crc32(buf + (n % 7), n),
		                 (uint32_t)zlib_crc32(0, buf + (n % 7), (unsigned)n));
	for (int k = 0; k < 200; k++) {
		size_t off = rng() % 4096, n = rng() % (MAX - off);
		assert_int_equal(crc32(buf + off, n), (uint32_t)zlib_crc32(0, buf + off, (unsigned)n));
	}
	assert_int_equal(crc32(buf, MAX), (uint32_t)zlib_crc32(0, buf, MAX));
	free(buf);
}

static void test_incremental(void **state)
{
	(void)state;
	uint8_t buf[5000];
	fill_random(buf, sizeof buf);
	uint32_t whole = crc32(buf, sizeof buf);

	for (int k = 0; k < 500; k++) {
		/* Split into up to four pieces at random points. */
		size_t cut[5] = { 0, rng() % sizeof buf, rng() % sizeof buf, rng() % sizeof buf,
		                  sizeof buf };
		for (int i = 1; i < 4; i++)
			for (int j = i + 1; j < 4; j++)
				if (cut[j] < cut[i]) {
					size_t t = cut[i];
					cut[i] = cut[j];
					cut[j] = t;
				}
		uint32_t c = 0;
		unsigned long z = 0;
		for (int i = 0; i < 4; i++) {
			c = crc32_update(c, buf + cut[i], cut[i + 1] - cut[i]);
			z = zlib_crc32(z, buf + cut[i], (unsigned)(cut[i + 1] - cut[i]));
			assert_int_equal(c, (uint32_t)z);
		}
		assert_int_equal(c, whole);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_values),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_random_vs_zlib),
		cmocka_unit_test(test_incremental),
	};
	return cmocka_run_group_tests_name("crc32", tests, load_zlib, NULL);
}
