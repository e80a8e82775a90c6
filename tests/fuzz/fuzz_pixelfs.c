/*
 * fuzz_pixelfs.c — libFuzzer target: pxfs_mount and every lookup on arbitrary
 * pixel buffers (build and run with `make fuzz-pixelfs`; clang, ASan + UBSan).
 *
 * Input: a 4-byte header, then the pixels.
 *   bytes 0-1  width selector: width = 32 + (LE16 % 4065)
 *   byte  2    flags: bit 0 recompute the directory CRC, bit 1 the superblock CRC
 *              (so mutated superblocks and entries get past the checksums and
 *              reach the checks behind them), bit 2 mount with a report callback
 *   byte  3    ignored
 *   bytes 4-   pixels: as many whole rows as there are (at least one)
 * The pixels are copied into a buffer of exactly width * height * 4 bytes, so any
 * read past the image is caught by ASan. Invariants checked after a mount: every
 * good file lies inside the image and matches its CRC, every good file is found
 * by path and by id, readdir and count_in terminate and stay inside the image.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pxvm/crc32.h"
#include "pxvm/pixelfs.h"

#define FUZZ_HEADER 4u

#define CHECK(c)                   \
	do {                           \
		if (!(c))                  \
			__builtin_trap();      \
	} while (0)

static uint8_t bad[PXFS_MAX_FILES];

static void on_report(void *ctx, const char *path, const char *why)
{
	size_t *n = ctx;

	/* The path is a printable string, the reason a non-empty string. */
	for (const char *p = path; *p; p++)
		CHECK(*p >= 0x20 && *p <= 0x7E);
	CHECK(why && why[0]);
	(*n)++;
}

static void reseal(uint8_t *px, uint64_t nbytes, unsigned flags)
{
	struct pxfs_super s;

	memcpy(&s, px, sizeof s);
	if ((flags & 1) && (uint64_t)s.dir_offset + s.dir_size <= nbytes)
		s.dir_crc = crc32(px + s.dir_offset, s.dir_size);
	if (flags & 2) {
		s.super_crc = 0;
		s.super_crc = crc32(&s, sizeof s);
	}
	memcpy(px, &s, sizeof s);
}

static void exercise(const struct pxfs *fs)
{
	uint32_t good = 0;

	for (uint32_t i = 0; i < fs->count; i++) {
		struct pxfs_file f, g;
		if (pxfs_entry(fs, i, &f) != 0)
			continue;
		good++;
		CHECK(f.data >= fs->bytes && (size_t)(f.data - fs->bytes) <= fs->nbytes);
		CHECK(f.size <= fs->nbytes - (size_t)(f.data - fs->bytes));
		struct pxfs_dirent d;
		memcpy(&d, (const uint8_t *)fs->dir + (size_t)i * sizeof d, sizeof d);
		CHECK(crc32(f.data, f.size) == d.crc);
		CHECK(pxfs_check_path(f.path) == NULL);
		CHECK(pxfs_lookup(fs, f.path, &g) == 0 && g.data == f.data);
		CHECK(pxfs_lookup_id(fs, f.id, &g) == 0 && g.data == f.data);

		/* List the file's parent directory; the file's name must appear. */
		char dir[PXFS_PATH_MAX];
		const char *slash = strrchr(f.path, '/');
		size_t dl = slash == f.path ? 1 : (size_t)(slash - f.path);
		memcpy(dir, f.path, dl);
		dir[dl] = 0;
		const char *name;
		uint32_t len, found = 0;
		for (uint32_t k = 0; pxfs_readdir(fs, dir, k, &name, &len) == 0; k++) {
			CHECK(k <= fs->count);
			CHECK(len > 0 && len < PXFS_PATH_MAX);
			found |= len == strlen(slash + 1) && memcmp(name, slash + 1, len) == 0;
		}
		CHECK(found);
		CHECK(pxfs_count_in(fs, dir) >= 1);
	}
	CHECK(good == fs->good);
	CHECK(pxfs_count_in(fs, NULL) == fs->good);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < FUZZ_HEADER)
		return 0;
	uint32_t width = PXFS_MIN_WIDTH + (uint32_t)(data[0] | data[1] << 8) %
	                                      (PXFS_MAX_WIDTH - PXFS_MIN_WIDTH + 1);
	unsigned flags = data[2];
	uint64_t row = (uint64_t)width * 4;
	uint64_t height = (size - FUZZ_HEADER) / row;
	if (height == 0 || height > PXFS_MAX_HEIGHT)
		return 0;

	uint64_t nbytes = row * height;
	uint8_t *px = malloc(nbytes);
	if (!px)
		return 0;
	memcpy(px, data + FUZZ_HEADER, nbytes);
	reseal(px, nbytes, flags);

	struct pxfs fs;
	size_t reports = 0;
	int rc = pxfs_mount(&fs, px, width, (uint32_t)height, bad,
	                    (flags & 4) ? on_report : NULL, &reports);
	CHECK(rc <= 0 && rc >= -PXFS_EARG);
	if (rc == 0) {
		CHECK(fs.good <= fs.count && fs.count <= PXFS_MAX_FILES);
		if (flags & 4)
			CHECK(reports == fs.count - fs.good);
		exercise(&fs);
	} else {
		CHECK(fs.count == 0 && fs.good == 0);
	}
	free(px);
	return 0;
}
