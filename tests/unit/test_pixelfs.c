/*
 * test_pixelfs.c — PixelFS v1 (pxvm/pixelfs.c), part 1: build -> mount ->
 * lookup/readdir round trips and every image-level error of pxfs_mount.
 * Part 2, the per-file rejections and the builder's input checks, is
 * test_pixelfs_files.c.
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
#include "pxvm/pixelfs.h"
#include "tests/unit/pixelfs_testlib.h"

/* ---- Round trips -------------------------------------------------------------- */

static void roundtrip_sizes(uint32_t width)
{
	const uint32_t row = width * 4;
	const uint32_t sizes[] = { 0, 1, 3, 4, row, row + 1, 60 * 1024, 2, 0 };
	enum { N = sizeof sizes / sizeof sizes[0] };
	char names[N][32];
	struct pxfs_input in[N];
	struct tpx_img im;
	struct tpx_reports r;

	for (uint32_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "/dir%u/file-%u", i % 3, i);
		in[i] = (struct pxfs_input){ names[i], 1 + i % 3, tpx_random_bytes(sizes[i]), sizes[i] };
	}
	tpx_build(&im, in, N, width);

	uint32_t want_rows = 1 + (N * 128 + row - 1) / row;
	for (uint32_t i = 0; i < N; i++)
		want_rows += (sizes[i] + row - 1) / row;
	assert_int_equal(im.h, want_rows);

	assert_int_equal(tpx_mount(&im, &r), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(im.fs.count, N);
	assert_int_equal(im.fs.good, N);
	tpx_check_files(&im, in, N, -1);

	/* Directory order = input order; each file starts a row of its own, in order. */
	size_t prev_end = 0;
	for (uint32_t i = 0; i < N; i++) {
		struct pxfs_file f;
		assert_int_equal(pxfs_entry(&im.fs, i, &f), 0);
		assert_int_equal(f.id, i + 1);
		size_t off = (size_t)(f.data - im.fs.bytes);
		assert_int_equal(off % row, 0);
		assert_true(off >= prev_end);
		assert_true(off + f.size <= im.fs.nbytes);
		prev_end = off + f.size;
	}
	struct pxfs_super s = tpx_super(&im);
	assert_int_equal(s.dir_offset, row);
	assert_int_equal(s.dir_size, N * 128);
	assert_int_equal(s.data_offset % row, 0);
	assert_int_equal(s.data_offset + s.data_size, prev_end);
	for (uint32_t i = 0; i < N; i++)
		free((void *)in[i].data);
	free(im.px);
}

static void test_roundtrip_default_width(void **state)
{
	(void)state;
	roundtrip_sizes(PXFS_DEFAULT_WIDTH);
}

static void test_roundtrip_odd_widths(void **state)
{
	(void)state;
	roundtrip_sizes(PXFS_MIN_WIDTH);
	roundtrip_sizes(33);
	roundtrip_sizes(1000);
	roundtrip_sizes(PXFS_MAX_WIDTH);
}

static void test_empty_fs(void **state)
{
	(void)state;
	struct tpx_img im;
	const char *name;
	uint32_t len;

	tpx_build(&im, NULL, 0, 64);
	assert_int_equal(im.h, 1);
	assert_int_equal(tpx_mount(&im, NULL), 0);
	assert_int_equal(im.fs.count, 0);
	assert_int_equal(im.fs.good, 0);
	assert_int_equal(pxfs_readdir(&im.fs, "/", 0, &name, &len), -PXE_ERANGE);
	assert_int_equal(pxfs_count_in(&im.fs, NULL), 0);
	free(im.px);
}

static void test_taller_image(void **state)
{
	(void)state;
	struct tpx_img im;
	const char *why = NULL;

	tpx_build(&im, tpx_std, TPX_NSTD, 64);
	uint32_t h = im.h + 5;
	uint8_t *px = malloc((size_t)64 * h * 4);
	assert_non_null(px);
	memset(px, 0x5A, (size_t)64 * h * 4);
	assert_int_equal(pxfs_build(tpx_std, TPX_NSTD, 64, h, px, &why), 0);
	for (size_t i = (size_t)64 * im.h * 4; i < (size_t)64 * h * 4; i++)
		assert_int_equal(px[i], 0);
	free(im.px);
	im.px = px;
	im.h = h;
	assert_int_equal(tpx_mount(&im, NULL), 0);
	tpx_check_files(&im, tpx_std, TPX_NSTD, -1);
	/* Too short by one row: refused, buffer untouched. */
	memset(px, 0x5A, 16);
	assert_int_equal(pxfs_build(tpx_std, TPX_NSTD, 64, h - 6, px, &why), -PXE_EINVAL);
	assert_string_equal(why, "height does not fit the layout");
	assert_int_equal(px[0], 0x5A);
	free(px);
}

static void test_mount_leaves_pixels_alone(void **state)
{
	(void)state;
	struct tpx_img im;

	tpx_build(&im, tpx_std, TPX_NSTD, 256);
	size_t n = (size_t)im.w * im.h * 4;
	uint8_t *copy = malloc(n);
	assert_non_null(copy);
	memcpy(copy, im.px, n);
	assert_int_equal(tpx_mount(&im, NULL), 0);
	assert_memory_equal(copy, im.px, n);
	free(copy);
	free(im.px);
}

/* ---- Readdir and lookups ------------------------------------------------------- */

static void expect_dir(const struct pxfs *fs, const char *dir, const char *const *names)
{
	uint32_t i = 0;
	const char *name;
	uint32_t len;

	for (; names[i]; i++) {
		assert_int_equal(pxfs_readdir(fs, dir, i, &name, &len), 0);
		assert_int_equal(len, strlen(names[i]));
		assert_memory_equal(name, names[i], len);
	}
	assert_int_equal(pxfs_readdir(fs, dir, i, &name, &len), -PXE_ERANGE);
	assert_int_equal(pxfs_readdir(fs, dir, i + 100, &name, &len), -PXE_ERANGE);
}

static void test_readdir(void **state)
{
	(void)state;
	static const char *paths[] = {
		"/apps/games/x", "/boot/init", "/apps/a", "/readme.txt", "/apps/games/y",
		"/boot/shell", "/apps/tools/z", "/apps/b", "/apps/games/deep/w", "/appsx",
	};
	enum { N = sizeof paths / sizeof paths[0] };
	struct pxfs_input in[N];
	struct tpx_img im;

	for (uint32_t i = 0; i < N; i++)
		in[i] = (struct pxfs_input){ paths[i], PXFS_TYPE_DATA, (const uint8_t *)"x", 1 };
	tpx_build(&im, in, N, 32);
	assert_int_equal(tpx_mount(&im, NULL), 0);

	expect_dir(&im.fs, "/", (const char *const[]){ "apps", "boot", "readme.txt", "appsx", NULL });
	expect_dir(&im.fs, "/apps", (const char *const[]){ "games", "a", "tools", "b", NULL });
	expect_dir(&im.fs, "/apps/", (const char *const[]){ "games", "a", "tools", "b", NULL });
	expect_dir(&im.fs, "/apps/games", (const char *const[]){ "x", "y", "deep", NULL });
	expect_dir(&im.fs, "/apps/games/deep", (const char *const[]){ "w", NULL });
	expect_dir(&im.fs, "/boot", (const char *const[]){ "init", "shell", NULL });
	expect_dir(&im.fs, "/nothing", (const char *const[]){ NULL });
	expect_dir(&im.fs, "/boot/init", (const char *const[]){ NULL }); /* a file */
	expect_dir(&im.fs, "/app", (const char *const[]){ NULL });

	const char *name;
	uint32_t len;
	assert_int_equal(pxfs_readdir(&im.fs, "apps", 0, &name, &len), -PXE_EINVAL);
	assert_int_equal(pxfs_readdir(&im.fs, "", 0, &name, &len), -PXE_EINVAL);
	assert_int_equal(pxfs_readdir(&im.fs, NULL, 0, &name, &len), -PXE_EINVAL);

	assert_int_equal(pxfs_count_in(&im.fs, "/apps/"), 6);
	assert_int_equal(pxfs_count_in(&im.fs, "/apps"), 7);
	assert_int_equal(pxfs_count_in(&im.fs, "/boot/"), 2);
	assert_int_equal(pxfs_count_in(&im.fs, ""), N);
	assert_int_equal(pxfs_count_in(&im.fs, NULL), N);

	/* A bad entry disappears from listings and counts; its directory too when
	 * it was the only file there. */
	struct pxfs_dirent d = tpx_get_entry(&im, 8); /* /apps/games/deep/w */
	d.crc ^= 1;
	tpx_put_entry_sealed(&im, 8, &d);
	assert_int_equal(tpx_mount(&im, NULL), 0);
	expect_dir(&im.fs, "/apps/games", (const char *const[]){ "x", "y", NULL });
	assert_int_equal(pxfs_count_in(&im.fs, "/apps/"), 5);
	/* ... and a directory whose first entry is bad is listed at its next one. */
	d = tpx_get_entry(&im, 0); /* /apps/games/x */
	d.crc ^= 1;
	tpx_put_entry_sealed(&im, 0, &d);
	assert_int_equal(tpx_mount(&im, NULL), 0);
	expect_dir(&im.fs, "/apps", (const char *const[]){ "a", "games", "tools", "b", NULL });
	free(im.px);
}

static void test_lookup_edges(void **state)
{
	(void)state;
	struct tpx_img im;
	struct pxfs_file f;
	char long_path[200];

	tpx_build(&im, tpx_std, TPX_NSTD, 256);
	assert_int_equal(tpx_mount(&im, NULL), 0);
	assert_int_equal(pxfs_lookup(&im.fs, "/boot/init/", &f), -PXE_ENOENT);
	assert_int_equal(pxfs_lookup(&im.fs, "/boot", &f), -PXE_ENOENT);
	assert_int_equal(pxfs_lookup(&im.fs, "boot/init", &f), -PXE_ENOENT);
	assert_int_equal(pxfs_lookup(&im.fs, "/boot/ini", &f), -PXE_ENOENT);
	assert_int_equal(pxfs_lookup(&im.fs, "", &f), -PXE_ENOENT);
	assert_int_equal(pxfs_lookup(&im.fs, NULL, &f), -PXE_EINVAL);
	memset(long_path, 'a', sizeof long_path - 1);
	long_path[0] = '/';
	long_path[sizeof long_path - 1] = 0;
	assert_int_equal(pxfs_lookup(&im.fs, long_path, &f), -PXE_ENAMETOOLONG);
	assert_int_equal(pxfs_lookup_id(&im.fs, 0, &f), -PXE_EINVAL);
	assert_int_equal(pxfs_lookup_id(&im.fs, TPX_NSTD + 1, &f), -PXE_ENOENT);
	assert_int_equal(pxfs_entry(&im.fs, TPX_NSTD, &f), -PXE_ERANGE);
	assert_int_equal(pxfs_entry(&im.fs, 0, NULL), -PXE_EINVAL);
	const char *name;
	uint32_t len;
	assert_int_equal(pxfs_readdir(&im.fs, long_path, 0, &name, &len), -PXE_ENAMETOOLONG);
	assert_int_equal(pxfs_lookup(&im.fs, "/data/empty", &f), 0);
	assert_int_equal(f.size, 0);
	assert_int_equal(f.type, PXFS_TYPE_DATA);
	free(im.px);
}

/* ---- Image-level errors ---------------------------------------------------------- */

static void expect_mount_error(struct tpx_img *im, int err)
{
	struct tpx_reports r;
	struct pxfs_file f;

	assert_int_equal(tpx_mount(im, &r), -err);
	assert_int_equal(r.n, 0);
	assert_int_equal(im->fs.count, 0);
	assert_int_equal(im->fs.good, 0);
	assert_int_equal(pxfs_lookup(&im->fs, "/boot/init", &f), -PXE_ENOENT);
	assert_int_equal(pxfs_count_in(&im->fs, NULL), 0);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	struct tpx_img im;
	uint8_t bad[PXFS_MAX_FILES];

	tpx_build(&im, tpx_std, TPX_NSTD, 256);
	assert_int_equal(pxfs_mount(&im.fs, NULL, im.w, im.h, bad, NULL, NULL), -PXFS_EARG);
	assert_int_equal(pxfs_mount(&im.fs, im.px, im.w, im.h, NULL, NULL, NULL), -PXFS_EARG);
	assert_int_equal(pxfs_mount(NULL, im.px, im.w, im.h, bad, NULL, NULL), -PXFS_EARG);
	/* Misaligned: the same image one byte further on. */
	uint8_t *shifted = malloc((size_t)im.w * im.h * 4 + 4);
	assert_non_null(shifted);
	memcpy(shifted + 1, im.px, (size_t)im.w * im.h * 4);
	assert_int_equal(pxfs_mount(&im.fs, shifted + 1, im.w, im.h, bad, NULL, NULL),
	                 -PXFS_EARG);
	memcpy(shifted + 4, im.px, (size_t)im.w * im.h * 4);
	assert_int_equal(pxfs_mount(&im.fs, shifted + 4, im.w, im.h, bad, NULL, NULL), 0);
	free(shifted);
	free(im.px);
}

static void test_size_errors(void **state)
{
	(void)state;
	struct tpx_img im;

	tpx_build(&im, tpx_std, TPX_NSTD, 256);
	uint32_t w = im.w, h = im.h;
	im.h = 0; /* truncated to nothing */
	expect_mount_error(&im, PXFS_ESIZE);
	im.h = h;
	im.w = PXFS_MIN_WIDTH - 1;
	expect_mount_error(&im, PXFS_ESIZE);
	im.w = PXFS_MAX_WIDTH + 1;
	expect_mount_error(&im, PXFS_ESIZE);
	im.w = w;
	im.h = PXFS_MAX_HEIGHT + 1;
	expect_mount_error(&im, PXFS_ESIZE);
	im.h = h;
	assert_int_equal(tpx_mount(&im, NULL), 0);
	free(im.px);
}

static void test_truncated_buffer(void **state)
{
	(void)state;
	struct tpx_img im;

	tpx_build(&im, tpx_std, TPX_NSTD, 256);
	uint32_t h = im.h;
	/* A decoder that delivered fewer rows than the superblock promises. */
	for (uint32_t rows = 1; rows < h; rows++) {
		uint8_t *part = malloc((size_t)im.w * rows * 4);
		assert_non_null(part);
		memcpy(part, im.px, (size_t)im.w * rows * 4);
		uint8_t *full = im.px;
		im.px = part;
		im.h = rows;
		expect_mount_error(&im, PXFS_EGEOMETRY);
		im.px = full;
		im.h = h;
		free(part);
	}
	/* The same bytes seen as a narrower, taller image. */
	im.w /= 2;
	im.h *= 2;
	expect_mount_error(&im, PXFS_EGEOMETRY);
	free(im.px);
}

static void test_magic_version_crc(void **state)
{
	(void)state;
	struct tpx_img im;

	tpx_build(&im, tpx_std, TPX_NSTD, 256);
	struct pxfs_super good = tpx_super(&im), s;

	im.px[0] ^= 0x01; /* magic */
	expect_mount_error(&im, PXFS_EMAGIC);
	im.px[0] ^= 0x01;
	memset(im.px, 0, 64); /* all zero: not an image */
	expect_mount_error(&im, PXFS_EMAGIC);
	tpx_put_super(&im, good, 0);

	s = good;
	s.version = 2;
	tpx_put_super(&im, s, 1);
	expect_mount_error(&im, PXFS_EVERSION);
	s.version = 0;
	tpx_put_super(&im, s, 0); /* version before CRC: wrong version wins */
	expect_mount_error(&im, PXFS_EVERSION);

	s = good;
	s.flags = 1;
	tpx_put_super(&im, s, 1);
	expect_mount_error(&im, PXFS_EVERSION);
	s = good;
	s.reserved[3] = 7;
	tpx_put_super(&im, s, 1);
	expect_mount_error(&im, PXFS_EVERSION);

	for (uint32_t b = 6; b < 64; b++) { /* every byte after magic and version */
		tpx_put_super(&im, good, 0);
		im.px[b] ^= 0x40;
		expect_mount_error(&im, PXFS_ESUPER_CRC);
	}
	tpx_put_super(&im, good, 0);
	assert_int_equal(tpx_mount(&im, NULL), 0);
	free(im.px);
}

static void test_geometry_errors(void **state)
{
	(void)state;
	struct tpx_img im;

	tpx_build(&im, tpx_std, TPX_NSTD, 256);
	struct pxfs_super good = tpx_super(&im), s;
	uint32_t row = im.w * 4;

	s = good;
	s.width = im.w + 1;
	tpx_put_super(&im, s, 1);
	expect_mount_error(&im, PXFS_EGEOMETRY);
	s = good;
	s.height = im.h - 1;
	tpx_put_super(&im, s, 1);
	expect_mount_error(&im, PXFS_EGEOMETRY);
	s = good;
	s.data_offset += 4; /* not row-aligned (the area still ends where it did) */
	s.data_size -= 4;
	tpx_put_super(&im, s, 1);
	expect_mount_error(&im, PXFS_EGEOMETRY);
	s = good;
	s.data_offset = row; /* on top of the directory */
	tpx_put_super(&im, s, 1);
	expect_mount_error(&im, PXFS_EGEOMETRY);
	s = good;
	s.data_size = im.w * im.h * 4 - s.data_offset + 1; /* one byte past the end */
	tpx_put_super(&im, s, 1);
	expect_mount_error(&im, PXFS_EGEOMETRY);
	s = good;
	s.data_size = 0xFFFFFFFFu; /* wraps in 32-bit arithmetic */
	tpx_put_super(&im, s, 1);
	expect_mount_error(&im, PXFS_EGEOMETRY);
	free(im.px);
}

static void test_directory_errors(void **state)
{
	(void)state;
	struct tpx_img im;

	tpx_build(&im, tpx_std, TPX_NSTD, 256);
	struct pxfs_super good = tpx_super(&im), s;
	uint32_t row = im.w * 4;
	static const struct { uint32_t count, off, size; } cases[] = {
		{ TPX_NSTD, 0, TPX_NSTD * 128 },                       /* over the superblock */
		{ TPX_NSTD, 4, TPX_NSTD * 128 },                       /* not row-aligned */
		{ TPX_NSTD, 1024 * 100, TPX_NSTD * 128 },              /* past the end */
		{ TPX_NSTD, 0xFFFFFC00u, TPX_NSTD * 128 },             /* far past the end */
		{ 9, 0xFFFFFC00u, 9 * 128 },                   /* offset + size wraps */
		{ TPX_NSTD, 1024, TPX_NSTD * 128 + 1 },                /* size != count * 128 */
		{ TPX_NSTD, 1024, 0 },
		{ PXFS_MAX_FILES + 1, 1024, (PXFS_MAX_FILES + 1) * 128 }, /* too many */
		{ 0x02000000u, 1024, 0 },                      /* count * 128 wraps to 0 */
		{ 0xFFFFFFFFu, 1024, 0xFFFFFF80u },            /* count * 128 wraps */
	};
	assert_int_equal(row, 1024);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = good;
		s.file_count = cases[i].count;
		s.dir_offset = cases[i].off;
		s.dir_size = cases[i].size;
		tpx_put_super(&im, s, 1);
		expect_mount_error(&im, PXFS_EDIR);
	}
	/* The directory runs into the last row exactly: fine as far as the
	 * directory goes, the data area then overlaps it. */
	s = good;
	s.dir_offset = (im.h - 1) * row;
	tpx_put_super(&im, s, 1);
	expect_mount_error(&im, PXFS_EGEOMETRY);

	tpx_put_super(&im, good, 0);
	for (uint32_t b = 0; b < good.dir_size; b += 97) {
		im.px[good.dir_offset + b] ^= 0x08;
		expect_mount_error(&im, PXFS_EDIR_CRC);
		im.px[good.dir_offset + b] ^= 0x08;
	}
	assert_int_equal(tpx_mount(&im, NULL), 0);
	free(im.px);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(pxfs_strerror(0), "ok");
	assert_string_equal(pxfs_strerror(-PXFS_EMAGIC), "bad magic: not a PixelFS image");
	assert_string_equal(pxfs_strerror(PXFS_EMAGIC), "bad magic: not a PixelFS image");
	assert_string_equal(pxfs_strerror(-PXFS_EDIR_CRC), "directory checksum mismatch");
	assert_string_equal(pxfs_strerror(-PXFS_EARG), pxfs_strerror(PXFS_EARG));
	assert_string_equal(pxfs_strerror(99), "unknown PixelFS error");
	assert_string_equal(pxfs_strerror(-2147483647 - 1), "unknown PixelFS error");
	assert_string_equal(pxfs_type_name(PXFS_TYPE_PROGRAM), "program");
	assert_string_equal(pxfs_type_name(PXFS_TYPE_TEXT), "text");
	assert_string_equal(pxfs_type_name(PXFS_TYPE_DATA), "data");
	assert_null(pxfs_type_name(0));
	assert_null(pxfs_type_name(4));
}

static void test_check_path(void **state)
{
	(void)state;
	assert_null(pxfs_check_path("/a"));
	assert_null(pxfs_check_path("/boot/init"));
	assert_null(pxfs_check_path("/a b/c~d.e-f_g"));
	assert_null(pxfs_check_path("/.hidden/..x/x.."));
	assert_non_null(pxfs_check_path("/"));
	assert_non_null(pxfs_check_path("/a/./b"));
	assert_non_null(pxfs_check_path("a"));
	assert_non_null(pxfs_check_path("/\x7f"));
	assert_non_null(pxfs_check_path("/\x1f"));
	assert_non_null(pxfs_check_path(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_default_width),
		cmocka_unit_test(test_roundtrip_odd_widths),
		cmocka_unit_test(test_empty_fs),
		cmocka_unit_test(test_taller_image),
		cmocka_unit_test(test_mount_leaves_pixels_alone),
		cmocka_unit_test(test_readdir),
		cmocka_unit_test(test_lookup_edges),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_size_errors),
		cmocka_unit_test(test_truncated_buffer),
		cmocka_unit_test(test_magic_version_crc),
		cmocka_unit_test(test_geometry_errors),
		cmocka_unit_test(test_directory_errors),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_check_path),
	};
	return cmocka_run_group_tests_name("pixelfs", tests, tpx_setup, tpx_teardown);
}
