/*
 * txring.h — the serial transmit ring (kernel/serial.c): one producer (the
 * kernel's main thread of control) appends whole units, one consumer at a time
 * (the UART's interrupt handler, or the main thread with interrupts off) takes
 * bytes for the UART. Portable (no hardware): tests/unit/test_txring.c.
 *
 * A unit (a bridge frame, a piece of console text) is copied in whole and only
 * then published by moving `head`, so the consumer never sees part of one and
 * nothing else can land inside it: units leave in the order they were put.
 * `head` and `tail` count bytes since the start (64 bits, never wrap), so a
 * writer can remember where its unit ends (txring_head after the put) and
 * later ask whether all of it has gone to the UART (txring_sent).
 * Single-CPU memory model as kernel/ring.h: compiler barriers suffice on x86.
 */
#ifndef PXOS_TXRING_H
#define PXOS_TXRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/param.h"

#define TXRING_SIZE SERIAL_TX_RING
_Static_assert((TXRING_SIZE & (TXRING_SIZE - 1)) == 0, "SERIAL_TX_RING must be a power of two");

struct txring {
	volatile uint64_t head;   /* bytes ever put (producer) */
	volatile uint64_t tail;   /* bytes ever taken (consumer) */
	uint8_t buf[TXRING_SIZE];
};

#define txring_barrier() __asm__ volatile("" ::: "memory")

/* txring_init: empty (neither side running). */
static inline void txring_init(struct txring *r) { r->head = r->tail = 0; }

/* txring_used / txring_free: bytes queued / room left (either side). */
static inline size_t txring_used(const struct txring *r) { return (size_t)(r->head - r->tail); }
static inline size_t txring_free(const struct txring *r) { return TXRING_SIZE - txring_used(r); }

/* txring_head: the position after the last byte put (producer side). */
static inline uint64_t txring_head(const struct txring *r) { return r->head; }

/* txring_sent: whether every byte before position `pos` has been taken. */
static inline bool txring_sent(const struct txring *r, uint64_t pos) { return r->tail >= pos; }

/* txring_text_size: bytes `n` bytes of text take in the ring, LF as CR LF. */
static inline size_t txring_text_size(const char *s, size_t n)
{
	size_t m = n;
	for (size_t i = 0; i < n; i++)
		m += s[i] == '\n';
	return m;
}

/* txring_put: producer: append the unit of `n` bytes at `p`, with each LF
 * written as CR LF when `crlf`; all of it or, when it does not fit, nothing
 * (returns false). */
static inline bool txring_put(struct txring *r, const void *p, size_t n, bool crlf)
{
	const uint8_t *b = p;
	size_t need = crlf ? txring_text_size(p, n) : n;
	if (need > txring_free(r))
		return false;
	uint64_t h = r->head;
	for (size_t i = 0; i < n; i++) {
		if (crlf && b[i] == '\n')
			r->buf[h++ & (TXRING_SIZE - 1)] = '\r';
		r->buf[h++ & (TXRING_SIZE - 1)] = b[i];
	}
	txring_barrier();
	r->head = h;
	return true;
}

/* txring_get: consumer: take up to `max` bytes into `out`; returns how many. */
static inline size_t txring_get(struct txring *r, uint8_t *out, size_t max)
{
	uint64_t t = r->tail, h = r->head;
	size_t n = 0;
	txring_barrier();
	while (n < max && t != h)
		out[n++] = r->buf[t++ & (TXRING_SIZE - 1)];
	txring_barrier();
	r->tail = t;
	return n;
}

#endif /* PXOS_TXRING_H */
