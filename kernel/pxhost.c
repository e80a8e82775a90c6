/*
 * pxhost.c — the kernel's side of pxvm/host.h: process output to the console,
 * time from the TSC, process memory from the kernel heap, log lines to klog,
 * panics, typed input from the interrupt-fed rings (kernel/input.c), idle as
 * HLT, and the display: slots in the VRAM substrate (kernel/vram.c), whose
 * tables are redrawn at its frame rate between quanta. The LLM calls are
 * kernel/bridge.c's.
 */
#include <stdarg.h>
#include "pxhost.h"
#include "pxvm/host.h"
#include "pxvm/vm.h"
#include "klog.h"
#include "param.h"
#include "lib.h"
#include "heap.h"
#include "console.h"
#include "input.h"
#include "irq.h"
#include "monitor.h"
#include "drivers/timer.h"
#include "bridge.h"
#include "snapshot.h"
#include "panic.h"
#include "vram.h"
#include "serial.h"
#include "pxvm/escape.h"
#include "pxvm/tty.h"

/* Process output that found the serial line full: a wake-up is registered
 * with the transmit ring (serial_tx_notify) and pxhost_poll resumes the
 * writers (tty_output_ready) once it has fired, between quanta, never while
 * the monitor holds the processes. */
static volatile bool output_asked, output_ready;

enum poll_part { POLL_INPUT, POLL_BRIDGE, POLL_CONSOLE, POLL_OUTPUT, POLL_TABLES, POLL_PARTS };

size_t pxhost_output(uint32_t pid, int fd, const char *s, size_t n)
{
	if (fd == 2)
		console_set_color(FB_RGB(255, 120, 120));
	/* escaped: docs/isolation.md; the echo (pid 0) is taken whole */
	size_t took = klog_guest_output(pid, s, n, pid == 0);
	console_set_color(CONSOLE_DEFAULT_COLOR);
	return pid ? took : n;
}

static void output_room(void *arg)
{
	(void)arg;
	output_asked = false;
	output_ready = true;
}

void pxhost_output_wait(void)
{
	if (output_asked)
		return;
	size_t need = ESCAPE_OUT_MAX(KLOG_CHUNK) + klog_backlog();
	if (need > SERIAL_TX_RING)
		need = SERIAL_TX_RING;
	/* No free wake-up slot (the bridge holds some): pxhost_poll retries. */
	output_asked = serial_tx_notify(need, output_room, 0) == 0;
	output_ready = !output_asked;
}

uint64_t pxhost_time_us(void) { return timer_us(); }

uint32_t *pxhost_mem_alloc(void) { return kmalloc(PXVM_MEM_ALLOC_WORDS * sizeof(uint32_t)); }

void pxhost_mem_free(uint32_t *mem) { kfree(mem); }

void pxhost_log(int level, const char *fmt, ...)
{
	char buf[KLOG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	klog((enum klog_level)level, "sched", "%s", buf);
}

void pxhost_panic(const char *why) { panic("%s", why); }

/* The longest each part of pxhost_poll took, us (monitor `latency`): what
 * the kernel does between two quanta bounds how late input is taken. */
static uint64_t poll_max[POLL_PARTS];
static const char *const poll_names[POLL_PARTS] = { "input", "bridge", "console", "output", "tables" };

static void poll_part(enum poll_part part, uint64_t *t)
{
	uint64_t now = timer_us();
	if (now - *t > poll_max[part])
		poll_max[part] = now - *t;
	*t = now;
}

void pxhost_poll_report(bool reset)
{
	kprintf("between quanta, the longest: ");
	for (int i = 0; i < POLL_PARTS; i++)
		kprintf("%s %llu us%s", poll_names[i], (unsigned long long)poll_max[i], i + 1 < POLL_PARTS ? ", " : "\n");
	if (reset)
		memset(poll_max, 0, sizeof(poll_max));
}

void pxhost_poll(void)
{
	uint64_t t = timer_us();
	input_poll();
	if (input_monitor_requested()) {
		monitor_enter("hot key (Ctrl-\\)");
		t = timer_us();
	}
	monitor_breakpoint_hits();
	poll_part(POLL_INPUT, &t);
	bridge_poll();
	snapshot_poll();
	poll_part(POLL_BRIDGE, &t);
	klog_poll();
	poll_part(POLL_CONSOLE, &t);
	if (output_ready) {
		output_ready = false;
		tty_output_ready();
	}
	poll_part(POLL_OUTPUT, &t);
	vram_refresh(timer_us(), false);
	poll_part(POLL_TABLES, &t);
}

int pxhost_snapshot(uint32_t pid) { return snapshot_request(pid); }

void pxhost_show_tile(uint32_t slot, const uint32_t *words, const uint64_t rows[2])
{
	vram_tile_flush(slot, words, rows);
}

void pxhost_show_canvas(uint32_t slot, const uint32_t *words, const uint64_t rows[2])
{
	vram_canvas_flush(slot, words, rows);
}

int pxhost_idle(uint64_t until_us)
{
	/* The PIT tick wakes the CPU every 1/TICK_HZ s, so a deadline is noticed
	 * at most one tick late; input and every other interrupt wake it sooner. */
	if (!until_us || pxhost_time_us() < until_us)
		irq_idle();
	return 0;
}

size_t pxhost_klog_read(uint32_t from, char *dst, size_t len, uint32_t *next)
{
	return klog_read(from, dst, len, next);
}

/* pxhost_llm_submit and pxhost_llm_cancel: kernel/bridge.c. */
