/*
 * test_lineedit.c — the line editor the console and the monitor share
 * (pxvm/lineedit.c): appending and echo, BS/DEL, Ctrl-U, every line end
 * (CR, LF, CR LF, also across lines), Ctrl-C, Ctrl-D on an empty and a
 * non-empty line, ESC sequences swallowed, other controls ignored, a full
 * line dropping bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pxvm/lineedit.h"

static char echoed[1024];
static size_t nechoed;

static void echo(void *ctx, const char *s, size_t n)
{
	assert_ptr_equal(ctx, echoed);
	assert_true(nechoed + n < sizeof(echoed));
	memcpy(echoed + nechoed, s, n);
	nechoed += n;
	echoed[nechoed] = 0;
}

/* type: feed `s`; the events in order into ev (as letters: L line, F flush,
 * E eof, I intr), the lines handed over in lines ('|' after each). */
static void type(struct lineedit *le, const char *s, size_t n, char *ev, char *lines)
{
	*ev = *lines = 0;
	for (size_t i = 0; i < n; i++) {
		enum lineedit_event e = lineedit_feed(le, (uint8_t)s[i]);
		const char *tag = e == LE_LINE ? "L" : e == LE_FLUSH ? "F" : e == LE_EOF ? "E" : e == LE_INTR ? "I" : "";
		strcat(ev, tag);
		if (e == LE_LINE || e == LE_FLUSH) {
			strncat(lines, le->buf, le->len);
			strcat(lines, "|");
			lineedit_clear(le);
		}
	}
}

static void test_editing_and_line_ends(void **state)
{
	(void)state;
	char buf[16], ev[64], lines[256];
	struct lineedit le;
	lineedit_init(&le, buf, sizeof(buf), echo, echoed);
	nechoed = 0;
	const char in[] = "ab\bc\r\nxy\x1b[Az\x15q\x7fr\x04\x04" "d\ne\rf\r\n\tg\x80\x03h\x01\x1bOPi\x1bx\n";
	type(&le, in, sizeof(in) - 1, ev, lines);
	assert_string_equal(ev, "LFELLLIL");
	/* "ac", then "r" (Ctrl-U erased "xyz", DEL erased "q") by Ctrl-D, end of
	 * input, "d", "e", "f" (CR LF is one end), the tab line interrupted, then
	 * "h" and "i": Ctrl-A ignored, ESC O P and ESC x swallowed. */
	assert_string_equal(lines, "ac|r|d|e|f|\tg\x80hi|");
	assert_string_equal(echoed, "ab\b \bc\nxyz\b \b\b \b\b \bq\b \brd\ne\nf\n\tg\x80hi\n");
	/* LF after the CR that ended a line, in a later feed, is the same end. */
	type(&le, "k\r", 2, ev, lines);
	type(&le, "\nm\n", 3, ev, lines);
	assert_string_equal(ev, "L");
	assert_string_equal(lines, "m|");
}

static void test_full_line_and_erase(void **state)
{
	(void)state;
	char buf[4], ev[64], lines[64];
	struct lineedit le;
	lineedit_init(&le, buf, sizeof(buf), echo, echoed);
	nechoed = 0;
	type(&le, "abcdef", 6, ev, lines); /* 3 fit: one byte stays for a terminator */
	assert_int_equal(le.len, 3);
	assert_memory_equal(buf, "abc", 3);
	assert_string_equal(echoed, "abc");
	lineedit_erase(&le);
	assert_int_equal(le.len, 0);
	assert_string_equal(echoed, "abc\b \b\b \b\b \b");
	type(&le, "\b\x7f\x15", 3, ev, lines); /* nothing to erase: nothing echoed */
	assert_string_equal(echoed, "abc\b \b\b \b\b \b");
	type(&le, "\x04", 1, ev, lines);
	assert_string_equal(ev, "E");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_editing_and_line_ends),
		cmocka_unit_test(test_full_line_and_erase),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
