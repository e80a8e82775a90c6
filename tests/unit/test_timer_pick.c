/*
 * test_timer_pick.c — choosing the TSC frequency among reference clocks
 * (drivers/timer_pick.h): the sane range, agreement within TIMER_AGREE_PPM,
 * rank order, a third source arbitrating two that disagree, one source
 * alone, none, and the case of issue 10 (a missing PIT giving 0.5 MHz).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "drivers/timer_pick.h"
#include "kernel/param.h"

#define E(src, hz) { src, hz, (hz) ? 0 : "failed", TEST_UNUSED }

static void test_agree_bounds(void **state)
{
	(void)state;
	assert_true(timer_agree(2000000000ull, 2000000000ull));
	/* 2% of the larger: 2.04 GHz vs 2.0 GHz differ by 1.96% of 2.04. */
	assert_true(timer_agree(2040000000ull, 2000000000ull));
	assert_true(timer_agree(2000000000ull, 2040000000ull));
	assert_false(timer_agree(2050000000ull, 2000000000ull));
	assert_false(timer_agree(0, 0));
	assert_false(timer_agree(0, 2000000000ull));
	/* The largest sane values must not overflow. */
	assert_true(timer_agree(TIMER_MAX_HZ, TIMER_MAX_HZ - 1));
}

static void test_two_agree_best_rank_wins(void **state)
{
	(void)state;
	struct timer_estimate e[] = { E("cpuid15", 0), E("hpet", 2400000000ull), E("acpi-pm", 2400300000ull) };
	struct timer_choice c = timer_pick(e, 3);
	assert_int_equal(c.verdict, TIMER_AGREED);
	assert_int_equal(c.first, 1);
	assert_int_equal(c.second, 2);
	assert_true(c.hz == 2400000000ull);
	assert_int_equal(e[0].state, TEST_FAILED);
	assert_int_equal(e[1].state, TEST_AGREES);
	assert_int_equal(e[2].state, TEST_AGREES);
}

static void test_issue10_missing_pit(void **state)
{
	(void)state;
	/* q35,acpi=off,pit=off: no PM timer, the PIT "measures" 0.511 MHz, the
	 * HPET and the RTC both say 2.4 GHz. */
	struct timer_estimate e[] = { E("cpuid15", 0), E("hpet", 2400000000ull), E("pit", 511000ull),
	                              E("rtc", 2399990000ull) };
	struct timer_choice c = timer_pick(e, 4);
	assert_int_equal(c.verdict, TIMER_AGREED);
	assert_true(c.hz == 2400000000ull);
	assert_int_equal(e[2].state, TEST_OUT_OF_RANGE);
	assert_int_equal(c.second, 3);
}

static void test_out_of_range_alone_is_none(void **state)
{
	(void)state;
	struct timer_estimate e[] = { E("pit", 511000ull), E("rtc", 0), E("x", 20000000000ull) };
	struct timer_choice c = timer_pick(e, 3);
	assert_int_equal(c.verdict, TIMER_NONE);
	assert_true(c.hz == 0);
	assert_int_equal(c.first, -1);
	assert_int_equal(e[0].state, TEST_OUT_OF_RANGE);
	assert_int_equal(e[1].state, TEST_FAILED);
	assert_int_equal(e[2].state, TEST_OUT_OF_RANGE);
	/* The bounds themselves are sane. */
	struct timer_estimate lo[] = { E("a", TIMER_MIN_HZ) }, hi[] = { E("b", TIMER_MAX_HZ) };
	assert_int_equal(timer_pick(lo, 1).verdict, TIMER_SINGLE);
	assert_int_equal(timer_pick(hi, 1).verdict, TIMER_SINGLE);
	struct timer_estimate below[] = { E("a", TIMER_MIN_HZ - 1) }, above[] = { E("b", TIMER_MAX_HZ + 1) };
	assert_int_equal(timer_pick(below, 1).verdict, TIMER_NONE);
	assert_int_equal(timer_pick(above, 1).verdict, TIMER_NONE);
}

static void test_single_source(void **state)
{
	(void)state;
	struct timer_estimate e[] = { E("hpet", 0), E("pit", 0), E("rtc", 3000000000ull) };
	struct timer_choice c = timer_pick(e, 3);
	assert_int_equal(c.verdict, TIMER_SINGLE);
	assert_true(c.hz == 3000000000ull);
	assert_int_equal(c.first, 2);
	assert_int_equal(c.second, -1);
	assert_int_equal(e[2].state, TEST_SANE);
}

static void test_disagree_takes_best_rank(void **state)
{
	(void)state;
	struct timer_estimate e[] = { E("hpet", 2000000000ull), E("acpi-pm", 3000000000ull) };
	struct timer_choice c = timer_pick(e, 2);
	assert_int_equal(c.verdict, TIMER_DISAGREE);
	assert_int_equal(c.first, 0);
	assert_true(c.hz == 2000000000ull);
}

static void test_third_source_arbitrates(void **state)
{
	(void)state;
	/* The best-ranked source is the odd one out: the agreeing pair wins. */
	struct timer_estimate e[] = { E("hpet", 1000000000ull), E("acpi-pm", 3000000000ull), E("rtc", 3001000000ull) };
	struct timer_choice c = timer_pick(e, 3);
	assert_int_equal(c.verdict, TIMER_AGREED);
	assert_int_equal(c.first, 1);
	assert_int_equal(c.second, 2);
	assert_int_equal(e[0].state, TEST_SANE);
}

static void test_no_estimates_and_limit(void **state)
{
	(void)state;
	assert_int_equal(timer_pick(0, 0).verdict, TIMER_NONE);
	struct timer_estimate e[TIMER_PICK_MAX + 2];
	for (unsigned i = 0; i < TIMER_PICK_MAX + 2; i++)
		e[i] = (struct timer_estimate)E("x", 0);
	e[TIMER_PICK_MAX].hz = e[TIMER_PICK_MAX + 1].hz = 2000000000ull; /* past the limit: never read */
	assert_int_equal(timer_pick(e, TIMER_PICK_MAX + 2).verdict, TIMER_NONE);
	assert_string_equal(timer_verdict_name(TIMER_AGREED), "agreed");
	assert_string_equal(timer_verdict_name(TIMER_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agree_bounds),
		cmocka_unit_test(test_two_agree_best_rank_wins),
		cmocka_unit_test(test_issue10_missing_pit),
		cmocka_unit_test(test_out_of_range_alone_is_none),
		cmocka_unit_test(test_single_source),
		cmocka_unit_test(test_disagree_takes_best_rank),
		cmocka_unit_test(test_third_source_arbitrates),
		cmocka_unit_test(test_no_estimates_and_limit),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
