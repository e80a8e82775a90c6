/*
 * test_kbdmap.c — scancode set 1 to terminal bytes (drivers/kbdmap.h): every
 * letter and digit, Shift and Caps Lock, Ctrl codes, Enter/Backspace/Tab/Esc,
 * the E0 block (arrows, Home/End/Delete, keypad Enter and /), the keypad with
 * and without Num Lock, releases and the Pause sequence producing nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "drivers/kbdmap.h"

/* Feed scancodes (a string of bytes) and return everything produced. */
static const char *feed(struct kbdmap *k, const char *codes, size_t n)
{
	static char out[256];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		char b[KBDMAP_OUT_MAX];
		size_t m = kbdmap_feed(k, (uint8_t)codes[i], b);
		assert_true(m <= KBDMAP_OUT_MAX);
		memcpy(out + len, b, m);
		len += m;
	}
	out[len] = '\0';
	return out;
}

#define FEED(k, s) feed((k), (s), sizeof(s) - 1)

/* Press and release one key (make code `c`). */
static const char *tap(struct kbdmap *k, uint8_t c)
{
	char s[2] = { (char)c, (char)(c | 0x80) };
	return feed(k, s, 2);
}

static void test_letters_digits_and_shift(void **state)
{
	(void)state;
	static const uint8_t row_q[] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19 };
	static const uint8_t row_a[] = { 0x1E, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26 };
	static const uint8_t row_z[] = { 0x2C, 0x2D, 0x2E, 0x2F, 0x30, 0x31, 0x32 };
	struct kbdmap k;
	kbdmap_init(&k);
	char got[32] = "";
	for (size_t i = 0; i < sizeof(row_q); i++) strcat(got, tap(&k, row_q[i]));
	for (size_t i = 0; i < sizeof(row_a); i++) strcat(got, tap(&k, row_a[i]));
	for (size_t i = 0; i < sizeof(row_z); i++) strcat(got, tap(&k, row_z[i]));
	assert_string_equal(got, "qwertyuiopasdfghjklzxcvbnm");
	got[0] = '\0';
	for (uint8_t c = 0x02; c <= 0x0D; c++) strcat(got, tap(&k, c));
	assert_string_equal(got, "1234567890-=");
	/* Left Shift held: 'A', '!', '{'; released: 'a'. Right Shift too. */
	assert_string_equal(FEED(&k, "\x2a\x1e\x9e\x02\x82\x1a\x9a\xaa\x1e\x9e"), "A!{a");
	assert_string_equal(FEED(&k, "\x36\x27\xa7\x28\xa8\x33\xb3\xb6"), ":\"<");
	assert_string_equal(FEED(&k, "\x29\xa9\x2b\xab\x39\xb9"), "`\\ ");
}

static void test_caps_lock(void **state)
{
	(void)state;
	struct kbdmap k;
	kbdmap_init(&k);
	assert_string_equal(tap(&k, 0x3A), "");              /* Caps on */
	assert_string_equal(FEED(&k, "\x1e\x9e\x02\x82"), "A1"); /* letters only */
	assert_string_equal(FEED(&k, "\x2a\x1e\x9e\xaa"), "a");  /* Shift undoes it */
	tap(&k, 0x3A);                                           /* Caps off */
	assert_string_equal(tap(&k, 0x1E), "a");
}

static void test_control_and_special(void **state)
{
	(void)state;
	struct kbdmap k;
	kbdmap_init(&k);
	assert_string_equal(FEED(&k, "\x1d\x2e\xae\x9d"), "\x03");       /* Ctrl-C */
	assert_string_equal(FEED(&k, "\x1d\x20\xa0\x9d"), "\x04");       /* Ctrl-D */
	assert_string_equal(FEED(&k, "\x1d\x2b\xab\x9d"), "\x1c");       /* Ctrl-\ hot key */
	assert_string_equal(FEED(&k, "\xe0\x1d\x16\x96\xe0\x9d"), "\x15"); /* right Ctrl-U */
	assert_string_equal(FEED(&k, "\x1d\x03\x83\x9d"), "");           /* Ctrl-2 (NUL) dropped */
	assert_string_equal(FEED(&k, "\x1d\x0d\x8d\x9d"), "");           /* Ctrl-= nothing */
	assert_string_equal(tap(&k, 0x1C), "\r");
	assert_string_equal(tap(&k, 0x0E), "\x7f");
	assert_string_equal(tap(&k, 0x0F), "\t");
	assert_string_equal(tap(&k, 0x01), "\x1b");
	assert_string_equal(FEED(&k, "\x38\x1e\x9e\xb8"), "a");          /* Alt ignored */
	assert_string_equal(tap(&k, 0x3B), "");                          /* F1: nothing */
}

static void test_extended_keys(void **state)
{
	(void)state;
	struct kbdmap k;
	kbdmap_init(&k);
	assert_string_equal(FEED(&k, "\xe0\x48\xe0\xc8"), "\x1b[A");
	assert_string_equal(FEED(&k, "\xe0\x50\xe0\xd0"), "\x1b[B");
	assert_string_equal(FEED(&k, "\xe0\x4d\xe0\xcd"), "\x1b[C");
	assert_string_equal(FEED(&k, "\xe0\x4b\xe0\xcb"), "\x1b[D");
	assert_string_equal(FEED(&k, "\xe0\x47\xe0\x4f\xe0\x53"), "\x1b[H\x1b[F\x1b[3~");
	assert_string_equal(FEED(&k, "\xe0\x49\xe0\xc9\xe0\x51\xe0\xd1"), "\x1b[5~\x1b[6~"); /* PgUp, PgDn */
	assert_string_equal(FEED(&k, "\xe0\x1c\xe0\x9c\xe0\x35"), "\r/");
	/* Fake shifts around Print Screen change nothing. */
	assert_string_equal(FEED(&k, "\xe0\x2a\xe0\x37\xe0\xb7\xe0\xaa\x1e"), "a");
	/* Pause (E1 1D 45 E1 9D C5) produces nothing and eats exactly its bytes. */
	assert_string_equal(FEED(&k, "\xe1\x1d\x45\xe1\x9d\xc5\x1e"), "a");
}

static void test_keypad(void **state)
{
	(void)state;
	struct kbdmap k;
	kbdmap_init(&k);
	assert_string_equal(FEED(&k, "\x48\x50\x4d\x4b\x4a\x4e"), "\x1b[A\x1b[B\x1b[C\x1b[D-+");
	assert_string_equal(FEED(&k, "\x49\x51"), "\x1b[5~\x1b[6~"); /* KP 9 and 3: PgUp, PgDn */
	tap(&k, 0x45); /* Num Lock on */
	assert_string_equal(FEED(&k, "\x47\x48\x49\x4b\x4c\x4d\x4f\x50\x51\x52\x53"), "7894561230.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_letters_digits_and_shift),
		cmocka_unit_test(test_caps_lock),
		cmocka_unit_test(test_control_and_special),
		cmocka_unit_test(test_extended_keys),
		cmocka_unit_test(test_keypad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
