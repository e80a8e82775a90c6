/*
 * usb_desc.h — USB descriptors as a device sends them, checked and parsed
 * (USB 2.0 spec ch. 9.6, USB 3.2 §9.6; hub: USB 2.0 §11.23.2.1; HID 1.11
 * §4.1-4.3). Portable (kernel and host unit tests).
 *
 * A device is untrusted input: every length field is checked against the
 * bytes actually received, a descriptor whose bLength is below its minimum or
 * runs past the end is an error (the walk stops; nothing is read out of
 * bounds), and every count is clamped to the tables below.
 */
#ifndef PXOS_USB_DESC_H
#define PXOS_USB_DESC_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/param.h"

/* Descriptor types (USB 2.0 Table 9-5, HID 1.11 §7.1, USB 2.0 §11.23.2.1). */
#define USB_DT_DEVICE        1
#define USB_DT_CONFIG        2
#define USB_DT_STRING        3
#define USB_DT_INTERFACE     4
#define USB_DT_ENDPOINT      5
#define USB_DT_HID           0x21
#define USB_DT_HUB           0x29
#define USB_DT_SS_HUB        0x2A

/* Class codes (usb.org "Defined Class Codes"). */
#define USB_CLASS_HID        0x03
#define USB_CLASS_STORAGE    0x08
#define USB_CLASS_HUB        0x09
#define USB_HID_SUBCLASS_BOOT 1
#define USB_HID_PROTO_KEYBOARD 1
#define USB_HID_PROTO_MOUSE  2

/* Endpoint attributes bits 1:0 (USB 2.0 Table 9-13). */
#define USB_EP_CONTROL 0
#define USB_EP_ISOCH   1
#define USB_EP_BULK    2
#define USB_EP_INTR    3
#define USB_EP_IN      0x80     /* bEndpointAddress bit 7 */

struct usb_device_info {
	uint16_t bcd_usb, vid, pid, bcd_device;
	uint8_t cls, subclass, protocol;
	uint8_t mps0;                /* bMaxPacketSize0 as sent (SuperSpeed: an exponent) */
	uint8_t iproduct, nconfigs;
};

struct usb_ep_info {
	uint8_t addr;                /* bEndpointAddress: number | USB_EP_IN */
	uint8_t type;                /* USB_EP_* */
	uint8_t interval;            /* bInterval */
	uint16_t mps;                /* wMaxPacketSize bits 10:0 */
	uint8_t mult;                /* bits 12:11: extra transactions per microframe */
};

struct usb_iface_info {
	uint8_t number, cls, subclass, protocol;
	uint8_t nep;                 /* endpoints kept (<= USB_DESC_EPS_MAX) */
	struct usb_ep_info ep[USB_DESC_EPS_MAX];
};

struct usb_config_info {
	uint16_t total;              /* wTotalLength */
	uint8_t value;               /* bConfigurationValue (for SET_CONFIGURATION) */
	uint8_t attributes, max_power;
	uint8_t niface;              /* interfaces kept (alternate setting 0 only) */
	uint8_t dropped;             /* interfaces or endpoints past the tables */
	struct usb_iface_info iface[USB_DESC_IFACES_MAX];
};

struct usb_hub_info {
	uint8_t nports;              /* bNbrPorts */
	uint16_t characteristics;    /* wHubCharacteristics */
	uint8_t power_on_ms_2;       /* bPwrOn2PwrGood, in 2 ms units */
};

/* usb_desc_device_head: from the first `n` bytes of a device descriptor (at
 * least 8, the first read a host makes, USB 2.0 §9.1.2) the endpoint 0 max
 * packet field bMaxPacketSize0 into *mps0. Returns 0, or -1 when `n` < 8,
 * bLength < 8 or the type is not DEVICE. */
int usb_desc_device_head(const uint8_t *b, size_t n, uint8_t *mps0);

/* usb_desc_device: the whole device descriptor (USB 2.0 Table 9-8, 18 bytes)
 * into *d. Returns 0, or -1 (with *why set) when fewer than 18 bytes came,
 * bLength < 18 or the type is wrong. */
int usb_desc_device(const uint8_t *b, size_t n, struct usb_device_info *d, const char **why);

/* usb_desc_config: a configuration descriptor and what follows it (`n` bytes
 * received; wTotalLength may say more, only `n` are read) into *c: its
 * interfaces at alternate setting 0 with their endpoints. Other descriptors
 * (HID, SuperSpeed companion, class-specific, alternate settings) are
 * skipped by their bLength. Returns 0, or -1 with *why when the first
 * descriptor is not a CONFIG of at least 9 bytes, a bLength is below 2 or
 * runs past the bytes received, or an INTERFACE (< 9) or ENDPOINT (< 7)
 * descriptor is too short. */
int usb_desc_config(const uint8_t *b, size_t n, struct usb_config_info *c, const char **why);

/* usb_desc_hub: a hub class descriptor (type 0x29, USB 2.0 Table 11-13;
 * 0x2A SuperSpeed, USB 3.2 Table 10-3) into *h. Returns 0, or -1 with *why
 * when fewer than 7 bytes came, bLength < 7 or the type is neither. */
int usb_desc_hub(const uint8_t *b, size_t n, struct usb_hub_info *h, const char **why);

/* usb_desc_string: a string descriptor (USB 2.0 §9.6.7, UTF-16LE) to
 * printable ASCII in out[0..cap) (NUL-terminated; other characters become
 * '?'; cap >= 1). Returns the characters written, or -1 when the bytes are
 * not a string descriptor (then out is ""). */
int usb_desc_string(const uint8_t *b, size_t n, char *out, size_t cap);

/* usb_desc_find: the first interface in `c` with class `cls`, subclass `sub`
 * and protocol `proto` (-1: any), or NULL. */
const struct usb_iface_info *usb_desc_find(const struct usb_config_info *c, int cls, int sub, int proto);

/* usb_desc_find_ep: the first endpoint of `i` of type `type` whose direction
 * is IN when `in`, with a non-zero number and max packet size, or NULL. */
const struct usb_ep_info *usb_desc_find_ep(const struct usb_iface_info *i, uint8_t type, int in);

#endif /* PXOS_USB_DESC_H */
