/*
 * test_numparse.c — kernel/numparse.c: parse_u64 (the whole string: the
 * monitor's and the boot options' numbers) and parse_u64_prefix (a number
 * inside text, the `serial=` option's): bases, ends, limits, malformed text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "kernel/numparse.h"

static uint64_t whole(const char *s)
{
	uint64_t v = 0xdeadbeef;
	if (parse_u64(s, &v) != 0)
		fail_msg("parse_u64(\"%s\") refused", s);
	return v;
}

static void whole_bad(const char *s)
{
	uint64_t v = 0xdeadbeef;
	if (parse_u64(s, &v) != -1)
		fail_msg("parse_u64(\"%s\") accepted", s ? s : "(null)");
	assert_int_equal(v, 0xdeadbeef);
}

static void test_whole(void **state)
{
	(void)state;
	assert_int_equal(whole("0"), 0);
	assert_int_equal(whole("42"), 42);
	assert_int_equal(whole("0x2A"), 42);
	assert_int_equal(whole("0XfF"), 255);
	assert_int_equal(whole("007"), 7);
	assert_int_equal(whole("18446744073709551615"), UINT64_MAX);
	assert_int_equal(whole("0xffffffffffffffff"), UINT64_MAX);
	whole_bad(NULL);
	whole_bad("");
	whole_bad("0x");
	whole_bad("ff");          /* hex digits need the prefix */
	whole_bad("12 ");         /* the whole string */
	whole_bad("-1");
	whole_bad("18446744073709551616");
	whole_bad("0x10000000000000000");
}

/* prefix: parse_u64_prefix at the start of `s` must return `rc`; on 0 with
 * the value `want` and `used` characters consumed, on -1 with nothing moved
 * or written. */
static void prefix(const char *s, const char *ends, unsigned base, int rc, uint64_t want, size_t used)
{
	const char *p = s;
	uint64_t v = 0xdeadbeef;
	if (parse_u64_prefix(&p, ends, base, &v) != rc)
		fail_msg("parse_u64_prefix(\"%s\", base %u) did not return %d", s, base, rc);
	assert_int_equal(v, rc ? 0xdeadbeef : want);
	assert_ptr_equal(p, rc ? s : s + used);
}

static void test_prefix(void **state)
{
	(void)state;
	prefix("0x3f8,baud=9600", ",", 0, 0, 0x3f8, 5);
	/* base 16: no prefix, every end character stops it */
	prefix("1f:0a.7", ":.,", 16, 0, 0x1f, 2);
	prefix("0a.7", ":.,", 16, 0, 0x0a, 2);
	prefix("7", NULL, 16, 0, 7, 1);
	prefix("12", NULL, 0, 0, 12, 2);
	/* base 16 takes no "0x" */
	prefix("0x1f", "", 16, -1, 0, 0);
	/* no digit before the end, a character neither digit nor end */
	prefix(",9", ",", 0, -1, 0, 0);
	prefix("0x,", ",", 0, -1, 0, 0);
	prefix("12;", ",", 0, -1, 0, 0);
	/* too large */
	prefix("18446744073709551616,", ",", 0, -1, 0, 0);
	/* only bases 0 and 16 */
	prefix("12", "", 10, -1, 0, 0);
	prefix("12", "", 8, -1, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
