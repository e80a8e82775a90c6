/*
 * kbdmap.h — PC scancode set 1 (what an i8042 with translation on delivers)
 * to the bytes a terminal would send, US layout. Portable (kernel and host
 * unit tests); no hardware access.
 *
 * Bytes produced:
 *   printable keys    ASCII, with Shift and Caps Lock (Caps affects letters only)
 *   Enter             '\r' (0x0D), as a serial terminal sends it; keypad Enter too
 *   Backspace         0x7F (DEL), as most terminals send it
 *   Tab, Esc          0x09, 0x1B
 *   Ctrl + key        the key's byte & 0x1F for @, A..Z, [, \, ], ^, _
 *                     (Ctrl-C 0x03, Ctrl-D 0x04, Ctrl-\ 0x1C); Ctrl-2 0x00 is dropped
 *   arrows            ESC [ A (up), B (down), C (right), D (left)
 *   Home, End         ESC [ H, ESC [ F;  Delete ESC [ 3 ~
 *   keypad            digits and . with Num Lock on; the cursor keys with it off
 * Alt, the Windows keys, function keys, Pause and Print Screen produce nothing.
 *
 * USB keyboards (drivers/hid_boot.h) report HID usages, not scancodes; they
 * are translated to set 1 with kbdmap_usage_to_set1 and decoded here, so both
 * kinds of keyboard produce the same bytes.
 */
#ifndef PXOS_KBDMAP_H
#define PXOS_KBDMAP_H

#include <stdint.h>
#include <stddef.h>

struct kbdmap {
	uint8_t prefix;     /* 0, 0xE0, or 0xE1 while skipping the Pause sequence */
	uint8_t skip;       /* bytes of the Pause sequence still to skip */
	uint8_t lshift, rshift, lctrl, rctrl, alt;
	uint8_t caps, numlock;
};

#define KBDMAP_OUT_MAX 4    /* most bytes one scancode produces */

/* kbdmap_init: no key held, Caps Lock off, Num Lock off. */
void kbdmap_init(struct kbdmap *k);

/* kbdmap_feed: one scancode byte `sc` from the keyboard. Writes the bytes it
 * produces into out[0..KBDMAP_OUT_MAX) and returns their count (0 for key
 * releases, modifiers, prefixes and keys that map to nothing). */
size_t kbdmap_feed(struct kbdmap *k, uint8_t sc, char out[KBDMAP_OUT_MAX]);

/* kbdmap_usage_to_set1: the scancode set 1 make code of USB HID usage
 * `usage` on the Keyboard/Keypad page 0x07 (HID Usage Tables 1.12 §10;
 * translation as in Microsoft's "Keyboard Scan Code Specification" rev 1.3a,
 * appendix C): letters, digits, Enter, Esc, Backspace, Tab, Space and
 * punctuation 0x04..0x38, Caps Lock 0x39, F1..F12 0x3A..0x45, the editing
 * and arrow block 0x46..0x52, the keypad 0x53..0x63, 0x64 (non-US \), 0x65
 * (Application) and the modifiers 0xE0..0xE7. Keys set 1 sends behind an E0
 * prefix have KBDMAP_E0 or'ed in. Returns 0 for every other usage (none,
 * ErrorRollOver, POSTFail, ErrorUndefined, Pause, F13 and up, media keys). */
#define KBDMAP_E0 0x100
uint16_t kbdmap_usage_to_set1(uint8_t usage);

#endif /* PXOS_KBDMAP_H */
