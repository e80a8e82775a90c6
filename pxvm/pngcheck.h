/*
 * pngcheck.h — a PNG datastream checked before a decoder (stb_image) sees it.
 * Portable: the kernel (kernel/pngload.c, the ramdisk) and the host tools
 * (tools/common/hostio.c, tools/pxfs/png_io.c) run the same checks.
 *
 * Follows the PNG specification (W3C PNG, 2nd edition = ISO/IEC 15948:2003):
 * §5.2 the signature; §5.3 chunk layout (length at most 2^31 - 1, a type of
 * four ASCII letters, CRC-32 over type and data, the CRC of pxvm/crc32.h);
 * §5.6 chunk ordering (IHDR first, PLTE before IDAT, IDATs consecutive, IEND
 * last); §11.2.2 IHDR (13 bytes; width and height 1..2^31 - 1; the allowed
 * bit depth and colour type pairs; compression, filter and interlace methods);
 * §11.2.3 PLTE (1..256 entries, at most 2^depth for colour type 3, required
 * for colour type 3, not allowed for 0 and 4). Beyond the specification,
 * refused because a decoder handles them badly: an empty IDAT chunk (stb_image
 * does pointer arithmetic on NULL for it), an unknown critical chunk (e.g.
 * Apple's CgBI), bytes after IEND, and an image whose decoding would need
 * more memory than the caller has.
 */
#ifndef PXVM_PNGCHECK_H
#define PXVM_PNGCHECK_H

#include <stddef.h>
#include <stdint.h>

struct png_info {
	uint32_t width, height;
	uint8_t depth;        /* bits per sample: 1, 2, 4, 8, 16 */
	uint8_t color_type;   /* 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA */
	uint8_t channels;     /* samples per pixel: 1..4 */
	uint8_t interlace;    /* 0 none, 1 Adam7 */
	uint32_t chunks;      /* chunks in the datastream */
	uint64_t idat_bytes;  /* compressed image data, all IDATs together */
	uint64_t decode_bytes;/* memory a decoder to 8-bit RGBA needs (estimate, upper bound) */
};

/* png_is_png: whether `n` bytes at `data` start with the PNG signature. */
int png_is_png(const void *data, size_t n);

/* png_check: check the PNG datastream of `n` bytes at `data` (whole file,
 * signature first). `mem_limit`: bytes the caller can spend decoding it (the
 * compressed data, the filtered rows and the RGBA output, see decode_bytes).
 * Returns 0 and fills *info (if not NULL); or, with a reason such as "chunk
 * 3 (IDAT at byte 120): CRC mismatch" written into `why` (`cap` bytes, always
 * NUL-terminated when cap > 0), -PXE_ENOMEM (pxvm/abi.h) when decoding would
 * need more than `mem_limit`, -PXE_EINVAL for any other fault. */
int png_check(const void *data, size_t n, uint64_t mem_limit, struct png_info *info, char *why, size_t cap);

#endif /* PXVM_PNGCHECK_H */
