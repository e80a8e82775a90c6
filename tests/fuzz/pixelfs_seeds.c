/*
 * pixelfs_seeds.c — writes seed inputs for fuzz_pixelfs (format described there)
 * into directory argv[1]: valid images made by pxfs_build at a few widths, with
 * each flag combination, so the fuzzer starts from inputs that mount.
 * usage: pixelfs_seeds DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxvm/pixelfs.h"

static int write_seed(const char *dir, const char *name, uint32_t width, unsigned flags,
                      const struct pxfs_input *files, uint32_t n)
{
	const char *why = "layout";
	uint32_t height = pxfs_layout_check(files, n, width, &why);
	size_t bytes = (size_t)width * height * 4;
	uint8_t *buf = height ? malloc(4 + bytes) : NULL;
	char path[4096];

	if (!buf || pxfs_build(files, n, width, height, buf + 4, &why) != 0) {
		fprintf(stderr, "pixelfs_seeds: %s: %s\n", name, buf ? why : "cannot lay out");
		free(buf);
		return -1;
	}
	uint32_t sel = width - PXFS_MIN_WIDTH;
	buf[0] = (uint8_t)sel;
	buf[1] = (uint8_t)(sel >> 8);
	buf[2] = (uint8_t)flags;
	buf[3] = 0;
	snprintf(path, sizeof path, "%s/%s-w%u-f%u", dir, name, width, flags);
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(buf, 1, 4 + bytes, f) == 4 + bytes;
	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok)
		perror(path);
	free(buf);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const uint8_t text[] = "hello, pixels\n";
	static uint8_t blob[300];
	const struct pxfs_input small[] = {
		{ "/boot/init", PXFS_TYPE_PROGRAM, (const uint8_t *)"PXE1\1\0\0\0\0\2\0\0\0\0\0\0", 16 },
		{ "/apps/a/x", PXFS_TYPE_DATA, blob, sizeof blob },
		{ "/apps/a/y", PXFS_TYPE_TEXT, text, sizeof text - 1 },
		{ "/apps/b", PXFS_TYPE_DATA, NULL, 0 },
		{ "/readme.txt", PXFS_TYPE_TEXT, text, 5 },
	};
	int rc = 0;

	if (argc != 2) {
		fputs("usage: pixelfs_seeds DIR\n", stderr);
		return 1;
	}
	for (size_t i = 0; i < sizeof blob; i++)
		blob[i] = (uint8_t)(i * 37 + 11);
	for (unsigned flags = 0; flags < 8; flags++) {
		rc |= write_seed(argv[1], "small", 32, flags, small, 5);
		rc |= write_seed(argv[1], "small", 37, flags, small, 5);
		rc |= write_seed(argv[1], "empty", 32, flags, NULL, 0);
		rc |= write_seed(argv[1], "one", 64, flags, small + 2, 1);
	}
	return rc ? 1 : 0;
}
