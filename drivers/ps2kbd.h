/*
 * ps2kbd.h — the PS/2 keyboard behind an i8042-compatible controller
 * (IBM PC/AT technical reference; the "8042" conventions every PC chipset and
 * USB legacy emulation follow): data port 0x60, status/command port 0x64,
 * keyboard on IRQ 1.
 *
 * The controller keeps scancode translation on, so the keyboard's default
 * set 2 arrives as set 1; drivers/kbdmap.h turns set 1 into bytes. The IRQ
 * handler only moves scancodes from the controller into a ring; decoding runs
 * in the main loop (ps2kbd_read).
 */
#ifndef PXOS_PS2KBD_H
#define PXOS_PS2KBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PS2KBD_IRQ 1

/* ps2kbd_init: disable both ports, flush, controller self-test (0xAA → 0x55),
 * port 1 interface test (0xAB → 0x00), enable port 1, reset the keyboard
 * (0xFF → 0xFA, 0xAA), enable scanning (0xF4), then turn on port 1's IRQ and
 * translation in the configuration byte. Every wait is bounded (a missing
 * controller reads 0xFF and times out). Returns true when a keyboard answered;
 * `why` gets a reason otherwise. Call with interrupts off, before unmasking
 * IRQ 1. */
bool ps2kbd_init(const char **why);

/* ps2kbd_present: whether ps2kbd_init succeeded. */
bool ps2kbd_present(void);

/* ps2kbd_irq: the IRQ 1 handler's work: read every scancode the controller
 * holds into the ring (dropping them when the ring is full). Interrupt
 * context; touches nothing else. */
void ps2kbd_irq(void);

/* ps2kbd_read: decode queued scancodes into at most `cap` bytes (cap >=
 * KBDMAP_OUT_MAX) at `out`; returns how many. Main loop only. */
size_t ps2kbd_read(char *out, size_t cap);

/* ps2kbd_pending: whether scancodes wait in the ring. */
bool ps2kbd_pending(void);

/* ps2kbd_stats: scancodes received and dropped (ring full) since boot. */
void ps2kbd_stats(uint64_t *received, uint64_t *dropped);

#endif /* PXOS_PS2KBD_H */
