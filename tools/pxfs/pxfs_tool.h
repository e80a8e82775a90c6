/*
 * pxfs_tool.h — internals shared by the files of the host tool `pxfs` (build,
 * list, verify, extract, cat and the testing aid corrupt). The format itself is
 * pxvm/pixelfs.h; this header only glues it to PNG files and the command line.
 */
#ifndef PXFS_TOOL_H
#define PXFS_TOOL_H

#include <stdint.h>
#include <stddef.h>

#include "pxvm/pixelfs.h"

/* Decoded RGBA8 pixels of a PNG (heap memory; png_free releases it). */
struct tool_image {
	uint8_t *pixels; /* width * height * 4 bytes, row-major */
	uint32_t width, height;
};

/* A mounted image plus why each rejected entry was rejected. */
struct tool_fs {
	struct tool_image img;
	struct pxfs fs;
	uint8_t bad[PXFS_MAX_FILES];
	const char *why[PXFS_MAX_FILES]; /* per entry: NULL when good */
	uint32_t nbad;
};

/* tool_error: print "pxfs: <what>: <why>" (printf-style why) on stderr. */
void tool_error(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* png_load: decode PNG file `path` into *img. It must be an 8-bit RGBA PNG of at
 * most PXFS_MAX_WIDTH x PXFS_MAX_HEIGHT pixels (checked before decoding). Returns
 * 0, or reports `pxfs: PATH: why` and returns -1. */
int png_load(const char *path, struct tool_image *img);

/* png_free: release img's pixels (safe on a zeroed image). */
void png_free(struct tool_image *img);

/* png_save: write `width` x `height` RGBA8 `pixels` as PNG file `path`, through
 * a temporary file in the same directory renamed over `path` only when complete
 * (an old `path` survives any failure). Returns 0, or reports and returns -1. */
int png_save(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height);

/* tool_mount: png_load + pxfs_mount. Image-level errors are reported and give
 * -1 (nothing to release). Otherwise returns 0 with m->why filled; when `loud`,
 * each bad file is also reported as `pxfs: PATH: FILE: why`. Release with
 * tool_unmount. */
int tool_mount(const char *path, struct tool_fs *m, int loud);
void tool_unmount(struct tool_fs *m);

/* tool_entry_path: entry i's path, sanitised like pxfs_mount's reports, in buf. */
const char *tool_entry_path(const struct tool_fs *m, uint32_t i, char *buf, size_t len);

/* tool_parse_u32: parse decimal or 0x-hex `s` (whole string) into *out; 0 or -1. */
int tool_parse_u32(const char *s, uint32_t *out);

/* The commands: argv[0] is the command name; each returns the exit status. */
int cmd_build(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_corrupt(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);

#endif /* PXFS_TOOL_H */
