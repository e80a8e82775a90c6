/*
 * klog.c — kernel log and console output; see klog.h.
 *
 * Every byte for the consoles passes the output escaper (pxvm/escape.h,
 * docs/isolation.md) and then goes to the serial transmit ring
 * (kernel/serial.h) and to the screen console (kernel/console.h), so nothing
 * but the bridge's own frames (kernel/bridge.c, straight into the ring as
 * units) can start a terminal control sequence on the line.
 */
#include <stdarg.h>
#include "klog.h"
#include "lib.h"
#include "param.h"
#include "console.h"
#include "cpu.h"
#include "serial.h"
#include "drivers/debugcon.h"
#include "drivers/timer.h"
#include "pxvm/escape.h"

#define RFLAGS_IF (1u << 9)
#define CHUNK KLOG_CHUNK

static enum klog_level min_level = KLOG_INFO;
static unsigned errors;

/* Process output: one escaper, owned by the process that wrote last, so a
 * sequence a process splits between two writes is held, not cut or shown. */
static struct escaper guest_esc;
static uint32_t guest_owner;

static const char *const level_names[] = { "DEBUG", "INFO ", "WARN ", "ERROR" };
static const uint32_t level_colors[] = {
	FB_RGB(130, 130, 140), FB_RGB(200, 200, 200), FB_RGB(255, 210, 80), FB_RGB(255, 90, 90),
};

void klog_set_level(enum klog_level level) { min_level = level; }
unsigned klog_error_count(void) { return errors; }

/* emit: escaped bytes to both consoles. With interrupts off (early boot, a
 * panic, a CPU exception) they are on the line and the screen before it
 * returns. A full ring is drained here (bounded: serial_tx_text_wait). */
static void emit(const char *s, size_t n)
{
	if (!n)
		return;
	serial_tx_text_wait(s, n);
	debugcon_write(s, n);
	console_screen_write(s, n);
	if (!(read_rflags() & RFLAGS_IF))
		console_flush();
}

void klog_write(const char *s, size_t n)
{
	struct escaper e;
	char out[ESCAPE_OUT_MAX(CHUNK)];
	escape_init(&e);
	while (n) {
		size_t k = n < CHUNK ? n : CHUNK;
		emit(out, escape_run(&e, s, k, out));
		s += k;
		n -= k;
	}
	emit(out, escape_flush(&e, out));
}

size_t klog_guest_output(uint32_t pid, const char *s, size_t n, bool wait)
{
	char out[ESCAPE_OUT_MAX(CHUNK)];
	if (pid != guest_owner) {
		/* Another writer: what the last one left unfinished is shown as text. */
		emit(out, escape_flush(&guest_esc, out));
		guest_owner = pid;
	}
	size_t done = 0;
	while (done < n) {
		size_t k = n - done < CHUNK ? n - done : CHUNK;
		if (!wait && serial_tx_free() < ESCAPE_OUT_MAX(k))
			break; /* would block: the caller waits with serial_tx_notify */
		emit(out, escape_run(&guest_esc, s + done, k, out));
		done += k;
	}
	return done;
}

size_t klog_guest_room(void)
{
	size_t f = serial_tx_free();
	return f > ESCAPE_FLUSH_MAX ? (f - ESCAPE_FLUSH_MAX) / 4 : 0;
}

void klog_poll(void)
{
	serial_poll();
	console_poll();
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
