/*
 * fmt.c — the one printf-style formatter of the loader and the kernel:
 * stb_sprintf from Debian's libstb-dev, without floating point (neither has
 * FPU state to spare), C11 semantics (ISO/IEC 9899:2011 §7.21.6.1, §7.21.6.12).
 *
 * The same source builds into both, under the names each one uses: the loader
 * and the host tests get fmt_snprintf/fmt_vsnprintf (boot/fmt.h: the loader
 * links against GNU-EFI, whose names must not clash); the kernel, compiled
 * with PXOS_KERNEL, gets the C library's snprintf/vsnprintf (kernel/lib.h).
 */
#ifdef PXOS_KERNEL
#include "kernel/lib.h"
#define FMT_NAME(name) name
#else
#include "fmt.h"
#define FMT_NAME(name) fmt_##name
#endif

#define STB_SPRINTF_IMPLEMENTATION
#define STB_SPRINTF_NOFLOAT
#define STB_SPRINTF_STATIC
#define STB_SPRINTF_DECORATE(name) fmt_stbsp_##name
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb/stb_sprintf.h>
#pragma GCC diagnostic pop

int FMT_NAME(vsnprintf)(char *buf, size_t n, const char *fmt, va_list ap)
{
	if (n > 0x7FFFFFFF)
		n = 0x7FFFFFFF;
	return fmt_stbsp_vsnprintf(buf, (int)n, fmt, ap);
}

int FMT_NAME(snprintf)(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = FMT_NAME(vsnprintf)(buf, n, fmt, ap);
	va_end(ap);
	return r;
}
