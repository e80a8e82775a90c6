/*
 * usb_kbd.c — HID boot keyboards on USB; see usb_kbd.h and hid_boot.h.
 */
#include "usb.h"
#include "usb_kbd.h"
#include "hid_boot.h"
#include "kernel/klog.h"
#include "kernel/lib.h"
#include "kernel/ring.h"

/* HID class requests (HID 1.11 §7.2) to the interface. */
#define RT_OUT_CLASS_IFACE 0x21
#define HID_SET_REPORT     0x09
#define HID_SET_IDLE       0x0A
#define HID_SET_PROTOCOL   0x0B
#define HID_REPORT_OUTPUT  2          /* SET_REPORT wValue high byte */
#define HID_PROTOCOL_BOOT  0

struct usb_kbd {
	bool used;
	struct usb_dev *dev;
	unsigned number;
	uint8_t iface;
	struct hid_kbd hid;
	uint8_t leds;            /* LED byte the keyboard shows */
	bool dead;               /* its endpoint failed for good */
	uint64_t led_writes, led_failures;
};

static struct usb_kbd kbds[USB_KBD_MAX];
static struct ring typed;                /* bytes for usb_kbd_read (main loop on both sides) */
static uint64_t typed_dropped;

static struct usb_kbd *kbd_of(const struct usb_dev *d)
{
	return d->drv == USB_DRV_KBD ? d->drv_state : 0;
}

static void put(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!ring_put(&typed, (uint8_t)s[i]))
			typed_dropped++;
}

static int set_leds(struct usb_kbd *k, uint8_t leds)
{
	k->led_writes++;
	int r = usb_control(k->dev, RT_OUT_CLASS_IFACE, HID_SET_REPORT, HID_REPORT_OUTPUT << 8, k->iface, &leds, 1, 0);
	if (r)
		k->led_failures++;
	else
		k->leds = leds;
	return r;
}

int usb_kbd_attach(struct usb_dev *d, const struct usb_config_info *c, const struct usb_iface_info *f,
                   const char **why)
{
	const struct usb_ep_info *ep = usb_desc_find_ep(f, USB_EP_INTR, 1);
	if (!ep) {
		*why = "keyboard without an interrupt-IN endpoint";
		return -1;
	}
	struct usb_kbd *k = 0;
	for (unsigned i = 0; i < USB_KBD_MAX && !k; i++)
		if (!kbds[i].used)
			k = &kbds[i];
	if (!k) {
		*why = "more keyboards than USB_KBD_MAX";
		return -1;
	}
	struct xhci_intr_ep e = { .addr = ep->addr, .mps = ep->mps, .interval = ep->interval };
	int r = xhci_intr_open(d->hc, d->slot, &e);
	if (r) {
		*why = "the controller refused the keyboard's endpoint (Configure Endpoint)";
		return -1;
	}
	if (usb_control(d, 0x00, 9, c->value, 0, 0, 0, 0)) {
		*why = "SET_CONFIGURATION failed";
		return -1;
	}
	*k = (struct usb_kbd){ .used = true, .dev = d, .number = (unsigned)(k - kbds) + 1, .iface = f->number };
	hid_kbd_init(&k->hid, USB_KBD_REPEAT_DELAY_MS, USB_KBD_REPEAT_MS);
	/* Boot protocol: the 8-byte report hid_boot.c reads. SET_IDLE 0: report
	 * only on change (pxOS repeats keys itself). Keyboards that stall either
	 * request are used anyway (HID 1.11 makes SET_IDLE optional). */
	if ((r = usb_control(d, RT_OUT_CLASS_IFACE, HID_SET_PROTOCOL, HID_PROTOCOL_BOOT, f->number, 0, 0, 0)))
		kwarn("usb", "keyboard %u: SET_PROTOCOL (boot) failed: %s", k->number, xhci_cc_name(r));
	if ((r = usb_control(d, RT_OUT_CLASS_IFACE, HID_SET_IDLE, 0, f->number, 0, 0, 0)))
		kinfo("usb", "keyboard %u: SET_IDLE not supported (%s)", k->number, xhci_cc_name(r));
	(void)set_leds(k, 0);
	if (xhci_intr_start(d->hc, d->slot)) {
		k->used = false;
		*why = "cannot queue the keyboard's transfers";
		return -1;
	}
	d->drv_state = k;
	return 0;
}

void usb_kbd_service(struct usb_dev *d, uint64_t now_us)
{
	struct usb_kbd *k = kbd_of(d);
	if (!k || k->dead)
		return;
	uint8_t rep[64];
	char out[HID_KBD_OUT_MAX];
	int n;
	/* A repeat that fell due before this look comes before the reports that
	 * arrived meanwhile (which may release the key). */
	put(out, hid_kbd_tick(&k->hid, now_us, out));
	while ((n = xhci_intr_pop(d->hc, d->slot, rep, sizeof(rep))) >= 0)
		put(out, hid_kbd_report(&k->hid, rep, (size_t)n, now_us, out));
	if (n == XHCI_EDEAD) {
		k->dead = true;
		kwarn("usb", "keyboard %u stopped answering (%u transfer errors in a row): ignored until replugged",
		      k->number, USB_EP_ERRORS_MAX);
		usb_changed();
		return;
	}
	uint8_t leds = hid_kbd_leds(&k->hid);
	if (leds != k->leds && k->led_failures < 3)
		(void)set_leds(k, leds);
}

void usb_kbd_detach(struct usb_dev *d)
{
	struct usb_kbd *k = kbd_of(d);
	if (k)
		*k = (struct usb_kbd){ 0 };
	d->drv_state = 0;
}

unsigned usb_kbd_number(const struct usb_dev *d)
{
	const struct usb_kbd *k = kbd_of(d);
	return k ? k->number : 0;
}

void usb_kbd_describe(const struct usb_dev *d, char *buf, size_t n)
{
	const struct usb_kbd *k = kbd_of(d);
	if (!k) {
		snprintf(buf, n, "keyboard (detached)");
		return;
	}
	snprintf(buf, n, "keyboard %u%s, LEDs%s%s%s, %llu reports, %llu LED writes (%llu failed)", k->number,
	         k->dead ? " (stopped answering)" : "", k->leds & HID_LED_NUM ? " num" : "",
	         k->leds & HID_LED_CAPS ? " caps" : "", k->leds ? "" : " off", (unsigned long long)k->hid.reports,
	         (unsigned long long)k->led_writes, (unsigned long long)k->led_failures);
}

size_t usb_kbd_read(char *out, size_t cap)
{
	size_t n = 0;
	uint8_t b;
	while (n < cap && ring_get(&typed, &b))
		out[n++] = (char)b;
	return n;
}

unsigned usb_keyboards(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < USB_KBD_MAX; i++)
		n += kbds[i].used && !kbds[i].dead;
	return n;
}

void usb_keyboards_text(char *buf, size_t n)
{
	size_t k = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < USB_KBD_MAX && k < n; i++) {
		if (!kbds[i].used || kbds[i].dead)
			continue;
		char where[64];
		usb_where(kbds[i].dev, where, sizeof(where));
		k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? "; " : "", where);
	}
}
