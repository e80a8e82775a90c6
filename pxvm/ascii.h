/*
 * ascii.h — printable ASCII, defined once: which bytes are printable, and the
 * copy that shows a byte string with the others replaced. PixelFS paths, the
 * loader's boot.cfg values, the tools' messages and listings all use it.
 *
 * Printable ASCII is 0x20 (space) to 0x7E ('~'): the space and the graphic
 * characters of US-ASCII (ANSI X3.4-1986, ISO/IEC 646 IRV); 0x00..0x1F and
 * 0x7F are control characters, 0x80..0xFF are not ASCII. Header only, with
 * nothing but <stddef.h>, so the kernel, the loader (GNU-EFI), the host tools
 * and the tests include it alike.
 */
#ifndef PXVM_ASCII_H
#define PXVM_ASCII_H

#include <stddef.h>

/* ascii_printable: 1 when byte `c` (0..255) is printable ASCII (0x20..0x7E),
 * else 0. */
static inline int ascii_printable(unsigned int c)
{
	return c >= 0x20 && c <= 0x7E;
}

/* ascii_sanitise: copy the bytes at `src` to `dst` up to the first NUL or
 * `max` bytes, whichever comes first, each byte outside printable ASCII
 * written as `sub`. Writes no NUL; `dst` holds at least `max` bytes. Returns
 * the number of bytes written (0..max). */
static inline size_t ascii_sanitise(char *dst, const void *src, size_t max, char sub)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = 0;

	while (n < max && s[n]) {
		dst[n] = ascii_printable(s[n]) ? (char)s[n] : sub;
		n++;
	}
	return n;
}

#endif /* PXVM_ASCII_H */
