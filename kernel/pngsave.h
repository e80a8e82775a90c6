/*
 * pngsave.h — PNG encoding and zlib compression in the kernel with
 * stb_image_write (Debian libstb-dev), on the kernel heap: the snapshot's
 * picture and its compressed state (docs/snapshots.md).
 */
#ifndef PXOS_PNGSAVE_H
#define PXOS_PNGSAVE_H

#include <stdint.h>
#include <stddef.h>

/* png_encode_rgb: an 8-bit RGB PNG (colour type 2) of `w` x `h` pixels from
 * `rgb` (rows of 3*w bytes). Returns a heap buffer (kfree) of *len bytes, or
 * NULL when out of memory or the image is larger than 2 GiB. stb_image_write's
 * stbi_write_png_to_mem (PNG 1.2: filters, zlib at level 8). */
uint8_t *png_encode_rgb(const uint8_t *rgb, uint32_t w, uint32_t h, size_t *len);

/* zlib_compress: `n` bytes as a zlib stream (RFC 1950) of *len bytes, in a
 * heap buffer (kfree), or NULL. stb_image_write's stbi_zlib_compress. */
uint8_t *zlib_compress(const uint8_t *data, size_t n, size_t *len);

#endif /* PXOS_PNGSAVE_H */
