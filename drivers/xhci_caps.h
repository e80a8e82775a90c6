/*
 * xhci_caps.h — the xHCI extended capability list (xHCI 1.2 §7): the USB
 * Legacy Support capability's BIOS-to-OS handoff (§7.1, §4.22.1) and the
 * Supported Protocol capabilities that say which root ports are USB 2 and
 * which USB 3 (§7.2). Portable: works on any 32-bit register window (the
 * controller's BAR in the kernel, an array in tests).
 */
#ifndef PXOS_XHCI_CAPS_H
#define PXOS_XHCI_CAPS_H

#include <stdint.h>

/* xhci_xcap_find: byte offset from BAR 0 of the first extended capability
 * with ID `id` after the one at `after` (0: search from the list head,
 * HCCPARAMS1.xECP). `mmio` is the register window of `len` bytes. The walk
 * is bounded (256 entries, never outside the window, a next pointer that
 * does not move forward ends it). Returns 0 when there is none. */
uint32_t xhci_xcap_find(volatile uint32_t *mmio, uint32_t len, uint32_t after, uint8_t id);

/* Results of xhci_bios_handoff. */
enum xhci_handoff {
	XHCI_HANDOFF_NONE,      /* no USB Legacy Support capability: nothing to do */
	XHCI_HANDOFF_CLEAN,     /* the BIOS released the controller (or never held it) */
	XHCI_HANDOFF_FORCED,    /* the BIOS kept its semaphore past the timeout: taken anyway */
};

/* xhci_bios_handoff: with the USB Legacy Support capability at byte offset
 * `cap` (0: none) of `mmio`, set HC OS Owned, wait up to `timeout_us` (by
 * the clock `now_us`, µs) for the BIOS to clear HC BIOS Owned (clearing it
 * ourselves when it does not, as Linux does), then disable the SMIs the
 * BIOS left enabled in USBLEGCTLSTS and clear their status bits. */
enum xhci_handoff xhci_bios_handoff(volatile uint32_t *mmio, uint32_t cap, uint64_t (*now_us)(void),
                                    uint32_t timeout_us);

/* xhci_port_majors: from the Supported Protocol capabilities, the USB major
 * revision (2 or 3; 0 when no capability names the port) of root ports
 * 1..nports into major[1..nports] (major[0] unused). Overlapping or
 * out-of-range port ranges are clipped. */
void xhci_port_majors(volatile uint32_t *mmio, uint32_t len, uint8_t *major, unsigned nports);

#endif /* PXOS_XHCI_CAPS_H */
