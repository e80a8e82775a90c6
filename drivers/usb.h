/*
 * usb.h — USB for the rest of the kernel: find the xHCI controllers, keep
 * their devices enumerated (hot-plug included), and hand typed bytes from
 * USB keyboards to the console input path (kernel/input.c).
 *
 * Kernel only. The pieces: drivers/xhci*.c (host controller), drivers/usb.c
 * (devices, root ports, this API), drivers/usb_hub.c (USB 2.0 hubs),
 * drivers/usb_kbd.c (HID boot keyboards, decoding in drivers/hid_boot.c).
 * Only xHCI is driven: EHCI, OHCI and UHCI controllers are left to the
 * firmware (see docs/architecture.md "USB").
 */
#ifndef PXOS_USB_H
#define PXOS_USB_H

#include <stddef.h>
#include <stdint.h>

/* usb_init: start every xHCI controller PCI enumeration found (class
 * 0C/03/30; after pci_init) and enumerate what is plugged in, hubs and the
 * devices behind them included; logs each controller and device. Call it
 * before the PS/2 controller is set up: taking an xHCI from the BIOS ends
 * its emulated PS/2 keyboard. The boot option usb=off skips it. */
void usb_init(void);

/* usb_poll: read the controllers' events; attach and detach devices whose
 * ports changed (after the debounce time); move keyboard reports to bytes;
 * repeat held keys; set keyboard LEDs. Main loop only (kernel/input.c's
 * input_poll); re-entry is ignored. Enumerating a newly plugged device runs
 * here and takes a few ms to about 100 ms (port reset, descriptors). */
void usb_poll(void);

/* usb_kbd_read: up to `cap` bytes typed on USB keyboards (the bytes kbdmap
 * gives for PS/2 keys); returns how many. */
size_t usb_kbd_read(char *out, size_t cap);

/* usb_keyboards: how many USB keyboards are attached and working. */
unsigned usb_keyboards(void);

/* usb_keyboards_text: where they are, e.g. "root port 2; root port 5, hub port 3". */
void usb_keyboards_text(char *buf, size_t n);

/* usb_generation: a counter that changes whenever a USB device is attached
 * or detached (for the status line). */
uint32_t usb_generation(void);

/* usb_monitor_cmd: the monitor's `usb` command: controllers, root ports,
 * devices (VID:PID, class, tier, where, speed, driver). */
void usb_monitor_cmd(int argc, char **argv);

/* usb_hwinfo: the `hwinfo` report's USB lines ("usb: ..."): each controller,
 * each device (where, VID:PID, speed, class, tier, slot, product, driver),
 * the counts (kernel/hwinfo.c registers it). */
void usb_hwinfo(void);

#endif /* PXOS_USB_H */
