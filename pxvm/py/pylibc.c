/*
 * pylibc.c — what MicroPython needs besides the core: the budget step of an
 * iteration in C (mp_iternext is wrapped at link time: PY_LDFLAGS), and in
 * the kernel the few C library calls kernel/lib.c does not have.
 */
#include <string.h>
#include "py/runtime.h"
#include "pyproc.h"

mp_obj_t __wrap_mp_iternext(mp_obj_t o);

/* __wrap_mp_iternext: what MicroPython's own calls of mp_iternext reach (ld
 * -r --wrap when its objects are joined: pxvm/py/build.mk): one unit of the
 * budget per step, so no builtin that iterates in C (sum, max, any, list,
 * sorted, str.join ...) over a huge or endless iterator holds the CPU past a
 * quantum. Then the real mp_iternext. */
mp_obj_t __wrap_mp_iternext(mp_obj_t o)
{
	if (--py_budget <= 0)
		py_budget_spent();
	return mp_iternext(o);
}

#if !__STDC_HOSTED__
#include <limits.h>
#include <math.h>

/* The maths lib/libm_dbl leaves to the compiler (its builtins). */
double fabs(double x) { return __builtin_fabs(x); }
double copysign(double x, double y) { return __builtin_copysign(x, y); }
double nan(const char *tag) { (void)tag; return __builtin_nan(""); }
double log2(double x) { return log(x) * 1.44269504088896340736; }

/* strtoll: C11 §7.22.1.4 for what MicroPython gives it (digits it has
 * checked, base 2..36 or 0): optional spaces and sign, a 0x/0o/0b prefix
 * for base 0 or the matching base, clamped to LLONG_MIN..LLONG_MAX. */
long long strtoll(const char *s, char **end, int base)
{
	const char *p = s;
	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	int neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	if (p[0] == '0' && (p[1] | 32) == 'x' && (base == 0 || base == 16)) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	unsigned long long v = 0, lim = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	int over = 0;
	const char *digits = p;
	for (;; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : (*p | 32) >= 'a' && (*p | 32) <= 'z' ? (*p | 32) - 'a' + 10 : 99;
		if (d >= base)
			break;
		if (v > (lim - (unsigned long long)d) / (unsigned long long)base)
			over = 1;
		else
			v = v * (unsigned long long)base + (unsigned long long)d;
	}
	if (end)
		*end = (char *)(p == digits ? s : p);
	if (over)
		return neg ? LLONG_MIN : LLONG_MAX;
	return neg ? (long long)(0 - v) : (long long)v;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	for (size_t i = 0; i < n; i++)
		if (p[i] == (unsigned char)c)
			return (void *)(p + i);
	return 0;
}
#endif
