/*
 * lib.h — the small freestanding C library the kernel carries: memory and
 * string functions (ISO C semantics) and snprintf (boot/fmt.c, the loader's
 * formatter compiled under these names: stb_sprintf, no floats).
 * Portable pxOS code (pxvm/, drivers/fb.c) reaches these through <string.h>
 * when hosted and through this header when built into the kernel.
 */
#ifndef PXOS_KLIB_H
#define PXOS_KLIB_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
int abs(int v);

/* snprintf / vsnprintf (boot/fmt.c): C11 semantics (ISO/IEC 9899:2011 §7.21.6.5,
 * always NUL-terminates when n > 0, returns the length the full output would
 * have); %f and friends are not supported. */
int snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

/* parse_u64 (decimal or 0x-hex text to a number): kernel/numparse.h, portable. */
#include "kernel/numparse.h"

#endif /* PXOS_KLIB_H */
