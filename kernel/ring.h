/*
 * ring.h — a lock-free single-producer single-consumer byte ring: an interrupt
 * handler puts, the main loop gets (or the other way round), no locks and no
 * interrupt masking.
 *
 * The producer writes only `head`, the consumer only `tail`; both are free
 * running 32-bit counters (the ring holds head - tail bytes). On x86 stores are
 * not reordered with other stores nor loads with other loads (Intel SDM vol. 3A
 * §9.2.2), so compiler barriers around the index updates suffice on one CPU
 * and on several.
 */
#ifndef PXOS_RING_H
#define PXOS_RING_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/param.h"
#include "drivers/portio.h"

#define RING_SIZE INPUT_RING_SIZE   /* a power of two */
_Static_assert((RING_SIZE & (RING_SIZE - 1)) == 0, "RING_SIZE must be a power of two");

struct ring {
	volatile uint32_t head;   /* next byte to write (producer) */
	volatile uint32_t tail;   /* next byte to read (consumer) */
	bool stamp;               /* an input ring: its puts stamp ring_input_tsc */
	uint8_t buf[RING_SIZE];
};

/* ring_input_tsc: the TSC when the oldest input byte the main loop has not
 * taken yet arrived, 0 when there is none: a put into an input ring (one
 * ring_init made) sets it when it is 0; kernel/input.c takes it and clears it
 * with interrupts off (defined there). So the kernel knows how long typed
 * input waited, whatever ring and interrupt brought it. */
extern volatile uint64_t ring_input_tsc;

#define ring_barrier() __asm__ volatile("" ::: "memory")

/* ring_init: empty `r` (neither side may be running); an input ring. */
static inline void ring_init(struct ring *r)
{
	r->head = r->tail = 0;
	r->stamp = true;
}

/* ring_put: producer side: append `b`; false (byte dropped) when full. */
static inline bool ring_put(struct ring *r, uint8_t b)
{
	uint32_t h = r->head;
	if (h - r->tail >= RING_SIZE)
		return false;
	r->buf[h & (RING_SIZE - 1)] = b;
	ring_barrier();
	r->head = h + 1;
	if (r->stamp && !ring_input_tsc)
		ring_input_tsc = rdtsc();
	return true;
}

/* ring_get: consumer side: take the oldest byte into *b; false when empty. */
static inline bool ring_get(struct ring *r, uint8_t *b)
{
	uint32_t t = r->tail;
	if (t == r->head)
		return false;
	ring_barrier();
	*b = r->buf[t & (RING_SIZE - 1)];
	ring_barrier();
	r->tail = t + 1;
	return true;
}

/* ring_empty: whether nothing is queued (either side). */
static inline bool ring_empty(const struct ring *r) { return r->head == r->tail; }

#endif /* PXOS_RING_H */
