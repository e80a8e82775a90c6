/*
 * logring.h — the last lines of a log, kept in a byte ring for readers
 * (system call KLOG_READ, pxos.klog, /apps/dmesg; docs/pxvm-abi.md).
 *
 * Whole lines go in; every byte stored has a position, the count of bytes
 * stored before it since the ring began (mod 2^32 for readers). The
 * ring keeps the newest lines that fit in its buffer; the oldest whole lines
 * are dropped to make room, so what is kept always starts at a line's start.
 * The bytes kept are printable ASCII and '\n' only (anything else is stored
 * as '?'), so a reader can show them anywhere. Portable: the kernel
 * (kernel/klog.c) and the host platforms (pxsim, the unit tests) use it.
 */
#ifndef PXVM_LOGRING_H
#define PXVM_LOGRING_H

#include <stddef.h>
#include <stdint.h>

struct logring {
	char *buf;      /* `size` bytes */
	uint32_t size;
	uint64_t head;  /* position after the newest byte */
	uint64_t tail;  /* position of the oldest byte kept (a line's start) */
};

/* logring_init: an empty ring over buf[0..size) (size >= 2). */
void logring_init(struct logring *r, char *buf, uint32_t size);

/* logring_add: append the line(s) s[0..n), a '\n' added when they do not end
 * with one. A piece longer than the ring keeps only its last size-1 bytes
 * (and the ring then starts inside that line). Bounded: O(n + the bytes of
 * the lines dropped). */
void logring_add(struct logring *r, const char *s, size_t n);

/* logring_read: copy up to `len` bytes from position `from` (the low 32
 * bits of a position) into dst. A position older than the oldest kept (or
 * not in the ring at all) reads from the oldest kept: the lines between were
 * lost. Returns the bytes copied (0: nothing newer); *next = the position
 * after them, so (*next - copied - from) mod 2^32 bytes were lost. */
size_t logring_read(const struct logring *r, uint32_t from, char *dst, size_t len, uint32_t *next);

#endif /* PXVM_LOGRING_H */
