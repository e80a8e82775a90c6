/*
 * test_ps2kbd.c — the forgiving PS/2 bring-up (drivers/ps2kbd.c, built here
 * with -DPXOS_PORTIO_FAKE) against a model i8042 and keyboard on ports 0x60
 * and 0x64 (IBM PC/AT 8042 conventions).
 *
 * Checks: a healthy controller and keyboard come up without the controller
 * self-test (0xAA), the port test (0xAB) or a keyboard reset (0xFF), with
 * the configuration byte IRQ 1 on, translation on, port 1 on, port 2 off; a
 * keyboard that answers 0xFE (resend) or nothing at first is retried; one
 * that never answers leaves the controller listening, and its first byte
 * later makes it present and is decoded; a lost configuration
 * byte is asked for again; no controller (0xFF) and a controller that never
 * takes a byte fail with a reason, in bounded time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "drivers/ps2kbd.h"
#include "kernel/param.h"

/* ---- the model ---------------------------------------------------------- */

enum kbd_mode { KBD_ABSENT, KBD_OK };

static struct {
	bool absent;               /* no controller: every port reads 0xFF */
	bool stuck_busy;           /* input buffer never empties */
	int lose_config_reads;     /* 0x20 commands to ignore */
	enum kbd_mode kbd;
	int kbd_resends, kbd_ignores;   /* before the keyboard ACKs */
	uint8_t config;
	bool want_config;          /* the next data byte is the configuration */
	bool port1_on;
	uint8_t out[64];
	int nout;
	uint8_t cmds[64];          /* controller commands seen */
	int ncmds;
	uint8_t kbd_bytes[16];     /* bytes sent to the keyboard */
	int nkbd;
} m;

static uint64_t now;

static void push(uint8_t b)
{
	if (m.nout < (int)sizeof(m.out))
		m.out[m.nout++] = b;
}

uint8_t inb(uint16_t port)
{
	if (m.absent)
		return 0xFF;
	if (port == 0x64)
		return (uint8_t)((m.nout ? 0x01 : 0) | (m.stuck_busy ? 0x02 : 0));
	if (port == 0x60 && m.nout) {
		uint8_t b = m.out[0];
		memmove(m.out, m.out + 1, (size_t)--m.nout);
		return b;
	}
	return 0;
}

void outb(uint16_t port, uint8_t v)
{
	if (m.absent || m.stuck_busy)
		return;
	if (port == 0x64) {
		if (m.ncmds < (int)sizeof(m.cmds))
			m.cmds[m.ncmds++] = v;
		switch (v) {
		case 0x20:
			if (m.lose_config_reads > 0)
				m.lose_config_reads--;
			else
				push(m.config);
			break;
		case 0x60: m.want_config = true; break;
		case 0xAD: m.port1_on = false; m.config |= 0x10; break;
		case 0xAE: m.port1_on = true; m.config &= (uint8_t)~0x10; break;
		case 0xA7: m.config |= 0x20; break;
		case 0xAA: m.config = 0x00; push(0x55); break;   /* a self-test resets it */
		case 0xAB: push(0x00); break;
		default: break;
		}
		return;
	}
	if (m.want_config) {
		m.config = v;
		m.want_config = false;
		return;
	}
	if (m.nkbd < (int)sizeof(m.kbd_bytes))
		m.kbd_bytes[m.nkbd++] = v;
	if (m.kbd == KBD_ABSENT || !m.port1_on)
		return;
	if (m.kbd_ignores > 0) {
		m.kbd_ignores--;
		return;
	}
	if (m.kbd_resends > 0) {
		m.kbd_resends--;
		push(0xFE);
		return;
	}
	push(0xFA);
}

/* The kernel services ps2kbd.c uses. */
uint64_t timer_us(void) { return now += 10; }

static void reset_model(enum kbd_mode kbd)
{
	memset(&m, 0, sizeof(m));
	m.kbd = kbd;
	m.config = 0x47 | 0x10;    /* as firmware leaves it: IRQs, translation, port 1 off */
	now = 0;
}

static bool sent_cmd(uint8_t c)
{
	return memchr(m.cmds, c, (size_t)m.ncmds) != NULL;
}

static const char *read_all(void)
{
	static char out[64];
	size_t n = ps2kbd_read(out, sizeof(out) - 1);
	out[n] = '\0';
	return out;
}

/* ---- the tests ---------------------------------------------------------- */

static void test_healthy_no_selftest_no_reset(void **state)
{
	(void)state;
	reset_model(KBD_OK);
	const char *why = "unset";
	assert_true(ps2kbd_init(&why));
	assert_true(ps2kbd_present());
	assert_true(ps2kbd_keyboard());
	assert_false(sent_cmd(0xAA));
	assert_false(sent_cmd(0xAB));
	assert_null(memchr(m.kbd_bytes, 0xFF, (size_t)m.nkbd));    /* no keyboard reset */
	assert_int_equal(m.nkbd, 1);
	assert_int_equal(m.kbd_bytes[0], 0xF4);
	assert_int_equal(m.config & 0x01, 0x01);   /* IRQ 1 */
	assert_int_equal(m.config & 0x02, 0);      /* IRQ 12 off */
	assert_int_equal(m.config & 0x10, 0);      /* port 1 clock on */
	assert_int_equal(m.config & 0x20, 0x20);   /* port 2 off */
	assert_int_equal(m.config & 0x40, 0x40);   /* translation */
	/* Scancodes through the IRQ path: 'a' press/release. */
	push(0x1E);
	push(0x9E);
	ps2kbd_irq();
	assert_string_equal(read_all(), "a");
}

static void test_retries(void **state)
{
	(void)state;
	const char *why;
	reset_model(KBD_OK);
	m.kbd_resends = 2;                          /* 0xFE, 0xFE, then 0xFA */
	assert_true(ps2kbd_init(&why));
	assert_true(ps2kbd_keyboard());
	assert_int_equal(m.nkbd, 3);
	reset_model(KBD_OK);
	m.kbd_ignores = 2;                          /* silence, silence, then 0xFA */
	assert_true(ps2kbd_init(&why));
	assert_true(ps2kbd_keyboard());
	reset_model(KBD_OK);
	m.lose_config_reads = 2;                    /* the configuration byte lost twice */
	assert_true(ps2kbd_init(&why));
	assert_true(ps2kbd_keyboard());
}

static void test_late_keyboard(void **state)
{
	(void)state;
	reset_model(KBD_ABSENT);
	const char *why = "";
	assert_true(ps2kbd_init(&why));             /* the controller is there: listen */
	assert_true(ps2kbd_present());
	assert_false(ps2kbd_keyboard());
	assert_non_null(strstr(why, "no keyboard"));
	assert_int_equal(m.config & 0x01, 0x01);    /* IRQ 1 on anyway */
	assert_string_equal(read_all(), "");
	assert_false(ps2kbd_keyboard());
	/* The keyboard is plugged in: its self-test result 0xAA, then keys. */
	m.kbd = KBD_OK;
	push(0xAA);
	push(0x30);
	push(0xB0);
	ps2kbd_irq();
	assert_false(ps2kbd_keyboard());            /* until the main loop has read its byte */
	assert_string_equal(read_all(), "b");
	assert_true(ps2kbd_keyboard());
	push(0x2E);
	ps2kbd_irq();
	assert_string_equal(read_all(), "c");
	assert_true(ps2kbd_keyboard());
}

static void test_no_controller_bounded(void **state)
{
	(void)state;
	const char *why = "";
	reset_model(KBD_OK);
	m.absent = true;
	assert_false(ps2kbd_init(&why));
	assert_false(ps2kbd_present());
	assert_false(ps2kbd_keyboard());
	assert_non_null(strstr(why, "0xFF"));
	reset_model(KBD_OK);
	m.stuck_busy = true;
	assert_false(ps2kbd_init(&why));
	assert_non_null(strstr(why, "commands"));
	/* PS2_TRIES waits of PS2_WAIT_US at most, per command. */
	assert_true(now <= 3ull * PS2_TRIES * PS2_WAIT_US);
	reset_model(KBD_OK);
	m.lose_config_reads = 100;
	assert_false(ps2kbd_init(&why));
	assert_non_null(strstr(why, "configuration"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_no_selftest_no_reset),
		cmocka_unit_test(test_retries),
		cmocka_unit_test(test_late_keyboard),
		cmocka_unit_test(test_no_controller_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
