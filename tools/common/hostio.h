/*
 * hostio.h — file and image input shared by the host tools (pxasm, pxdis,
 * pxsim, the benchmark driver): one whole-file reader, and one image decoder
 * (stb_image from Debian's libstb-dev, whose implementation, with
 * stb_image_write's, is compiled in hostio.c and nowhere else these tools link).
 * `pxfs` keeps its own png_io.c (its PNGs must be RGBA8 as stored).
 */
#ifndef PXOS_TOOLS_HOSTIO_H
#define PXOS_TOOLS_HOSTIO_H

#include <stddef.h>
#include <stdint.h>

/* hostio_read_file: the whole host file `path` into *data (malloc'd, *len
 * bytes, followed by a NUL that *len does not count, so text can be used as a
 * string). Returns 0, or an errno value (ENOENT, EACCES, EIO, ENOMEM, ...)
 * with *data NULL and *len 0. */
int hostio_read_file(const char *path, uint8_t **data, size_t *len);

/* HOSTIO_ENOTREG: hostio_read_regular's result for a path that is not a
 * regular file (a device such as /dev/zero, a FIFO, a socket); EISDIR for a
 * directory. Outside the errno range; hostio_strerror names it. */
#define HOSTIO_ENOTREG 0x10000

/* hostio_read_regular: as hostio_read_file, for a regular file of at most
 * `max` bytes only: HOSTIO_ENOTREG or EISDIR for anything else (checked on
 * the opened file, which is opened without blocking), EFBIG when it has (or
 * grows to) more than `max` bytes. */
int hostio_read_regular(const char *path, size_t max, uint8_t **data, size_t *len);

/* hostio_strerror: text of a hostio result (0, an errno value or HOSTIO_ENOTREG). */
const char *hostio_strerror(int rc);

/* hostio_fail: the tools' error report: printf-style `fmt` into err (cap
 * bytes, always NUL-terminated; nothing when cap is 0). Returns -1, for
 * `return hostio_fail(err, cap, ...)`. */
int hostio_fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A decoded image: `channels` bytes per pixel (3 = RGB, 4 = RGBA), rows top
 * to bottom, no padding. Release with hostio_image_free. */
struct hostio_image {
	uint8_t *px;
	uint32_t width, height, channels;
};

/* hostio_load_image: decode PNG or PPM/PGM file `path` (a regular file of at
 * most HOSTIO_IMAGE_FILE_MAX bytes) into *img with `channels` (3 or 4) bytes
 * per pixel. A PNG is checked first (pxvm/pngcheck.h: chunk CRCs and sizes,
 * empty IDATs, the decoded size against HOSTIO_DECODE_MAX); the size must be
 * 1..max_w x 1..max_h, so a huge image is refused before it is decoded.
 * Returns 0, or -1 with "PATH: why" in err (cap bytes; a reason always). */
int hostio_load_image(const char *path, uint32_t channels, uint32_t max_w, uint32_t max_h,
                      struct hostio_image *img, char *err, size_t cap);

/* hostio_image_free: release img's pixels (safe on a zeroed image). */
void hostio_image_free(struct hostio_image *img);

#endif /* PXOS_TOOLS_HOSTIO_H */
