/*
 * fmt.c — the loader's formatter: stb_sprintf from Debian's libstb-dev, built
 * without floating point (the same library the kernel's snprintf uses).
 */
#include "fmt.h"

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

int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	if (n > 0x7FFFFFFF)
		n = 0x7FFFFFFF;
	return fmt_stbsp_vsnprintf(buf, (int)n, fmt, ap);
}

int fmt_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = fmt_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}
