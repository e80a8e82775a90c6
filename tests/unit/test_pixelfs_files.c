/*
 * test_pixelfs_files.c — PixelFS v1 (pxvm/pixelfs.c), part 2: every per-file
 * rejection of pxfs_mount (with the reported path and reason, and the other files
 * still usable), and the input checks of pxfs_layout_check / pxfs_build.
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

/* ---- Per-file errors ------------------------------------------------------------- */

static void test_data_crc(void **state)
{
	(void)state;
	struct tpx_img im;

	tpx_build(&im, tpx_std, TPX_NSTD, 256);
	for (uint32_t k = 0; k < TPX_NSTD; k++) {
		struct pxfs_dirent d = tpx_get_entry(&im, k);
		if (d.size == 0)
			continue;
		uint32_t at = d.offset + d.size - 1; /* the last byte of the file */
		im.px[at] ^= 0x80;
		tpx_expect_one_bad(&im, k, tpx_std[k].path, "checksum mismatch");
		im.px[at] ^= 0x80;
	}
	/* A changed CRC field (resealed) is a mismatch too, even for an empty file. */
	struct pxfs_dirent d = tpx_get_entry(&im, 5);
	d.crc = 1;
	tpx_put_entry_sealed(&im, 5, &d);
	tpx_expect_one_bad(&im, 5, "/data/empty", "checksum mismatch");
	free(im.px);
}

static void test_data_bounds(void **state)
{
	(void)state;
	struct tpx_img im;

	tpx_build(&im, tpx_std, TPX_NSTD, 256);
	struct pxfs_super s = tpx_super(&im);
	uint32_t nbytes = im.w * im.h * 4, row = im.w * 4;
	static const char outside[] = "data outside the image";
	static const char area[] = "data outside the data area";
	static const char align[] = "data offset not row-aligned";
	const struct { uint32_t off, size; const char *why; } cases[] = {
		{ 0xFFFFFC00u, 0x800, outside },        /* offset + size wraps 32 bits */
		{ 0x400, 0xFFFFFFFFu, outside },         /* size wraps */
		{ 0xFFFFFFFFu, 0xFFFFFFFFu, outside },
		{ nbytes, 1, outside },                  /* just past the end */
		{ nbytes - row, row + 1, outside },
		{ nbytes + row, 0, outside },
		{ s.data_offset + 1, 4, align },
		{ 0, 64, area },                         /* the superblock */
		{ s.dir_offset, 128, area },             /* the directory */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct pxfs_dirent keep = tpx_get_entry(&im, 1), d = keep;
		d.offset = cases[i].off;
		d.size = cases[i].size;
		tpx_put_entry_sealed(&im, 1, &d);
		tpx_expect_one_bad(&im, 1, "/boot/shell", cases[i].why);
		tpx_put_entry_sealed(&im, 1, &keep);
	}
	/* Inside the image but past the data area: the superblock (resealed) says
	 * the area ends one byte before the end of /data/blob, the last file with
	 * data; the empty file after it lies past that end too. */
	struct pxfs_dirent blob = tpx_get_entry(&im, 4);
	struct pxfs_super t = s;
	t.data_size = blob.offset + blob.size - 1 - t.data_offset;
	tpx_put_super(&im, t, 1);
	struct tpx_reports r;
	assert_int_equal(tpx_mount(&im, &r), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.path[0], "/data/blob");
	assert_string_equal(r.why[0], area);
	assert_string_equal(r.path[1], "/data/empty");
	assert_string_equal(r.why[1], area);
	assert_int_equal(im.fs.good, TPX_NSTD - 2);
	free(im.px);
}

static void set_path(struct pxfs_dirent *d, const char *bytes, size_t n)
{
	memset(d->path, 0, sizeof d->path);
	memcpy(d->path, bytes, n);
}

static void test_bad_paths(void **state)
{
	(void)state;
	struct tpx_img im;
	static const char notabs[] = "path not absolute or not NUL-terminated";
	static const char comp[] = "path has an empty, \".\" or \"..\" component";
	static const char byte[] = "path has a byte outside printable ASCII";
	const struct { const char *bytes; size_t n; const char *shown, *why; } cases[] = {
		{ "boot/x", 6, "boot/x", notabs },
		{ "", 0, "(entry 2: empty path)", notabs },
		{ "/a//b", 5, "/a//b", comp },
		{ "/a/", 3, "/a/", comp },
		{ "/", 1, "/", comp },
		{ "/./x", 4, "/./x", comp },
		{ "/x/..", 5, "/x/..", comp },
		{ "/../etc/passwd", 14, "/../etc/passwd", comp },
		{ "/a\x01z", 4, "/a?z", byte },
		{ "/caf\xc3\xa9", 6, "/caf??", byte },
		{ "/tab\there", 9, "/tab?here", byte },
		{ "/del\x7f~ ", 7, "/del?~ ", byte }, /* 0x7F out; '~' (0x7E) and ' ' (0x20) shown */
		{ "/ok\0junk", 8, "/ok", "path padding not zero" },
	};
	tpx_build(&im, tpx_std, TPX_NSTD, 256);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct pxfs_dirent keep = tpx_get_entry(&im, 2), d = keep;
		set_path(&d, cases[i].bytes, cases[i].n);
		tpx_put_entry_sealed(&im, 2, &d);
		tpx_expect_one_bad(&im, 2, cases[i].shown, cases[i].why);
		tpx_put_entry_sealed(&im, 2, &keep);
	}
	/* No NUL in all 96 bytes: reported cut, with a mark. */
	struct pxfs_dirent d = tpx_get_entry(&im, 2);
	char shown[PXFS_PATH_MAX + 4];
	memset(d.path, 'A', sizeof d.path);
	d.path[0] = '/';
	memcpy(shown, d.path, PXFS_PATH_MAX);
	memcpy(shown + PXFS_PATH_MAX, "...", 4);
	tpx_put_entry_sealed(&im, 2, &d);
	tpx_expect_one_bad(&im, 2, shown, notabs);
	free(im.px);
}

static void test_bad_fields(void **state)
{
	(void)state;
	struct tpx_img im;

	tpx_build(&im, tpx_std, TPX_NSTD, 256);
	struct pxfs_dirent keep = tpx_get_entry(&im, 3), d;

	d = keep;
	d.type = 0;
	tpx_put_entry_sealed(&im, 3, &d);
	tpx_expect_one_bad(&im, 3, "/etc/motd.txt", "unknown type");
	d.type = 4;
	tpx_put_entry_sealed(&im, 3, &d);
	tpx_expect_one_bad(&im, 3, "/etc/motd.txt", "unknown type");
	d.type = 0xFFFFFFFFu;
	tpx_put_entry_sealed(&im, 3, &d);
	tpx_expect_one_bad(&im, 3, "/etc/motd.txt", "unknown type");
	d = keep;
	d.id = 0;
	tpx_put_entry_sealed(&im, 3, &d);
	tpx_expect_one_bad(&im, 3, "/etc/motd.txt", "bad id (0)");
	d = keep;
	d.reserved[2] = 1;
	tpx_put_entry_sealed(&im, 3, &d);
	tpx_expect_one_bad(&im, 3, "/etc/motd.txt", "reserved fields not zero");
	tpx_put_entry_sealed(&im, 3, &keep);
	assert_int_equal(tpx_mount(&im, NULL), 0);
	assert_int_equal(im.fs.good, TPX_NSTD);
	free(im.px);
}

static void test_duplicates(void **state)
{
	(void)state;
	struct tpx_img im;

	tpx_build(&im, tpx_std, TPX_NSTD, 256);
	struct pxfs_dirent keep = tpx_get_entry(&im, 4), d;

	/* Entry 4 claims /boot/shell (entry 1's path): the later one loses. Its
	 * data is its own, so the CRC is fine: only the path clashes. */
	d = keep;
	set_path(&d, "/boot/shell", 11);
	tpx_put_entry_sealed(&im, 4, &d);
	tpx_expect_one_bad(&im, 4, "/boot/shell", "duplicate path");
	struct pxfs_file f;
	assert_int_equal(pxfs_lookup(&im.fs, "/boot/shell", &f), 0);
	assert_int_equal(f.id, 2);

	d = keep;
	d.id = 3; /* entry 2's id */
	tpx_put_entry_sealed(&im, 4, &d);
	tpx_expect_one_bad(&im, 4, "/data/blob", "duplicate id");

	d = keep;
	set_path(&d, "/boot/init/blob", 15); /* /boot/init is a file */
	tpx_put_entry_sealed(&im, 4, &d);
	tpx_expect_one_bad(&im, 4, "/boot/init/blob", "path clashes with a directory of another file");
	d = keep;
	set_path(&d, "/etc", 4); /* /etc/motd.txt makes /etc a directory */
	tpx_put_entry_sealed(&im, 4, &d);
	tpx_expect_one_bad(&im, 4, "/etc", "path clashes with a directory of another file");
	tpx_put_entry_sealed(&im, 4, &keep);

	/* The first *good* entry wins: when entry 1 is bad, entry 4 with the same
	 * path is the one that counts. */
	im.px[tpx_get_entry(&im, 1).offset] ^= 1;
	d = keep;
	set_path(&d, "/boot/shell", 11);
	tpx_put_entry_sealed(&im, 4, &d);
	struct tpx_reports r;
	assert_int_equal(tpx_mount(&im, &r), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.path[0], "/boot/shell");
	assert_string_equal(r.why[0], "checksum mismatch");
	assert_int_equal(im.bad[1], 1);
	assert_int_equal(im.bad[4], 0);
	assert_int_equal(pxfs_lookup(&im.fs, "/boot/shell", &f), 0);
	assert_int_equal(f.id, 5);
	assert_memory_equal(f.data, tpx_std[4].data, tpx_std[4].size);
	free(im.px);
}

static void test_many_bad_in_order(void **state)
{
	(void)state;
	struct tpx_img im;
	struct tpx_reports r;

	tpx_build(&im, tpx_std, TPX_NSTD, 256);
	struct pxfs_dirent d;
	d = tpx_get_entry(&im, 5);
	d.type = 9;
	tpx_put_entry_sealed(&im, 5, &d);
	d = tpx_get_entry(&im, 0);
	d.size = 0xFFFFFFF0u;
	tpx_put_entry_sealed(&im, 0, &d);
	im.px[tpx_get_entry(&im, 3).offset + 7] ^= 0xFF;
	assert_int_equal(tpx_mount(&im, &r), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.path[0], "/boot/init");
	assert_string_equal(r.why[0], "data outside the image");
	assert_string_equal(r.path[1], "/etc/motd.txt");
	assert_string_equal(r.why[1], "checksum mismatch");
	assert_string_equal(r.path[2], "/data/empty");
	assert_string_equal(r.why[2], "unknown type");
	assert_int_equal(im.fs.good, TPX_NSTD - 3);
	static const uint32_t good[] = { 1, 2, 4 };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct pxfs_file f;
		const struct pxfs_input *in = &tpx_std[good[i]];
		assert_int_equal(im.bad[good[i]], 0);
		assert_int_equal(pxfs_lookup(&im.fs, in->path, &f), 0);
		assert_memory_equal(f.data, in->data, in->size);
	}
	free(im.px);
}

/* ---- Building: input checks ------------------------------------------------------- */

static void expect_layout_error(const struct pxfs_input *in, uint32_t n, uint32_t width,
                                const char *why)
{
	const char *got = NULL;
	uint8_t px[64 * 4 * 4];

	assert_int_equal(pxfs_layout_check(in, n, width, &got), 0);
	assert_string_equal(got, why);
	assert_int_equal(pxfs_layout(in, n, width), 0);
	got = NULL;
	memset(px, 0x77, sizeof px);
	assert_int_equal(pxfs_build(in, n, width, 4, px, &got), -PXE_EINVAL);
	assert_string_equal(got, why);
	assert_int_equal(px[0], 0x77);
}

static void test_build_input_errors(void **state)
{
	(void)state;
	const uint8_t one = 1;
	struct pxfs_input in[2] = {
		{ "/a", PXFS_TYPE_DATA, &one, 1 },
		{ "/b", PXFS_TYPE_DATA, &one, 1 },
	};
	char long_path[PXFS_PATH_MAX + 1];

	assert_true(pxfs_layout(in, 2, 64) > 0);
	expect_layout_error(in, 2, PXFS_MIN_WIDTH - 1, "width outside 32..4096 pixels");
	expect_layout_error(in, 2, PXFS_MAX_WIDTH + 1, "width outside 32..4096 pixels");
	expect_layout_error(NULL, 2, 64, "file list missing");

	const struct { const char *path; const char *why; } paths[] = {
		{ "b", "path not absolute" },
		{ "", "path not absolute" },
		{ NULL, "path missing" },
		{ "/a", "duplicate path" },
		{ "/a/x", "path clashes with a directory of another file" },
		{ "/b//c", "path has an empty, \".\" or \"..\" component" },
		{ "/b/", "path has an empty, \".\" or \"..\" component" },
		{ "/..", "path has an empty, \".\" or \"..\" component" },
		{ "/b\n", "path has a byte outside printable ASCII" },
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		in[1].path = paths[i].path;
		expect_layout_error(in, 2, 64, paths[i].why);
	}
	memset(long_path, 'x', sizeof long_path);
	long_path[0] = '/';
	long_path[PXFS_PATH_MAX - 1] = 0; /* 95 bytes + NUL: the longest allowed */
	in[1].path = long_path;
	assert_true(pxfs_layout(in, 2, 64) > 0);
	long_path[PXFS_PATH_MAX - 1] = 'x';
	long_path[PXFS_PATH_MAX] = 0;     /* 96 bytes: too long */
	expect_layout_error(in, 2, 64, "path too long (95 bytes at most)");
	in[1].path = "/b";

	in[1].type = 0;
	expect_layout_error(in, 2, 64, "unknown type");
	in[1].type = 4;
	expect_layout_error(in, 2, 64, "unknown type");
	in[1].type = PXFS_TYPE_TEXT;
	in[1].data = NULL;
	expect_layout_error(in, 2, 64, "file data missing");
	in[1].size = 0; /* NULL data is fine for an empty file */
	assert_true(pxfs_layout(in, 2, 64) > 0);

	/* Too tall: 16384 rows of 128 bytes hold less than 2 MiB. */
	in[1].data = &one;
	in[1].size = 0x7FFFFFFFu;
	expect_layout_error(in, 2, 32, "image would be taller than 16384 rows");
	assert_int_equal(pxfs_layout(in, 1, 32), 3); /* superblock, directory, /a */
	/* 1 superblock row + 2 directory rows + 1 row for /a + the rest for /b. */
	in[1].size = (PXFS_MAX_HEIGHT - 4) * 128u;
	assert_int_equal(pxfs_layout(in, 2, 32), PXFS_MAX_HEIGHT);
	in[1].size += 1;
	expect_layout_error(in, 2, 32, "image would be taller than 16384 rows");
}

static void test_too_many_files(void **state)
{
	(void)state;
	enum { N = PXFS_MAX_FILES + 1 };
	static struct pxfs_input in[N];
	static char names[N][16];

	for (uint32_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "/f%u", i);
		in[i] = (struct pxfs_input){ names[i], PXFS_TYPE_DATA, NULL, 0 };
	}
	expect_layout_error(in, N, 64, "more than 1024 files");

	/* The maximum works, with the duplicate checks on every pair. */
	struct tpx_img im;
	tpx_build(&im, in, PXFS_MAX_FILES, 64);
	assert_int_equal(tpx_mount(&im, NULL), 0);
	assert_int_equal(im.fs.good, PXFS_MAX_FILES);
	struct pxfs_file f;
	assert_int_equal(pxfs_lookup(&im.fs, "/f1023", &f), 0);
	assert_int_equal(f.id, 1024);
	free(im.px);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data_crc),
		cmocka_unit_test(test_data_bounds),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_many_bad_in_order),
		cmocka_unit_test(test_build_input_errors),
		cmocka_unit_test(test_too_many_files),
	};
	return cmocka_run_group_tests_name("pixelfs-files", tests, tpx_setup, tpx_teardown);
}
