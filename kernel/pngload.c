/*
 * pngload.c — stb_image built for the kernel: PNG only, no stdio, no SIMD, no
 * floating point, allocations on the kernel heap; see pngload.h.
 */
#include "pngload.h"
#include "heap.h"
#include "panic.h"
#include "lib.h"
#include "pmm.h"
#include "pxvm/pngcheck.h"

#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#define STBI_NO_SIMD
#define STBI_NO_HDR
#define STBI_NO_LINEAR
#define STBI_NO_THREAD_LOCALS
#define STBI_MALLOC(sz) kmalloc(sz)
#define STBI_REALLOC(p, sz) krealloc(p, sz)
#define STBI_FREE(p) kfree(p)
#define STBI_ASSERT(x) do { if (!(x)) panic("stb_image: internal assertion failed: %s", #x); } while (0)
#define STBI_MAX_DIMENSIONS 16384
#define STB_IMAGE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

static char reason[160];

uint8_t *png_decode_rgba(const void *data, size_t size, uint32_t *width, uint32_t *height, const char **why)
{
	int w, h, comp;
	*why = reason;
	if (size > 0x7FFFFFFF) {
		*why = "image larger than 2 GiB";
		return 0;
	}
	/* Half of the free memory at most: the processes need the rest. */
	uint64_t limit = (uint64_t)pmm_free_pages() * 4096 / 2;
	if (png_check(data, size, limit, 0, reason, sizeof(reason)))
		return 0;
	uint8_t *px = stbi_load_from_memory(data, (int)size, &w, &h, &comp, 4);
	if (!px) {
		const char *r = stbi_failure_reason();
		snprintf(reason, sizeof(reason), "the decoder failed: %s", r ? r : "stb_image gave no reason");
		return 0;
	}
	*width = (uint32_t)w;
	*height = (uint32_t)h;
	*why = "";
	return px;
}

void png_free(uint8_t *pixels) { stbi_image_free(pixels); }

int zlib_inflate(const uint8_t *in, size_t n, uint8_t *out, size_t out_len)
{
	if (n > 0x7FFFFFFF || out_len > 0x7FFFFFFF)
		return -1;
	int got = stbi_zlib_decode_buffer((char *)out, (int)out_len, (const char *)in, (int)n);
	return got == (int)out_len ? 0 : -1;
}
