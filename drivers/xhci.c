/*
 * xhci.c — xHCI controller bring-up, root ports, commands and the event
 * ring; see xhci.h. Slots and transfers: xhci_xfer.c.
 */
#include "xhci_int.h"
#include "xhci_caps.h"
#include "drivers/portio.h"
#include "drivers/timer.h"
#include "kernel/klog.h"
#include "kernel/lib.h"
#include "kernel/pmm.h"
#include "kernel/vmm.h"

static struct xhci hcs[USB_HC_MAX];
static unsigned nhc;

/* Registers are 32 bits wide; 64-bit ones are written low half first
 * (§5.1: 32-bit accesses work on every controller). */
static void write64(volatile uint32_t *r, uint64_t v)
{
	r[0] = (uint32_t)v;
	r[1] = (uint32_t)(v >> 32);
}

static uint32_t op_read(struct xhci *hc, uint32_t off) { return hc->op[off / 4]; }
static void op_write(struct xhci *hc, uint32_t off, uint32_t v) { hc->op[off / 4] = v; }

/* wait_reg: until (register & mask) == want, at most `ms`. */
static bool wait_reg(volatile uint32_t *r, uint32_t mask, uint32_t want, uint32_t ms)
{
	uint64_t end = timer_us() + (uint64_t)ms * 1000;
	while ((*r & mask) != want) {
		if (timer_us() > end)
			return false;
		cpu_pause();
	}
	return true;
}

static void die(struct xhci *hc, const char *why)
{
	if (hc->dead)
		return;
	hc->dead = true;
	hc->dead_why = why;
	kerror("xhci", "%02x:%02x.%x given up: %s", hc->pci->bus, hc->pci->dev, hc->pci->fn, why);
}

uint64_t xhci_dma_page(struct xhci *hc)
{
	uint64_t p = hc->ac64 ? pmm_alloc(1) : pmm_alloc_below(1, 1ull << 32);
	if (p)
		hc->dma_pages++;
	return p;
}

void xhci_dma_free(struct xhci *hc, uint64_t page)
{
	if (!page)
		return;
	pmm_free(page, 1);
	hc->dma_pages--;
}

void xhci_doorbell(struct xhci *hc, uint8_t slot, uint8_t target)
{
	__asm__ volatile("" ::: "memory");   /* TRBs are in memory before the doorbell */
	hc->db[slot] = target;
}

/* ---- events ------------------------------------------------------------- */

static void health_check(struct xhci *hc)
{
	uint32_t sts = op_read(hc, XHCI_USBSTS);
	if (sts & XHCI_STS_HSE)
		die(hc, "host system error (USBSTS.HSE): a DMA access failed");
	else if (sts & XHCI_STS_HCE)
		die(hc, "host controller error (USBSTS.HCE)");
	else if (sts & XHCI_STS_HCH)
		die(hc, "the controller halted by itself");
}

void xhci_poll(struct xhci *hc)
{
	if (hc->dead)
		return;
	struct xhci_trb ev;
	unsigned n = 0;
	while (n < XHCI_EVENT_TRBS && xhci_event_next(&hc->ev, &ev)) {
		n++;
		hc->events++;
		uint32_t type = XHCI_TRB_TYPE_OF(ev.control);
		if (type == TRB_COMMAND_COMPLETION) {
			if (ev.param == hc->cmd_trb && !hc->cmd_done) {
				hc->cmd_cc = (uint8_t)XHCI_TRB_CODE_OF(ev.status);
				hc->cmd_slot = (uint8_t)XHCI_TRB_SLOT_OF(ev.control);
				hc->cmd_done = true;
			} else {
				hc->stray_events++;    /* e.g. Command Ring Stopped after an abort */
			}
		} else if (type == TRB_TRANSFER_EVENT) {
			xhci_transfer_event(hc, &ev);
		} else if (type == TRB_PORT_STATUS_CHANGE) {
			unsigned port = (unsigned)(ev.param >> 24) & 0xFF;
			if (port >= 1 && port <= hc->nports)
				hc->port_changes |= 1ull << port;
		} else if (type == TRB_HOST_CONTROLLER_EVENT) {
			kwarn("xhci", "host controller event: completion code %u%s", XHCI_TRB_CODE_OF(ev.status),
			      XHCI_TRB_CODE_OF(ev.status) == CC_EVENT_RING_FULL ? " (event ring full: events lost)" : "");
		} else {
			hc->stray_events++;
		}
	}
	if (n)
		write64(&hc->rt[XHCI_ERDP / 4], xhci_event_dequeue_bus(&hc->ev) | XHCI_ERDP_EHB);
	uint64_t now = timer_us();
	if (now >= hc->next_health_us) {
		hc->next_health_us = now + 100000;
		health_check(hc);
	}
}

int xhci_wait(struct xhci *hc, volatile bool *flag, uint32_t ms)
{
	uint64_t end = timer_us() + (uint64_t)ms * 1000;
	for (;;) {
		xhci_poll(hc);
		if (*flag)
			return 0;
		if (hc->dead)
			return XHCI_EDEAD;
		if (timer_us() > end)
			return XHCI_ETIMEDOUT;
		cpu_pause();
	}
}

/* ---- commands (§4.6) ---------------------------------------------------- */

int xhci_command(struct xhci *hc, uint64_t param, uint32_t control)
{
	if (hc->dead)
		return XHCI_EDEAD;
	hc->cmd_done = false;
	hc->cmd_trb = xhci_ring_push(&hc->cmd, param, 0, control);
	xhci_doorbell(hc, 0, 0);
	int r = xhci_wait(hc, &hc->cmd_done, USB_CMD_TIMEOUT_MS);
	if (r == XHCI_ETIMEDOUT) {
		/* Abort it (§4.6.1.2): the ring stops, the command completes as
		 * aborted, and the next doorbell restarts the ring after it. */
		uint32_t lo = op_read(hc, XHCI_CRCR);
		op_write(hc, XHCI_CRCR, (lo & ~0x3Fu) | XHCI_CRCR_CA);
		op_write(hc, XHCI_CRCR + 4, 0);
		if (!wait_reg(&hc->op[XHCI_CRCR / 4], XHCI_CRCR_CRR, 0, USB_CMD_TIMEOUT_MS))
			die(hc, "a command never completed and the command ring did not stop");
		(void)xhci_wait(hc, &hc->cmd_done, 10);
		kwarn("xhci", "command type %u timed out after %u ms (aborted)", XHCI_TRB_TYPE_OF(control),
		      USB_CMD_TIMEOUT_MS);
		return XHCI_ETIMEDOUT;
	}
	if (r)
		return r;
	return hc->cmd_cc == CC_SUCCESS ? 0 : hc->cmd_cc;
}

/* ---- root ports (§4.19, §5.4.8) ----------------------------------------- */

unsigned xhci_ports(const struct xhci *hc) { return hc->nports; }

uint8_t xhci_port_major(const struct xhci *hc, unsigned port)
{
	return port >= 1 && port <= hc->nports ? hc->major[port] : 0;
}

uint32_t xhci_port_status(struct xhci *hc, unsigned port, bool ack)
{
	if (hc->dead || port < 1 || port > hc->nports)
		return 0;
	uint32_t v = op_read(hc, XHCI_PORTSC(port));
	if (ack && (v & XHCI_PORT_CHANGES))
		op_write(hc, XHCI_PORTSC(port), (v & XHCI_PORT_KEEP) | (v & XHCI_PORT_CHANGES));
	return v;
}

bool xhci_port_take_change(struct xhci *hc, unsigned *port)
{
	if (!hc->port_changes)
		return false;
	unsigned p = (unsigned)__builtin_ctzll(hc->port_changes);
	hc->port_changes &= ~(1ull << p);
	*port = p;
	return true;
}

int xhci_port_reset(struct xhci *hc, unsigned port, uint8_t *speed)
{
	if (hc->dead)
		return XHCI_EDEAD;
	if (port < 1 || port > hc->nports)
		return XHCI_EINVAL;
	volatile uint32_t *sc = &hc->op[XHCI_PORTSC(port) / 4];
	uint32_t v = *sc;
	if (!(v & XHCI_PORT_CCS))
		return XHCI_EINVAL;
	if (hc->major[port] == 3) {
		/* USB 3: the link trains by itself and the port enables (§4.19.1.2);
		 * a link stuck elsewhere gets a warm reset. */
		if (!wait_reg(sc, XHCI_PORT_PED, XHCI_PORT_PED, USB_PORT_RESET_TIMEOUT_MS)) {
			*sc = (*sc & XHCI_PORT_KEEP) | XHCI_PORT_WPR;
			if (!wait_reg(sc, XHCI_PORT_PRC, XHCI_PORT_PRC, USB_PORT_RESET_TIMEOUT_MS))
				return XHCI_ETIMEDOUT;
		}
	} else {
		*sc = (v & XHCI_PORT_KEEP) | XHCI_PORT_PR;
		if (!wait_reg(sc, XHCI_PORT_PRC, XHCI_PORT_PRC, USB_PORT_RESET_TIMEOUT_MS))
			return XHCI_ETIMEDOUT;
	}
	v = *sc;
	*sc = (v & XHCI_PORT_KEEP) | (v & XHCI_PORT_CHANGES);   /* acknowledge PRC, WRC, ... */
	if (!(v & XHCI_PORT_PED))
		return XHCI_EINVAL;
	*speed = (uint8_t)XHCI_PORT_SPEED(v);
	return 0;
}

/* ---- bring-up ----------------------------------------------------------- */

/* Intel 7- to 9-series PCHs route their ports to EHCI until told otherwise
 * (PCH datasheets: XUSB2PR 0xD0 / XUSB2PRM 0xD4, USB3_PSSEN 0xD8 / USB3PRM
 * 0xDC); give every switchable port to the xHCI. */
static void intel_route_ports(const struct pci_dev *pd)
{
	static const uint16_t switchable[] = { 0x1E31, 0x8C31, 0x9C31, 0x8CB1, 0x9CB1 };
	if (pd->vendor != 0x8086)
		return;
	for (unsigned i = 0; i < sizeof(switchable) / sizeof(switchable[0]); i++)
		if (pd->device == switchable[i]) {
			uint32_t usb3 = pci_read32(pd, 0xDC), usb2 = pci_read32(pd, 0xD4);
			pci_write32(pd, 0xD8, usb3);
			pci_write32(pd, 0xD0, usb2);
			kinfo("xhci", "Intel PCH: USB 3 ports 0x%x and USB 2 ports 0x%x routed to xHCI", usb3, usb2);
			return;
		}
}

/* fail: bring-up stopped: the controller stays listed, dead, with the reason. */
static void fail(struct xhci *hc, const char **why, const char *what)
{
	*why = what;
	hc->dead = true;
	hc->dead_why = what;
}

static bool reset_controller(struct xhci *hc, const char **why)
{
	if (!wait_reg(&hc->op[XHCI_USBSTS / 4], XHCI_STS_CNR, 0, USB_HC_RESET_TIMEOUT_MS)) {
		fail(hc, why, "controller not ready (USBSTS.CNR) after the handoff");
		return false;
	}
	op_write(hc, XHCI_USBCMD, op_read(hc, XHCI_USBCMD) & ~(XHCI_CMD_RUN | XHCI_CMD_INTE));
	if (!wait_reg(&hc->op[XHCI_USBSTS / 4], XHCI_STS_HCH, XHCI_STS_HCH, USB_HC_HALT_TIMEOUT_MS)) {
		fail(hc, why, "controller does not halt");
		return false;
	}
	op_write(hc, XHCI_USBCMD, XHCI_CMD_HCRST);
	if (!wait_reg(&hc->op[XHCI_USBCMD / 4], XHCI_CMD_HCRST, 0, USB_HC_RESET_TIMEOUT_MS) ||
	    !wait_reg(&hc->op[XHCI_USBSTS / 4], XHCI_STS_CNR, 0, USB_HC_RESET_TIMEOUT_MS)) {
		fail(hc, why, "controller reset does not complete");
		return false;
	}
	return true;
}

static bool setup_memory(struct xhci *hc, const char **why)
{
	hc->dcbaa_page = xhci_dma_page(hc);
	uint64_t cmd_page = xhci_dma_page(hc), ev_page = xhci_dma_page(hc);
	hc->erst_page = xhci_dma_page(hc);
	hc->ctrl_page = xhci_dma_page(hc);
	if (!hc->dcbaa_page || !cmd_page || !ev_page || !hc->erst_page || !hc->ctrl_page) {
		fail(hc, why, "out of memory for the controller's tables");
		return false;
	}
	hc->dcbaa = (uint64_t *)(uintptr_t)hc->dcbaa_page;
	if (hc->scratchpads) {
		/* Scratchpad buffers (§4.20): pages the controller keeps for itself. */
		hc->scratch_array_page = xhci_dma_page(hc);
		uint64_t *arr = (uint64_t *)(uintptr_t)hc->scratch_array_page;
		for (unsigned i = 0; arr && i < hc->scratchpads; i++)
			if (!(arr[i] = xhci_dma_page(hc)))
				arr = 0;
		if (!arr) {
			fail(hc, why, "out of memory for scratchpad buffers");
			return false;
		}
		hc->dcbaa[0] = hc->scratch_array_page;
	}
	write64(&hc->op[XHCI_DCBAAP / 4], hc->dcbaa_page);
	xhci_ring_init(&hc->cmd, (volatile struct xhci_trb *)(uintptr_t)cmd_page, cmd_page, XHCI_RING_TRBS);
	write64(&hc->op[XHCI_CRCR / 4], cmd_page | XHCI_CRCR_RCS);
	/* Event ring: one segment, in the Event Ring Segment Table (§6.5). */
	xhci_event_init(&hc->ev, (volatile struct xhci_trb *)(uintptr_t)ev_page, ev_page, XHCI_EVENT_TRBS);
	uint64_t *erst = (uint64_t *)(uintptr_t)hc->erst_page;
	erst[0] = ev_page;
	erst[1] = XHCI_EVENT_TRBS;
	hc->rt[XHCI_ERSTSZ / 4] = 1;
	write64(&hc->rt[XHCI_ERDP / 4], ev_page);
	write64(&hc->rt[XHCI_ERSTBA / 4], hc->erst_page);
	hc->rt[XHCI_IMOD / 4] = 0;
	hc->rt[XHCI_IMAN / 4] = XHCI_IMAN_IP;      /* interrupt enable off: polled */
	return true;
}

struct xhci *xhci_start(const struct pci_dev *pd, const char **why)
{
	if (nhc >= USB_HC_MAX) {
		*why = "more xHCI controllers than USB_HC_MAX";
		return 0;
	}
	const struct pci_bar *bar = &pd->bar[0];
	if (bar->io || bar->size < 0x1000 || !bar->base) {
		*why = "BAR 0 is not a memory BAR of at least 4 KiB";
		return 0;
	}
	struct xhci *hc = &hcs[nhc];
	*hc = (struct xhci){ .pci = pd, .handoff = "none" };
	pci_enable(pd, true, false, true);
	intel_route_ports(pd);
	uint32_t size = bar->size > 0x100000 ? 0x100000 : (uint32_t)bar->size;
	hc->cap = vmm_map(bar->base, size, VMM_UC);
	if (!hc->cap) {
		*why = "BAR 0 cannot be mapped";
		return 0;
	}
	hc->bar_size = size;
	nhc++;
	uint32_t cap0 = hc->cap[0], hcs1 = hc->cap[XHCI_HCSPARAMS1 / 4], hcs2 = hc->cap[XHCI_HCSPARAMS2 / 4];
	uint32_t hcc1 = hc->cap[XHCI_HCCPARAMS1 / 4];
	uint32_t caplen = cap0 & 0xFF, dboff = hc->cap[XHCI_DBOFF / 4] & ~3u, rtsoff = hc->cap[XHCI_RTSOFF / 4] & ~0x1Fu;
	if (caplen < 0x20 || caplen >= size || dboff >= size || rtsoff >= size || cap0 == 0xFFFFFFFFu) {
		fail(hc, why, "capability registers make no sense (CAPLENGTH, DBOFF or RTSOFF)");
		return 0;
	}
	hc->op = hc->cap + caplen / 4;
	hc->rt = hc->cap + rtsoff / 4;
	hc->db = hc->cap + dboff / 4;
	hc->version = (uint16_t)(cap0 >> 16);
	hc->all_ports = (uint8_t)(hcs1 >> 24);
	hc->nports = hc->all_ports < USB_ROOT_PORTS_MAX ? hc->all_ports : USB_ROOT_PORTS_MAX;
	hc->max_slots = (uint8_t)((hcs1 & 0xFF) < USB_DEVICES_MAX ? (hcs1 & 0xFF) : USB_DEVICES_MAX);
	hc->ac64 = hcc1 & XHCI_HCC_AC64;
	hc->ppc = hcc1 & XHCI_HCC_PPC;
	hc->ctx_size = (hcc1 & XHCI_HCC_CSZ) ? 64 : 32;
	hc->scratchpads = (uint16_t)(((hcs2 >> 27) & 0x1F) | (((hcs2 >> 21) & 0x1F) << 5));
	if (hc->scratchpads > PAGE_SIZE / 8) {
		fail(hc, why, "more scratchpad buffers than one table page holds");
		return 0;
	}

	static const char *const handoff[] = { "none", "clean", "forced after the timeout" };
	enum xhci_handoff h = xhci_bios_handoff(hc->cap, xhci_xcap_find(hc->cap, size, 0, XHCI_XCAP_LEGACY),
	                                        timer_us, USB_HANDOFF_TIMEOUT_MS * 1000u);
	hc->handoff = handoff[h];
	if (h == XHCI_HANDOFF_FORCED)
		kwarn("xhci", "the BIOS kept the controller for %u ms: taken anyway", USB_HANDOFF_TIMEOUT_MS);
	if (!reset_controller(hc, why))
		return 0;
	if (!(op_read(hc, XHCI_PAGESIZE) & 1)) {
		fail(hc, why, "controller does not do 4 KiB pages");
		return 0;
	}
	op_write(hc, XHCI_CONFIG, hc->max_slots);
	if (!setup_memory(hc, why))
		return 0;
	op_write(hc, XHCI_USBCMD, XHCI_CMD_RUN);
	if (!wait_reg(&hc->op[XHCI_USBSTS / 4], XHCI_STS_HCH, 0, USB_HC_HALT_TIMEOUT_MS)) {
		fail(hc, why, "controller does not start running");
		return 0;
	}
	xhci_port_majors(hc->cap, size, hc->major, hc->nports);
	if (hc->ppc) {
		bool powered = false;
		for (unsigned p = 1; p <= hc->nports; p++) {
			uint32_t v = op_read(hc, XHCI_PORTSC(p));
			if (!(v & XHCI_PORT_PP)) {
				op_write(hc, XHCI_PORTSC(p), (v & XHCI_PORT_KEEP) | XHCI_PORT_PP);
				powered = true;
			}
		}
		if (powered)
			timer_delay_us(USB_POWER_ON_MS * 1000u);
	}
	char line[160];
	xhci_describe(hc, line, sizeof(line));
	kinfo("xhci", "%s", line);
	return hc;
}

bool xhci_dead(const struct xhci *hc) { return hc->dead; }

unsigned xhci_count(void) { return nhc; }

struct xhci *xhci_get(unsigned i) { return i < nhc ? &hcs[i] : 0; }

const struct pci_dev *xhci_pci(const struct xhci *hc) { return hc->pci; }

/* port_ranges: "USB 2: 1-4, USB 3: 5-8" from the protocol capabilities. */
static void port_ranges(const struct xhci *hc, char *buf, size_t n)
{
	size_t k = 0;
	buf[0] = '\0';
	for (unsigned p = 1; p <= hc->nports && k < n;) {
		unsigned q = p;
		while (q + 1 <= hc->nports && hc->major[q + 1] == hc->major[p])
			q++;
		k += (size_t)snprintf(buf + k, n - k, "%sUSB %u: %u-%u", k ? ", " : "", hc->major[p], p, q);
		p = q + 1;
	}
}

void xhci_describe(const struct xhci *hc, char *buf, size_t n)
{
	char ports[64];
	port_ranges(hc, ports, sizeof(ports));
	snprintf(buf, n, "%02x:%02x.%x %04x:%04x xHCI %x.%02x, %u ports (%s), %u slots, %u-byte contexts, %u scratchpads, "
	         "BIOS handoff %s, polled%s%s",
	         hc->pci->bus, hc->pci->dev, hc->pci->fn, hc->pci->vendor, hc->pci->device, hc->version >> 8,
	         hc->version & 0xFF, hc->all_ports, ports, hc->max_slots, hc->ctx_size, hc->scratchpads, hc->handoff,
	         hc->dead ? "; DEAD: " : "", hc->dead ? hc->dead_why : "");
}

const char *xhci_cc_name(int r)
{
	switch (r) {
	case 0: return "ok";
	case XHCI_ETIMEDOUT: return "timed out";
	case XHCI_EDEAD: return "controller gone";
	case XHCI_ENOMEM: return "out of memory";
	case XHCI_EINVAL: return "not possible now";
	case CC_DATA_BUFFER: return "data buffer error";
	case CC_BABBLE: return "babble";
	case CC_TRANSACTION: return "transaction error";
	case CC_TRB: return "TRB error";
	case CC_STALL: return "stall";
	case CC_NO_SLOTS: return "no slots available";
	case CC_SHORT_PACKET: return "short packet";
	case CC_PARAMETER: return "parameter error";
	case CC_CONTEXT_STATE: return "context state error";
	case CC_COMMAND_ABORTED: return "command aborted";
	default: return "xHCI error";
	}
}
