/*
 * hwinfo.h — the hardware report: `hwinfo` in the monitor prints one or more
 * lines from each subsystem that registered a provider, in registration
 * order, so a user can photograph the screen or copy it from serial to
 * diagnose a PC (issue 10 item 9).
 *
 * Adding a subsystem: call hwinfo_add("usb", usb_hwinfo) once from its init
 * (or, for a layer below kernel/hwinfo, from hwinfo_init);
 * the provider prints its lines with kprintf, each starting "topic: ...".
 * hwinfo_init registers the basic topics (cpu, memory, acpi, screen, pci,
 * clock, console, timer, interrupts, usb). A subsystem below the platform layer
 * (tests/layers.txt) exports its provider and hwinfo_init registers it.
 */
#ifndef PXOS_HWINFO_H
#define PXOS_HWINFO_H

#include "boot/bootinfo.h"

typedef void (*hwinfo_fn)(void);

/* hwinfo_init: keep what the report needs from the boot info (memory map
 * size, framebuffer) and register the basic topics. Call after pmm_init. */
void hwinfo_init(const struct pxos_bootinfo *bi);

/* hwinfo_add: register provider `fn` under `topic` (a static string). Returns
 * 0, or -1 when HWINFO_MAX providers are registered already (logged). */
int hwinfo_add(const char *topic, hwinfo_fn fn);

/* hwinfo_print: the whole report, with kprintf (monitor command `hwinfo`). */
void hwinfo_print(void);

#endif /* PXOS_HWINFO_H */
