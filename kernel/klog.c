/*
 * klog.c — kernel log and console output; see klog.h.
 */
#include <stdarg.h>
#include "klog.h"
#include "lib.h"
#include "param.h"
#include "console.h"
#include "drivers/debugcon.h"
#include "drivers/uart16550.h"
#include "drivers/timer.h"

static enum klog_level min_level = KLOG_INFO;
static unsigned errors;

static const char *const level_names[] = { "DEBUG", "INFO ", "WARN ", "ERROR" };
static const uint32_t level_colors[] = {
	FB_RGB(130, 130, 140), FB_RGB(200, 200, 200), FB_RGB(255, 210, 80), FB_RGB(255, 90, 90),
};

void klog_set_level(enum klog_level level) { min_level = level; }
unsigned klog_error_count(void) { return errors; }

void klog_write(const char *s, size_t n)
{
	uart_write(s, n);
	debugcon_write(s, n);
	console_screen_write(s, n);
}

void kprintf(const char *fmt, ...)
{
	char buf[KLOG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	klog_write(buf, strlen(buf));
}

void klog(enum klog_level level, const char *sys, const char *fmt, ...)
{
	if ((unsigned)level > KLOG_ERROR)
		level = KLOG_ERROR;
	if (level == KLOG_ERROR)
		errors++;
	if (level < min_level)
		return;
	char buf[KLOG_LINE_MAX];
	uint64_t us = timer_us();
	int n = snprintf(buf, sizeof(buf), "[%5llu.%06llu] %s %s: ", (unsigned long long)(us / 1000000),
	                 (unsigned long long)(us % 1000000), level_names[level], sys);
	if (n < 0 || (size_t)n >= sizeof(buf) - 2)
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = strlen(buf);
	buf[len++] = '\n';
	console_set_color(level_colors[level]);
	klog_write(buf, len);
	console_set_color(CONSOLE_DEFAULT_COLOR);
}
