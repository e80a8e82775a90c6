/*
 * usb_desc.c — descriptor parsing with untrusted lengths; see usb_desc.h.
 */
#include "usb_desc.h"

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

int usb_desc_device_head(const uint8_t *b, size_t n, uint8_t *mps0)
{
	if (n < 8 || b[0] < 8 || b[1] != USB_DT_DEVICE)
		return -1;
	*mps0 = b[7];
	return 0;
}

int usb_desc_device(const uint8_t *b, size_t n, struct usb_device_info *d, const char **why)
{
	*d = (struct usb_device_info){ 0 };
	if (n < 18) {
		*why = "device descriptor shorter than 18 bytes";
		return -1;
	}
	if (b[0] < 18 || b[1] != USB_DT_DEVICE) {
		*why = "not a device descriptor (bLength or bDescriptorType wrong)";
		return -1;
	}
	d->bcd_usb = le16(b + 2);
	d->cls = b[4];
	d->subclass = b[5];
	d->protocol = b[6];
	d->mps0 = b[7];
	d->vid = le16(b + 8);
	d->pid = le16(b + 10);
	d->bcd_device = le16(b + 12);
	d->iproduct = b[15];
	d->nconfigs = b[17];
	return 0;
}

int usb_desc_config(const uint8_t *b, size_t n, struct usb_config_info *c, const char **why)
{
	*c = (struct usb_config_info){ 0 };
	if (n < 9 || b[0] < 9 || b[1] != USB_DT_CONFIG) {
		*why = "not a configuration descriptor (too short, or bLength/bDescriptorType wrong)";
		return -1;
	}
	c->total = le16(b + 2);
	c->value = b[5];
	c->attributes = b[7];
	c->max_power = b[8];
	if (c->total < n)
		n = c->total;              /* bytes past wTotalLength are not ours */
	if (n < 9) {
		*why = "wTotalLength is smaller than the configuration descriptor";
		return -1;
	}
	struct usb_iface_info *cur = 0;   /* interface whose endpoints follow, or 0: skip them */
	for (size_t off = b[0]; off < n;) {
		size_t left = n - off;
		if (left < 2) {
			*why = "a descriptor is cut off after its first byte";
			return -1;
		}
		uint8_t len = b[off], type = b[off + 1];
		if (len < 2) {
			*why = "a descriptor has bLength below 2";
			return -1;
		}
		if (len > left) {
			*why = "a descriptor's bLength runs past the end of the data";
			return -1;
		}
		const uint8_t *d = b + off;
		if (type == USB_DT_INTERFACE) {
			if (len < 9) {
				*why = "an interface descriptor is shorter than 9 bytes";
				return -1;
			}
			cur = 0;
			if (d[3] != 0) {
				/* alternate setting: not used; its endpoints are skipped */
			} else if (c->niface >= USB_DESC_IFACES_MAX) {
				c->dropped++;
			} else {
				cur = &c->iface[c->niface++];
				cur->number = d[2];
				cur->cls = d[5];
				cur->subclass = d[6];
				cur->protocol = d[7];
			}
		} else if (type == USB_DT_ENDPOINT) {
			if (len < 7) {
				*why = "an endpoint descriptor is shorter than 7 bytes";
				return -1;
			}
			if (cur && cur->nep < USB_DESC_EPS_MAX) {
				struct usb_ep_info *e = &cur->ep[cur->nep++];
				uint16_t mps = le16(d + 4);
				e->addr = d[2];
				e->type = d[3] & 3;
				e->mps = mps & 0x7FF;
				e->mult = (uint8_t)((mps >> 11) & 3);
				e->interval = d[6];
			} else if (cur) {
				c->dropped++;
			}
		}
		off += len;
	}
	return 0;
}

int usb_desc_hub(const uint8_t *b, size_t n, struct usb_hub_info *h, const char **why)
{
	*h = (struct usb_hub_info){ 0 };
	if (n < 7 || b[0] < 7) {
		*why = "hub descriptor shorter than 7 bytes";
		return -1;
	}
	if (b[1] != USB_DT_HUB && b[1] != USB_DT_SS_HUB) {
		*why = "not a hub descriptor";
		return -1;
	}
	h->nports = b[2];
	h->characteristics = le16(b + 3);
	h->power_on_ms_2 = b[5];
	return 0;
}

int usb_desc_string(const uint8_t *b, size_t n, char *out, size_t cap)
{
	out[0] = '\0';
	if (n < 2 || b[0] < 2 || b[1] != USB_DT_STRING)
		return -1;
	size_t len = b[0] < n ? b[0] : n;
	size_t k = 0;
	for (size_t i = 2; i + 1 < len && k + 1 < cap; i += 2) {
		uint16_t ch = le16(b + i);
		out[k++] = ch >= 0x20 && ch < 0x7F ? (char)ch : '?';
	}
	out[k] = '\0';
	return (int)k;
}

const struct usb_iface_info *usb_desc_find(const struct usb_config_info *c, int cls, int sub, int proto)
{
	for (unsigned i = 0; i < c->niface; i++) {
		const struct usb_iface_info *f = &c->iface[i];
		if (f->cls == cls && (sub < 0 || f->subclass == sub) && (proto < 0 || f->protocol == proto))
			return f;
	}
	return 0;
}

const struct usb_ep_info *usb_desc_find_ep(const struct usb_iface_info *i, uint8_t type, int in)
{
	for (unsigned k = 0; k < i->nep; k++) {
		const struct usb_ep_info *e = &i->ep[k];
		if (e->type == type && !(e->addr & USB_EP_IN) == !in && (e->addr & 0x0F) && e->mps)
			return e;
	}
	return 0;
}
