/*
 * test_usb_desc.c — USB descriptor parsing with untrusted lengths
 * (drivers/usb_desc.h). A device is untrusted input: every buffer here sits
 * at the very end of a readable page with an unmapped page after it, so a
 * read one byte too far crashes the test instead of passing unseen.
 *
 * Checks: a real keyboard's and a real hub's configuration (QEMU usb-kbd,
 * usb-hub), device/hub/string descriptors; every truncation of a
 * configuration; bLength 0, 1, past the end; short interface and endpoint
 * descriptors; wTotalLength below and above the bytes received; too many
 * interfaces and endpoints (clamped and counted); alternate settings and
 * endpoints outside an interface skipped; endpoint look-up refusing endpoint
 * 0 and a zero max packet size; then 200000 random mutations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include "drivers/usb_desc.h"

static uint8_t *guard_base;
static size_t page;

/* at_edge: a copy of `n` bytes of `b` that ends exactly where an unmapped
 * page begins. */
static const uint8_t *at_edge(const void *b, size_t n)
{
	assert_true(n <= page);
	uint8_t *p = guard_base + page - n;
	memcpy(p, b, n);
	return p;
}

static int setup(void **state)
{
	(void)state;
	page = (size_t)sysconf(_SC_PAGESIZE);
	guard_base = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(guard_base != MAP_FAILED);
	assert_int_equal(mprotect(guard_base + page, page, PROT_NONE), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	munmap(guard_base, 2 * page);
	return 0;
}

/* QEMU's usb-kbd at full speed: config, interface (HID boot keyboard), HID
 * descriptor, interrupt IN endpoint 1, 8 bytes, every 10 ms. */
static const uint8_t kbd_config[34] = {
	9, 2, 34, 0, 1, 1, 0, 0xA0, 50,
	9, 4, 0, 0, 1, 3, 1, 1, 0,
	9, 0x21, 0x11, 0x01, 0, 1, 0x22, 0x3F, 0,
	7, 5, 0x81, 3, 8, 0, 10,
};

/* QEMU's usb-hub: config, interface class 9, status change endpoint. */
static const uint8_t hub_config[25] = {
	9, 2, 25, 0, 1, 1, 0, 0xE0, 0,
	9, 4, 0, 0, 1, 9, 0, 0, 0,
	7, 5, 0x81, 3, 2, 0, 0xFF,
};

static void test_real_devices(void **state)
{
	(void)state;
	struct usb_config_info c;
	const char *why = "";
	assert_int_equal(usb_desc_config(at_edge(kbd_config, 34), 34, &c, &why), 0);
	assert_int_equal(c.value, 1);
	assert_int_equal(c.total, 34);
	assert_int_equal(c.niface, 1);
	const struct usb_iface_info *f = usb_desc_find(&c, USB_CLASS_HID, USB_HID_SUBCLASS_BOOT, USB_HID_PROTO_KEYBOARD);
	assert_non_null(f);
	assert_null(usb_desc_find(&c, USB_CLASS_HUB, -1, -1));
	const struct usb_ep_info *e = usb_desc_find_ep(f, USB_EP_INTR, 1);
	assert_non_null(e);
	assert_int_equal(e->addr, 0x81);
	assert_int_equal(e->mps, 8);
	assert_int_equal(e->interval, 10);
	assert_null(usb_desc_find_ep(f, USB_EP_INTR, 0));
	assert_null(usb_desc_find_ep(f, USB_EP_BULK, 1));

	assert_int_equal(usb_desc_config(at_edge(hub_config, 25), 25, &c, &why), 0);
	f = usb_desc_find(&c, USB_CLASS_HUB, -1, -1);
	assert_non_null(f);
	e = usb_desc_find_ep(f, USB_EP_INTR, 1);
	assert_non_null(e);
	assert_int_equal(e->interval, 0xFF);

	static const uint8_t hubd[9] = { 9, 0x29, 8, 0x0A, 0x00, 50, 0, 0, 0xFF };
	struct usb_hub_info h;
	assert_int_equal(usb_desc_hub(at_edge(hubd, 9), 9, &h, &why), 0);
	assert_int_equal(h.nports, 8);
	assert_int_equal(h.characteristics, 0x0A);
	assert_int_equal(h.power_on_ms_2, 50);
	for (size_t n = 0; n < 7; n++)
		assert_int_equal(usb_desc_hub(at_edge(hubd, n), n, &h, &why), -1);
	static const uint8_t bad_hub[7] = { 7, 0x28, 8, 0, 0, 0, 0 };
	assert_int_equal(usb_desc_hub(at_edge(bad_hub, 7), 7, &h, &why), -1);
	static const uint8_t short_hub[7] = { 6, 0x29, 8, 0, 0, 0, 0 };
	assert_int_equal(usb_desc_hub(at_edge(short_hub, 7), 7, &h, &why), -1);

	static const uint8_t dev[18] = { 18, 1, 0x00, 0x02, 0, 0, 0, 64, 0x27, 0x06, 0x01, 0x00,
	                                 0x00, 0x01, 1, 4, 5, 1 };
	struct usb_device_info d;
	assert_int_equal(usb_desc_device(at_edge(dev, 18), 18, &d, &why), 0);
	assert_int_equal(d.vid, 0x0627);
	assert_int_equal(d.pid, 0x0001);
	assert_int_equal(d.bcd_usb, 0x0200);
	assert_int_equal(d.mps0, 64);
	assert_int_equal(d.iproduct, 4);
	assert_int_equal(d.nconfigs, 1);
	uint8_t mps0 = 0;
	assert_int_equal(usb_desc_device_head(at_edge(dev, 8), 8, &mps0), 0);
	assert_int_equal(mps0, 64);
	for (size_t n = 0; n < 18; n++) {
		assert_int_equal(usb_desc_device(at_edge(dev, n), n, &d, &why), -1);
		if (n < 8)
			assert_int_equal(usb_desc_device_head(at_edge(dev, n), n, &mps0), -1);
	}
	uint8_t bad[18];
	memcpy(bad, dev, 18);
	bad[0] = 17;
	assert_int_equal(usb_desc_device(at_edge(bad, 18), 18, &d, &why), -1);
	bad[0] = 18;
	bad[1] = 2;
	assert_int_equal(usb_desc_device(at_edge(bad, 18), 18, &d, &why), -1);
	assert_int_equal(usb_desc_device_head(at_edge(bad, 8), 8, &mps0), -1);
}

static void test_strings(void **state)
{
	(void)state;
	static const uint8_t s[] = { 12, 3, 'Q', 0, 'E', 0, 'M', 0, 'U', 0, 0xE9, 0 };
	char out[32];
	assert_int_equal(usb_desc_string(at_edge(s, sizeof(s)), sizeof(s), out, sizeof(out)), 5);
	assert_string_equal(out, "QEMU?");                      /* non-ASCII shown as '?' */
	assert_int_equal(usb_desc_string(at_edge(s, 7), 7, out, sizeof(out)), 2);
	assert_string_equal(out, "QE");                         /* cut off: what arrived */
	assert_int_equal(usb_desc_string(at_edge(s, sizeof(s)), sizeof(s), out, 3), 2);
	assert_string_equal(out, "QE");                         /* the caller's buffer */
	static const uint8_t odd[] = { 5, 3, 'A', 0, 'B' };
	assert_int_equal(usb_desc_string(at_edge(odd, 5), 5, out, sizeof(out)), 1);
	static const uint8_t ctl[] = { 6, 3, 0x1B, 0, '\n', 0 };  /* escapes never reach a log */
	usb_desc_string(at_edge(ctl, 6), 6, out, sizeof(out));
	assert_string_equal(out, "??");
	static const uint8_t notstr[] = { 4, 2, 'A', 0 };
	assert_int_equal(usb_desc_string(at_edge(notstr, 4), 4, out, sizeof(out)), -1);
	assert_string_equal(out, "");
	assert_int_equal(usb_desc_string(at_edge(s, 1), 1, out, sizeof(out)), -1);
	static const uint8_t zero[] = { 0, 3 };
	assert_int_equal(usb_desc_string(at_edge(zero, 2), 2, out, sizeof(out)), -1);
}

static void test_every_truncation(void **state)
{
	(void)state;
	const char *why;
	struct usb_config_info c;
	for (size_t n = 0; n <= sizeof(kbd_config); n++) {
		why = NULL;
		int r = usb_desc_config(at_edge(kbd_config, n), n, &c, &why);
		/* Cut at a descriptor boundary (9, 18, 27, 34) it parses what came;
		 * anywhere else it says which descriptor is cut off. */
		if (n == 9 || n == 18 || n == 27 || n == 34) {
			assert_int_equal(r, 0);
			assert_int_equal(c.niface, n >= 18);
			assert_int_equal(n >= 18 ? c.iface[0].nep : 0, n == 34);
		} else {
			assert_int_equal(r, -1);
			assert_non_null(why);
		}
	}
}

static void test_hostile_lengths(void **state)
{
	(void)state;
	const char *why;
	struct usb_config_info c;
	uint8_t b[64];

	/* bLength 0 and 1 in the middle: an error, not an endless loop. */
	for (uint8_t bad = 0; bad < 2; bad++) {
		memcpy(b, kbd_config, 34);
		b[18] = bad;
		why = NULL;
		assert_int_equal(usb_desc_config(at_edge(b, 34), 34, &c, &why), -1);
		assert_non_null(strstr(why, "below 2"));
	}
	/* bLength past the end. */
	memcpy(b, kbd_config, 34);
	b[27] = 9;
	assert_int_equal(usb_desc_config(at_edge(b, 34), 34, &c, &why), -1);
	assert_non_null(strstr(why, "past the end"));
	/* Interface of 5 bytes, endpoint of 3 bytes (lengths still consistent). */
	static const uint8_t short_if[] = { 9, 2, 14, 0, 1, 1, 0, 0x80, 50, 5, 4, 0, 0, 1 };
	assert_int_equal(usb_desc_config(at_edge(short_if, 14), 14, &c, &why), -1);
	assert_non_null(strstr(why, "interface"));
	static const uint8_t short_ep[] = { 9, 2, 21, 0, 1, 1, 0, 0x80, 50, 9, 4, 0, 0, 1, 3, 1, 1, 0,
	                                    3, 5, 0x81 };
	assert_int_equal(usb_desc_config(at_edge(short_ep, 21), 21, &c, &why), -1);
	assert_non_null(strstr(why, "endpoint"));
	/* The configuration descriptor itself: short, wrong type, bLength < 9. */
	memcpy(b, kbd_config, 34);
	b[1] = 4;
	assert_int_equal(usb_desc_config(at_edge(b, 34), 34, &c, &why), -1);
	memcpy(b, kbd_config, 34);
	b[0] = 8;
	assert_int_equal(usb_desc_config(at_edge(b, 34), 34, &c, &why), -1);
	/* wTotalLength below what came: only wTotalLength bytes are parsed. */
	memcpy(b, kbd_config, 34);
	b[2] = 27;
	assert_int_equal(usb_desc_config(at_edge(b, 34), 34, &c, &why), 0);
	assert_int_equal(c.iface[0].nep, 0);
	b[2] = 4;                                                  /* below 9 */
	assert_int_equal(usb_desc_config(at_edge(b, 34), 34, &c, &why), -1);
	/* wTotalLength above what came (the host read fewer): the bytes we have. */
	b[2] = 0xFF;
	b[3] = 0xFF;
	assert_int_equal(usb_desc_config(at_edge(b, 34), 34, &c, &why), 0);
	assert_int_equal(c.total, 0xFFFF);
	assert_int_equal(c.iface[0].nep, 1);
}

static void test_clamps_and_skips(void **state)
{
	(void)state;
	const char *why;
	struct usb_config_info c;
	uint8_t b[1400];
	size_t n = 9;
	memcpy(b, kbd_config, 9);
	/* An endpoint before any interface: ignored. */
	static const uint8_t ep_in1[7] = { 7, 5, 0x81, 3, 8, 0, 10 };
	memcpy(b + n, ep_in1, 7);
	n += 7;
	/* USB_DESC_IFACES_MAX + 3 interfaces with USB_DESC_EPS_MAX + 2 endpoints
	 * each; every other one an alternate setting (skipped, endpoints too). */
	for (int i = 0; i < 2 * (USB_DESC_IFACES_MAX + 3); i++) {
		uint8_t itf[9] = { 9, 4, (uint8_t)(i / 2), (uint8_t)(i % 2), 6, 3, 0, 0, 0 };
		memcpy(b + n, itf, 9);
		n += 9;
		for (int k = 0; k < USB_DESC_EPS_MAX + 2; k++) {
			uint8_t ep[7] = { 7, 5, (uint8_t)(0x81 + k), 3, 8, 0, 10 };
			if (k == 0)
				ep[4] = 0;                                 /* max packet 0 */
			memcpy(b + n, ep, 7);
			n += 7;
		}
		static const uint8_t vendor[5] = { 5, 0x24, 1, 2, 3 }; /* class-specific */
		memcpy(b + n, vendor, 5);
		n += 5;
	}
	b[2] = (uint8_t)n;
	b[3] = (uint8_t)(n >> 8);
	assert_true(n <= sizeof(b));
	assert_int_equal(usb_desc_config(at_edge(b, n), n, &c, &why), 0);
	assert_int_equal(c.niface, USB_DESC_IFACES_MAX);
	assert_int_equal(c.dropped, 3 + USB_DESC_IFACES_MAX * 2);
	for (int i = 0; i < USB_DESC_IFACES_MAX; i++) {
		assert_int_equal(c.iface[i].number, i);
		assert_int_equal(c.iface[i].nep, USB_DESC_EPS_MAX);
		const struct usb_ep_info *e = usb_desc_find_ep(&c.iface[i], USB_EP_INTR, 1);
		assert_non_null(e);
		assert_int_equal(e->addr, 0x82);                     /* 0x81 has max packet 0 */
	}
	/* Endpoint number 0 is never an interrupt endpoint of a driver. */
	struct usb_iface_info f = { .nep = 1, .ep = { { .addr = 0x80, .type = USB_EP_INTR, .mps = 8 } } };
	assert_null(usb_desc_find_ep(&f, USB_EP_INTR, 1));
}

static void test_random_mutations(void **state)
{
	(void)state;
	srand(12345);
	uint8_t b[96];
	struct usb_config_info c;
	struct usb_device_info d;
	struct usb_hub_info h;
	char s[16];
	const char *why;
	for (int round = 0; round < 200000; round++) {
		size_t n;
		if (round % 3 == 0) {
			memcpy(b, kbd_config, 34);
			n = 34;
		} else if (round % 3 == 1) {
			memcpy(b, hub_config, 25);
			n = 25;
		} else {
			n = (size_t)(rand() % (int)sizeof(b));
			for (size_t i = 0; i < n; i++)
				b[i] = (uint8_t)rand();
		}
		for (int m = rand() % 4; m >= 0 && n; m--)
			b[rand() % (int)n] = (uint8_t)rand();
		if (rand() % 4 == 0 && n)
			n = (size_t)(rand() % (int)n);
		const uint8_t *p = at_edge(b, n);
		if (usb_desc_config(p, n, &c, &why) == 0) {
			assert_true(c.niface <= USB_DESC_IFACES_MAX);
			for (int i = 0; i < c.niface; i++)
				assert_true(c.iface[i].nep <= USB_DESC_EPS_MAX);
		}
		(void)usb_desc_device(p, n, &d, &why);
		(void)usb_desc_hub(p, n, &h, &why);
		int k = usb_desc_string(p, n, s, sizeof(s));
		assert_true(k < (int)sizeof(s));
		assert_true(strlen(s) < sizeof(s));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_devices),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_hostile_lengths),
		cmocka_unit_test(test_clamps_and_skips),
		cmocka_unit_test(test_random_mutations),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
