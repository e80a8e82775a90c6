/*
 * pxhost.c — the kernel's side of pxvm/host.h: process output to the console,
 * time from the TSC, process memory from the kernel heap, log lines to klog,
 * panics, typed input from the interrupt-fed rings (kernel/input.c), idle as
 * HLT, and the display: slots in the VRAM substrate (kernel/vram.c), whose
 * tables are redrawn at its frame rate between quanta. The LLM calls are
 * kernel/bridge.c's.
 */
#include <stdarg.h>
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

void pxhost_output(uint32_t pid, int fd, const char *s, size_t n)
{
	if (fd == 2)
		console_set_color(FB_RGB(255, 120, 120));
	(void)klog_guest_output(pid, s, n, true); /* escaped: docs/isolation.md */
	console_set_color(CONSOLE_DEFAULT_COLOR);
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

void pxhost_poll(void)
{
	input_poll();
	if (input_monitor_requested())
		monitor_enter("hot key (Ctrl-\\)");
	monitor_breakpoint_hits();
	bridge_poll();
	snapshot_poll();
	klog_poll();
	vram_refresh(timer_us(), false);
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

/* pxhost_llm_submit and pxhost_llm_cancel: kernel/bridge.c. */
