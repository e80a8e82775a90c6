/*
 * xhci_ring.c — TRB producer and event consumer rings; see xhci_ring.h.
 */
#include "xhci_ring.h"

/* The controller reads TRBs by DMA: the TRB's other fields must be in memory
 * before its cycle bit hands it over. x86 keeps stores in order (Intel SDM
 * vol. 3A §9.2.2) and DMA is cache-coherent, so a compiler barrier is enough;
 * likewise an event's fields are read only after its cycle bit. */
#define ring_barrier() __asm__ volatile("" ::: "memory")

/* clear_trbs: n TRBs at mem all zero (cycle bit 0: none is the consumer's). */
static void clear_trbs(volatile struct xhci_trb *mem, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		mem[i].param = 0;
		mem[i].status = 0;
		mem[i].control = 0;
	}
}

void xhci_ring_init(struct xhci_ring *r, volatile struct xhci_trb *mem, uint64_t bus, uint32_t n)
{
	r->trb = mem;
	r->bus = bus;
	r->n = n;
	r->enq = 0;
	r->cycle = 1;
	clear_trbs(mem, n);
	mem[n - 1].param = bus;
	mem[n - 1].control = XHCI_TRB_TYPE(TRB_LINK) | XHCI_TRB_TC;   /* cycle 0: not yet the HC's */
}

uint64_t xhci_ring_push(struct xhci_ring *r, uint64_t param, uint32_t status, uint32_t control)
{
	volatile struct xhci_trb *t = &r->trb[r->enq];
	uint64_t at = r->bus + (uint64_t)r->enq * sizeof(struct xhci_trb);
	t->param = param;
	t->status = status;
	ring_barrier();
	t->control = (control & ~XHCI_TRB_CYCLE) | r->cycle;
	ring_barrier();
	if (++r->enq == r->n - 1) {
		volatile struct xhci_trb *link = &r->trb[r->n - 1];
		uint32_t c = XHCI_TRB_TYPE(TRB_LINK) | XHCI_TRB_TC | (control & XHCI_TRB_CH);
		link->control = c | r->cycle;
		ring_barrier();
		r->enq = 0;
		r->cycle ^= 1;
	}
	return at;
}

uint64_t xhci_ring_enqueue_bus(const struct xhci_ring *r)
{
	return (r->bus + (uint64_t)r->enq * sizeof(struct xhci_trb)) | r->cycle;
}

int xhci_ring_index(const struct xhci_ring *r, uint64_t bus)
{
	if (bus < r->bus || (bus - r->bus) % sizeof(struct xhci_trb))
		return -1;
	uint64_t i = (bus - r->bus) / sizeof(struct xhci_trb);
	return i < r->n - 1 ? (int)i : -1;
}

void xhci_event_init(struct xhci_event_ring *e, volatile struct xhci_trb *mem, uint64_t bus, uint32_t n)
{
	e->trb = mem;
	e->bus = bus;
	e->n = n;
	e->deq = 0;
	e->cycle = 1;
	clear_trbs(mem, n);
}

bool xhci_event_next(struct xhci_event_ring *e, struct xhci_trb *out)
{
	volatile struct xhci_trb *t = &e->trb[e->deq];
	uint32_t control = t->control;
	if ((control & XHCI_TRB_CYCLE) != e->cycle)
		return false;
	ring_barrier();
	out->param = t->param;
	out->status = t->status;
	out->control = control;
	if (++e->deq == e->n) {
		e->deq = 0;
		e->cycle ^= 1;
	}
	return true;
}

uint64_t xhci_event_dequeue_bus(const struct xhci_event_ring *e)
{
	return e->bus + (uint64_t)e->deq * sizeof(struct xhci_trb);
}
