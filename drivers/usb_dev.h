/*
 * usb_dev.h — a USB device as drivers/usb.c enumerated it, and what the
 * class drivers (drivers/usb_hub.c, drivers/usb_kbd.c) use of the core.
 * Kernel only; the rest of the kernel uses drivers/usb.h.
 */
#ifndef PXOS_USB_DEV_H
#define PXOS_USB_DEV_H

#include <stdbool.h>
#include <stdint.h>
#include "drivers/usb_desc.h"
#include "drivers/xhci.h"
#include "drivers/xhci_hw.h"

#define USB_NAME_MAX 40

struct usb_dev;

/* A root port or a hub's downstream port. */
struct usb_port {
	struct usb_dev *dev;     /* the device on it, or NULL */
	uint64_t attach_at;      /* µs: a connection waits to be enumerated then (0: none) */
	uint8_t failures;        /* enumeration attempts that failed since it connected */
};

enum usb_driver { USB_DRV_NONE, USB_DRV_HUB, USB_DRV_KBD };

struct usb_dev {
	bool used;
	struct xhci *hc;
	uint8_t slot;            /* xHCI slot ID: the device's number in listings */
	uint8_t speed;           /* XHCI_SPEED_* */
	uint8_t root_port;       /* the root port its chain starts at */
	uint8_t port;            /* its port on the parent hub (or the root port) */
	uint8_t depth;           /* hubs between it and the root port */
	uint32_t route;          /* xHCI route string */
	uint8_t tt_slot, tt_port;/* the high-speed hub whose transaction translator it uses */
	struct usb_dev *parent;  /* hub, or NULL on a root port */
	struct usb_port *at;     /* the port record that holds it */
	struct usb_device_info info;
	char product[USB_NAME_MAX];
	uint8_t cls, subclass, protocol;   /* the interface a driver took, else the device's */
	enum usb_driver drv;
	const char *note;        /* without a driver: why */
	void *drv_state;         /* struct usb_hub or struct usb_kbd */
};

/* The device table and each controller's root ports (drivers/usb.c). */
struct usb_root {
	struct xhci *hc;
	struct usb_port port[USB_ROOT_PORTS_MAX + 1];
};
extern struct usb_dev usb_devs[USB_DEVICES_MAX];
extern struct usb_root usb_roots[USB_HC_MAX];
extern unsigned usb_nroots;

/* usb_control: a control request to `d` (USB 2.0 §9.3): bmRequestType
 * `type`, bRequest, wValue, wIndex, `len` bytes at `data`; *actual (may be
 * NULL) = bytes moved. Returns 0 or an xhci error (xhci_cc_name). */
int usb_control(struct usb_dev *d, uint8_t type, uint8_t request, uint16_t value, uint16_t index,
                void *data, uint16_t len, uint16_t *actual);

/* usb_enumerate: the device just reset on `port` of hub `parent` (NULL: root
 * port `port` of `hc`), at `speed`: slot, address, descriptors, a driver.
 * Returns it (logged), or NULL with *why (its slot given back). */
struct usb_dev *usb_enumerate(struct xhci *hc, struct usb_dev *parent, uint8_t port, uint8_t speed,
                              struct usb_port *at, const char **why);

/* usb_remove: detach `d`: its driver, everything behind it (a hub), its slot;
 * its port record forgets it. Logged. */
void usb_remove(struct usb_dev *d);

/* usb_port_seen: a port's connection state as just read: schedules an
 * attach USB_DEBOUNCE_MS after `now_us`, or removes the device that left or
 * was replaced (`changed`: a connect change). */
void usb_port_seen(struct usb_port *p, bool connected, bool changed, uint64_t now_us);

/* usb_port_due: whether an attach scheduled on `p` is due at `now_us` (then
 * it is no longer scheduled). */
bool usb_port_due(struct usb_port *p, uint64_t now_us);

/* usb_port_failed: an attach on `p` failed: try again later, a few times. */
void usb_port_failed(struct usb_port *p, uint64_t now_us);

/* usb_where: the path from the controller: "root port 5", "root port 5,
 * hub port 1" (a device on port 1 of the hub on root port 5), ... */
void usb_where(const struct usb_dev *d, char *buf, size_t n);

/* usb_speed_name: "low", "full", "high", "super", "super+". */
const char *usb_speed_name(uint8_t speed);

/* usb_delay_ms: wait `ms` (busy), still reading the controllers' events. */
void usb_delay_ms(uint32_t ms);

/* usb_changed: devices came or went (the status line redraws). */
void usb_changed(void);

#endif /* PXOS_USB_DEV_H */
