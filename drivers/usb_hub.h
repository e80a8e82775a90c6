/*
 * usb_hub.h — the USB 2.0 hub class driver (USB 2.0 ch. 11): hub descriptor,
 * port power, port reset through the hub, the status change endpoint, and
 * the devices behind the hub (their route strings and transaction
 * translators, xHCI 1.2 §4.3.3, §8.9). Kernel only.
 *
 * A SuperSpeed hub (the USB 3 half of a USB 3 hub, which has its own
 * descriptor type and hub depth) is not driven: keyboards and other USB 2
 * devices behind such a hub sit on its USB 2 half, which is.
 */
#ifndef PXOS_USB_HUB_H
#define PXOS_USB_HUB_H

#include "drivers/usb_dev.h"

/* usb_hub_attach: take hub `d` (configuration `c`, hub interface `f`): hub
 * descriptor, Configure Endpoint with the slot's hub fields, SET_CONFIGURATION,
 * power every port, wait for power good, then look at every port on the next
 * usb_hub_service. Returns 0, or -1 with *why. */
int usb_hub_attach(struct usb_dev *d, const struct usb_config_info *c, const struct usb_iface_info *f,
                   const char **why);

/* usb_hub_service: read the status change endpoint, check the ports that
 * changed (GET_STATUS, clear the change bits), remove what left, reset and
 * enumerate what connected (after debounce). Main loop (usb_poll). */
void usb_hub_service(struct usb_dev *d, uint64_t now_us);

/* usb_hub_busy: whether a port of the hub waits to be looked at or enumerated. */
bool usb_hub_busy(const struct usb_dev *d);

/* usb_hub_detach: remove every device behind the hub and free its state. */
void usb_hub_detach(struct usb_dev *d);

/* usb_hub_describe: "hub, 8 ports (3 in use)". */
void usb_hub_describe(const struct usb_dev *d, char *buf, size_t n);

#endif /* PXOS_USB_HUB_H */
