/*
 * test_logring.c — pxvm/logring (the kernel log's kept lines, KLOG_READ):
 * reading in pieces, the oldest whole lines dropped, lost bytes told by the
 * positions, positions past 2^32, bytes outside ASCII, a line longer than
 * the ring, and a random property against a plain model (the whole log kept).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxvm/logring.h"

static char buf[64];
static struct logring r;

static void add(const char *s) { logring_add(&r, s, strlen(s)); }

/* read_all: everything from `from` in pieces of `piece` bytes into out (NUL-terminated). */
static size_t read_all(uint32_t from, size_t piece, char *out, size_t cap, uint32_t *next)
{
	size_t n = 0, k;
	*next = from;
	while ((k = logring_read(&r, *next, out + n, piece < cap - 1 - n ? piece : cap - 1 - n, next)) > 0)
		n += k;
	out[n] = 0;
	return n;
}

static void test_pieces(void **state)
{
	(void)state;
	char out[128];
	uint32_t next;
	logring_init(&r, buf, sizeof(buf));
	assert_int_equal(logring_read(&r, 0, out, sizeof(out), &next), 0);
	assert_int_equal(next, 0);
	add("one\n");
	add("two"); /* the '\n' is added */
	assert_int_equal(read_all(0, 3, out, sizeof(out), &next), 8);
	assert_string_equal(out, "one\ntwo\n");
	assert_int_equal(next, 8);
	assert_int_equal(read_all(4, 100, out, sizeof(out), &next), 4);
	assert_string_equal(out, "two\n");
	assert_int_equal(logring_read(&r, 8, out, sizeof(out), &next), 0);
	assert_int_equal(next, 8);
}

static void test_oldest_dropped(void **state)
{
	(void)state;
	char out[128];
	uint32_t next;
	logring_init(&r, buf, sizeof(buf));
	for (int i = 0; i < 10; i++) { /* 10 lines of 10 bytes into 64: the last 6 stay */
		char line[16];
		snprintf(line, sizeof(line), "line %03d\n", i);
		add(line);
		assert_int_equal(strlen(line), 9);
	}
	size_t n = read_all(0, 7, out, sizeof(out), &next);
	assert_int_equal(n, 7 * 9);
	assert_int_equal(next, 90);
	assert_memory_equal(out, "line 003\n", 9); /* a whole line first */
	assert_int_equal(next - n - 0, 27);     /* 27 bytes (3 lines) were lost */
	/* A position inside the kept lines reads from there, no loss. */
	n = read_all(81, 100, out, sizeof(out), &next);
	assert_string_equal(out, "line 009\n");
	assert_int_equal(next - n, 81);
}

static void test_ascii_and_long(void **state)
{
	(void)state;
	char out[128];
	uint32_t next;
	logring_init(&r, buf, sizeof(buf));
	add("a\x1b[2Jb\xff\n");
	read_all(0, 100, out, sizeof(out), &next);
	assert_string_equal(out, "a?[2Jb?\n");
	char big[200];
	memset(big, 'x', sizeof(big));
	logring_add(&r, big, sizeof(big));
	size_t n = read_all(0, 100, out, sizeof(out), &next);
	assert_int_equal(n, sizeof(buf));            /* the end of the long line, and its '\n' */
	assert_int_equal(out[n - 1], '\n');
	assert_int_equal(next, 8 + sizeof(buf)); /* positions count the bytes stored */
}

static void test_wrap_2_32(void **state)
{
	(void)state;
	char out[128];
	uint32_t next;
	logring_init(&r, buf, sizeof(buf));
	r.head = r.tail = 0xFFFFFFF0ull; /* positions near 2^32: the reader's 32 bits wrap */
	add("0123456789abcdef0123\n");
	uint32_t from = 0xFFFFFFF0u;
	size_t n = read_all(from, 5, out, sizeof(out), &next);
	assert_int_equal(n, 21);
	assert_int_equal(next, (uint32_t)(0xFFFFFFF0ull + 21));
	assert_int_equal((uint32_t)(next - n - from), 0);
	assert_int_equal(read_all(5, 100, out, sizeof(out), &next), 0); /* = the head: nothing newer */
}

/* Random lines against a model that keeps everything: every read is a
 * suffix of the model's text starting at a line start or where asked. */
static void test_property(void **state)
{
	(void)state;
	static char model[1 << 16];
	char out[128];
	size_t len = 0;
	uint32_t seed = 12345, next;
	logring_init(&r, buf, sizeof(buf));
	for (int i = 0; i < 3000; i++) {
		seed = seed * 1103515245u + 12345u;
		char line[40];
		int k = 1 + (int)((seed >> 16) % 30);
		for (int j = 0; j < k; j++)
			line[j] = (char)('a' + (seed >> (j % 16)) % 26);
		line[k] = '\n';
		logring_add(&r, line, (size_t)k + 1);
		if (len + (size_t)k + 1 > sizeof(model))
			break;
		memcpy(model + len, line, (size_t)k + 1);
		len += (size_t)k + 1;
		uint32_t from = (uint32_t)(len - ((seed >> 8) % 100 < len ? (seed >> 8) % 100 : len));
		size_t n = read_all(from, 1 + (seed >> 4) % 17, out, sizeof(out), &next);
		assert_int_equal(next, (uint32_t)len);
		uint32_t start = next - (uint32_t)n;
		assert_true(start >= from);
		assert_memory_equal(out, model + start, n);
		assert_true(n <= sizeof(buf));
		if (start > from) /* lost: the read starts at a line's start */
			assert_int_equal(model[start - 1], '\n');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_oldest_dropped),
		cmocka_unit_test(test_ascii_and_long),
		cmocka_unit_test(test_wrap_2_32),
		cmocka_unit_test(test_property),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
