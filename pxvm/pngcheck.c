/*
 * pngcheck.c — PNG datastream checks before decoding; see pngcheck.h.
 */
#include "pngcheck.h"
#include "abi.h"
#include "crc32.h"
#include "port.h"

static const uint8_t signature[8] = { 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A };

int png_is_png(const void *data, size_t n)
{
	return n >= 8 && memcmp(data, signature, 8) == 0;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int letter(uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* row_bytes: bytes of one filtered row of `cols` pixels (the filter byte included). */
static uint64_t row_bytes(uint64_t cols, const struct png_info *in)
{
	return cols ? 1 + (cols * in->channels * in->depth + 7) / 8 : 0;
}

/* raw_bytes: the decompressed image data (PNG §7.2 scanlines, §8.2 Adam7). */
static uint64_t raw_bytes(const struct png_info *in)
{
	if (!in->interlace)
		return in->height * row_bytes(in->width, in);
	static const uint8_t xo[7] = { 0, 4, 0, 2, 0, 1, 0 }, yo[7] = { 0, 0, 4, 0, 2, 0, 1 };
	static const uint8_t xs[7] = { 8, 8, 4, 4, 2, 2, 1 }, ys[7] = { 8, 8, 8, 4, 4, 2, 2 };
	uint64_t total = 0;
	for (int p = 0; p < 7; p++) {
		uint64_t cols = in->width > xo[p] ? (in->width - xo[p] + xs[p] - 1) / xs[p] : 0;
		uint64_t rows = in->height > yo[p] ? (in->height - yo[p] + ys[p] - 1) / ys[p] : 0;
		total += rows * row_bytes(cols, in);
	}
	return total;
}

/* check_ihdr: the IHDR data (13 bytes). */
static int check_ihdr(const uint8_t *d, struct png_info *in, char *why, size_t cap)
{
	in->width = be32(d);
	in->height = be32(d + 4);
	in->depth = d[8];
	in->color_type = d[9];
	in->interlace = d[12];
	if (!in->width || !in->height || in->width > 0x7FFFFFFFu || in->height > 0x7FFFFFFFu) {
		snprintf(why, cap, "IHDR: size %u x %u (each must be 1..2147483647)", in->width, in->height);
		return -PXE_EINVAL;
	}
	static const struct { uint8_t type, channels, depths; } kinds[] = {
		/* depths: bit k set = 2^k bits allowed (1, 2, 4, 8, 16) */
		{ 0, 1, 0x1F }, { 2, 3, 0x18 }, { 3, 1, 0x0F }, { 4, 2, 0x18 }, { 6, 4, 0x18 },
	};
	int ok = 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (kinds[i].type != in->color_type)
			continue;
		in->channels = kinds[i].channels;
		for (int k = 0; k < 5; k++)
			if ((kinds[i].depths >> k & 1) && in->depth == (1u << k))
				ok = 1;
	}
	if (!ok) {
		snprintf(why, cap, "IHDR: bit depth %u with colour type %u is not a PNG combination",
		         in->depth, in->color_type);
		return -PXE_EINVAL;
	}
	if (d[10] != 0 || d[11] != 0 || d[12] > 1) {
		snprintf(why, cap, "IHDR: compression %u, filter %u, interlace %u (PNG has 0, 0, 0 or 1)",
		         d[10], d[11], d[12]);
		return -PXE_EINVAL;
	}
	return 0;
}

int png_check(const void *data, size_t n, uint64_t mem_limit, struct png_info *info, char *why, size_t cap)
{
	const uint8_t *p = data;
	struct png_info in;
	memset(&in, 0, sizeof(in));
	if (cap)
		why[0] = '\0';
	if (!png_is_png(data, n)) {
		snprintf(why, cap, n < 8 ? "%zu bytes: too short for a PNG" : "no PNG signature (%zu bytes)", n);
		return -PXE_EINVAL;
	}
	enum { NONE, HEADER, PALETTE, DATA, DATA_DONE, END } stage = NONE;
	size_t pos = 8;
	while (pos < n) {
		char name[5] = { 0 };
		uint32_t k = in.chunks + 1;
		if (n - pos < 12) {
			snprintf(why, cap, "chunk %u at byte %zu: cut short (%zu bytes left, a chunk takes at least 12)",
			         k, pos, n - pos);
			return -PXE_EINVAL;
		}
		uint32_t len = be32(p + pos);
		const uint8_t *type = p + pos + 4;
		for (int i = 0; i < 4; i++)
			name[i] = letter(type[i]) ? (char)type[i] : '?';
		if (!letter(type[0]) || !letter(type[1]) || !letter(type[2]) || !letter(type[3])) {
			snprintf(why, cap, "chunk %u at byte %zu: type '%s' is not four letters", k, pos, name);
			return -PXE_EINVAL;
		}
		if (len > 0x7FFFFFFFu || len > n - pos - 12) {
			snprintf(why, cap, "chunk %u (%s at byte %zu): length %u runs past the end of the %zu-byte file",
			         k, name, pos, len, n);
			return -PXE_EINVAL;
		}
		const uint8_t *d = type + 4;
		uint32_t crc = be32(d + len);
		if (crc32(type, 4 + (size_t)len) != crc) {
			snprintf(why, cap, "chunk %u (%s at byte %zu): CRC mismatch", k, name, pos);
			return -PXE_EINVAL;
		}
		in.chunks = k;
		if (stage == END) {
			snprintf(why, cap, "chunk %u (%s at byte %zu): after IEND", k, name, pos);
			return -PXE_EINVAL;
		}
		if (stage == NONE && memcmp(name, "IHDR", 4)) {
			snprintf(why, cap, "the first chunk is %s, not IHDR", name);
			return -PXE_EINVAL;
		}
		if (stage == DATA && memcmp(name, "IDAT", 4))
			stage = DATA_DONE;
		if (!memcmp(name, "IHDR", 4)) {
			if (stage != NONE) {
				snprintf(why, cap, "chunk %u: a second IHDR", k);
				return -PXE_EINVAL;
			}
			if (len != 13) {
				snprintf(why, cap, "IHDR has %u bytes, not 13", len);
				return -PXE_EINVAL;
			}
			if (check_ihdr(d, &in, why, cap))
				return -PXE_EINVAL;
			stage = HEADER;
		} else if (!memcmp(name, "PLTE", 4)) {
			uint32_t entries = len / 3;
			if (stage != HEADER || in.color_type == 0 || in.color_type == 4 || len % 3 || !entries ||
			    entries > 256 || (in.color_type == 3 && entries > (1u << in.depth))) {
				snprintf(why, cap, "chunk %u: PLTE of %u bytes not allowed here (colour type %u, depth %u%s)",
				         k, len, in.color_type, in.depth, stage != HEADER ? ", after IDAT or twice" : "");
				return -PXE_EINVAL;
			}
			stage = PALETTE;
		} else if (!memcmp(name, "IDAT", 4)) {
			if (stage == DATA_DONE) {
				snprintf(why, cap, "chunk %u: IDAT chunks are not consecutive", k);
				return -PXE_EINVAL;
			}
			if (in.color_type == 3 && stage != PALETTE && stage != DATA) {
				snprintf(why, cap, "chunk %u: IDAT before the PLTE a palette image needs", k);
				return -PXE_EINVAL;
			}
			if (!len) {
				snprintf(why, cap, "chunk %u (IDAT at byte %zu): empty IDAT chunk (refused: the decoder "
				         "mishandles it)", k, pos);
				return -PXE_EINVAL;
			}
			in.idat_bytes += len;
			stage = DATA;
		} else if (!memcmp(name, "IEND", 4)) {
			if (len) {
				snprintf(why, cap, "IEND has %u bytes of data, not 0", len);
				return -PXE_EINVAL;
			}
			if (stage != DATA && stage != DATA_DONE) {
				snprintf(why, cap, "IEND before any IDAT: no image data");
				return -PXE_EINVAL;
			}
			stage = END;
		} else if (!(type[0] & 0x20)) {
			snprintf(why, cap, "chunk %u: unknown critical chunk %s", k, name);
			return -PXE_EINVAL;
		}
		pos += 12 + (size_t)len;
	}
	if (stage != END) {
		snprintf(why, cap, stage == NONE ? "no chunks after the signature" : "no IEND: the file is cut short");
		return -PXE_EINVAL;
	}
	/* What decoding takes: the IDATs gathered (grown by doubling), the
	 * filtered rows, the image at up to 16 bits per sample and its RGBA8
	 * conversion (12 bytes a pixel). The pixel count is checked first. */
	if (mem_limit > (1ull << 62))
		mem_limit = 1ull << 62; /* so that nothing below can overflow */
	uint64_t pixels = (uint64_t)in.width * in.height;
	if (pixels > mem_limit / 12) {
		snprintf(why, cap, "%u x %u pixels: decoding needs more than the %llu MiB available",
		         in.width, in.height, (unsigned long long)(mem_limit >> 20));
		return -PXE_ENOMEM;
	}
	in.decode_bytes = 2 * in.idat_bytes + raw_bytes(&in) + pixels * 4 * 2 + pixels * 4;
	if (in.decode_bytes > mem_limit) {
		snprintf(why, cap, "%u x %u pixels: decoding needs %llu MiB, more than the %llu MiB available",
		         in.width, in.height, (unsigned long long)((in.decode_bytes + (1u << 20) - 1) >> 20),
		         (unsigned long long)(mem_limit >> 20));
		return -PXE_ENOMEM;
	}
	if (info)
		*info = in;
	return 0;
}
