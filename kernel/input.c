/*
 * input.c — console input routing; see input.h.
 */
#include "input.h"
#include "irq.h"
#include "bridge.h"
#include "param.h"
#include "ring.h"
#include "drivers/ps2kbd.h"
#include "pxvm/tty.h"

static struct ring monitor_queue;   /* main loop on both sides */
static bool monitor_wanted, monitor_open;
static uint64_t to_tty, to_monitor;

void input_poll(void)
{
	char kb[64];
	uint8_t sb[128];
	size_t n;
	irq_poll_devices();
	while ((n = ps2kbd_read(kb, sizeof(kb))) > 0)
		input_console(kb, n);
	while ((n = irq_serial_read(sb, sizeof(sb))) > 0)
		input_serial(sb, n);
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
	tty_input(s, n);
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
