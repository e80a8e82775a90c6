/*
 * input.c — console input routing and its latency; see input.h.
 */
#include "input.h"
#include "irq.h"
#include "bridge.h"
#include "cpu.h"
#include "klog.h"
#include "param.h"
#include "ring.h"
#include "drivers/ps2kbd.h"
#include "drivers/timer.h"
#include "drivers/usb.h"
#include "lib.h"
#include "pxvm/tty.h"

#define RFLAGS_IF (1u << 9)

static struct ring monitor_queue;   /* main loop on both sides (not an input ring: no stamp) */
static bool monitor_wanted, monitor_open;
static uint64_t to_tty, to_monitor;
static uint64_t batch_us;           /* when the bytes being routed now were typed */
static uint64_t hotkey_us;          /* when the hot key that is being served was typed */
static struct input_latency mon_lat;

/* taken_at: when the input bytes the rings hold now arrived (their oldest
 * one's interrupt, from ring_input_tsc), on timer_us's clock; clears the
 * stamp so the next byte stamps again. Now when nothing is stamped. */
static uint64_t taken_at(void)
{
	uint64_t f = read_rflags();
	cli();
	uint64_t tsc = ring_input_tsc;
	ring_input_tsc = 0;
	if (f & RFLAGS_IF)
		sti();
	uint64_t now_us = timer_us(), now_tsc = rdtsc(), hz = timer_tsc_hz();
	if (!tsc || !hz || tsc > now_tsc)
		return now_us;
	uint64_t ago = (now_tsc - tsc) / hz * 1000000u + (now_tsc - tsc) % hz * 1000000u / hz;
	return ago < now_us ? now_us - ago : 0;
}

static void (*keyboards_hook)(void);
static uint32_t keyboards_seen;          /* keyboards_state() when last looked at */

static uint32_t keyboards_state(void)
{
	return (uint32_t)ps2kbd_keyboard() | usb_generation() << 1;
}

/* keyboards_check: a keyboard came or went: tell the watcher; say so when
 * none is left. */
static void keyboards_check(void)
{
	uint32_t now = keyboards_state();
	if (now == keyboards_seen)
		return;
	if (ps2kbd_keyboard() && !(keyboards_seen & 1))
		kinfo("input", "a PS/2 keyboard appeared (its first byte since boot)");
	keyboards_seen = now;
	if (!ps2kbd_keyboard() && !usb_keyboards())
		kwarn("input", "no keyboard left: type on the serial console, or plug a keyboard in");
	if (keyboards_hook)
		keyboards_hook();
}

void input_poll(void)
{
	char kb[64];
	uint8_t sb[128];
	size_t n;
	irq_poll_devices();
	batch_us = taken_at();   /* before usb_poll: its keys count from the poll that finds them */
	usb_poll();
	while ((n = ps2kbd_read(kb, sizeof(kb))) > 0)
		input_console(kb, n);
	while ((n = usb_kbd_read(kb, sizeof(kb))) > 0)
		input_console(kb, n);
	while ((n = irq_serial_read(sb, sizeof(sb))) > 0)
		input_serial(sb, n);
	if (keyboards_hook)
		keyboards_check();
}

void input_keyboards_short(char *buf, size_t n)
{
	unsigned usb = usb_keyboards();
	if (!ps2kbd_keyboard() && !usb)
		snprintf(buf, n, "NO KEYBOARD (plug one in)");
	else if (usb > 1)
		snprintf(buf, n, "kbd %sUSB x%u", ps2kbd_keyboard() ? "PS/2+" : "", usb);
	else
		snprintf(buf, n, "kbd %s%s", ps2kbd_keyboard() ? "PS/2" : "", usb ? (ps2kbd_keyboard() ? "+USB" : "USB") : "");
}

void input_keyboards_text(char *buf, size_t n)
{
	char where[160];
	usb_keyboards_text(where, sizeof(where));
	if (!ps2kbd_keyboard() && !usb_keyboards())
		snprintf(buf, n, "none found%s", ps2kbd_present() ? " (a PS/2 controller is listening)" : "");
	else
		snprintf(buf, n, "%s%s%s%s%s", ps2kbd_keyboard() ? "PS/2" : "", ps2kbd_keyboard() && usb_keyboards() ? ", " : "",
		         usb_keyboards() ? "USB (" : "", where, usb_keyboards() ? ")" : "");
}

void input_keyboards_report(void)
{
	char text[200];
	if (ps2kbd_keyboard() || usb_keyboards()) {
		input_keyboards_text(text, sizeof(text));
		kinfo("input", "keyboards: %s", text);
		return;
	}
	kwarn("input", "no keyboard found: no PS/2 keyboard answered and no USB keyboard is attached.");
	kwarn("input", "Type on the serial console, or plug in a keyboard: USB%s keyboards work as soon as they are "
	      "plugged in.", ps2kbd_present() ? " and PS/2" : "");
}

void input_keyboards_watch(void (*fn)(void))
{
	keyboards_seen = keyboards_state();
	keyboards_hook = fn;
}

void input_serial(const uint8_t *b, size_t n)
{
	/* The one place serial bytes enter the kernel: the bridge's frame
	 * demultiplexer (kernel/bridge.c) takes its frames out of `b` here and
	 * passes the console text between them on. */
	uint8_t text[129];
	while (n) {
		size_t k = n < 128 ? n : 128;
		size_t m = bridge_rx(b, k, text);
		if (m)
			input_console((const char *)text, m);
		b += k;
		n -= k;
	}
}

static void tty_deliver(const char *s, size_t n)
{
	if (!n)
		return;
	to_tty += n;
	tty_input_at(s, n, batch_us ? batch_us : timer_us());
}

void input_console(const char *s, size_t n)
{
	size_t run = 0;        /* start of bytes not yet handed on */
	for (size_t i = 0; i < n; i++) {
		if (monitor_wanted || monitor_open) {
			if ((uint8_t)s[i] != MONITOR_HOTKEY) {
				ring_put(&monitor_queue, (uint8_t)s[i]); /* full: typed far ahead, dropped */
				to_monitor++;
			}
			run = i + 1;
		} else if ((uint8_t)s[i] == MONITOR_HOTKEY) {
			tty_deliver(s + run, i - run);
			monitor_wanted = true;
			hotkey_us = batch_us ? batch_us : timer_us();
			run = i + 1;
		}
	}
	tty_deliver(s + run, n - run);
}

bool input_monitor_requested(void)
{
	bool w = monitor_wanted;
	monitor_wanted = false;
	return w;
}

void input_monitor_open(void)
{
	monitor_open = true;
	monitor_wanted = false;
}

void input_monitor_prompted(void)
{
	if (!hotkey_us)
		return;
	uint64_t now = timer_us();
	uint64_t us = now > hotkey_us ? now - hotkey_us : 0;
	hotkey_us = 0;
	mon_lat.count++;
	mon_lat.last_us = us;
	if (us > mon_lat.max_us)
		mon_lat.max_us = us;
	if (us > INPUT_LATENCY_MAX_US) {
		mon_lat.over++;
		kwarn("input", "the monitor's prompt came %llu ms after its hot key (more than %u ms)",
		      (unsigned long long)(us / 1000), INPUT_LATENCY_MAX_US / 1000);
	}
}

void input_monitor_latency(struct input_latency *out, bool reset)
{
	*out = mon_lat;
	if (reset)
		mon_lat = (struct input_latency){ 0, 0, 0, 0 };
}

void input_monitor_close(void)
{
	monitor_open = false;
	monitor_wanted = false;
	char buf[64];
	size_t n = 0;
	uint8_t c;
	/* The queue never holds the hot key (it is dropped while the monitor is
	 * open), so handing these bytes on cannot queue them here again. */
	while (ring_get(&monitor_queue, &c)) {
		buf[n++] = (char)c;
		if (n == sizeof(buf)) {
			input_console(buf, n);
			n = 0;
		}
	}
	input_console(buf, n);
}

int input_monitor_getc(void)
{
	uint8_t c;
	if (ring_empty(&monitor_queue))
		input_poll();
	return ring_get(&monitor_queue, &c) ? c : -1;
}

void input_stats(uint64_t *tty, uint64_t *mon)
{
	*tty = to_tty;
	*mon = to_monitor;
}
