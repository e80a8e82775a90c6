/*
 * pixelfs_testlib.h — helpers shared by the PixelFS unit tests (test_pixelfs.c,
 * test_pixelfs_files.c): building images in memory, mounting them with a report
 * collector, and tampering with the superblock and directory entries.
 *
 * Tampering with an entry changes the directory CRC, so the helpers can "reseal"
 * an image (recompute the directory and superblock CRCs, as a buggy or hostile
 * builder would) to reach the checks behind the checksums.
 */
#ifndef TESTS_PIXELFS_TESTLIB_H
#define TESTS_PIXELFS_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

#include "pxvm/abi.h"
#include "pxvm/pixelfs.h"

/* An image under test: pixels (malloc'd, freed by the test), its size, and a
 * mount of it. */
struct tpx_img {
	uint8_t *px;
	uint32_t w, h;
	struct pxfs fs;
	uint8_t bad[PXFS_MAX_FILES];
};

/* What the report callback was given, in order (the first TPX_MAX_REPORTS). */
#define TPX_MAX_REPORTS 32
struct tpx_reports {
	int n;
	char path[TPX_MAX_REPORTS][PXFS_PATH_MAX + 32];
	const char *why[TPX_MAX_REPORTS];
};

/* tpx_collect: a pxfs_report_fn appending to the struct tpx_reports at `ctx`. */
void tpx_collect(void *ctx, const char *path, const char *why);

/* tpx_random_bytes: `n` pseudo-random bytes (fixed seed), malloc'd. */
uint8_t *tpx_random_bytes(size_t n);

/* tpx_build: a fresh image of `files` (height from pxfs_layout); asserts success. */
void tpx_build(struct tpx_img *im, const struct pxfs_input *files, uint32_t n, uint32_t width);

/* tpx_mount: pxfs_mount of the image, collecting reports into *r (NULL: none). */
int tpx_mount(struct tpx_img *im, struct tpx_reports *r);

/* tpx_super / tpx_put_super: read / write the superblock; `seal` recomputes
 * super_crc first. */
struct pxfs_super tpx_super(const struct tpx_img *im);
void tpx_put_super(struct tpx_img *im, struct pxfs_super s, int seal);

/* tpx_entry: the bytes of directory entry i; tpx_get_entry: a copy of it. */
uint8_t *tpx_entry(struct tpx_img *im, uint32_t i);
struct pxfs_dirent tpx_get_entry(struct tpx_img *im, uint32_t i);

/* tpx_put_entry_sealed: write entry i and recompute the directory and
 * superblock CRCs. */
void tpx_put_entry_sealed(struct tpx_img *im, uint32_t i, const struct pxfs_dirent *d);

/* The standard files (/boot/init, /boot/shell, /apps/hello, /etc/motd.txt,
 * /data/blob, /data/empty), made by tpx_setup and freed by tpx_teardown (cmocka
 * group fixtures). */
#define TPX_NSTD 6
extern struct pxfs_input tpx_std[TPX_NSTD];
int tpx_setup(void **state);
int tpx_teardown(void **state);

/* tpx_check_files: every input file except `skip` (-1: none) is good, has id
 * index + 1, and reads back exactly, by path and by id. */
void tpx_check_files(struct tpx_img *im, const struct pxfs_input *files, uint32_t n, int skip);

/* tpx_expect_one_bad: mounting an image of tpx_std whose entry `k` was made bad
 * gives one report naming `path` with `why`, only entry k flagged, and every
 * other file intact. */
void tpx_expect_one_bad(struct tpx_img *im, uint32_t k, const char *path, const char *why);

#endif /* TESTS_PIXELFS_TESTLIB_H */
