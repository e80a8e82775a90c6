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

static void test_prefix(void **state)
{
	(void)state;
	const char *s = "0x3f8,baud=9600", *p = s;
	uint64_t v = 0;
	assert_int_equal(parse_u64_prefix(&p, ",", 0, &v), 0);
	assert_int_equal(v, 0x3f8);
	assert_ptr_equal(p, s + 5);
	/* base 16: no prefix, every end character stops it */
	s = "1f:0a.7";
	p = s;
	assert_int_equal(parse_u64_prefix(&p, ":.,", 16, &v), 0);
	assert_int_equal(v, 0x1f);
	assert_ptr_equal(p, s + 2);
	p = s + 3;
	assert_int_equal(parse_u64_prefix(&p, ":.,", 16, &v), 0);
	assert_int_equal(v, 0x0a);
	p = s + 6;
	assert_int_equal(parse_u64_prefix(&p, NULL, 16, &v), 0);
	assert_int_equal(v, 7);
	assert_ptr_equal(p, s + 7);
	/* base 16 takes no "0x"; a failure moves nothing */
	s = "0x1f";
	p = s;
	assert_int_equal(parse_u64_prefix(&p, "", 16, &v), -1);
	assert_ptr_equal(p, s);
	/* no digit before the end, a character neither digit nor end */
	s = ",9";
	p = s;
	assert_int_equal(parse_u64_prefix(&p, ",", 0, &v), -1);
	s = "12;";
	p = s;
	assert_int_equal(parse_u64_prefix(&p, ",", 0, &v), -1);
	assert_ptr_equal(p, s);
	/* only bases 0 and 16 */
	s = "12";
	p = s;
	assert_int_equal(parse_u64_prefix(&p, "", 10, &v), -1);
	assert_int_equal(parse_u64_prefix(&p, "", 8, &v), -1);
	assert_ptr_equal(p, s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
