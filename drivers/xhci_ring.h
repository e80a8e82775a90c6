/*
 * xhci_ring.h — xHCI TRB rings in memory: the producer side of a command or
 * transfer ring and the consumer side of an event ring (xHCI 1.2 §4.9).
 * Portable: works on any memory (DMA pages in the kernel, arrays in tests);
 * the caller says which bus address the memory has.
 *
 * Producer ring (§4.9.2): `n` TRBs in one segment, the last a Link TRB back
 * to the first with Toggle Cycle set. The producer writes a TRB's cycle bit
 * equal to its cycle state, last (the controller owns TRBs whose cycle bit
 * matches its own consumer state); stepping over the link it hands the link
 * to the controller (link cycle bit = producer cycle, chain bit copied from
 * the TRB before it, so a chained TD may cross the link, §4.11.5.1) and
 * flips its cycle state.
 *
 * Event ring (§4.9.4): one segment of `n` TRBs; the consumer's cycle state
 * starts at 1; a TRB whose cycle bit equals it is a new event; at the end of
 * the segment the consumer wraps to the start and flips its state.
 */
#ifndef PXOS_XHCI_RING_H
#define PXOS_XHCI_RING_H

#include <stdbool.h>
#include <stdint.h>
#include "xhci_hw.h"

struct xhci_ring {
	volatile struct xhci_trb *trb;   /* n TRBs; trb[n-1] is the Link TRB */
	uint64_t bus;                    /* bus address of trb[0] */
	uint32_t n;
	uint32_t enq;                    /* next TRB the producer writes */
	uint32_t cycle;                  /* producer cycle state, 0 or 1 */
};

struct xhci_event_ring {
	volatile struct xhci_trb *trb;
	uint64_t bus;
	uint32_t n;
	uint32_t deq;                    /* next TRB the consumer reads */
	uint32_t cycle;                  /* consumer cycle state */
};

/* xhci_ring_init: a producer ring of `n` (>= 2) TRBs at `mem` (bus address
 * `bus`, 16-byte aligned, not crossing a 64 KiB boundary): zeroed, Link TRB
 * at the end, cycle state 1, enqueue at the start. */
void xhci_ring_init(struct xhci_ring *r, volatile struct xhci_trb *mem, uint64_t bus, uint32_t n);

/* xhci_ring_push: write one TRB (param, status, and control without its
 * cycle bit) at the enqueue position, cycle bit last; step over the Link TRB
 * when reached. Returns the bus address of the TRB written (what the
 * controller's events point to). */
uint64_t xhci_ring_push(struct xhci_ring *r, uint64_t param, uint32_t status, uint32_t control);

/* xhci_ring_enqueue_bus: bus address of the next TRB to be written, with the
 * producer cycle state in bit 0 (the form CRCR and Set TR Dequeue Pointer
 * take, §5.4.5, §6.4.3.9). */
uint64_t xhci_ring_enqueue_bus(const struct xhci_ring *r);

/* xhci_ring_index: index of the TRB at bus address `bus` in `r`, or -1 when
 * it is not one of the ring's non-link TRBs. */
int xhci_ring_index(const struct xhci_ring *r, uint64_t bus);

/* xhci_event_init: an event ring of `n` (>= 16, §6.5) zeroed TRBs at `mem`
 * (bus address `bus`, 64-byte aligned); consumer cycle state 1. */
void xhci_event_init(struct xhci_event_ring *e, volatile struct xhci_trb *mem, uint64_t bus, uint32_t n);

/* xhci_event_next: copy the next new event to *out and advance; false when
 * the controller has not written one yet. */
bool xhci_event_next(struct xhci_event_ring *e, struct xhci_trb *out);

/* xhci_event_dequeue_bus: bus address of the consumer's dequeue position
 * (what ERDP must be set to after consuming). */
uint64_t xhci_event_dequeue_bus(const struct xhci_event_ring *e);

#endif /* PXOS_XHCI_RING_H */
