/*
 * klog.h — the kernel log and console output.
 *
 * Every log line goes to the serial console (when a UART is present) and to the
 * on-screen console in the kernel region of VRAM (once the substrate is up), as
 *   [    1.234567] INFO  pixelfs: mounted 5 files
 * with the time since the loader started (TSC-based, see drivers/timer.h) and a
 * level. Lines below the level set by the `loglevel=` boot option are dropped.
 */
#ifndef PXOS_KLOG_H
#define PXOS_KLOG_H

#include <stddef.h>

enum klog_level { KLOG_DEBUG = 0, KLOG_INFO = 1, KLOG_WARN = 2, KLOG_ERROR = 3 };

/* klog: one log line from subsystem `sys` (e.g. "pmm"); newline added. */
void klog(enum klog_level level, const char *sys, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define kdebug(sys, ...) klog(KLOG_DEBUG, sys, __VA_ARGS__)
#define kinfo(sys, ...)  klog(KLOG_INFO, sys, __VA_ARGS__)
#define kwarn(sys, ...)  klog(KLOG_WARN, sys, __VA_ARGS__)
#define kerror(sys, ...) klog(KLOG_ERROR, sys, __VA_ARGS__)

/* klog_set_level: drop lines below `level`. */
void klog_set_level(enum klog_level level);

/* kprintf: raw formatted text to the console (no timestamp, no newline added). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* klog_write: raw bytes to every console output (serial and screen). */
void klog_write(const char *s, size_t n);

/* klog_error_count: number of KLOG_ERROR lines so far (the boot's health). */
unsigned klog_error_count(void);

#endif /* PXOS_KLOG_H */
