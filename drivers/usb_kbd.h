/*
 * usb_kbd.h — the USB HID boot keyboard class driver (HID 1.11 §7.2, appendix
 * B): SET_PROTOCOL boot, SET_IDLE 0 (report on change only), the interrupt-IN
 * endpoint's 8-byte reports decoded by drivers/hid_boot.c, key repeat, the
 * Num/Caps Lock LEDs with SET_REPORT. Several keyboards work at once, each
 * with its own lock state. Kernel only.
 */
#ifndef PXOS_USB_KBD_H
#define PXOS_USB_KBD_H

#include <stddef.h>
#include "drivers/usb_dev.h"

/* usb_kbd_attach: take keyboard interface `f` of `d` (configuration `c`).
 * Returns 0, or -1 with *why (no interrupt-IN endpoint, too many keyboards,
 * the controller refused the endpoint). */
int usb_kbd_attach(struct usb_dev *d, const struct usb_config_info *c, const struct usb_iface_info *f,
                   const char **why);

/* usb_kbd_service: reports to bytes, key repeat, LEDs. Main loop (usb_poll). */
void usb_kbd_service(struct usb_dev *d, uint64_t now_us);

/* usb_kbd_detach: forget the keyboard (a held key stops repeating). */
void usb_kbd_detach(struct usb_dev *d);

/* usb_kbd_number: the keyboard's number (1..) in logs and listings. */
unsigned usb_kbd_number(const struct usb_dev *d);

/* usb_kbd_describe: "keyboard 1, LEDs caps, 12 reports". */
void usb_kbd_describe(const struct usb_dev *d, char *buf, size_t n);

#endif /* PXOS_USB_KBD_H */
