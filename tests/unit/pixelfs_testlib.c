/*
 * pixelfs_testlib.c — helpers shared by the PixelFS unit tests (declared and
 * described in pixelfs_testlib.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxvm/crc32.h"
#include "tests/unit/pixelfs_testlib.h"

void tpx_collect(void *ctx, const char *path, const char *why)
{
	struct tpx_reports *r = ctx;

	if (r->n < TPX_MAX_REPORTS) {
		snprintf(r->path[r->n], sizeof r->path[0], "%s", path);
		r->why[r->n] = why;
	}
	r->n++;
}

static uint64_t tpx_rng_state = 0x2545F4914F6CDD1Dull;

uint8_t *tpx_random_bytes(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		tpx_rng_state ^= tpx_rng_state << 13;
		tpx_rng_state ^= tpx_rng_state >> 7;
		tpx_rng_state ^= tpx_rng_state << 17;
		p[i] = (uint8_t)(tpx_rng_state >> 24);
	}
	return p;
}

void tpx_build(struct tpx_img *im, const struct pxfs_input *files, uint32_t n, uint32_t width)
{
	const char *why = NULL;

	memset(im, 0, sizeof *im);
	im->w = width;
	im->h = pxfs_layout(files, n, width);
	assert_true(im->h > 0);
	im->px = malloc((size_t)width * im->h * 4);
	assert_non_null(im->px);
	memset(im->px, 0xA5, (size_t)width * im->h * 4); /* pxfs_build must clear it */
	assert_int_equal(pxfs_build(files, n, width, im->h, im->px, &why), 0);
}

int tpx_mount(struct tpx_img *im, struct tpx_reports *r)
{
	if (r)
		memset(r, 0, sizeof *r);
	return pxfs_mount(&im->fs, im->px, im->w, im->h, im->bad, r ? tpx_collect : NULL, r);
}

struct pxfs_super tpx_super(const struct tpx_img *im)
{
	struct pxfs_super s;
	memcpy(&s, im->px, sizeof s);
	return s;
}

void tpx_put_super(struct tpx_img *im, struct pxfs_super s, int seal)
{
	if (seal) {
		s.super_crc = 0;
		s.super_crc = crc32(&s, sizeof s);
	}
	memcpy(im->px, &s, sizeof s);
}

uint8_t *tpx_entry(struct tpx_img *im, uint32_t i)
{
	return im->px + tpx_super(im).dir_offset + (size_t)i * sizeof(struct pxfs_dirent);
}

struct pxfs_dirent tpx_get_entry(struct tpx_img *im, uint32_t i)
{
	struct pxfs_dirent d;
	memcpy(&d, tpx_entry(im, i), sizeof d);
	return d;
}

void tpx_put_entry_sealed(struct tpx_img *im, uint32_t i, const struct pxfs_dirent *d)
{
	memcpy(tpx_entry(im, i), d, sizeof *d);
	struct pxfs_super s = tpx_super(im);
	s.dir_crc = crc32(im->px + s.dir_offset, s.dir_size);
	tpx_put_super(im, s, 1);
}

struct pxfs_input tpx_std[TPX_NSTD];

int tpx_setup(void **state)
{
	(void)state;
	static const struct { const char *path; uint32_t type, size; } spec[TPX_NSTD] = {
		{ "/boot/init", PXFS_TYPE_PROGRAM, 100 },  { "/boot/shell", PXFS_TYPE_PROGRAM, 2000 },
		{ "/apps/hello", PXFS_TYPE_PROGRAM, 5 },   { "/etc/motd.txt", PXFS_TYPE_TEXT, 40 },
		{ "/data/blob", PXFS_TYPE_DATA, 3000 },    { "/data/empty", PXFS_TYPE_DATA, 0 },
	};
	for (int i = 0; i < TPX_NSTD; i++)
		tpx_std[i] = (struct pxfs_input){ spec[i].path, spec[i].type,
		                                    tpx_random_bytes(spec[i].size), spec[i].size };
	return 0;
}

int tpx_teardown(void **state)
{
	(void)state;
	for (int i = 0; i < TPX_NSTD; i++)
		free((void *)tpx_std[i].data);
	return 0;
}

void tpx_check_files(struct tpx_img *im, const struct pxfs_input *files, uint32_t n, int skip)
{
	for (uint32_t i = 0; i < n; i++) {
		struct pxfs_file f;
		if ((int)i == skip)
			continue;
		assert_int_equal(pxfs_lookup(&im->fs, files[i].path, &f), 0);
		assert_string_equal(f.path, files[i].path);
		assert_int_equal(f.id, i + 1);
		assert_int_equal(f.type, files[i].type);
		assert_int_equal(f.size, files[i].size);
		if (f.size)
			assert_memory_equal(f.data, files[i].data, f.size);
		struct pxfs_file g;
		assert_int_equal(pxfs_lookup_id(&im->fs, i + 1, &g), 0);
		assert_ptr_equal(g.data, f.data);
		assert_ptr_equal(g.path, f.path);
	}
}

void tpx_expect_one_bad(struct tpx_img *im, uint32_t k, const char *path, const char *why)
{
	struct tpx_reports r;

	assert_int_equal(tpx_mount(im, &r), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.path[0], path);
	assert_string_equal(r.why[0], why);
	assert_int_equal(im->fs.count, TPX_NSTD);
	assert_int_equal(im->fs.good, TPX_NSTD - 1);
	for (uint32_t i = 0; i < TPX_NSTD; i++)
		assert_int_equal(im->bad[i], i == k);
	struct pxfs_file f;
	assert_int_equal(pxfs_lookup_id(&im->fs, k + 1, &f), -PXE_ENOENT);
	assert_int_equal(pxfs_entry(&im->fs, k, &f), -PXE_ENOENT);
	tpx_check_files(im, tpx_std, TPX_NSTD, (int)k);
}