/*
 * xhci.h — the xHCI USB host controller (eXtensible Host Controller Interface
 * for USB, revision 1.2). Kernel only. drivers/usb.c enumerates devices
 * through this API; section numbers are the xHCI spec's.
 *
 * What it does: BIOS-to-OS handoff (USB Legacy Support, §4.22.1), halt and
 * reset (§4.2), the Device Context Base Address Array with scratchpad
 * buffers (§6.1, §4.20), one command ring and one event ring on interrupter 0
 * (§4.9), root port power and reset for USB 2 and USB 3 ports (§4.19), Enable
 * Slot / Address Device / Evaluate Context / Configure Endpoint / Reset
 * Endpoint / Set TR Dequeue Pointer / Disable Slot commands (§4.6), control
 * transfers on endpoint 0 and interrupt-IN transfers (§4.11).
 *
 * Polled, not interrupt-driven: the event ring is read by xhci_poll, which
 * usb_poll calls from the main loop (at least once per timer tick, 1 ms,
 * when the CPU idles); memtest86+ polls its USB keyboards the same way.
 * Interrupter 0 is set up with its interrupt enable off. Every wait is
 * bounded by time (kernel/param.h USB_*_TIMEOUT_MS); a controller that stops
 * answering commands or reports a host system error is declared dead and
 * left alone. DMA memory is whole pages from the page allocator (identity-
 * mapped), below 4 GiB unless the controller says AC64; registers are
 * mapped uncached with vmm_map.
 */
#ifndef PXOS_XHCI_H
#define PXOS_XHCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "drivers/pci.h"

struct xhci;

/* A control request's setup packet (USB 2.0 §9.3). */
struct usb_setup {
	uint8_t type;        /* bmRequestType: bit 7 = device-to-host */
	uint8_t request;     /* bRequest */
	uint16_t value, index, length;
};

/* Where a device is, for Address Device (the slot context, §6.2.2). */
struct xhci_addr {
	uint8_t speed;       /* XHCI_SPEED_* */
	uint8_t root_port;   /* 1..ports */
	uint32_t route;      /* route string: hub ports, 4 bits per tier (§8.9) */
	uint8_t tt_slot, tt_port;  /* a LS/FS device behind a high-speed hub: that hub's slot and port */
	bool mtt;            /* ... and the hub has one TT per port */
};

/* An interrupt-IN endpoint to open, and hub facts for the slot (§6.2.2). */
struct xhci_intr_ep {
	uint8_t addr;        /* bEndpointAddress (IN) */
	uint16_t mps;        /* wMaxPacketSize bits 10:0 */
	uint8_t interval;    /* bInterval as the descriptor says */
	bool hub;            /* the device is a hub: set Hub, ports, TT think time */
	uint8_t hub_ports, hub_ttt;
	bool hub_mtt;
};

/* Return values: 0 success; > 0 the xHCI completion code of a failed command
 * or transfer (§6.4.5, xhci_cc_name); XHCI_ETIMEDOUT; XHCI_EDEAD (the
 * controller is gone); XHCI_ENOMEM; XHCI_EINVAL. */
#define XHCI_ETIMEDOUT (-1)
#define XHCI_EDEAD     (-2)
#define XHCI_ENOMEM    (-3)
#define XHCI_EINVAL    (-4)

/* xhci_start: take over the xHCI controller `pd` (PCI class 0C/03/30): map
 * BAR 0, route Intel PCH ports to xHCI, BIOS handoff, halt, reset, set up
 * the DCBAA, scratchpads, command and event rings, run, power the root
 * ports. Logs one summary line. Returns the controller, or NULL with *why. */
struct xhci *xhci_start(const struct pci_dev *pd, const char **why);

/* xhci_count, xhci_get: the controllers xhci_start took on (also those it
 * gave up on, for the record). */
unsigned xhci_count(void);
struct xhci *xhci_get(unsigned i);

/* xhci_poll: read the controller's new events: command completions and
 * transfer events are recorded for the waits and xhci_intr_pop, port status
 * changes for xhci_port_take_change. Bounded (at most one ring of events). */
void xhci_poll(struct xhci *hc);

/* xhci_dead: whether the controller was given up (why: xhci_describe). */
bool xhci_dead(const struct xhci *hc);

/* Root ports, numbered 1..xhci_ports(hc) (only the first USB_ROOT_PORTS_MAX). */
unsigned xhci_ports(const struct xhci *hc);
/* xhci_port_major: 2 or 3, the USB version the port speaks (Supported
 * Protocol capability, §7.2), 0 if unknown. */
uint8_t xhci_port_major(const struct xhci *hc, unsigned port);
/* xhci_port_status: PORTSC (§5.4.8), with its change bits acknowledged
 * (cleared) when `ack`. */
uint32_t xhci_port_status(struct xhci *hc, unsigned port, bool ack);
/* xhci_port_take_change: a root port that reported a status change since
 * the last call (from Port Status Change Events), in *port; false if none. */
bool xhci_port_take_change(struct xhci *hc, unsigned *port);
/* xhci_port_reset: reset the connected device on `port` (USB 2: PR; USB 3:
 * wait for link training, else a warm reset) and wait until the port is
 * enabled; *speed = its XHCI_SPEED_*. Returns 0 or a negative error. */
int xhci_port_reset(struct xhci *hc, unsigned port, uint8_t *speed);

/* xhci_slot_enable: Enable Slot; *slot = the new slot ID (1..). */
int xhci_slot_enable(struct xhci *hc, uint8_t *slot);
/* xhci_slot_address: contexts and the endpoint 0 ring for `slot`, then
 * Address Device (the controller sends SET_ADDRESS) with endpoint 0's max
 * packet size `mps0`. */
int xhci_slot_address(struct xhci *hc, uint8_t slot, const struct xhci_addr *a, uint16_t mps0);
/* xhci_slot_set_mps0: Evaluate Context with a new endpoint 0 max packet size
 * (full-speed devices tell theirs in the first 8 descriptor bytes). */
int xhci_slot_set_mps0(struct xhci *hc, uint8_t slot, uint16_t mps0);
/* xhci_slot_disable: Disable Slot (stops every endpoint) and free its memory. */
void xhci_slot_disable(struct xhci *hc, uint8_t slot);

/* xhci_control: one control transfer on `slot`'s endpoint 0 and wait for it
 * (USB_CTRL_TIMEOUT_MS). `data`: s->length bytes (<= 4096) to send or to
 * receive; *actual (may be NULL) = bytes moved. A STALL is returned as
 * CC_STALL with the endpoint made usable again. */
int xhci_control(struct xhci *hc, uint8_t slot, const struct usb_setup *s, void *data, uint16_t *actual);

/* xhci_intr_open: Configure Endpoint for one interrupt-IN endpoint of
 * `slot` (and, for a hub, the slot's hub fields). */
int xhci_intr_open(struct xhci *hc, uint8_t slot, const struct xhci_intr_ep *ep);
/* xhci_intr_start: queue USB_KBD_REPORTS transfers on the opened endpoint. */
int xhci_intr_start(struct xhci *hc, uint8_t slot);
/* xhci_intr_pop: the oldest completed interrupt transfer's bytes into
 * buf[0..cap) and its length; the buffer is queued again. -1 when none is
 * waiting; XHCI_EDEAD once the endpoint failed USB_EP_ERRORS_MAX times in a
 * row (a halted endpoint is reset and restarted before that). */
int xhci_intr_pop(struct xhci *hc, uint8_t slot, uint8_t *buf, size_t cap);

/* xhci_cc_name: "stall", "transaction error", ... for a return value. */
const char *xhci_cc_name(int r);
/* xhci_describe: one line: PCI address, ids, version, ports, slots, state. */
void xhci_describe(const struct xhci *hc, char *buf, size_t n);
/* xhci_pci: the controller's PCI function. */
const struct pci_dev *xhci_pci(const struct xhci *hc);

#endif /* PXOS_XHCI_H */
