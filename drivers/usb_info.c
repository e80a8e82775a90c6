/*
 * usb_info.c — the monitor's `usb` command and the USB lines of `hwinfo`; see usb.h.
 */
#include "usb.h"
#include "usb_dev.h"
#include "usb_hub.h"
#include "usb_kbd.h"
#include "xhci_hw.h"
#include "kernel/klog.h"
#include "kernel/lib.h"

static void list_ports(struct usb_root *r)
{
	for (unsigned p = 1; p <= xhci_ports(r->hc); p++) {
		uint32_t v = xhci_port_status(r->hc, p, false);
		const struct usb_port *q = &r->port[p];
		kprintf("    port %2u  USB %u  %-9s %-7s %-6s %-5s", p, xhci_port_major(r->hc, p),
		        v & XHCI_PORT_CCS ? "connected" : "empty", v & XHCI_PORT_PED ? "enabled" : "",
		        v & XHCI_PORT_PP ? "power" : "off", v & XHCI_PORT_CCS ? usb_speed_name(XHCI_PORT_SPEED(v)) : "");
		if (q->dev)
			kprintf("  slot %u\n", q->dev->slot);
		else if (v & XHCI_PORT_CCS && q->failures >= USB_ATTACH_TRIES)
			kprintf("  not enumerated (gave up)\n");
		else
			kprintf("\n");
	}
}

/* describe: the driver's part of a device's line. */
static void describe(const struct usb_dev *d, char *what, size_t n)
{
	if (d->drv == USB_DRV_KBD)
		usb_kbd_describe(d, what, n);
	else if (d->drv == USB_DRV_HUB)
		usb_hub_describe(d, what, n);
	else
		snprintf(what, n, "%s", d->note ? d->note : "no driver");
}

/* each_device: show(d, where, what) for every device in use, `where` its
 * place (usb_where) and `what` its driver's part (describe); how many. */
static unsigned each_device(void (*show)(const struct usb_dev *d, const char *where, const char *what))
{
	unsigned n = 0;
	for (unsigned i = 0; i < USB_DEVICES_MAX; i++) {
		const struct usb_dev *d = &usb_devs[i];
		if (!d->used)
			continue;
		char where[64], what[120];
		usb_where(d, where, sizeof(where));
		describe(d, what, sizeof(what));
		show(d, where, what);
		n++;
	}
	return n;
}

/* count_line: "N devices, K keyboards" after `prefix`. */
static void count_line(const char *prefix, unsigned n)
{
	kprintf("%s%u device%s, %u keyboard%s\n", prefix, n, n == 1 ? "" : "s", usb_keyboards(),
	        usb_keyboards() == 1 ? "" : "s");
}

/* USB tiers (USB 2.0 §4.1.1): the root hub is tier 1, so a device at depth
 * 0 (on a root port) is tier 2. */
static void hwinfo_line(const struct usb_dev *d, const char *where, const char *what)
{
	kprintf("usb: %s: %04x:%04x %s speed, class %02x/%02x/%02x, tier %u, slot %u \"%s\": %s\n", where,
	        d->info.vid, d->info.pid, usb_speed_name(d->speed), d->cls, d->subclass, d->protocol, d->depth + 2u,
	        d->slot, d->product, what);
}

static void monitor_line(const struct usb_dev *d, const char *where, const char *what)
{
	kprintf("  %4u  %4u  %-25s %-6s  %04x:%04x  %02x/%02x/%02x  %s \"%s\"\n", d->slot, d->depth + 2u, where,
	        usb_speed_name(d->speed), d->info.vid, d->info.pid, d->cls, d->subclass, d->protocol, what,
	        d->product);
}

void usb_hwinfo(void)
{
	char line[200];
	if (!xhci_count())
		kprintf("usb: no xHCI controller (EHCI, OHCI and UHCI are left to the firmware)\n");
	for (unsigned i = 0; i < xhci_count(); i++) {
		xhci_describe(xhci_get(i), line, sizeof(line));
		kprintf("usb: controller %s\n", line);
	}
	unsigned n = each_device(hwinfo_line);
	if (xhci_count())
		count_line("usb: ", n);
}

void usb_monitor_cmd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (!xhci_count()) {
		kprintf("no xHCI controller (EHCI/OHCI/UHCI are not driven)\n");
		return;
	}
	for (unsigned i = 0; i < xhci_count(); i++) {
		char line[200];
		xhci_describe(xhci_get(i), line, sizeof(line));
		kprintf("controller %u: %s\n", i, line);
		for (unsigned k = 0; k < usb_nroots; k++)
			if (usb_roots[k].hc == xhci_get(i))
				list_ports(&usb_roots[k]);
	}
	kprintf("  slot  tier  where                     speed   VID:PID    class     driver\n");
	count_line("  ", each_device(monitor_line));
}
