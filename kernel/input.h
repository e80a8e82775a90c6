/*
 * input.h — where typed bytes go: from the keyboard and serial rings (filled
 * by interrupt handlers, kernel/irq.h) to the debug monitor or to the console
 * tty (pxvm/tty.h), in the main loop.
 *
 *   keyboard ring ─► ps2kbd_read (scancodes → bytes) ─────────────► input_console
 *   usb_poll (xHCI events, HID reports → bytes) ─► usb_kbd_read ─► input_console
 *   serial ring ──► input_serial ─► bridge_rx (kernel/bridge.c keeps the
 *                   bridge's frames; console text goes on) ───────► input_console
 *   The bytes of each poll carry the time the first of them arrived (the
 *   TSC stamp an interrupt left in ring_input_tsc), for the latency logs.
 *   input_console: MONITOR_HOTKEY (Ctrl-\, 0x1C) asks for the debug monitor;
 *                   while the monitor is wanted or open, bytes queue for it;
 *                   otherwise they go to tty_input (line editing, echo, the
 *                   foreground process's stdin).
 */
#ifndef PXOS_INPUT_H
#define PXOS_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* input_poll: poll USB, then drain the keyboard (PS/2 and USB) and serial
 * rings through input_console and input_serial. Main loop only (not from
 * interrupt handlers). */
void input_poll(void);

/* input_keyboards_short: the status line's keyboard field: "kbd PS/2",
 * "kbd USB", "kbd PS/2+USB", "kbd USB x2", or "NO KEYBOARD (plug one in)". */
void input_keyboards_short(char *buf, size_t n);

/* input_keyboards_text: the keyboards in words: "PS/2", "USB (root port
 * 5; root port 2, hub port 1)", "PS/2, USB (...)", or "none found" (with a
 * note when a PS/2 controller listens for one). */
void input_keyboards_text(char *buf, size_t n);

/* input_keyboards_report: log which keyboards the boot found (PS/2; USB with
 * where each is); with none, say so in words on the console (screen and
 * serial) and what to do. */
void input_keyboards_report(void);

/* input_keyboards_watch: call `fn` from input_poll whenever a keyboard comes
 * or goes (the status line redraws); when the last one goes, log it. */
void input_keyboards_watch(void (*fn)(void));

/* input_serial: `n` bytes received on the serial line. */
void input_serial(const uint8_t *b, size_t n);

/* input_console: `n` bytes typed on a console (keyboard or serial text). */
void input_console(const char *s, size_t n);

/* input_monitor_requested: whether the hot key was typed since the last call
 * (the request is cleared). */
bool input_monitor_requested(void);

/* input_monitor_open: the monitor takes console input from now on
 * (input_monitor_getc) until input_monitor_close. */
void input_monitor_open(void);

/* input_monitor_close: console input goes to the tty again; bytes typed
 * ahead for the monitor and not read by it go to the tty too. */
void input_monitor_close(void);

/* input_monitor_getc: the next byte typed for the monitor, or -1 when none
 * is queued (polls the rings first; never waits). */
int input_monitor_getc(void);

/* input_stats: bytes delivered to the tty and to the monitor since boot. */
void input_stats(uint64_t *to_tty, uint64_t *to_monitor);

/* The hot key's latency: from the interrupt that brought Ctrl-\ (the TSC
 * stamp of kernel/ring.h) to the monitor's prompt. Input typed for processes
 * is logged by pxvm/tty.h (struct tty_latency), with the same stamps. */
struct input_latency {
	uint64_t count;          /* prompts after a hot key */
	uint64_t max_us, last_us;
	uint64_t over;           /* later than INPUT_LATENCY_MAX_US (also logged) */
};

/* input_monitor_prompted: the monitor printed its first prompt (records the
 * time since the hot key that opened it, if one did). */
void input_monitor_prompted(void);

/* input_monitor_latency: the hot key's latency log into *out; `reset`
 * empties it afterwards. */
void input_monitor_latency(struct input_latency *out, bool reset);

#endif /* PXOS_INPUT_H */
