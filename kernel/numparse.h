/*
 * numparse.h — unsigned numbers in text (decimal or 0x-hex), portable: the
 * kernel's monitor and boot options (parse_u64) and the `serial=` option
 * parser (kernel/uartsel_opt.c, also built into its host test) share it.
 */
#ifndef PXOS_NUMPARSE_H
#define PXOS_NUMPARSE_H

#include <stdint.h>

/* parse_u64_prefix: the unsigned number at *p. base 0: decimal, or hex after
 * "0x"/"0X" (strtoull's base 0 without octal, ISO/IEC 9899:2011 §7.22.1.4);
 * base 16: hex digits only, no prefix. The number ends at NUL or at any
 * character of `ends` ("" or NULL: NUL alone). Returns 0 with *out and *p moved
 * past the number; -1 (nothing moved) on another base, no digit, a character that is neither
 * a digit of the base nor an end, or a value above UINT64_MAX. */
int parse_u64_prefix(const char **p, const char *ends, unsigned base, uint64_t *out);

/* parse_u64: the whole string `s` as one number (base 0 above); returns 0 and
 * *out, or -1 (NULL, empty, bad digit, overflow). */
int parse_u64(const char *s, uint64_t *out);

#endif /* PXOS_NUMPARSE_H */
