/*
 * pylibc.c — what MicroPython needs besides the core: the budget step of an
 * iteration in C (mp_iternext is wrapped at link time: PY_LDFLAGS), and in
 * the kernel the few C library calls kernel/lib.c does not have.
 */
#include <string.h>
#include "py/runtime.h"
#include "pyproc.h"

mp_obj_t __real_mp_iternext(mp_obj_t o);
mp_obj_t __wrap_mp_iternext(mp_obj_t o);

/* __wrap_mp_iternext: one unit of the budget per step, so no builtin that
 * iterates in C (sum, max, any, list, sorted, str.join ...) over a huge or
 * endless iterator holds the CPU past a quantum. */
mp_obj_t __wrap_mp_iternext(mp_obj_t o)
{
	if (--py_budget <= 0)
		py_budget_spent();
	return __real_mp_iternext(o);
}

#if !__STDC_HOSTED__
void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	for (size_t i = 0; i < n; i++)
		if (p[i] == (unsigned char)c)
			return (void *)(p + i);
	return 0;
}
#endif
