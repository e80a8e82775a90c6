/*
 * numparse.c — unsigned numbers in text, portable; see numparse.h.
 */
#include "numparse.h"
#include "pxvm/port.h"

int parse_u64_prefix(const char **p, const char *ends, unsigned base, uint64_t *out)
{
	const char *s = *p;
	if (base != 0 && base != 16)
		return -1;
	if (base == 0) {
		base = 10;
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
			base = 16;
			s += 2;
		}
	}
	if (!ends)
		ends = "";
	uint64_t v = 0;
	const char *start = s;
	for (; *s && !strchr(ends, *s); s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	if (s == start)
		return -1;
	*p = s;
	*out = v;
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	if (!s)
		return -1;
	return parse_u64_prefix(&s, "", 0, out);
}
