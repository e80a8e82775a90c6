/*
 * pngsave.c — stb_image_write built for the kernel: the PNG writer and its
 * zlib compressor to memory only (no stdio), allocations on the kernel heap;
 * see pngsave.h. Its floating-point writers (HDR, JPEG) are static and never
 * called, so the optimiser drops them: this file is always built optimised
 * (KERNEL_STB_WRAPPERS in kernel/build.mk).
 */
#include "pngsave.h"
#include "heap.h"
#include "panic.h"
#include "lib.h"

#define STBI_WRITE_NO_STDIO
#define STB_IMAGE_WRITE_STATIC
#define STBIW_MALLOC(sz) kmalloc(sz)
#define STBIW_REALLOC(p, sz) krealloc(p, sz)
#define STBIW_FREE(p) kfree(p)
#define STBIW_MEMMOVE(a, b, n) memmove(a, b, n)
#define STBIW_ASSERT(x) do { if (!(x)) panic("stb_image_write: internal assertion failed: %s", #x); } while (0)
#define STB_IMAGE_WRITE_IMPLEMENTATION
/* The header declares every writer static; those this file does not use are
 * reported only at the end of the file, after any pop: ignored for all of it. */
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

uint8_t *png_encode_rgb(const uint8_t *rgb, uint32_t w, uint32_t h, size_t *len)
{
	int n = 0;
	if ((uint64_t)w * h * 3 > 0x7FFFFFFF || !w || !h)
		return 0;
	uint8_t *png = stbi_write_png_to_mem(rgb, (int)w * 3, (int)w, (int)h, 3, &n);
	*len = png ? (size_t)n : 0;
	return png;
}

uint8_t *zlib_compress(const uint8_t *data, size_t n, size_t *len)
{
	int out = 0;
	if (n > 0x7FFFFFFF)
		return 0;
	uint8_t *z = stbi_zlib_compress((unsigned char *)data, (int)n, &out, 8);
	*len = z ? (size_t)out : 0;
	return z;
}
