/*
 * xhci_xfer.c — xHCI device slots, their contexts, control transfers on
 * endpoint 0 and interrupt-IN transfers; see xhci.h.
 */
#include "xhci_int.h"
#include "kernel/klog.h"
#include "kernel/lib.h"
#include "kernel/pmm.h"

static struct xhci_slot *slot_of(struct xhci *hc, uint8_t slot)
{
	return slot >= 1 && slot <= hc->max_slots && hc->slot[slot].used ? &hc->slot[slot] : 0;
}

/* Context `idx` in a context page: output (device) contexts count the slot
 * as 0 and endpoint DCI n as n; input contexts have the control context at 0
 * and everything else one further (§6.2.1, §6.2.5). */
static volatile uint32_t *ctx(const struct xhci *hc, uint64_t page, unsigned idx)
{
	return (volatile uint32_t *)(uintptr_t)(page + (uint64_t)idx * hc->ctx_size);
}

static void free_slot_memory(struct xhci *hc, struct xhci_slot *s)
{
	xhci_dma_free(hc, s->out_page);
	xhci_dma_free(hc, s->in_page);
	xhci_dma_free(hc, s->ep0_page);
	xhci_dma_free(hc, s->intr.ring_page);
	xhci_dma_free(hc, s->intr.buf_page);
	*s = (struct xhci_slot){ 0 };
}

int xhci_slot_enable(struct xhci *hc, uint8_t *slot)
{
	int r = xhci_command(hc, 0, XHCI_TRB_TYPE(TRB_ENABLE_SLOT));
	if (r)
		return r;
	uint8_t id = hc->cmd_slot;
	if (id < 1 || id > hc->max_slots || hc->slot[id].used) {
		kwarn("xhci", "Enable Slot gave slot %u, which is out of range or in use", id);
		return XHCI_EINVAL;
	}
	struct xhci_slot *s = &hc->slot[id];
	*s = (struct xhci_slot){ .used = true };
	s->out_page = xhci_dma_page(hc);
	s->in_page = xhci_dma_page(hc);
	s->ep0_page = xhci_dma_page(hc);
	if (!s->out_page || !s->in_page || !s->ep0_page) {
		xhci_slot_disable(hc, id);
		return XHCI_ENOMEM;
	}
	*slot = id;
	return 0;
}

void xhci_slot_disable(struct xhci *hc, uint8_t slot)
{
	struct xhci_slot *s = slot_of(hc, slot);
	if (!s)
		return;
	int r = xhci_command(hc, 0, XHCI_TRB_TYPE(TRB_DISABLE_SLOT) | XHCI_TRB_SLOT(slot));
	if (r && r != XHCI_EDEAD)
		kwarn("xhci", "Disable Slot %u: %s", slot, xhci_cc_name(r));
	hc->dcbaa[slot] = 0;
	free_slot_memory(hc, s);
}

int xhci_slot_address(struct xhci *hc, uint8_t slot, const struct xhci_addr *a, uint16_t mps0)
{
	struct xhci_slot *s = slot_of(hc, slot);
	if (!s)
		return XHCI_EINVAL;
	memset((void *)(uintptr_t)s->in_page, 0, PAGE_SIZE);
	memset((void *)(uintptr_t)s->out_page, 0, PAGE_SIZE);
	xhci_ring_init(&s->ep0, (volatile struct xhci_trb *)(uintptr_t)s->ep0_page, s->ep0_page, XHCI_RING_TRBS);
	s->mps0 = mps0;
	volatile uint32_t *icc = ctx(hc, s->in_page, 0), *sc = ctx(hc, s->in_page, 1), *ep0 = ctx(hc, s->in_page, 2);
	icc[1] = 3;                                  /* add the slot and endpoint 0 */
	sc[0] = XHCI_SLOT_ROUTE(a->route) | XHCI_SLOT_SPEED(a->speed) | XHCI_SLOT_ENTRIES(1) |
	        (a->mtt ? XHCI_SLOT_MTT : 0);
	sc[1] = XHCI_SLOT_ROOT_PORT(a->root_port);
	sc[2] = XHCI_SLOT_TT_SLOT(a->tt_slot) | XHCI_SLOT_TT_PORT(a->tt_port);
	ep0[1] = XHCI_EP_CERR(3) | XHCI_EP_TYPE(XHCI_EP_CONTROL) | XHCI_EP_MPS(mps0);
	uint64_t deq = xhci_ring_enqueue_bus(&s->ep0);
	ep0[2] = (uint32_t)deq;
	ep0[3] = (uint32_t)(deq >> 32);
	ep0[4] = XHCI_EP_AVG_TRB(8);
	hc->dcbaa[slot] = s->out_page;
	return xhci_command(hc, s->in_page, XHCI_TRB_TYPE(TRB_ADDRESS_DEVICE) | XHCI_TRB_SLOT(slot));
}

int xhci_slot_set_mps0(struct xhci *hc, uint8_t slot, uint16_t mps0)
{
	struct xhci_slot *s = slot_of(hc, slot);
	if (!s)
		return XHCI_EINVAL;
	volatile uint32_t *icc = ctx(hc, s->in_page, 0), *ep0 = ctx(hc, s->in_page, 2);
	volatile uint32_t *out0 = ctx(hc, s->out_page, 1);
	icc[0] = 0;
	icc[1] = 2;                                  /* evaluate endpoint 0 */
	for (int i = 0; i < 5; i++)
		ep0[i] = out0[i];
	ep0[1] = (ep0[1] & 0xFFFFu) | XHCI_EP_MPS(mps0);
	int r = xhci_command(hc, s->in_page, XHCI_TRB_TYPE(TRB_EVALUATE_CONTEXT) | XHCI_TRB_SLOT(slot));
	if (!r)
		s->mps0 = mps0;
	return r;
}

/* recover: make a halted endpoint usable again (§4.6.8: Reset Endpoint, then
 * Set TR Dequeue Pointer past what was queued, §4.6.10). */
static int recover(struct xhci *hc, uint8_t slot, uint8_t dci, struct xhci_ring *ring)
{
	struct xhci_slot *s = &hc->slot[slot];
	uint32_t state = XHCI_EP_STATE_OF(ctx(hc, s->out_page, dci)[0]);
	int r = 0;
	if (state == XHCI_EP_STATE_HALTED)
		r = xhci_command(hc, 0, XHCI_TRB_TYPE(TRB_RESET_EP) | XHCI_TRB_SLOT(slot) | (uint32_t)dci << 16);
	if (!r)
		r = xhci_command(hc, xhci_ring_enqueue_bus(ring),
		                 XHCI_TRB_TYPE(TRB_SET_TR_DEQUEUE) | XHCI_TRB_SLOT(slot) | (uint32_t)dci << 16);
	return r;
}

int xhci_control(struct xhci *hc, uint8_t slot, const struct usb_setup *st, void *data, uint16_t *actual)
{
	struct xhci_slot *s = slot_of(hc, slot);
	if (actual)
		*actual = 0;
	if (!s || s->broken)
		return XHCI_EINVAL;
	if (st->length > PAGE_SIZE || (st->length && !data))
		return XHCI_EINVAL;
	bool in = st->type & 0x80;
	/* The data stage goes through the controller's bounce page: one control
	 * transfer runs at a time. */
	uint64_t buf = hc->ctrl_page;
	uint8_t *bp = (uint8_t *)(uintptr_t)buf;
	if (st->length && !in)
		memcpy(bp, data, st->length);
	uint64_t setup = st->type | (uint64_t)st->request << 8 | (uint64_t)st->value << 16 |
	                 (uint64_t)st->index << 32 | (uint64_t)st->length << 48;
	uint32_t trt = !st->length ? XHCI_TRT_NONE : in ? XHCI_TRT_IN : XHCI_TRT_OUT;
	s->ctrl_done = false;
	s->ctrl_cc = 0;
	s->ctrl_residual = 0;
	s->ctrl_data_trb = 0;
	(void)xhci_ring_push(&s->ep0, setup, 8, XHCI_TRB_TYPE(TRB_SETUP) | XHCI_TRB_IDT | trt);
	if (st->length)
		s->ctrl_data_trb = xhci_ring_push(&s->ep0, buf, st->length,
		                                  XHCI_TRB_TYPE(TRB_DATA) | XHCI_TRB_ISP | (in ? XHCI_TRB_DIR_IN : 0));
	s->ctrl_status_trb = xhci_ring_push(&s->ep0, 0, 0, XHCI_TRB_TYPE(TRB_STATUS) | XHCI_TRB_IOC |
	                                    (st->length && in ? 0 : XHCI_TRB_DIR_IN));
	xhci_doorbell(hc, slot, 1);
	int r = xhci_wait(hc, &s->ctrl_done, USB_CTRL_TIMEOUT_MS);
	if (r) {
		s->broken = true;     /* the device is disabled by the caller; nothing more is sent */
		return r;
	}
	if (s->ctrl_cc != CC_SUCCESS && s->ctrl_cc != CC_SHORT_PACKET) {
		int rr = recover(hc, slot, 1, &s->ep0);
		if (rr) {
			s->broken = true;
			kwarn("xhci", "slot %u: endpoint 0 not recovered after %s: %s", slot, xhci_cc_name(s->ctrl_cc),
			      xhci_cc_name(rr));
		}
		return s->ctrl_cc;
	}
	uint32_t got = st->length - (s->ctrl_residual < st->length ? s->ctrl_residual : st->length);
	if (in && got)
		memcpy(data, bp, got);
	if (actual)
		*actual = (uint16_t)got;
	return 0;
}

/* ---- interrupt IN ------------------------------------------------------- */

/* interval: the endpoint context's Interval, 2^n x 125 µs (§6.2.3.6): for
 * full/low speed from bInterval in ms, for high/super speed bInterval - 1. */
static uint32_t interval(uint8_t speed, uint8_t b_interval)
{
	if (speed == XHCI_SPEED_FULL || speed == XHCI_SPEED_LOW) {
		unsigned v = (b_interval ? b_interval : 1) * 8u, n = 0;
		while (v >>= 1)
			n++;
		return n < 3 ? 3 : n > 10 ? 10 : n;
	}
	unsigned n = b_interval ? b_interval - 1u : 0;
	return n > 15 ? 15 : n;
}

int xhci_intr_open(struct xhci *hc, uint8_t slot, const struct xhci_intr_ep *e)
{
	struct xhci_slot *s = slot_of(hc, slot);
	uint8_t num = e->addr & 0x0F;
	if (!s || !num || !(e->addr & 0x80) || !e->mps || s->intr.open)
		return XHCI_EINVAL;
	struct xhci_intr *in = &s->intr;
	if (!in->ring_page)
		in->ring_page = xhci_dma_page(hc);
	if (!in->buf_page)
		in->buf_page = xhci_dma_page(hc);
	if (!in->ring_page || !in->buf_page)
		return XHCI_ENOMEM;
	in->dci = (uint8_t)(num * 2 + 1);
	in->len = e->mps < XHCI_INTR_BUF ? e->mps : XHCI_INTR_BUF;
	xhci_ring_init(&in->ring, (volatile struct xhci_trb *)(uintptr_t)in->ring_page, in->ring_page, XHCI_RING_TRBS);

	volatile uint32_t *icc = ctx(hc, s->in_page, 0), *sc = ctx(hc, s->in_page, 1);
	volatile uint32_t *ep = ctx(hc, s->in_page, in->dci + 1u), *out_sc = ctx(hc, s->out_page, 0);
	memset((void *)(uintptr_t)s->in_page, 0, PAGE_SIZE);
	icc[1] = 1u | 1u << in->dci;
	for (int i = 0; i < 4; i++)
		sc[i] = out_sc[i];
	uint32_t entries = (sc[0] >> 27) & 0x1F;
	if (entries < in->dci)
		entries = in->dci;
	sc[0] = (sc[0] & ~XHCI_SLOT_ENTRIES_MASK) | XHCI_SLOT_ENTRIES(entries);
	if (e->hub) {
		sc[0] |= XHCI_SLOT_HUB | (e->hub_mtt ? XHCI_SLOT_MTT : 0);
		sc[1] = (sc[1] & 0x00FFFFFFu) | XHCI_SLOT_NPORTS(e->hub_ports);
		sc[2] = (sc[2] & ~(3u << 16)) | XHCI_SLOT_TTT(e->hub_ttt);
	}
	sc[3] = 0;                                    /* slot state and address: the controller's */
	uint8_t speed = (uint8_t)((out_sc[0] >> 20) & 0xF);
	ep[0] = XHCI_EP_INTERVAL(interval(speed, e->interval));
	ep[1] = XHCI_EP_CERR(3) | XHCI_EP_TYPE(XHCI_EP_INTR_IN) | XHCI_EP_MPS(e->mps);
	uint64_t deq = xhci_ring_enqueue_bus(&in->ring);
	ep[2] = (uint32_t)deq;
	ep[3] = (uint32_t)(deq >> 32);
	ep[4] = XHCI_EP_AVG_TRB(in->len) | XHCI_EP_MAX_ESIT(e->mps);
	int r = xhci_command(hc, s->in_page, XHCI_TRB_TYPE(TRB_CONFIGURE_EP) | XHCI_TRB_SLOT(slot));
	if (!r)
		in->open = true;
	return r;
}

static void queue(struct xhci *hc, uint8_t slot, struct xhci_intr *in, unsigned i)
{
	in->queued[i] = xhci_ring_push(&in->ring, in->buf_page + (uint64_t)i * XHCI_INTR_BUF, in->len,
	                               XHCI_TRB_TYPE(TRB_NORMAL) | XHCI_TRB_IOC | XHCI_TRB_ISP);
	xhci_doorbell(hc, slot, in->dci);
}

static bool is_done(const struct xhci_intr *in, unsigned i)
{
	for (unsigned k = 0; k < in->done_count; k++)
		if (in->done[(in->done_head + k) % USB_KBD_REPORTS] == i)
			return true;
	return false;
}

int xhci_intr_start(struct xhci *hc, uint8_t slot)
{
	struct xhci_slot *s = slot_of(hc, slot);
	if (!s || !s->intr.open)
		return XHCI_EINVAL;
	for (unsigned i = 0; i < USB_KBD_REPORTS; i++)
		if (!s->intr.queued[i] && !is_done(&s->intr, i))
			queue(hc, slot, &s->intr, i);
	s->intr.running = true;
	return 0;
}

int xhci_intr_pop(struct xhci *hc, uint8_t slot, uint8_t *buf, size_t cap)
{
	struct xhci_slot *s = slot_of(hc, slot);
	if (!s || !s->intr.running)
		return XHCI_EINVAL;
	struct xhci_intr *in = &s->intr;
	if (in->halted) {
		if (in->errors >= USB_EP_ERRORS_MAX)
			return XHCI_EDEAD;
		int r = recover(hc, slot, in->dci, &in->ring);
		if (r) {
			in->errors = USB_EP_ERRORS_MAX;
			return XHCI_EDEAD;
		}
		in->halted = false;
		for (unsigned i = 0; i < USB_KBD_REPORTS; i++)
			in->queued[i] = 0;                    /* skipped by the new dequeue pointer */
		xhci_intr_start(hc, slot);
	}
	if (!in->done_count)
		return -1;
	unsigned i = in->done[in->done_head];
	uint16_t len = in->done_len[in->done_head];
	in->done_head = (in->done_head + 1) % USB_KBD_REPORTS;
	in->done_count--;
	size_t n = len < cap ? len : cap;
	memcpy(buf, (const void *)(uintptr_t)(in->buf_page + (uint64_t)i * XHCI_INTR_BUF), n);
	queue(hc, slot, in, i);
	return (int)n;
}

/* ---- transfer events ---------------------------------------------------- */

void xhci_transfer_event(struct xhci *hc, const struct xhci_trb *ev)
{
	uint8_t slot = (uint8_t)XHCI_TRB_SLOT_OF(ev->control), dci = (uint8_t)XHCI_TRB_EP_OF(ev->control);
	uint8_t cc = (uint8_t)XHCI_TRB_CODE_OF(ev->status);
	uint32_t residual = XHCI_TRB_LEN_OF(ev->status);
	struct xhci_slot *s = slot_of(hc, slot);
	if (!s) {
		hc->stray_events++;
		return;
	}
	if (dci == 1) {
		if (s->ctrl_done || !s->ctrl_status_trb) {
			hc->stray_events++;
		} else if (ev->param == s->ctrl_status_trb) {
			s->ctrl_cc = cc;
			s->ctrl_done = true;
		} else if (cc == CC_SHORT_PACKET && ev->param == s->ctrl_data_trb) {
			s->ctrl_residual = residual;        /* the status stage follows */
		} else if (cc != CC_SUCCESS) {
			s->ctrl_cc = cc;                    /* setup or data stage failed */
			s->ctrl_done = true;
		}
		return;
	}
	struct xhci_intr *in = &s->intr;
	if (!in->open || dci != in->dci) {
		hc->stray_events++;
		return;
	}
	for (unsigned i = 0; i < USB_KBD_REPORTS; i++) {
		if (!in->queued[i] || in->queued[i] != ev->param)
			continue;
		in->queued[i] = 0;
		if (cc == CC_SUCCESS || cc == CC_SHORT_PACKET) {
			unsigned k = (in->done_head + in->done_count) % USB_KBD_REPORTS;
			in->done[k] = (uint8_t)i;
			in->done_len[k] = (uint16_t)(in->len - (residual < in->len ? residual : in->len));
			in->done_count++;
			in->errors = 0;
			in->completed++;
		} else {
			in->halted = true;
			in->errors++;
			in->failed++;
		}
		return;
	}
	hc->stray_events++;
}
