/*
 * xhci_int.h — the xHCI driver's own state, shared by drivers/xhci.c
 * (controller, ports, commands, events) and drivers/xhci_xfer.c (slots,
 * contexts, transfers). Not for other modules: they use xhci.h.
 */
#ifndef PXOS_XHCI_INT_H
#define PXOS_XHCI_INT_H

#include "xhci.h"
#include "xhci_hw.h"
#include "xhci_ring.h"
#include "kernel/param.h"

#define XHCI_RING_TRBS   256          /* TRBs per ring: one 4 KiB page */
#define XHCI_EVENT_TRBS  256
#define XHCI_INTR_BUF    1024         /* bytes per interrupt transfer buffer */

/* One interrupt-IN endpoint (a keyboard's reports, a hub's port changes). */
struct xhci_intr {
	uint8_t dci;                      /* device context index: 2 * number + 1 */
	uint16_t len;                     /* bytes asked per transfer */
	bool open, running;
	struct xhci_ring ring;
	uint64_t ring_page, buf_page;
	uint64_t queued[USB_KBD_REPORTS]; /* bus address of the TRB filling buffer i, 0: not queued */
	uint8_t done[USB_KBD_REPORTS];    /* completed buffers in order (a FIFO) */
	uint16_t done_len[USB_KBD_REPORTS];
	unsigned done_head, done_count;
	bool halted;                      /* an error event came: reset before going on */
	unsigned errors;                  /* in a row */
	uint64_t completed, failed;
};

struct xhci_slot {
	bool used, broken;                /* broken: a control transfer timed out */
	uint64_t out_page, in_page, ep0_page;
	struct xhci_ring ep0;
	uint16_t mps0;
	/* The control transfer in flight (one at a time). */
	uint64_t ctrl_data_trb, ctrl_status_trb;
	bool ctrl_done;
	uint8_t ctrl_cc;
	uint32_t ctrl_residual;
	struct xhci_intr intr;
};

struct xhci {
	const struct pci_dev *pci;
	volatile uint32_t *cap, *op, *rt, *db;   /* register windows */
	uint32_t bar_size;
	uint16_t version;
	uint8_t max_slots, nports;        /* nports: served (<= USB_ROOT_PORTS_MAX) */
	uint8_t all_ports;                /* as the controller says */
	uint8_t ctx_size;                 /* 32 or 64 bytes */
	bool ac64, ppc, dead;
	const char *dead_why;
	const char *handoff;              /* "none", "clean", "forced" */
	uint16_t scratchpads;
	uint8_t major[USB_ROOT_PORTS_MAX + 1];
	uint64_t *dcbaa;
	uint64_t dcbaa_page, scratch_array_page, erst_page;
	uint64_t ctrl_page;               /* control transfers' data stage (one at a time) */
	struct xhci_ring cmd;
	struct xhci_event_ring ev;
	/* The command in flight (one at a time). */
	uint64_t cmd_trb;
	bool cmd_done;
	uint8_t cmd_cc, cmd_slot;
	uint64_t port_changes;            /* bit p: root port p changed */
	struct xhci_slot slot[USB_DEVICES_MAX + 1];
	uint64_t events, stray_events, dma_pages;
	uint64_t next_health_us;
};

/* xhci.c, for xhci_xfer.c */
uint64_t xhci_dma_page(struct xhci *hc);
void xhci_dma_free(struct xhci *hc, uint64_t page);
int xhci_command(struct xhci *hc, uint64_t param, uint32_t control);
void xhci_doorbell(struct xhci *hc, uint8_t slot, uint8_t target);
/* xhci_wait: poll events until *flag is true or `ms` pass; 0 or XHCI_ETIMEDOUT/EDEAD. */
int xhci_wait(struct xhci *hc, volatile bool *flag, uint32_t ms);

/* xhci_xfer.c, for xhci.c's event dispatch */
void xhci_transfer_event(struct xhci *hc, const struct xhci_trb *ev);

#endif /* PXOS_XHCI_INT_H */
