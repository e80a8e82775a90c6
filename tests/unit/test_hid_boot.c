/*
 * test_hid_boot.c — USB boot keyboard reports to terminal bytes
 * (drivers/hid_boot.h, drivers/kbdmap.h kbdmap_usage_to_set1): every usage's
 * byte, the same bytes as the PS/2 path for the same keys, modifiers from the
 * modifier byte (Shift, Ctrl, right Ctrl, the hot key), Caps/Num Lock and the
 * LED byte, releases and key order, ErrorRollOver, duplicate and junk usages,
 * short and long reports, and key repeat (delay, period, no burst when polled
 * late, stops on release, moves to the newest key, none for locks/modifiers).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "drivers/hid_boot.h"

static char got[1024];

/* rep: feed one report (modifiers, then up to six usages, 0-terminated list)
 * at time `t` ms; returns the bytes produced as a string. */
static const char *rep_at(struct hid_kbd *k, uint64_t t, uint8_t mods, const uint8_t *keys, size_t nkeys)
{
	uint8_t r[8] = { mods, 0 };
	for (size_t i = 0; i < nkeys && i < 6; i++)
		r[2 + i] = keys[i];
	char out[HID_KBD_OUT_MAX];
	size_t n = hid_kbd_report(k, r, sizeof(r), t * 1000, out);
	assert_true(n <= HID_KBD_OUT_MAX);
	memcpy(got, out, n);
	got[n] = '\0';
	return got;
}

#define REP(k, t, mods, ...) \
	rep_at((k), (t), (mods), (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* tap: press usage `u` with modifiers `mods`, then release everything. */
static const char *tap(struct hid_kbd *k, uint8_t mods, uint8_t u)
{
	static char keep[64];
	strcpy(keep, REP(k, 0, mods, u));
	REP(k, 0, 0, 0);
	return keep;
}

static const char *tick(struct hid_kbd *k, uint64_t t_ms)
{
	char out[KBDMAP_OUT_MAX];
	size_t n = hid_kbd_tick(k, t_ms * 1000, out);
	memcpy(got, out, n);
	got[n] = '\0';
	return got;
}

static void test_every_usage_byte(void **state)
{
	(void)state;
	static const char plain[] = "abcdefghijklmnopqrstuvwxyz1234567890\r\x1b\x7f\t -=[]\\\\;'`,./";
	static const char shifted[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ!@#$%^&*()\r\x1b\x7f\t _+{}||:\"~<>?";
	struct hid_kbd k;
	hid_kbd_init(&k, 500, 33);
	for (uint8_t u = 0x04; u <= 0x38; u++) {
		char want[2] = { plain[u - 4], 0 };
		assert_string_equal(tap(&k, 0, u), want);
		want[0] = shifted[u - 4];
		assert_string_equal(tap(&k, 0x02, u), want);   /* left Shift */
		assert_string_equal(tap(&k, 0x20, u), want);   /* right Shift */
	}
	/* Editing block and arrows: the same sequences as PS/2's E0 keys. */
	assert_string_equal(tap(&k, 0, 0x52), "\x1b[A");
	assert_string_equal(tap(&k, 0, 0x51), "\x1b[B");
	assert_string_equal(tap(&k, 0, 0x4F), "\x1b[C");
	assert_string_equal(tap(&k, 0, 0x50), "\x1b[D");
	assert_string_equal(tap(&k, 0, 0x4A), "\x1b[H");
	assert_string_equal(tap(&k, 0, 0x4D), "\x1b[F");
	assert_string_equal(tap(&k, 0, 0x4C), "\x1b[3~");
	assert_string_equal(tap(&k, 0, 0x58), "\r");      /* keypad Enter */
	assert_string_equal(tap(&k, 0, 0x54), "/");       /* keypad / */
	assert_string_equal(tap(&k, 0, 0x55), "*");
	assert_string_equal(tap(&k, 0, 0x56), "-");
	assert_string_equal(tap(&k, 0, 0x57), "+");
	/* Keys with no byte: F1..F12, Print Screen, Scroll Lock, Pause, Insert,
	 * Page Up/Down, GUI, Application, F13+ and media usages. */
	static const uint8_t silent[] = { 0x3A, 0x3B, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4B, 0x4E, 0x64,
	                                  0x65, 0x68, 0x7F, 0x80, 0xA0, 0xDF };
	for (size_t i = 0; i < sizeof(silent); i++)
		assert_string_equal(tap(&k, 0, silent[i]), "");
	assert_string_equal(tap(&k, 0x08, 0x04), "a");    /* GUI held: the key still types */
	assert_string_equal(tap(&k, 0x04, 0x04), "a");    /* Alt ignored, as on PS/2 */
}

static void test_same_as_ps2(void **state)
{
	(void)state;
	/* Each usage's set-1 code fed to kbdmap gives what the HID path gives. */
	for (unsigned u = 0; u < 0x100; u++) {
		uint16_t c = kbdmap_usage_to_set1((uint8_t)u);
		if (u >= 0xE0 || !c)
			continue;
		struct kbdmap m;
		kbdmap_init(&m);
		char a[KBDMAP_OUT_MAX + 1] = { 0 }, tmp[KBDMAP_OUT_MAX];
		if (c & KBDMAP_E0)
			kbdmap_feed(&m, 0xE0, tmp);
		size_t n = kbdmap_feed(&m, (uint8_t)(c & 0x7F), a);
		a[n] = '\0';
		struct hid_kbd k;
		hid_kbd_init(&k, 500, 33);
		assert_string_equal(tap(&k, 0, (uint8_t)u), a);
	}
	assert_int_equal(kbdmap_usage_to_set1(0x00), 0);
	assert_int_equal(kbdmap_usage_to_set1(0x01), 0);
	assert_int_equal(kbdmap_usage_to_set1(0x48), 0);        /* Pause */
	assert_int_equal(kbdmap_usage_to_set1(0x66), 0);
	assert_int_equal(kbdmap_usage_to_set1(0xE0), 0x1D);
	assert_int_equal(kbdmap_usage_to_set1(0xE4), KBDMAP_E0 | 0x1D);
	assert_int_equal(kbdmap_usage_to_set1(0xE8), 0);
}

static void test_control_and_hotkey(void **state)
{
	(void)state;
	struct hid_kbd k;
	hid_kbd_init(&k, 500, 33);
	assert_string_equal(tap(&k, 0x01, 0x06), "\x03");   /* left Ctrl-C */
	assert_string_equal(tap(&k, 0x10, 0x07), "\x04");   /* right Ctrl-D */
	assert_string_equal(tap(&k, 0x01, 0x31), "\x1c");   /* Ctrl-\: the monitor hot key */
	assert_string_equal(tap(&k, 0x01, 0x1F), "");       /* Ctrl-2 (NUL) dropped */
	/* Modifier and key in one report: the modifier applies; the key's
	 * release and the modifier's in one report leave nothing held. */
	assert_string_equal(REP(&k, 0, 0x02, 0x04), "A");
	assert_string_equal(REP(&k, 0, 0, 0), "");
	assert_string_equal(REP(&k, 0, 0, 0x04), "a");
	/* Shift pressed while a key is held: the next key is shifted, the held
	 * one is not pressed again. */
	assert_string_equal(REP(&k, 0, 0x02, 0x04), "");
	assert_string_equal(REP(&k, 0, 0x02, 0x04, 0x05), "B");
	assert_string_equal(REP(&k, 0, 0, 0), "");
}

static void test_locks_and_leds(void **state)
{
	(void)state;
	struct hid_kbd k;
	hid_kbd_init(&k, 500, 33);
	assert_int_equal(hid_kbd_leds(&k), 0);
	assert_string_equal(tap(&k, 0, 0x39), "");          /* Caps Lock */
	assert_int_equal(hid_kbd_leds(&k), HID_LED_CAPS);
	assert_string_equal(tap(&k, 0, 0x04), "A");
	assert_string_equal(tap(&k, 0, 0x1E), "1");         /* letters only */
	assert_string_equal(tap(&k, 0x02, 0x04), "a");      /* Shift undoes it */
	assert_string_equal(tap(&k, 0, 0x53), "");          /* Num Lock */
	assert_int_equal(hid_kbd_leds(&k), HID_LED_CAPS | HID_LED_NUM);
	assert_string_equal(tap(&k, 0, 0x59), "1");         /* keypad 1 with Num Lock */
	/* Holding Caps Lock over several reports toggles once. */
	REP(&k, 0, 0, 0x39);
	REP(&k, 0, 0, 0x39, 0x04);
	REP(&k, 0, 0, 0x39);
	REP(&k, 0, 0, 0);
	assert_int_equal(hid_kbd_leds(&k), HID_LED_NUM);
	tap(&k, 0, 0x53);
	assert_int_equal(hid_kbd_leds(&k), 0);
	assert_string_equal(tap(&k, 0, 0x59), "\x1b[F");    /* keypad 1 without: End */
}

static void test_order_rollover_and_junk(void **state)
{
	(void)state;
	struct hid_kbd k;
	hid_kbd_init(&k, 500, 33);
	/* Six keys at once, in report order; one more report with the same keys
	 * in another order presses nothing. */
	assert_string_equal(REP(&k, 0, 0, 0x0B, 0x08, 0x0F, 0x0F, 0x12), "helo");
	assert_string_equal(REP(&k, 0, 0, 0x12, 0x0F, 0x08, 0x0B), "");
	/* ErrorRollOver: the keys held stay held (no release, no press). */
	assert_string_equal(REP(&k, 0, 0, 1, 1, 1, 1, 1, 1), "");
	assert_string_equal(REP(&k, 0, 0, 0x12, 0x0F, 0x08, 0x0B, 0x04), "a");
	/* The modifier byte is still valid in a rollover report. */
	assert_string_equal(REP(&k, 0, 0x02, 1, 1, 1, 1, 1, 1), "");
	assert_string_equal(REP(&k, 0, 0x02, 0x05), "B");
	assert_string_equal(REP(&k, 0, 0, 0), "");
	/* POSTFail, ErrorUndefined and modifier usages in the key array are junk. */
	assert_string_equal(REP(&k, 0, 0, 0x02, 0x03, 0xE1, 0xE0, 0x06), "c");
	REP(&k, 0, 0, 0);
	assert_string_equal(tap(&k, 0, 0x04), "a");         /* no Shift stuck from 0xE1 */
	uint64_t rollovers = k.rollovers;
	assert_int_equal(rollovers, 2);
}

static void test_short_and_long_reports(void **state)
{
	(void)state;
	struct hid_kbd k;
	hid_kbd_init(&k, 500, 33);
	char out[HID_KBD_OUT_MAX];
	const uint8_t two[2] = { 0x02, 0 };
	assert_int_equal(hid_kbd_report(&k, two, 2, 0, out), 0);
	assert_int_equal(hid_kbd_report(&k, two, 0, 0, out), 0);
	assert_int_equal(k.short_reports, 2);
	const uint8_t three[3] = { 0x02, 0, 0x04 };          /* one key slot only */
	assert_int_equal(hid_kbd_report(&k, three, 3, 0, out), 1);
	assert_int_equal(out[0], 'A');
	/* A 9-byte report: the ninth byte is not a key. */
	const uint8_t nine[9] = { 0, 0, 0x04, 0, 0, 0, 0, 0, 0x05 };
	assert_int_equal(hid_kbd_report(&k, nine, 9, 0, out), 0);   /* 'a' still held, Shift up */
	const uint8_t none[8] = { 0 };
	assert_int_equal(hid_kbd_report(&k, none, 8, 0, out), 0);
	assert_string_equal(tap(&k, 0, 0x05), "b");
}

static void test_repeat(void **state)
{
	(void)state;
	struct hid_kbd k;
	hid_kbd_init(&k, 500, 33);
	assert_string_equal(REP(&k, 1000, 0, 0x04), "a");
	assert_true(hid_kbd_repeating(&k));
	assert_string_equal(tick(&k, 1000), "");
	assert_string_equal(tick(&k, 1499), "");
	assert_string_equal(tick(&k, 1500), "a");            /* the delay */
	assert_string_equal(tick(&k, 1500), "");
	assert_string_equal(tick(&k, 1532), "");
	assert_string_equal(tick(&k, 1533), "a");            /* then the period */
	assert_string_equal(tick(&k, 1566), "a");
	/* Polled late: one repeat, the next a period later (no burst). */
	assert_string_equal(tick(&k, 3000), "a");
	assert_string_equal(tick(&k, 3001), "");
	assert_string_equal(tick(&k, 3033), "a");
	/* Shift pressed during the repeat: the repeat follows it. */
	REP(&k, 3040, 0x02, 0x04);
	assert_string_equal(tick(&k, 3066), "A");
	/* A second key takes the repeat over; releasing the first changes nothing. */
	assert_string_equal(REP(&k, 3070, 0, 0x04, 0x05), "b");
	assert_string_equal(tick(&k, 3100), "");
	assert_string_equal(REP(&k, 3200, 0, 0x05), "");
	assert_string_equal(tick(&k, 3570), "b");
	/* Releasing the repeating key stops it. */
	REP(&k, 3571, 0, 0);
	assert_false(hid_kbd_repeating(&k));
	assert_string_equal(tick(&k, 9000), "");
	/* Locks, modifiers and silent keys do not repeat; the arrows do. */
	REP(&k, 10000, 0, 0x39);
	assert_string_equal(tick(&k, 11000), "");
	REP(&k, 11000, 0, 0);
	REP(&k, 11000, 0x02, 0);
	assert_string_equal(tick(&k, 12000), "");
	REP(&k, 12000, 0, 0x3A);                              /* F1 */
	assert_string_equal(tick(&k, 13000), "");
	REP(&k, 13000, 0, 0x52);
	assert_string_equal(tick(&k, 13500), "\x1b[A");
	REP(&k, 13500, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_usage_byte),
		cmocka_unit_test(test_same_as_ps2),
		cmocka_unit_test(test_control_and_hotkey),
		cmocka_unit_test(test_locks_and_leds),
		cmocka_unit_test(test_order_rollover_and_junk),
		cmocka_unit_test(test_short_and_long_reports),
		cmocka_unit_test(test_repeat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
