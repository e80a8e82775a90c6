/*
 * snapfile.c — snapshot files on the host; see snapfile.h.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "snapfile.h"
#include "pxvm/crc32.h"
#include <stb/stb_image.h>

/* stb_image_write's encoder and compressor (implemented in hostio.c; the
 * header declares them only in its implementation part). */
unsigned char *stbi_zlib_compress(unsigned char *data, int data_len, int *out_len, int quality);
unsigned char *stbi_write_png_to_mem(const unsigned char *pixels, int stride_bytes, int x, int y, int n,
                                     int *out_len);

uint8_t *snapfile_encode(const uint8_t *rgb, uint32_t w, uint32_t h, const uint8_t *state, size_t n,
                         size_t *out_len)
{
	int plen = 0, zlen = 0;
	if (n > 0x7FFFFFFF || (uint64_t)w * h * 3 > 0x7FFFFFFF)
		return 0;
	unsigned char *png = stbi_write_png_to_mem(rgb, (int)w * 3, (int)w, (int)h, 3, &plen);
	unsigned char *z = stbi_zlib_compress((unsigned char *)state, (int)n, &zlen, 8);
	uint8_t *out = 0;
	if (png && z) {
		uint8_t head[SNAP_HEAD_SIZE];
		snap_chunk_head(head, n, snap_state_crc(state, n), true);
		size_t cap = (size_t)plen + 12 + SNAP_HEAD_SIZE + (size_t)zlen;
		out = malloc(cap);
		if (out && !(*out_len = snap_png_insert(png, (size_t)plen, head, z, (size_t)zlen, out, cap))) {
			free(out);
			out = 0;
		}
	}
	free(png);
	free(z);
	return out;
}

int snapfile_write_atomic(const char *path, const uint8_t *data, size_t len, char *why, size_t cap)
{
	size_t pl = strlen(path);
	char *tmp = malloc(pl + 32);
	if (!tmp) {
		snprintf(why, cap, "out of memory");
		return -1;
	}
	snprintf(tmp, pl + 32, "%s.tmp%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	int ok = f && fwrite(data, 1, len, f) == len;
	int err = errno;
	if (f && fclose(f) != 0 && ok) {
		ok = 0;
		err = errno;
	}
	if (ok && rename(tmp, path) != 0) {
		ok = 0;
		err = errno;
	}
	if (!ok) {
		snprintf(why, cap, "%s: %s", path, strerror(err));
		unlink(tmp);
	}
	free(tmp);
	return ok ? 0 : -1;
}

void snapfile_free(struct snapfile *sf)
{
	free(sf->file);
	free(sf->state);
	memset(sf, 0, sizeof(*sf));
}

int snapfile_decode(uint8_t *data, size_t len, struct snapfile *sf, char *why, size_t cap)
{
	const uint8_t *chunk;
	size_t clen;
	memset(sf, 0, sizeof(*sf));
	sf->file = data;
	sf->file_len = len;
	if (snap_png_find(data, len, &chunk, &clen, why, cap) || snap_chunk_parse(chunk, clen, &sf->info, why, cap))
		return -1;
	sf->width = len >= 24 ? (uint32_t)data[16] << 24 | (uint32_t)data[17] << 16 | (uint32_t)data[18] << 8 | data[19] : 0;
	sf->height = len >= 24 ? (uint32_t)data[20] << 24 | (uint32_t)data[21] << 16 | (uint32_t)data[22] << 8 | data[23] : 0;
	sf->state_len = sf->info.state_len;
	sf->state = malloc(sf->state_len ? sf->state_len : 1);
	if (!sf->state) {
		snprintf(why, cap, "out of memory for a state of %zu bytes", sf->state_len);
		return -1;
	}
	if (sf->info.flags & SNAP_F_ZLIB) {
		if (sf->info.payload_len > 0x7FFFFFFF ||
		    stbi_zlib_decode_buffer((char *)sf->state, (int)sf->state_len, (const char *)sf->info.payload,
		                            (int)sf->info.payload_len) != (int)sf->state_len) {
			snprintf(why, cap, "the snapshot's state does not inflate to the %zu bytes its head says (damaged)",
			         sf->state_len);
			return -1;
		}
	} else {
		memcpy(sf->state, sf->info.payload, sf->state_len);
	}
	if (snap_state_crc(sf->state, sf->state_len) != sf->info.state_crc) {
		snprintf(why, cap, "the snapshot's state fails its CRC-32 (damaged)");
		return -1;
	}
	return 0;
}

int snapfile_read(const char *path, struct snapfile *sf, char *why, size_t cap)
{
	uint8_t *data;
	size_t len;
	memset(sf, 0, sizeof(*sf));
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(why, cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* At most the largest state and a screen of 8192 x 8192 uncompressed. */
	const size_t max = (size_t)SNAP_STATE_MAX + 8192u * 8192u * 3u + (1u << 20);
	size_t cap2 = 1 << 16;
	data = malloc(cap2);
	len = 0;
	while (data) {
		size_t got = fread(data + len, 1, cap2 - len, f);
		len += got;
		if (len < cap2)
			break;
		if (cap2 >= max) {
			free(data);
			data = 0;
			fclose(f);
			snprintf(why, cap, "%s: larger than any snapshot (%zu bytes)", path, max);
			return -1;
		}
		uint8_t *nd = realloc(data, cap2 * 2);
		if (!nd)
			free(data);
		data = nd;
		cap2 *= 2;
	}
	int bad = ferror(f);
	fclose(f);
	if (!data || bad) {
		free(data);
		snprintf(why, cap, "%s: %s", path, data ? "read error" : "out of memory");
		return -1;
	}
	return snapfile_decode(data, len, sf, why, cap);
}

int snapfile_procs(const struct snapfile *sf, struct snap_proc *out, uint32_t cap, char *why, size_t why_cap)
{
	struct snap_section s;
	if (snapfmt_find(sf->state, sf->state_len, "PROC", &s)) {
		snprintf(why, why_cap, "the snapshot has no PROC section");
		return -1;
	}
	if (s.version != 2) {
		snprintf(why, why_cap, "section PROC is version %u, this build reads version 2", s.version);
		return -1;
	}
	struct snapr r = { s.body, s.len, 0, false };
	uint32_t n = snapr_u32(&r);
	if (r.bad || n > cap) {
		snprintf(why, why_cap, "PROC: more processes than the table holds");
		return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		const char *bad = snapfmt_proc_next(&r, &out[i]);
		if (bad) {
			snprintf(why, why_cap, "PROC: %s", bad);
			return -1;
		}
	}
	return (int)n;
}

uint8_t *snapfile_tiles_rgb(const uint32_t *const *mems, uint32_t n, uint32_t *w, uint32_t *h)
{
	snapfmt_tiles(mems, n, 0, w, h);
	uint8_t *rgb = malloc((size_t)*w * *h * 3);
	if (rgb)
		snapfmt_tiles(mems, n, rgb, w, h);
	return rgb;
}
