/*
 * test_boot_fmt.c — the loader's formatter (boot/fmt.c, stb_sprintf) against
 * the C library's snprintf for the conversions the loader uses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "boot/fmt.h"

/* Format with both and compare text and return value. */
#define SAME(...) do { \
	char a_[128], b_[128]; \
	int ra_ = fmt_snprintf(a_, sizeof(a_), __VA_ARGS__); \
	int rb_ = snprintf(b_, sizeof(b_), __VA_ARGS__); \
	assert_string_equal(a_, b_); \
	assert_int_equal(ra_, rb_); \
} while (0)

static void test_matches_libc(void **state)
{
	(void)state;
	SAME("plain text");
	SAME("%d %i %u", -42, 17, 4000000000u);
	SAME("%x %X %lx %llx", 0xbeefu, 0xbeefu, 0xfffffffffUL, 0xffffffff80000000ULL);
	SAME("%zu %zx", (size_t)123456789, (size_t)0xabc);
	SAME("%ld %lld", -1234567890123L, (long long)INT64_MIN);
	SAME("%08x|%-6d|%6d|%-8s|%8s|", 0x1234u, 5, -5, "ab", "cd");
	SAME("%c%c%3c", 'p', 'x', 'z');
	SAME("%.3s|%.*s|%s", "abcdef", 2, "xyz", "");
	SAME("100%%");
	SAME("%*d|%-*d|", 5, 1, 5, 2);
	SAME("%05d", -42);
}

static void test_truncation(void **state)
{
	(void)state;
	char buf[8];
	memset(buf, 'Q', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	assert_string_equal(buf, "0123456");
	assert_int_equal(fmt_snprintf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
	buf[0] = 'Q';
	assert_int_equal(fmt_snprintf(buf, 0, "abc"), 3);
	assert_int_equal(buf[0], 'Q'); /* n = 0 writes nothing */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_libc),
		cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests_name("boot/fmt", tests, NULL, NULL);
}
