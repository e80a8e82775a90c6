/*
 * usb_hub.c — USB 2.0 hubs; see usb_hub.h. Requests and bits: USB 2.0
 * §11.24 (Table 11-15 requests, Table 11-17 features, Tables 11-21/11-22
 * port status and change bits).
 */
#include "usb_hub.h"
#include "kernel/klog.h"
#include "kernel/lib.h"

#define RT_IN_CLASS_DEVICE  0xA0
#define RT_IN_CLASS_OTHER   0xA3      /* a port */
#define RT_OUT_CLASS_OTHER  0x23
#define REQ_GET_STATUS      0
#define REQ_CLEAR_FEATURE   1
#define REQ_SET_FEATURE     3
#define REQ_GET_DESCRIPTOR  6

#define PORT_RESET          4
#define PORT_POWER          8
#define C_PORT_CONNECTION   16        /* the change features are C_PORT_* = 16 + change bit */

#define ST_CONNECTION       0x0001
#define ST_ENABLE           0x0002
#define ST_LOW_SPEED        0x0200
#define ST_HIGH_SPEED       0x0400
#define CH_CONNECTION       0x0001
#define CH_RESET            0x0010
#define CH_ALL              0x001F    /* connection, enable, suspend, over-current, reset */

#define HUB_POLL_RESET_MS   10

struct usb_hub {
	bool used;
	struct usb_dev *dev;
	uint8_t nports;                   /* served (<= USB_HUB_PORTS_MAX) */
	uint8_t all_ports;
	uint16_t characteristics;
	uint32_t check;                   /* bit p: port p to be looked at */
	bool dead;
	struct usb_port port[USB_HUB_PORTS_MAX + 1];
};

static struct usb_hub hubs[USB_HUB_MAX];

static struct usb_hub *hub_of(const struct usb_dev *d)
{
	return d->drv == USB_DRV_HUB ? d->drv_state : 0;
}

static int port_feature(struct usb_dev *d, uint8_t req, uint16_t feature, uint8_t port)
{
	return usb_control(d, RT_OUT_CLASS_OTHER, req, feature, port, 0, 0, 0);
}

static int port_status(struct usb_dev *d, uint8_t port, uint16_t *status, uint16_t *change)
{
	uint8_t b[4];
	uint16_t got = 0;
	int r = usb_control(d, RT_IN_CLASS_OTHER, REQ_GET_STATUS, 0, port, b, 4, &got);
	if (!r && got < 4)
		r = XHCI_EINVAL;
	*status = r ? 0 : (uint16_t)(b[0] | b[1] << 8);
	*change = r ? 0 : (uint16_t)(b[2] | b[3] << 8);
	return r;
}

int usb_hub_attach(struct usb_dev *d, const struct usb_config_info *c, const struct usb_iface_info *f,
                   const char **why)
{
	if (d->speed >= XHCI_SPEED_SUPER) {
		*why = "SuperSpeed hub: not driven (USB 2 devices use the hub's USB 2 half)";
		return -1;
	}
	if (d->depth + 1 > USB_HUB_DEPTH_MAX) {
		*why = "hubs chained deeper than USB allows";
		return -1;
	}
	const struct usb_ep_info *ep = usb_desc_find_ep(f, USB_EP_INTR, 1);
	if (!ep) {
		*why = "hub without a status change endpoint";
		return -1;
	}
	struct usb_hub *h = 0;
	for (unsigned i = 0; i < USB_HUB_MAX && !h; i++)
		if (!hubs[i].used)
			h = &hubs[i];
	if (!h) {
		*why = "more hubs than USB_HUB_MAX";
		return -1;
	}
	uint8_t b[71];
	uint16_t got = 0;
	struct usb_hub_info info;
	if (usb_control(d, RT_IN_CLASS_DEVICE, REQ_GET_DESCRIPTOR, USB_DT_HUB << 8, 0, b, sizeof(b), &got) ||
	    usb_desc_hub(b, got, &info, why)) {
		if (!*why)
			*why = "no hub descriptor";
		return -1;
	}
	*h = (struct usb_hub){ .used = true, .dev = d, .all_ports = info.nports,
	                       .characteristics = info.characteristics };
	h->nports = info.nports < USB_HUB_PORTS_MAX ? info.nports : USB_HUB_PORTS_MAX;
	/* One transaction translator (the hub's default, alternate setting 0);
	 * TT think time from wHubCharacteristics bits 6:5. */
	struct xhci_intr_ep e = { .addr = ep->addr, .mps = ep->mps, .interval = ep->interval, .hub = true,
	                          .hub_ports = h->nports,
	                          .hub_ttt = d->speed == XHCI_SPEED_HIGH ? (info.characteristics >> 5) & 3 : 0 };
	if (xhci_intr_open(d->hc, d->slot, &e)) {
		*why = "the controller refused the hub's endpoint (Configure Endpoint)";
		h->used = false;
		return -1;
	}
	if (usb_control(d, 0x00, 9, c->value, 0, 0, 0, 0)) {
		*why = "SET_CONFIGURATION failed";
		h->used = false;
		return -1;
	}
	for (uint8_t p = 1; p <= h->nports; p++)
		(void)port_feature(d, REQ_SET_FEATURE, PORT_POWER, p);
	uint32_t power_ms = info.power_on_ms_2 * 2u;
	usb_delay_ms(power_ms > 100 ? power_ms : 100);
	if (h->all_ports > h->nports)
		kwarn("usb", "hub in slot %u has %u ports: only ports 1-%u are served", d->slot, h->all_ports, h->nports);
	h->check = ((1u << h->nports) - 1) << 1;
	d->drv_state = h;
	if (xhci_intr_start(d->hc, d->slot)) {
		*why = "cannot queue the hub's status change transfers";
		h->used = false;
		d->drv_state = 0;
		return -1;
	}
	return 0;
}

/* check_port: GET_STATUS, acknowledge the changes, attach/detach decisions. */
static void check_port(struct usb_hub *h, uint8_t p, uint64_t now)
{
	uint16_t st, ch;
	if (port_status(h->dev, p, &st, &ch))
		return;
	for (uint16_t bit = 0; bit < 5; bit++)
		if (ch & (1u << bit))
			(void)port_feature(h->dev, REQ_CLEAR_FEATURE, (uint16_t)(C_PORT_CONNECTION + bit), p);
	usb_port_seen(&h->port[p], st & ST_CONNECTION, ch & CH_CONNECTION, now);
}

/* reset_port: SET_FEATURE(PORT_RESET), wait for C_PORT_RESET, the speed. */
static const char *reset_port(struct usb_hub *h, uint8_t p, uint8_t *speed)
{
	if (port_feature(h->dev, REQ_SET_FEATURE, PORT_RESET, p))
		return "SET_FEATURE(PORT_RESET) failed";
	uint16_t st = 0, ch = 0;
	for (unsigned waited = 0; !(ch & CH_RESET); waited += HUB_POLL_RESET_MS) {
		if (waited >= USB_PORT_RESET_TIMEOUT_MS)
			return "port reset did not complete";
		usb_delay_ms(HUB_POLL_RESET_MS);
		if (port_status(h->dev, p, &st, &ch))
			return "GET_STATUS failed";
	}
	(void)port_feature(h->dev, REQ_CLEAR_FEATURE, C_PORT_CONNECTION + 4, p);
	if (!(st & ST_CONNECTION))
		return "the device left during the reset";
	if (!(st & ST_ENABLE))
		return "the port is not enabled after the reset";
	*speed = st & ST_LOW_SPEED ? XHCI_SPEED_LOW : st & ST_HIGH_SPEED ? XHCI_SPEED_HIGH : XHCI_SPEED_FULL;
	return 0;
}

void usb_hub_service(struct usb_dev *d, uint64_t now)
{
	struct usb_hub *h = hub_of(d);
	if (!h || h->dead)
		return;
	uint8_t bits[32];
	int n;
	/* Status change bitmap (USB 2.0 §11.12.4): bit 0 the hub, bit p port p. */
	while ((n = xhci_intr_pop(d->hc, d->slot, bits, sizeof(bits))) >= 0)
		for (int i = 0; i < n && i < 4; i++)
			h->check |= (uint32_t)bits[i] << (8 * i);
	if (n == XHCI_EDEAD) {
		h->dead = true;
		kwarn("usb", "hub in slot %u stopped answering: its ports are no longer watched", d->slot);
		return;
	}
	h->check &= ((1u << h->nports) - 1) << 1;
	while (h->check && d->used && hub_of(d) == h) {
		uint8_t p = (uint8_t)__builtin_ctz(h->check);
		h->check &= ~(1u << p);
		check_port(h, p, now);
	}
	for (uint8_t p = 1; p <= h->nports && d->used && hub_of(d) == h; p++) {
		struct usb_port *port = &h->port[p];
		if (!usb_port_due(port, now))
			continue;
		uint8_t speed = 0;
		const char *why = reset_port(h, p, &speed);
		if (!why) {
			usb_delay_ms(USB_RESET_RECOVERY_MS);
			port->dev = usb_enumerate(d->hc, d, p, speed, port, &why);
		}
		if (!port->dev) {
			usb_port_failed(port, now);
			char where[64];
			usb_where(d, where, sizeof(where));
			kwarn("usb", "%s, hub port %u: device not enumerated: %s", where, p, why);
		}
	}
}

bool usb_hub_busy(const struct usb_dev *d)
{
	const struct usb_hub *h = hub_of(d);
	if (!h || h->dead)
		return false;
	if (h->check)
		return true;
	for (unsigned p = 1; p <= h->nports; p++)
		if (h->port[p].attach_at && !h->port[p].dev && h->port[p].failures < USB_ATTACH_TRIES)
			return true;
	return false;
}

void usb_hub_detach(struct usb_dev *d)
{
	struct usb_hub *h = hub_of(d);
	if (!h)
		return;
	for (unsigned p = 1; p <= h->nports; p++)
		if (h->port[p].dev)
			usb_remove(h->port[p].dev);
	*h = (struct usb_hub){ 0 };
	d->drv_state = 0;
}

void usb_hub_describe(const struct usb_dev *d, char *buf, size_t n)
{
	const struct usb_hub *h = hub_of(d);
	if (!h) {
		snprintf(buf, n, "hub (detached)");
		return;
	}
	unsigned used = 0;
	for (unsigned p = 1; p <= h->nports; p++)
		used += h->port[p].dev != 0;
	snprintf(buf, n, "hub, %u ports (%u in use)%s", h->all_ports, used, h->dead ? ", stopped answering" : "");
}
