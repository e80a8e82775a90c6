/*
 * test_xhci_ring.c — xHCI rings and capabilities without a controller
 * (drivers/xhci_ring.h, drivers/xhci_caps.h).
 *
 * A model of the controller's side (xHCI 1.2 §4.9.2: consumer cycle state,
 * Link TRBs with Toggle Cycle) reads what the producer ring wrote: every TRB
 * arrives once, in order, across thousands of wraps with batches of every
 * size up to the ring's capacity, and the controller never sees a TRB the
 * producer has not handed over; the chain bit follows a TD across the link.
 * The event ring consumer (§4.9.4) takes exactly the events a model
 * controller produced across wraps. Extended capabilities: the walk, port
 * protocol ranges (clipped), hostile next pointers and offsets, and the BIOS
 * handoff when the BIOS lets go, when it never does (forced after the
 * timeout), and with no capability.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "drivers/xhci_ring.h"
#include "drivers/xhci_caps.h"

#define BUS 0x12340000ull

/* The controller's view of a producer ring. */
struct hc_reader {
	uint32_t idx, ccs;
	unsigned links, toggles;
	uint32_t last_link_control;
};

static bool hc_next(volatile struct xhci_trb *mem, uint32_t n, struct hc_reader *h, struct xhci_trb *out)
{
	for (unsigned guard = 0; guard < 2; guard++) {
		volatile struct xhci_trb *t = &mem[h->idx];
		if ((t->control & XHCI_TRB_CYCLE) != h->ccs)
			return false;
		if (XHCI_TRB_TYPE_OF(t->control) == TRB_LINK) {
			assert_int_equal(t->param, BUS);
			assert_int_equal(h->idx, n - 1);
			h->links++;
			h->last_link_control = t->control;
			h->idx = 0;
			if (t->control & XHCI_TRB_TC) {
				h->ccs ^= 1;
				h->toggles++;
			}
			continue;
		}
		out->param = t->param;
		out->status = t->status;
		out->control = t->control;
		h->idx++;
		assert_true(h->idx < n);
		return true;
	}
	fail_msg("two Link TRBs in a row");
	return false;
}

static void test_producer_wraps(void **state)
{
	(void)state;
	for (uint32_t n = 2; n <= 17; n++) {
		struct xhci_trb mem[17];
		memset(mem, 0xAA, sizeof(mem));
		struct xhci_ring r;
		xhci_ring_init(&r, mem, BUS, n);
		struct hc_reader h = { .ccs = 1 };
		struct xhci_trb t;
		assert_false(hc_next(mem, n, &h, &t));     /* nothing handed over yet */
		uint64_t seq = 0, seen = 0;
		for (int round = 0; round < 3000; round++) {
			uint32_t batch = 1 + (uint32_t)(round * 7 + (int)n) % (n - 1);   /* 1..n-1 */
			for (uint32_t i = 0; i < batch; i++) {
				uint64_t at = xhci_ring_push(&r, seq, (uint32_t)seq, XHCI_TRB_TYPE(TRB_NORMAL) | XHCI_TRB_IOC);
				int idx = xhci_ring_index(&r, at);
				assert_true(idx >= 0 && (uint32_t)idx < n - 1);
				assert_int_equal(mem[idx].param, seq);
				seq++;
			}
			while (hc_next(mem, n, &h, &t)) {
				assert_int_equal(t.param, seen);
				assert_int_equal(t.status, (uint32_t)seen);
				assert_int_equal(XHCI_TRB_TYPE_OF(t.control), TRB_NORMAL);
				assert_true(t.control & XHCI_TRB_IOC);
				seen++;
			}
			assert_int_equal(seen, seq);
			/* The enqueue pointer is where the controller waits, with its cycle. */
			assert_int_equal(xhci_ring_enqueue_bus(&r), (BUS + 16ull * h.idx) | h.ccs);
		}
		assert_int_equal(h.links, seq / (n - 1));
		assert_int_equal(h.toggles, h.links);
	}
}

static void test_chain_across_link(void **state)
{
	(void)state;
	struct xhci_trb mem[4];
	struct xhci_ring r;
	xhci_ring_init(&r, mem, BUS, 4);
	struct hc_reader h = { .ccs = 1 };
	struct xhci_trb t;
	xhci_ring_push(&r, 1, 0, XHCI_TRB_TYPE(TRB_NORMAL));
	assert_true(hc_next(mem, 4, &h, &t));
	assert_int_equal(t.param, 1);
	xhci_ring_push(&r, 2, 0, XHCI_TRB_TYPE(TRB_SETUP) | XHCI_TRB_CH);   /* a TD starts ... */
	xhci_ring_push(&r, 3, 0, XHCI_TRB_TYPE(TRB_DATA) | XHCI_TRB_CH);    /* ... crosses the link ... */
	xhci_ring_push(&r, 4, 0, XHCI_TRB_TYPE(TRB_STATUS) | XHCI_TRB_IOC); /* ... and ends */
	for (uint64_t want = 2; want <= 4; want++) {
		assert_true(hc_next(mem, 4, &h, &t));
		assert_int_equal(t.param, want);
	}
	assert_true(h.last_link_control & XHCI_TRB_CH);
	xhci_ring_push(&r, 5, 0, XHCI_TRB_TYPE(TRB_NORMAL));
	xhci_ring_push(&r, 6, 0, XHCI_TRB_TYPE(TRB_NORMAL));                /* ends before the link */
	for (uint64_t want = 5; want <= 6; want++) {
		assert_true(hc_next(mem, 4, &h, &t));
		assert_int_equal(t.param, want);
	}
	assert_false(hc_next(mem, 4, &h, &t));        /* follows the link, then nothing */
	assert_int_equal(h.links, 2);
	assert_false(h.last_link_control & XHCI_TRB_CH);
	/* Index look-up: the link and foreign addresses are not TRBs of ours. */
	assert_int_equal(xhci_ring_index(&r, BUS), 0);
	assert_int_equal(xhci_ring_index(&r, BUS + 32), 2);
	assert_int_equal(xhci_ring_index(&r, BUS + 48), -1);
	assert_int_equal(xhci_ring_index(&r, BUS + 8), -1);
	assert_int_equal(xhci_ring_index(&r, BUS - 16), -1);
	assert_int_equal(xhci_ring_index(&r, BUS + 4096), -1);
}

static void test_event_ring(void **state)
{
	(void)state;
	enum { N = 16 };
	struct xhci_trb mem[N];
	memset(mem, 0x55, sizeof(mem));
	struct xhci_event_ring e;
	xhci_event_init(&e, mem, BUS, N);
	/* The controller's producer: enqueue index and cycle state. */
	uint32_t enq = 0, pcs = 1;
	uint64_t made = 0, got = 0;
	struct xhci_trb t;
	assert_false(xhci_event_next(&e, &t));
	for (int round = 0; round < 500; round++) {
		unsigned batch = (unsigned)(round % N);     /* 0..N-1: never overruns the consumer */
		for (unsigned i = 0; i < batch; i++) {
			mem[enq].param = made;
			mem[enq].status = (uint32_t)(made * 3);
			mem[enq].control = XHCI_TRB_TYPE(TRB_TRANSFER_EVENT) | pcs;
			made++;
			if (++enq == N) {
				enq = 0;
				pcs ^= 1;
			}
		}
		while (xhci_event_next(&e, &t)) {
			assert_int_equal(t.param, got);
			assert_int_equal(t.status, (uint32_t)(got * 3));
			assert_int_equal(XHCI_TRB_TYPE_OF(t.control), TRB_TRANSFER_EVENT);
			got++;
		}
		assert_int_equal(got, made);
		assert_int_equal(xhci_event_dequeue_bus(&e), BUS + 16ull * enq);
	}
}

/* A register window for the capability tests. */
static uint32_t regs[1024];
static int clock_calls, release_after;

static uint64_t fake_now(void)
{
	clock_calls++;
	if (release_after && clock_calls == release_after)
		regs[0x110 / 4] &= ~XHCI_LEGACY_BIOS_OWNED;     /* the BIOS lets go */
	return (uint64_t)clock_calls * 1000;                 /* 1 ms a look */
}

static void build_caps(void)
{
	memset(regs, 0, sizeof(regs));
	regs[XHCI_HCCPARAMS1 / 4] = (0x100 / 4) << 16;
	regs[0x100 / 4] = 2 | (4 << 8) | (0x00 << 16) | (2u << 24);   /* USB 2.0: ports 1..4 */
	regs[0x108 / 4] = 1 | (4 << 8);
	regs[0x110 / 4] = 1 | (4 << 8) | XHCI_LEGACY_BIOS_OWNED;      /* legacy support */
	regs[0x114 / 4] = XHCI_LEGCTL_SMI_ENABLES | (1u << 29);       /* SMIs on, one pending */
	regs[0x120 / 4] = 2 | (0 << 8) | (3u << 24);                 /* USB 3.0: ports 5..12 */
	regs[0x128 / 4] = 5 | (8 << 8);
}

static void test_caps_walk(void **state)
{
	(void)state;
	build_caps();
	assert_int_equal(xhci_xcap_find(regs, sizeof(regs), 0, XHCI_XCAP_PROTOCOL), 0x100);
	assert_int_equal(xhci_xcap_find(regs, sizeof(regs), 0x100, XHCI_XCAP_PROTOCOL), 0x120);
	assert_int_equal(xhci_xcap_find(regs, sizeof(regs), 0x120, XHCI_XCAP_PROTOCOL), 0);
	assert_int_equal(xhci_xcap_find(regs, sizeof(regs), 0, XHCI_XCAP_LEGACY), 0x110);
	assert_int_equal(xhci_xcap_find(regs, sizeof(regs), 0, 0xC0), 0);
	uint8_t major[12];
	xhci_port_majors(regs, sizeof(regs), major, 10);            /* ports 11, 12 clipped */
	static const uint8_t want[11] = { 0, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3 };
	assert_memory_equal(major, want, 11);
	/* A window too small for the list: the walk stops inside it. */
	assert_int_equal(xhci_xcap_find(regs, 0x110, 0, XHCI_XCAP_LEGACY), 0);
	/* No list at all. */
	regs[XHCI_HCCPARAMS1 / 4] = 0;
	assert_int_equal(xhci_xcap_find(regs, sizeof(regs), 0, XHCI_XCAP_PROTOCOL), 0);
	xhci_port_majors(regs, sizeof(regs), major, 10);
	for (int p = 0; p <= 10; p++)
		assert_int_equal(major[p], 0);
	/* A list head or next pointer off the end of the window. */
	regs[XHCI_HCCPARAMS1 / 4] = 0xFFFFu << 16;
	assert_int_equal(xhci_xcap_find(regs, sizeof(regs), 0, XHCI_XCAP_LEGACY), 0);
	build_caps();
	regs[0x120 / 4] = 7 | (0xFF << 8);
	assert_int_equal(xhci_xcap_find(regs, sizeof(regs), 0, 9), 0);
	/* A protocol capability whose range starts at port 0 or overflows. */
	build_caps();
	regs[0x108 / 4] = 0 | (255 << 8);
	xhci_port_majors(regs, sizeof(regs), major, 10);
	assert_int_equal(major[1], 0);
	assert_int_equal(major[5], 3);
}

static void test_bios_handoff(void **state)
{
	(void)state;
	/* The BIOS lets go after a few looks. */
	build_caps();
	clock_calls = 0;
	release_after = 5;
	assert_int_equal(xhci_bios_handoff(regs, 0x110, fake_now, 1000000), XHCI_HANDOFF_CLEAN);
	assert_true(regs[0x110 / 4] & XHCI_LEGACY_OS_OWNED);
	assert_false(regs[0x110 / 4] & XHCI_LEGACY_BIOS_OWNED);
	assert_int_equal(regs[0x114 / 4] & XHCI_LEGCTL_SMI_ENABLES, 0);
	assert_int_equal(regs[0x114 / 4] & XHCI_LEGCTL_SMI_STATUS, XHCI_LEGCTL_SMI_STATUS);
	assert_int_equal(regs[0x110 / 4] & 0xFFFF, 1 | (4 << 8));      /* ID and next kept */
	/* It never does: taken after the timeout (about 50 looks of 1 ms). */
	build_caps();
	clock_calls = 0;
	release_after = 0;
	assert_int_equal(xhci_bios_handoff(regs, 0x110, fake_now, 50000), XHCI_HANDOFF_FORCED);
	assert_true(clock_calls >= 50 && clock_calls <= 53);
	assert_true(regs[0x110 / 4] & XHCI_LEGACY_OS_OWNED);
	assert_false(regs[0x110 / 4] & XHCI_LEGACY_BIOS_OWNED);
	/* Not owned by the BIOS: no wait at all. */
	build_caps();
	regs[0x110 / 4] &= ~XHCI_LEGACY_BIOS_OWNED;
	clock_calls = 0;
	assert_int_equal(xhci_bios_handoff(regs, 0x110, fake_now, 50000), XHCI_HANDOFF_CLEAN);
	assert_int_equal(clock_calls, 0);
	assert_int_equal(xhci_bios_handoff(regs, 0, fake_now, 50000), XHCI_HANDOFF_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_producer_wraps),
		cmocka_unit_test(test_chain_across_link),
		cmocka_unit_test(test_event_ring),
		cmocka_unit_test(test_caps_walk),
		cmocka_unit_test(test_bios_handoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
