/*
 * snapfile.h — snapshot files on the host (docs/snapshots.md): encoding the
 * PNG (stb_image_write's encoder and zlib compressor, compiled once in
 * tools/common/hostio.c), writing it under a temporary name then renaming it,
 * and reading one back with every check of pxvm/snapfmt.h. pxsim, pxdis,
 * pxfs, pxbridge and the tests use it.
 */
#ifndef PXOS_TOOLS_SNAPFILE_H
#define PXOS_TOOLS_SNAPFILE_H

#include <stddef.h>
#include <stdint.h>
#include "pxvm/snapfmt.h"

/* snapfile_encode: a snapshot PNG in memory: the RGB image (w x h, rows of
 * 3*w bytes) with a pxSt chunk holding `state` (n bytes) compressed. Returns
 * a malloc'd buffer and its length in *out_len, or NULL (out of memory). */
uint8_t *snapfile_encode(const uint8_t *rgb, uint32_t w, uint32_t h, const uint8_t *state, size_t n,
                         size_t *out_len);

/* snapfile_write_atomic: write `len` bytes to `path` through a temporary file
 * in the same directory and rename(2), so `path` is never left partial.
 * 0, or -1 with why. */
int snapfile_write_atomic(const char *path, const uint8_t *data, size_t len, char *why, size_t cap);

/* A snapshot read back. */
struct snapfile {
	uint8_t *file;           /* the PNG as read */
	size_t file_len;
	uint8_t *state;          /* the state, decompressed and CRC-checked */
	size_t state_len;
	struct snap_info info;   /* head, clock, steps, slots, processes */
	uint32_t width, height;  /* the visible image's size (IHDR) */
};

/* snapfile_decode: check snapshot PNG bytes `data` (len; taken over by *sf,
 * freed by snapfile_free even on error) and decompress its state: every PNG
 * chunk's CRC, the head (format, flags, sizes), the state's length and
 * CRC-32, the sections' framing. 0, or -1 with why. */
int snapfile_decode(uint8_t *data, size_t len, struct snapfile *sf, char *why, size_t cap);

/* snapfile_read: snapfile_decode of the file at `path`. */
int snapfile_read(const char *path, struct snapfile *sf, char *why, size_t cap);

/* snapfile_free: release what snapfile_read/decode allocated. */
void snapfile_free(struct snapfile *sf);

/* snapfile_procs: the process entries of a snapshot's PROC section, in table
 * order, into out (cap entries); returns how many, or -1 with why. The
 * entries point into sf->state. */
int snapfile_procs(const struct snapfile *sf, struct snap_proc *out, uint32_t cap, char *why, size_t why_cap);

/* snapfile_tiles_rgb: the picture of a machine with no screen: the memory of
 * each process of the table (entries `procs`, `n` of them) as a 128 x 128
 * tile of RGB pixels (a word's bytes 0, 1, 2 are R, G, B), eight to a row.
 * A malloc'd RGB image of *w x *h, or NULL. */
uint8_t *snapfile_tiles_rgb(const uint32_t *const *mems, uint32_t n, uint32_t *w, uint32_t *h);

#endif /* PXOS_TOOLS_SNAPFILE_H */
