/*
 * pngload.h — PNG decoding in the kernel with stb_image (Debian libstb-dev),
 * PNG only, on the kernel heap.
 */
#ifndef PXOS_PNGLOAD_H
#define PXOS_PNGLOAD_H

#include <stdint.h>
#include <stddef.h>

/* png_decode_rgba: decode the PNG in `size` bytes at `data` to RGBA8 (width x
 * height x 4 bytes, row-major, no padding). The datastream is checked first
 * (pxvm/pngcheck.h: chunk CRCs and sizes, empty IDATs, the decoded size
 * against half of the free memory). Returns a heap buffer (free with
 * png_free), or NULL with *why set to the reason (never NULL or empty; valid
 * until the next call). */
uint8_t *png_decode_rgba(const void *data, size_t size, uint32_t *width, uint32_t *height, const char **why);

void png_free(uint8_t *pixels);

/* zlib_inflate: decompress the zlib stream (RFC 1950) in `n` bytes at `in`
 * into exactly `out_len` bytes at `out`. 0, or -1 when the stream is damaged,
 * ends early or holds more than out_len bytes (stb_image's
 * stbi_zlib_decode_buffer). */
int zlib_inflate(const uint8_t *in, size_t n, uint8_t *out, size_t out_len);

#endif /* PXOS_PNGLOAD_H */
