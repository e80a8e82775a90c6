/*
 * fmt.h — the loader's printf-style formatter (no libc, no EFI), shared by the
 * loader's reporting and its host-tested parsers. It is stb_sprintf (Debian's
 * libstb-dev) without floating point; boot/fmt.c is also the kernel's snprintf
 * (kernel/lib.h), the same source under the C names: C11 fprintf semantics
 * (ISO/IEC 9899:2011 §7.21.6.1) for %% %c %s %d %i %u %x %X %p, flags, widths,
 * precisions and the l ll z j modifiers the loader uses.
 */
#ifndef PXOS_BOOT_FMT_H
#define PXOS_BOOT_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* fmt_vsnprintf: format `fmt` with `ap` into `buf` of `n` bytes. Always
 * NUL-terminates when n > 0; returns the length the complete output would have
 * (C11 vsnprintf), so a result >= n means the text was cut. */
int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

/* fmt_snprintf: fmt_vsnprintf with a variable argument list. */
int fmt_snprintf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* PXOS_BOOT_FMT_H */
