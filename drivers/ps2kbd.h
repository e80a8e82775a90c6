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

/* ps2kbd_init: bring up the controller forgivingly (Linux's i8042 on x86
 * does the same): disable both ports, flush, read the configuration byte
 * (retried), set port 1 on with translation, port 2 off; no controller
 * self-test, no port test, no keyboard reset, which firmware-emulated
 * controllers and KVM switches miss. Then enable scanning (0xF4, retried on
 * 0xFE and silence) and turn IRQ 1 on. Every wait is bounded (a missing
 * controller reads 0xFF). Returns true when the controller works (IRQ 1 is
 * then to be unmasked), whether or not a keyboard answered: a keyboard
 * plugged in later is seen by its first byte. `why` gets the reason for
 * false, or why no keyboard answered. Call with interrupts off. */
bool ps2kbd_init(const char **why);

/* ps2kbd_present: whether the controller works (ps2kbd_init returned true). */
bool ps2kbd_present(void);

/* ps2kbd_keyboard: whether a keyboard answered at init, or has sent a byte
 * since that ps2kbd_read took (kernel/input.c then says it appeared). */
bool ps2kbd_keyboard(void);

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
