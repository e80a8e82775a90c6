/*
 * cmd_corrupt.c — `pxfs corrupt IMG OUT (--file PATH | --super | --dir) [--at N]`,
 * a testing aid: copies IMG to OUT with one byte inverted (XOR 0xFF) in a file's
 * data, the superblock or the directory, so tests (host and QEMU) can check how
 * corrupt ramdisks are handled. Not for anything else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/pxfs/pxfs_tool.h"

static const char corrupt_usage[] =
	"usage: pxfs corrupt IMG OUT (--file PATH | --super | --dir) [--at N]\n";

/* Finds the region to corrupt: sets *base, *size, *what. Returns 0 or -1. */
static int find_region(const char *img_path, const struct tool_image *img, const char *file,
                       int super, uint64_t *base, uint64_t *size, const char **what)
{
	uint64_t nbytes = (uint64_t)img->width * img->height * 4u;
	struct pxfs_super s;

	memcpy(&s, img->pixels, sizeof s);
	if (super) {
		*base = 0;
		*size = sizeof s;
		*what = "the superblock";
		return 0;
	}
	if (!file) {
		if (s.dir_size == 0 || (uint64_t)s.dir_offset + s.dir_size > nbytes) {
			tool_error(img_path, "the directory is empty or outside the image");
			return -1;
		}
		*base = s.dir_offset;
		*size = s.dir_size;
		*what = "the directory";
		return 0;
	}
	static uint8_t bad[PXFS_MAX_FILES];
	struct pxfs fs;
	struct pxfs_file f;
	int rc = pxfs_mount(&fs, img->pixels, img->width, img->height, bad, NULL, NULL);
	if (rc != 0) {
		tool_error(img_path, "%s", pxfs_strerror(rc));
		return -1;
	}
	if (pxfs_lookup(&fs, file, &f) != 0) {
		tool_error(file, "no such good file in %s", img_path);
		return -1;
	}
	if (f.size == 0) {
		tool_error(file, "empty file: no byte to corrupt");
		return -1;
	}
	*base = (uint64_t)(f.data - img->pixels);
	*size = f.size;
	*what = file;
	return 0;
}

int cmd_corrupt(int argc, char **argv)
{
	const char *pos[2], *file = NULL;
	int npos = 0, super = 0, dir = 0, have_at = 0;
	uint32_t at = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--super")) {
			super = 1;
		} else if (!strcmp(argv[i], "--dir")) {
			dir = 1;
		} else if (!strcmp(argv[i], "--file") && i + 1 < argc) {
			file = argv[++i];
		} else if (!strcmp(argv[i], "--at") && i + 1 < argc) {
			if (tool_parse_u32(argv[++i], &at) != 0) {
				tool_error("--at", "'%s' is not a byte offset", argv[i]);
				return 1;
			}
			have_at = 1;
		} else if (argv[i][0] != '-' && npos < 2) {
			pos[npos++] = argv[i];
		} else {
			tool_error(argv[i], "unexpected argument");
			fputs(corrupt_usage, stderr);
			return 1;
		}
	}
	if (npos != 2 || super + dir + (file != NULL) != 1) {
		fputs(corrupt_usage, stderr);
		return 1;
	}

	struct tool_image img;
	uint64_t base, size;
	const char *what;
	if (png_load(pos[0], &img) != 0)
		return 1;
	int rc = 1;
	if (find_region(pos[0], &img, file, super, &base, &size, &what) == 0) {
		if (!have_at)
			at = super ? 16u : file ? (uint32_t)(size / 2) : 0u;
		if (at >= size) {
			tool_error("--at", "%u is outside %s (%llu bytes)", at, what,
			           (unsigned long long)size);
		} else {
			uint64_t b = base + at, px = b / 4;
			img.pixels[b] ^= 0xFFu;
			if (png_save(pos[1], img.pixels, img.width, img.height) == 0) {
				printf("%s: inverted byte %u of %s (image byte %llu: pixel (%llu, %llu) "
				       "channel %c)\n", pos[1], at, what, (unsigned long long)b,
				       (unsigned long long)(px % img.width),
				       (unsigned long long)(px / img.width), "RGBA"[b % 4]);
				rc = 0;
			}
		}
	}
	png_free(&img);
	return rc;
}
