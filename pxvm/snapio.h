/*
 * snapio.h — the byte writer and reader the snapshot sections are made with
 * (pxvm/snap.h). Little-endian, no padding, no allocation: a writer with a
 * NULL buffer only counts (so the caller can size the buffer first), a reader
 * never reads past its end (a short read sets `bad` and yields zeros), so a
 * hostile snapshot cannot make a module read outside it. Portable.
 */
#ifndef PXVM_SNAPIO_H
#define PXVM_SNAPIO_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "port.h"

/* A writer: `len` counts every byte put, also past `cap` (then nothing more
 * is stored and the caller sees len > cap); buf NULL: count only. */
struct snapw {
	uint8_t *buf;
	size_t cap, len;
};

/* A reader over `len` bytes at `p`; `bad` once anything was missing or wrong. */
struct snapr {
	const uint8_t *p;
	size_t len, pos;
	bool bad;
};

/* snapw_bytes / snapw_u32 / snapw_u64: append `n` bytes / a 32-bit / a
 * 64-bit value (little-endian). */
static inline void snapw_bytes(struct snapw *w, const void *src, size_t n)
{
	if (w->buf && w->len <= w->cap && n <= w->cap - w->len && n)
		memcpy(w->buf + w->len, src, n);
	w->len += n;
}

static inline void snapw_u32(struct snapw *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	snapw_bytes(w, b, 4);
}

static inline void snapw_u64(struct snapw *w, uint64_t v)
{
	snapw_u32(w, (uint32_t)v);
	snapw_u32(w, (uint32_t)(v >> 32));
}

/* snapr_bytes: the next `n` bytes into dst (zeros and `bad` when short). */
static inline void snapr_bytes(struct snapr *r, void *dst, size_t n)
{
	if (r->bad || r->pos > r->len || n > r->len - r->pos) {
		r->bad = true;
		if (n)
			memset(dst, 0, n);
		return;
	}
	if (n)
		memcpy(dst, r->p + r->pos, n);
	r->pos += n;
}

/* snapr_ptr: the next `n` bytes in place (NULL and `bad` when short). */
static inline const uint8_t *snapr_ptr(struct snapr *r, size_t n)
{
	if (r->bad || r->pos > r->len || n > r->len - r->pos) {
		r->bad = true;
		return 0;
	}
	const uint8_t *q = r->p + r->pos;
	r->pos += n;
	return q;
}

static inline uint32_t snapr_u32(struct snapr *r)
{
	uint8_t b[4];
	snapr_bytes(r, b, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint64_t snapr_u64(struct snapr *r)
{
	uint64_t lo = snapr_u32(r);
	return lo | (uint64_t)snapr_u32(r) << 32;
}

/* snapr_str: a fixed field of `cap` bytes that must hold a NUL-terminated
 * string; into dst (cap bytes). A field without a NUL makes the reader bad. */
static inline void snapr_str(struct snapr *r, char *dst, size_t cap)
{
	snapr_bytes(r, dst, cap);
	if (cap && strnlen(dst, cap) == cap) {
		r->bad = true;
		dst[cap - 1] = 0;
	}
}

#endif /* PXVM_SNAPIO_H */
