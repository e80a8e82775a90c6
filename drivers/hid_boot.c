/*
 * hid_boot.c — boot keyboard reports to terminal bytes; see hid_boot.h.
 */
#include "hid_boot.h"

#define USAGE_ERROR_ROLLOVER 0x01
#define USAGE_CAPS_LOCK      0x39
#define USAGE_SCROLL_LOCK    0x47
#define USAGE_NUM_LOCK       0x53

void hid_kbd_init(struct hid_kbd *k, uint32_t delay_ms, uint32_t period_ms)
{
	*k = (struct hid_kbd){ 0 };
	kbdmap_init(&k->map);
	k->delay_us = (delay_ms ? delay_ms : 1) * 1000u;
	k->period_us = (period_ms ? period_ms : 1) * 1000u;
}

/* feed: one set-1 key event (make, or break when `release`) through kbdmap. */
static size_t feed(struct hid_kbd *k, uint16_t code, bool release, char *out)
{
	char ignored[KBDMAP_OUT_MAX];
	if (!code)
		return 0;
	if (code & KBDMAP_E0)
		(void)kbdmap_feed(&k->map, 0xE0, ignored);    /* a prefix produces nothing */
	return kbdmap_feed(&k->map, (uint8_t)((code & 0x7F) | (release ? 0x80 : 0)), out);
}

static bool held(const uint8_t keys[HID_BOOT_KEYS], uint8_t usage)
{
	for (int i = 0; i < HID_BOOT_KEYS; i++)
		if (keys[i] == usage)
			return true;
	return false;
}

static bool repeatable(uint8_t usage)
{
	return usage != USAGE_CAPS_LOCK && usage != USAGE_NUM_LOCK && usage != USAGE_SCROLL_LOCK;
}

size_t hid_kbd_report(struct hid_kbd *k, const uint8_t *r, size_t len, uint64_t now_us,
                      char out[HID_KBD_OUT_MAX])
{
	size_t n = 0;
	if (len < 3) {
		k->short_reports++;
		return 0;
	}
	if (len > HID_BOOT_REPORT_LEN)
		len = HID_BOOT_REPORT_LEN;
	k->reports++;

	/* The keys held now: the report's usages, de-duplicated, without the
	 * error codes; on ErrorRollOver the previous set stays. */
	uint8_t now[HID_BOOT_KEYS] = { 0 };
	bool rollover = false;
	for (size_t i = 2; i < len; i++)
		if (r[i] == USAGE_ERROR_ROLLOVER)
			rollover = true;
	if (rollover) {
		k->rollovers++;
		for (int i = 0; i < HID_BOOT_KEYS; i++)
			now[i] = k->keys[i];
	} else {
		int m = 0;
		for (size_t i = 2; i < len; i++) {
			uint8_t u = r[i];
			/* 0: empty; 0x02/0x03: POSTFail/ErrorUndefined; 0xE0..: modifiers
			 * belong in byte 0, not here. */
			if (u > 0x03 && u < 0xE0 && !held(now, u))
				now[m++] = u;
		}
	}

	/* Keys released. */
	for (int i = 0; i < HID_BOOT_KEYS; i++) {
		uint8_t u = k->keys[i];
		if (!u || held(now, u))
			continue;
		(void)feed(k, kbdmap_usage_to_set1(u), true, out + n);
		if (u == k->repeat)
			k->repeat = 0;
	}
	/* Modifiers released, then pressed. */
	uint8_t released = (uint8_t)(k->mods & ~r[0]), pressed = (uint8_t)(r[0] & ~k->mods);
	for (int b = 0; b < 8; b++)
		if (released & (1u << b))
			(void)feed(k, kbdmap_usage_to_set1((uint8_t)(0xE0 + b)), true, out + n);
	for (int b = 0; b < 8; b++)
		if (pressed & (1u << b))
			(void)feed(k, kbdmap_usage_to_set1((uint8_t)(0xE0 + b)), false, out + n);
	k->mods = r[0];
	/* Keys pressed, in report order; the last one that gives bytes repeats. */
	for (int i = 0; i < HID_BOOT_KEYS; i++) {
		uint8_t u = now[i];
		if (!u || held(k->keys, u))
			continue;
		size_t m = feed(k, kbdmap_usage_to_set1(u), false, out + n);
		n += m;
		if (m && repeatable(u)) {
			k->repeat = u;
			k->repeat_at = now_us + k->delay_us;
		}
	}
	for (int i = 0; i < HID_BOOT_KEYS; i++)
		k->keys[i] = now[i];
	return n;
}

size_t hid_kbd_tick(struct hid_kbd *k, uint64_t now_us, char out[KBDMAP_OUT_MAX])
{
	if (!k->repeat || now_us < k->repeat_at)
		return 0;
	k->repeat_at += k->period_us;
	if (k->repeat_at <= now_us)          /* polled late: no burst */
		k->repeat_at = now_us + k->period_us;
	return feed(k, kbdmap_usage_to_set1(k->repeat), false, out);
}

uint8_t hid_kbd_leds(const struct hid_kbd *k)
{
	return (uint8_t)((k->map.numlock ? HID_LED_NUM : 0) | (k->map.caps ? HID_LED_CAPS : 0));
}

bool hid_kbd_repeating(const struct hid_kbd *k) { return k->repeat != 0; }
