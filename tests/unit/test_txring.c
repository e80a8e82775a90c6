/*
 * test_txring.c — kernel/txring.h, the serial transmit ring: units go in whole
 * or not at all, LF becomes CR LF when asked, bytes leave in order across the
 * wrap-around, and positions tell a writer when its unit has left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/txring.h"

static struct txring r;

static void test_units_whole_or_not(void **state)
{
	(void)state;
	txring_init(&r);
	static uint8_t big[TXRING_SIZE + 1];
	assert_int_equal(txring_free(&r), TXRING_SIZE);
	assert_false(txring_put(&r, big, sizeof big, false));   /* larger than the ring */
	assert_int_equal(txring_used(&r), 0);
	assert_true(txring_put(&r, big, TXRING_SIZE - 10, false));
	assert_int_equal(txring_free(&r), 10);
	assert_false(txring_put(&r, "0123456789A", 11, false)); /* one byte too many: nothing */
	assert_int_equal(txring_free(&r), 10);
	assert_true(txring_put(&r, "0123456789", 10, false));
	assert_int_equal(txring_free(&r), 0);
	assert_false(txring_put(&r, "x", 1, false));
}

static void test_crlf(void **state)
{
	(void)state;
	txring_init(&r);
	assert_int_equal(txring_text_size("a\nb\n\n", 5), 8);
	assert_true(txring_put(&r, "a\nb\n\n", 5, true));
	uint8_t out[16];
	assert_int_equal(txring_get(&r, out, sizeof out), 8);
	assert_memory_equal(out, "a\r\nb\r\n\r\n", 8);
	/* a unit whose CR LF expansion does not fit is refused whole */
	static char lines[TXRING_SIZE];
	memset(lines, '\n', sizeof lines);
	assert_false(txring_put(&r, lines, TXRING_SIZE / 2 + 1, true));
	assert_true(txring_put(&r, lines, TXRING_SIZE / 2, true));
	assert_int_equal(txring_free(&r), 0);
}

/* Random units in, random takes out, across many wrap-arounds: the bytes come
 * out in order, and every unit's end position is reached only after all of it
 * has been taken. */
static void test_order_and_positions(void **state)
{
	(void)state;
	txring_init(&r);
	uint64_t seed = 12345, in_ctr = 0, out_ctr = 0;
	uint64_t pending_end = 0;
	int have_pending = 0;
	for (int step = 0; step < 200000; step++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		unsigned op = (unsigned)(seed >> 60), n = (unsigned)(seed >> 33) % 700 + 1;
		if (op < 8) {
			uint8_t u[700];
			for (unsigned i = 0; i < n; i++)
				u[i] = (uint8_t)(in_ctr + i);
			size_t before = txring_free(&r);
			if (txring_put(&r, u, n, false)) {
				in_ctr += n;
				if (!have_pending) {
					pending_end = txring_head(&r);
					have_pending = 1;
				}
				assert_int_equal(txring_free(&r), before - n);
			} else {
				assert_true(before < n);
				assert_int_equal(txring_free(&r), before);
			}
		} else {
			uint8_t o[700];
			size_t got = txring_get(&r, o, n);
			for (size_t i = 0; i < got; i++)
				assert_int_equal(o[i], (uint8_t)(out_ctr + i));
			out_ctr += got;
			if (have_pending && txring_sent(&r, pending_end)) {
				assert_true(out_ctr >= pending_end);
				have_pending = 0;
			} else if (have_pending) {
				assert_true(out_ctr < pending_end);
			}
		}
		assert_int_equal(txring_used(&r), in_ctr - out_ctr);
	}
	assert_true(in_ctr > 10 * TXRING_SIZE); /* wrapped many times */
}

int main(void)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units_whole_or_not),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_order_and_positions),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("test_txring: %.2f s\n", (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return rc;
}
