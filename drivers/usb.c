/*
 * usb.c — USB devices: enumeration (USB 2.0 §9.1.2), root ports, hot-plug,
 * the poll loop; see usb.h and usb_dev.h. The monitor listing: usb_info.c.
 */
#include "usb.h"
#include "usb_dev.h"
#include "usb_hub.h"
#include "usb_kbd.h"
#include "drivers/pci.h"
#include "drivers/portio.h"
#include "drivers/timer.h"
#include "kernel/cmdline.h"
#include "kernel/klog.h"
#include "kernel/lib.h"

/* Standard requests (USB 2.0 Table 9-4) and request types. */
#define REQ_GET_DESCRIPTOR    6
#define REQ_SET_CONFIGURATION 9
#define RT_IN_STD_DEVICE      0x80
#define RT_OUT_STD_DEVICE     0x00

struct usb_dev usb_devs[USB_DEVICES_MAX];
struct usb_root usb_roots[USB_HC_MAX];
unsigned usb_nroots;
static uint32_t generation;
static bool polling;

static bool busy(void);

void usb_changed(void) { generation++; }
uint32_t usb_generation(void) { return generation; }

const char *usb_speed_name(uint8_t speed)
{
	static const char *const n[] = { "?", "full", "low", "high", "super", "super+" };
	return speed < sizeof(n) / sizeof(n[0]) ? n[speed] : "?";
}

void usb_where(const struct usb_dev *d, char *buf, size_t n)
{
	const struct usb_dev *chain[USB_HUB_DEPTH_MAX + 2];
	unsigned k = 0;
	for (const struct usb_dev *p = d; p && k < sizeof(chain) / sizeof(chain[0]); p = p->parent)
		chain[k++] = p;
	size_t len = (size_t)snprintf(buf, n, "root port %u", chain[k - 1]->port);
	while (--k > 0 && len < n)
		len += (size_t)snprintf(buf + len, n - len, ", hub port %u", chain[k - 1]->port);
}

void usb_delay_ms(uint32_t ms)
{
	uint64_t end = timer_us() + (uint64_t)ms * 1000;
	while (timer_us() < end) {
		for (unsigned i = 0; i < usb_nroots; i++)
			xhci_poll(usb_roots[i].hc);
		cpu_pause();
	}
}

int usb_control(struct usb_dev *d, uint8_t type, uint8_t request, uint16_t value, uint16_t index,
                void *data, uint16_t len, uint16_t *actual)
{
	struct usb_setup s = { type, request, value, index, len };
	return xhci_control(d->hc, d->slot, &s, data, actual);
}

static int get_descriptor(struct usb_dev *d, uint8_t type, uint8_t index, uint16_t lang, void *buf,
                          uint16_t len, uint16_t *got)
{
	return usb_control(d, RT_IN_STD_DEVICE, REQ_GET_DESCRIPTOR, (uint16_t)(type << 8 | index), lang, buf, len, got);
}

/* ---- ports -------------------------------------------------------------- */

void usb_port_seen(struct usb_port *p, bool connected, bool changed, uint64_t now_us)
{
	if (p->dev && (!connected || changed))
		usb_remove(p->dev);                   /* unplugged, or replaced in between */
	if (!connected) {
		p->attach_at = 0;
		p->failures = 0;
	} else if (!p->dev && (!p->attach_at || changed)) {
		p->attach_at = now_us + USB_DEBOUNCE_MS * 1000ull;
		if (changed)
			p->failures = 0;
	}
}

bool usb_port_due(struct usb_port *p, uint64_t now_us)
{
	if (!p->attach_at || p->dev || now_us < p->attach_at || p->failures >= USB_ATTACH_TRIES)
		return false;
	p->attach_at = 0;
	return true;
}

void usb_port_failed(struct usb_port *p, uint64_t now_us)
{
	if (++p->failures < USB_ATTACH_TRIES)
		p->attach_at = now_us + USB_RETRY_MS * 1000ull;
}

static void root_check(struct usb_root *r, unsigned port, uint64_t now)
{
	uint32_t v = xhci_port_status(r->hc, port, true);
	if (v & XHCI_PORT_OCC)
		kwarn("usb", "root port %u: %s", port, v & XHCI_PORT_OCA ? "over-current: the device draws too much power"
		                                                         : "over-current condition ended");
	usb_port_seen(&r->port[port], v & XHCI_PORT_CCS, v & XHCI_PORT_CSC, now);
}

static void root_attach(struct usb_root *r, unsigned port, uint64_t now)
{
	struct usb_port *p = &r->port[port];
	if (!usb_port_due(p, now))
		return;
	uint8_t speed = 0;
	const char *why = 0;
	int e = xhci_port_reset(r->hc, port, &speed);
	if (e) {
		why = xhci_cc_name(e);
	} else {
		usb_delay_ms(USB_RESET_RECOVERY_MS);
		p->dev = usb_enumerate(r->hc, 0, (uint8_t)port, speed, p, &why);
	}
	if (!p->dev) {
		usb_port_failed(p, now);
		kwarn("usb", "root port %u: device not enumerated: %s%s", port, why,
		      p->failures < USB_ATTACH_TRIES ? " (will try again)" : " (given up until it is plugged in again)");
	}
}

/* ---- devices ------------------------------------------------------------ */

static uint16_t default_mps0(uint8_t speed)
{
	return speed == XHCI_SPEED_HIGH ? 64 : speed >= XHCI_SPEED_SUPER ? 512 : 8;
}

/* mps0_from: the descriptor's bMaxPacketSize0 as bytes, or 0 if it is not a
 * size that speed allows (USB 2.0 §5.5.3, USB 3.2 §9.6.1). */
static uint16_t mps0_from(uint8_t speed, uint8_t field)
{
	if (speed >= XHCI_SPEED_SUPER)
		return field == 9 ? 512 : 0;
	if (speed == XHCI_SPEED_HIGH)
		return field == 64 ? 64 : 0;
	if (speed == XHCI_SPEED_LOW)
		return field == 8 ? 8 : 0;
	return field == 8 || field == 16 || field == 32 || field == 64 ? field : 0;
}

static void read_product(struct usb_dev *d)
{
	uint8_t buf[64];
	uint16_t got = 0, lang = 0x0409;
	d->product[0] = '\0';
	if (!d->info.iproduct)
		return;
	if (get_descriptor(d, USB_DT_STRING, 0, 0, buf, 4, &got) == 0 && got >= 4 && buf[1] == USB_DT_STRING)
		lang = (uint16_t)(buf[2] | buf[3] << 8);
	if (get_descriptor(d, USB_DT_STRING, d->info.iproduct, lang, buf, sizeof(buf), &got) == 0)
		(void)usb_desc_string(buf, got, d->product, sizeof(d->product));
}

/* bind: the driver for the configuration's first hub or boot keyboard
 * interface; `*why` says why none took it. */
static void bind(struct usb_dev *d, const struct usb_config_info *c)
{
	const struct usb_iface_info *f = usb_desc_find(c, USB_CLASS_HUB, -1, -1);
	const char *why = 0;
	if (f || d->info.cls == USB_CLASS_HUB) {
		if (!f) {
			d->note = "hub without a hub interface";
			return;
		}
		d->cls = f->cls, d->subclass = f->subclass, d->protocol = f->protocol;
		if (usb_hub_attach(d, c, f, &why) == 0)
			d->drv = USB_DRV_HUB;
		else
			d->note = why;
		return;
	}
	f = usb_desc_find(c, USB_CLASS_HID, USB_HID_SUBCLASS_BOOT, USB_HID_PROTO_KEYBOARD);
	if (f) {
		d->cls = f->cls, d->subclass = f->subclass, d->protocol = f->protocol;
		if (usb_kbd_attach(d, c, f, &why) == 0)
			d->drv = USB_DRV_KBD;
		else
			d->note = why;
		return;
	}
	if (c->niface) {
		d->cls = c->iface[0].cls, d->subclass = c->iface[0].subclass, d->protocol = c->iface[0].protocol;
	}
	d->note = d->cls == USB_CLASS_HID ? "HID device that is not a boot keyboard: no driver"
	        : d->cls == USB_CLASS_STORAGE ? "mass storage: no driver (pxOS runs from RAM)"
	        : "no driver for this class";
}

static void log_attach(const struct usb_dev *d)
{
	char where[64], what[64];
	usb_where(d, where, sizeof(where));
	if (d->drv == USB_DRV_KBD)
		snprintf(what, sizeof(what), "keyboard %u", usb_kbd_number(d));
	else if (d->drv == USB_DRV_HUB)
		usb_hub_describe(d, what, sizeof(what));
	else
		snprintf(what, sizeof(what), "%s", d->note ? d->note : "no driver");
	kinfo("usb", "%s: %04x:%04x %s speed, class %02x/%02x/%02x \"%s\", slot %u: %s", where, d->info.vid,
	      d->info.pid, usb_speed_name(d->speed), d->cls, d->subclass, d->protocol, d->product, d->slot, what);
}

static void free_dev(struct usb_dev *d)
{
	if (d->slot)
		xhci_slot_disable(d->hc, d->slot);
	*d = (struct usb_dev){ 0 };
}

struct usb_dev *usb_enumerate(struct xhci *hc, struct usb_dev *parent, uint8_t port, uint8_t speed,
                              struct usb_port *at, const char **why)
{
	struct usb_dev *d = 0;
	for (unsigned i = 0; i < USB_DEVICES_MAX && !d; i++)
		if (!usb_devs[i].used)
			d = &usb_devs[i];
	if (!d) {
		*why = "more devices than USB_DEVICES_MAX";
		return 0;
	}
	*d = (struct usb_dev){ .used = true, .hc = hc, .speed = speed, .port = port, .parent = parent, .at = at };
	struct xhci_addr a = { .speed = speed, .root_port = port };
	if (parent) {
		d->root_port = a.root_port = parent->root_port;
		d->depth = (uint8_t)(parent->depth + 1);
		d->route = a.route = parent->route | (uint32_t)(port < 15 ? port : 15) << (4 * parent->depth);
		if (speed == XHCI_SPEED_LOW || speed == XHCI_SPEED_FULL) {
			if (parent->speed == XHCI_SPEED_HIGH)
				d->tt_slot = parent->slot, d->tt_port = port;
			else
				d->tt_slot = parent->tt_slot, d->tt_port = parent->tt_port;
		}
		a.tt_slot = d->tt_slot;
		a.tt_port = d->tt_port;
	} else {
		d->root_port = port;
	}
	uint8_t buf[USB_CONFIG_DESC_MAX];
	uint16_t got = 0;
	uint16_t mps0 = default_mps0(speed);
	int r;
	if ((r = xhci_slot_enable(hc, &d->slot))) {
		*why = r == CC_NO_SLOTS ? "the controller has no free device slot" : xhci_cc_name(r);
		goto fail;
	}
	if ((r = xhci_slot_address(hc, d->slot, &a, mps0))) {
		*why = "Address Device failed (the device did not take an address)";
		goto fail;
	}
	usb_delay_ms(2);                              /* SET_ADDRESS recovery, USB 2.0 §9.2.6.3 */
	uint8_t field = 0;
	if (get_descriptor(d, USB_DT_DEVICE, 0, 0, buf, 8, &got) || usb_desc_device_head(buf, got, &field)) {
		*why = "no device descriptor (first 8 bytes)";
		goto fail;
	}
	uint16_t mps = mps0_from(speed, field);
	if (!mps) {
		*why = "bMaxPacketSize0 not allowed at this speed";
		goto fail;
	}
	if (mps != mps0 && xhci_slot_set_mps0(hc, d->slot, mps)) {
		*why = "Evaluate Context (endpoint 0 packet size) failed";
		goto fail;
	}
	if (get_descriptor(d, USB_DT_DEVICE, 0, 0, buf, 18, &got) || usb_desc_device(buf, got, &d->info, why))
		goto fail_desc;
	d->cls = d->info.cls, d->subclass = d->info.subclass, d->protocol = d->info.protocol;
	struct usb_config_info c;
	if (get_descriptor(d, USB_DT_CONFIG, 0, 0, buf, 9, &got) || usb_desc_config(buf, got, &c, why))
		goto fail_desc;
	uint16_t total = c.total < sizeof(buf) ? c.total : (uint16_t)sizeof(buf);
	if (get_descriptor(d, USB_DT_CONFIG, 0, 0, buf, total, &got) || usb_desc_config(buf, got, &c, why))
		goto fail_desc;
	if (c.total > sizeof(buf))
		kwarn("usb", "slot %u: configuration descriptor of %u bytes: only the first %u read", d->slot, c.total,
		      (unsigned)sizeof(buf));
	read_product(d);
	bind(d, &c);
	log_attach(d);
	usb_changed();
	return d;
fail_desc:
	if (!*why || xhci_dead(hc))
		*why = "descriptor request failed";
fail:
	free_dev(d);
	return 0;
}

void usb_remove(struct usb_dev *d)
{
	if (!d || !d->used)
		return;
	char where[64];
	usb_where(d, where, sizeof(where));
	if (d->drv == USB_DRV_HUB)
		usb_hub_detach(d);                    /* the devices behind it first */
	else if (d->drv == USB_DRV_KBD)
		usb_kbd_detach(d);
	kinfo("usb", "%s: %04x:%04x detached (slot %u)", where, d->info.vid, d->info.pid, d->slot);
	if (d->at && d->at->dev == d)
		d->at->dev = 0;
	free_dev(d);
	usb_changed();
}

/* ---- the API ------------------------------------------------------------ */

void usb_init(void)
{
	const char *opt = cmdline_get("usb");
	if (opt && !strcmp(opt, "off")) {
		kinfo("usb", "usb=off: USB controllers left alone");
		return;
	}
	const struct pci_dev *pd;
	for (unsigned i = 0; (pd = pci_find_class(0x0C, 0x03, -1, i)) != 0; i++) {
		if (pd->prog_if != 0x30) {
			static const char *const kind[] = { "UHCI", "OHCI", "EHCI" };
			kinfo("usb", "%02x:%02x.%x %04x:%04x %s controller: not driven (left to the firmware)", pd->bus,
			      pd->dev, pd->fn, pd->vendor, pd->device,
			      pd->prog_if <= 0x20 && !(pd->prog_if & 0xF) ? kind[pd->prog_if >> 4] : "USB");
			continue;
		}
		const char *why = "";
		struct xhci *hc = xhci_start(pd, &why);
		if (!hc) {
			kerror("usb", "%02x:%02x.%x xHCI not usable: %s", pd->bus, pd->dev, pd->fn, why);
			continue;
		}
		struct usb_root *r = &usb_roots[usb_nroots++];
		*r = (struct usb_root){ .hc = hc };
		uint64_t now = timer_us();
		for (unsigned p = 1; p <= xhci_ports(hc); p++)
			root_check(r, p, now);
	}
	if (!usb_nroots) {
		kinfo("usb", "no xHCI controller");
		return;
	}
	/* Enumerate what is plugged in now, hubs and what is behind them too,
	 * so the boot log and the keyboard summary are complete: at least
	 * USB_SETTLE_MIN_MS (ports just reset or powered see their devices
	 * connect), then while attaches are due, at most USB_BOOT_SETTLE_MS. */
	uint64_t start = timer_us(), now;
	do {
		usb_poll();
		usb_delay_ms(5);
		now = timer_us();
	} while (now < start + USB_SETTLE_MIN_MS * 1000ull ||
	         (now < start + USB_BOOT_SETTLE_MS * 1000ull && busy()));
}

/* busy: an attach is still due somewhere (a root port or a hub port). */
static bool busy(void)
{
	for (unsigned i = 0; i < usb_nroots; i++)
		for (unsigned p = 1; p <= xhci_ports(usb_roots[i].hc); p++) {
			const struct usb_port *q = &usb_roots[i].port[p];
			if (q->attach_at && !q->dev && q->failures < USB_ATTACH_TRIES)
				return true;
		}
	for (unsigned i = 0; i < USB_DEVICES_MAX; i++)
		if (usb_devs[i].used && usb_devs[i].drv == USB_DRV_HUB && usb_hub_busy(&usb_devs[i]))
			return true;
	return false;
}

void usb_poll(void)
{
	if (polling)
		return;
	polling = true;
	uint64_t now = timer_us();
	static uint64_t next_scan;
	bool scan = now >= next_scan;            /* events can be lost (a full event ring): look anyway */
	if (scan)
		next_scan = now + USB_RESCAN_MS * 1000ull;
	for (unsigned i = 0; i < usb_nroots; i++) {
		struct usb_root *r = &usb_roots[i];
		xhci_poll(r->hc);
		unsigned port;
		while (xhci_port_take_change(r->hc, &port))
			root_check(r, port, now);
		for (unsigned p = 1; p <= xhci_ports(r->hc); p++) {
			if (scan)
				root_check(r, p, now);
			root_attach(r, p, now);
		}
	}
	for (unsigned i = 0; i < USB_DEVICES_MAX; i++) {
		struct usb_dev *d = &usb_devs[i];
		if (d->used && d->drv == USB_DRV_HUB)
			usb_hub_service(d, now);
		else if (d->used && d->drv == USB_DRV_KBD)
			usb_kbd_service(d, now);
	}
	polling = false;
}
