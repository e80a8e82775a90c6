/*
 * pxhost.c — the kernel's side of pxvm/host.h: process output to the console,
 * time from the TSC, process memory from the kernel heap, log lines to klog.
 */
#include <stdarg.h>
#include "pxvm/host.h"
#include "pxvm/vm.h"
#include "klog.h"
#include "param.h"
#include "lib.h"
#include "heap.h"
#include "console.h"
#include "drivers/timer.h"
#include "bridge.h"

void pxhost_output(uint32_t pid, int fd, const char *s, size_t n)
{
	(void)pid;
	if (fd == 2)
		console_set_color(FB_RGB(255, 120, 120));
	console_write(s, n);
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

void pxhost_poll(void)
{
	bridge_uart_poll();
	bridge_poll();
}

int pxhost_idle(uint64_t until_us)
{
	(void)until_us;
	if (bridge_busy()) { /* an LLM call's answer (or its timeout) will wake it */
		pxhost_poll();
		return 0;
	}
	return -1; /* nothing else can wake a blocked process yet */
}

/* pxhost_llm_submit and pxhost_llm_cancel: kernel/bridge.c. */
