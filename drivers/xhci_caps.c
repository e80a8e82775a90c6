/*
 * xhci_caps.c — extended capabilities, BIOS handoff; see xhci_caps.h.
 */
#include "xhci_caps.h"
#include "xhci_hw.h"

#define XCAP_WALK_MAX 256

uint32_t xhci_xcap_find(volatile uint32_t *mmio, uint32_t len, uint32_t after, uint8_t id)
{
	uint32_t off;
	if (!after) {
		off = (mmio[XHCI_HCCPARAMS1 / 4] >> 16) * 4;
	} else {
		uint32_t next = (mmio[after / 4] >> 8) & 0xFF;
		off = next ? after + next * 4 : 0;
	}
	for (int i = 0; i < XCAP_WALK_MAX && off && off + 4 <= len && off % 4 == 0; i++) {
		uint32_t v = mmio[off / 4];
		if ((v & 0xFF) == id)
			return off;
		uint32_t next = (v >> 8) & 0xFF;
		if (!next)
			break;
		off += next * 4;
	}
	return 0;
}

enum xhci_handoff xhci_bios_handoff(volatile uint32_t *mmio, uint32_t cap, uint64_t (*now_us)(void),
                                    uint32_t timeout_us)
{
	if (!cap)
		return XHCI_HANDOFF_NONE;
	volatile uint32_t *legsup = &mmio[cap / 4];
	enum xhci_handoff r = XHCI_HANDOFF_CLEAN;
	if (*legsup & XHCI_LEGACY_BIOS_OWNED) {
		*legsup |= XHCI_LEGACY_OS_OWNED;
		uint64_t end = now_us() + timeout_us;
		while (*legsup & XHCI_LEGACY_BIOS_OWNED) {
			if (now_us() > end) {
				*legsup &= ~XHCI_LEGACY_BIOS_OWNED;
				r = XHCI_HANDOFF_FORCED;
				break;
			}
		}
	}
	*legsup |= XHCI_LEGACY_OS_OWNED;
	/* USBLEGCTLSTS: SMI enables off; status bits are write-1-to-clear. */
	uint32_t ctl = legsup[1];
	legsup[1] = (ctl & ~XHCI_LEGCTL_SMI_ENABLES) | XHCI_LEGCTL_SMI_STATUS;
	return r;
}

void xhci_port_majors(volatile uint32_t *mmio, uint32_t len, uint8_t *major, unsigned nports)
{
	for (unsigned p = 0; p <= nports; p++)
		major[p] = 0;
	uint32_t off = 0;
	for (int i = 0; i < XCAP_WALK_MAX; i++) {
		off = xhci_xcap_find(mmio, len, off, XHCI_XCAP_PROTOCOL);
		if (!off || off + 12 > len)
			return;
		uint8_t rev = (uint8_t)(mmio[off / 4] >> 24);
		uint32_t d2 = mmio[off / 4 + 2];
		unsigned first = d2 & 0xFF, count = (d2 >> 8) & 0xFF;
		for (unsigned p = first; p && p < first + count && p <= nports; p++)
			major[p] = rev;
	}
}
