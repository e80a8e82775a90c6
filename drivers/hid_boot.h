/*
 * hid_boot.h — a USB HID boot-protocol keyboard's input reports to the bytes
 * a terminal would send. Portable (kernel and host unit tests); no hardware.
 *
 * Boot keyboard input report (Device Class Definition for HID 1.11, appendix
 * B.1 and C): byte 0 the modifier bits (bit 0 left Ctrl, 1 left Shift, 2 left
 * Alt, 3 left GUI, 4..7 the right ones), byte 1 reserved, bytes 2..7 the
 * usages (HID Usage Tables §10) of up to six keys held, in any order, 0 for an
 * empty slot; all six 0x01 (ErrorRollOver) when too many keys are held, the
 * modifier byte still valid then.
 *
 * A report states which keys are held; this module compares it with the
 * previous one and turns the differences into key presses and releases, in
 * this order: keys released, modifiers released, modifiers pressed, keys
 * pressed. Each usage becomes a scancode set 1 code (kbdmap_usage_to_set1)
 * decoded by drivers/kbdmap.h, so a USB key gives exactly the bytes the same
 * key gives on PS/2 (Enter '\r', arrows ESC [ A.., Ctrl-letter 0x01.., ...).
 *
 * Key repeat: USB keyboards do not repeat (a PS/2 keyboard's typematic repeat
 * is done by the keyboard); with SET_IDLE 0 they report only changes, so the
 * host repeats. The key pressed last, while it stays held, produces its bytes
 * again `delay` after its press and then every `period` (hid_kbd_tick);
 * releasing it stops the repeat, pressing another key moves it there.
 * Modifiers, Caps, Num and Scroll Lock, and keys that produce no bytes do not
 * repeat. A caller that polls late gets one repeat, not a burst.
 *
 * Caps Lock and Num Lock toggle in this keyboard's own state (each keyboard
 * has its own); hid_kbd_leds gives the LED output report byte that shows it.
 */
#ifndef PXOS_HID_BOOT_H
#define PXOS_HID_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kbdmap.h"

#define HID_BOOT_REPORT_LEN 8      /* bytes of a boot keyboard input report */
#define HID_BOOT_KEYS       6      /* key slots in it */
#define HID_KBD_OUT_MAX     (HID_BOOT_KEYS * KBDMAP_OUT_MAX) /* most bytes one report gives */

/* LED output report bits (HID Usage Tables §11, boot keyboard output report). */
#define HID_LED_NUM    0x01
#define HID_LED_CAPS   0x02
#define HID_LED_SCROLL 0x04

struct hid_kbd {
	struct kbdmap map;             /* modifiers, Caps and Num Lock */
	uint8_t mods;                  /* modifier byte of the last report */
	uint8_t keys[HID_BOOT_KEYS];   /* usages held, 0 = free slot */
	uint8_t repeat;                /* usage repeating (0: none) */
	uint64_t repeat_at;            /* µs: when it repeats next */
	uint32_t delay_us, period_us;
	uint64_t reports, rollovers, short_reports;
};

/* hid_kbd_init: no key held, locks off; repeat after `delay_ms`, then every
 * `period_ms` (both > 0). */
void hid_kbd_init(struct hid_kbd *k, uint32_t delay_ms, uint32_t period_ms);

/* hid_kbd_report: one input report `r` of `len` bytes received at `now_us`
 * (µs, any monotonic clock). A report shorter than 3 bytes is counted and
 * ignored; bytes past the eighth are ignored; key slots beyond `len` count as
 * empty. Writes the bytes the report's key presses produce to `out` and
 * returns their count (<= HID_KBD_OUT_MAX). */
size_t hid_kbd_report(struct hid_kbd *k, const uint8_t *r, size_t len, uint64_t now_us,
                      char out[HID_KBD_OUT_MAX]);

/* hid_kbd_tick: key repeat at time `now_us`: the repeating key's bytes when
 * it is due (at most once per call), else nothing. Returns the count written
 * to `out` (<= KBDMAP_OUT_MAX). */
size_t hid_kbd_tick(struct hid_kbd *k, uint64_t now_us, char out[KBDMAP_OUT_MAX]);

/* hid_kbd_leds: the LED output report byte for the current lock state
 * (HID_LED_NUM | HID_LED_CAPS as they are on). */
uint8_t hid_kbd_leds(const struct hid_kbd *k);

/* hid_kbd_repeating: whether a key repeat is scheduled. */
bool hid_kbd_repeating(const struct hid_kbd *k);

#endif /* PXOS_HID_BOOT_H */
