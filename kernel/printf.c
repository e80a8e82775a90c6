/*
 * printf.c — snprintf for the kernel, from stb_sprintf (Debian libstb-dev),
 * without floating point (the kernel has no FPU state).
 */
#include "lib.h"

#define STB_SPRINTF_IMPLEMENTATION
#define STB_SPRINTF_NOFLOAT
#define STB_SPRINTF_STATIC
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb/stb_sprintf.h>
#pragma GCC diagnostic pop

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	if (n > 0x7FFFFFFF)
		n = 0x7FFFFFFF;
	return stbsp_vsnprintf(buf, (int)n, fmt, ap);
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}
