/*
 * input.h — where typed bytes go: from the keyboard and serial rings (filled
 * by interrupt handlers, kernel/irq.h) to the debug monitor or to the console
 * tty (pxvm/tty.h), in the main loop.
 *
 *   keyboard ring ─► ps2kbd_read (scancodes → bytes) ─────────────► kinput_console
 *   serial ring ──► kinput_serial ─► bridge_rx (kernel/bridge.c keeps the
 *                   bridge's frames; console text goes on) ───────► kinput_console
 *   kinput_console: MONITOR_HOTKEY (Ctrl-\, 0x1C) asks for the debug monitor;
 *                   while the monitor is wanted or open, bytes queue for it;
 *                   otherwise they go to tty_input (line editing, echo, the
 *                   foreground process's stdin).
 */
#ifndef PXOS_INPUT_H
#define PXOS_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* kinput_poll: drain the keyboard and serial rings through kinput_console and
 * kinput_serial. Main loop only (not from interrupt handlers). */
void kinput_poll(void);

/* kinput_serial: `n` bytes received on the serial line. */
void kinput_serial(const uint8_t *b, size_t n);

/* kinput_console: `n` bytes typed on a console (keyboard or serial text). */
void kinput_console(const char *s, size_t n);

/* kinput_monitor_requested: whether the hot key was typed since the last call
 * (the request is cleared). */
bool kinput_monitor_requested(void);

/* kinput_monitor_open: the monitor takes console input from now on
 * (kinput_monitor_getc) until kinput_monitor_close. */
void kinput_monitor_open(void);

/* kinput_monitor_close: console input goes to the tty again; bytes typed
 * ahead for the monitor and not read by it go to the tty too. */
void kinput_monitor_close(void);

/* kinput_monitor_getc: the next byte typed for the monitor, or -1 when none
 * is queued (polls the rings first; never waits). */
int kinput_monitor_getc(void);

/* kinput_stats: bytes delivered to the tty and to the monitor since boot. */
void kinput_stats(uint64_t *to_tty, uint64_t *to_monitor);

#endif /* PXOS_INPUT_H */
